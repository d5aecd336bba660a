"""Read-aloud audio made on the server with eSpeak NG, so that a device with no speech voice
for the page's language (Debian's Chromium has none; a Welsh voice is rare) still speaks."""
