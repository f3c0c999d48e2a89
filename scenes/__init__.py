"""The bundled scenes: `gananim list` shows them; `gananim render NAME` uses one by name."""
