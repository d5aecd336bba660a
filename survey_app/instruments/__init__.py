"""Instrument files: schema, loader, parsed model, publishing and diffs."""
