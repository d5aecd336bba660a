"""Field laptops: a bundle from the server, answers sealed with the study's public key at
the moment of sending, batches carried back and merged once (issue 16)."""
