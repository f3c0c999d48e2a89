"""Trace -> pictures: layouts of panels, blitted frames, tiled sweeps, and the encoders."""
