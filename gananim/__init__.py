"""gananim: train small GANs on toy problems and turn their training into animations.

The public names load on first use, so the command line starts fast when it does not need torch.
"""
from __future__ import annotations

import importlib

from gananim.version import __version__

_EXPORTS = {
    "Scene": "config.scene", "Latent": "config.scene", "Optim": "config.scene", "Record": "config.scene",
    "Render": "config.scene", "Tricks": "config.scene", "TargetSpec": "config.scene", "adam": "config.scene", "rmsprop": "config.scene", "sgd": "config.scene",
    "MLP": "config.networks", "mlp": "config.networks", "DCGAN": "config.networks", "dcgan": "config.networks",
    "Trace": "trace", "GananimError": "errors",
}
__all__ = [*_EXPORTS, "load_trace", "train", "animate", "__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'gananim' has no attribute {name!r}")


def load_trace(path, scene=None):
    """Open a trace file for reading. The parameters of a keyframe trace's steps between its
    keyframes are replayed from its settings (or from `scene`, the Scene it was trained from,
    for a scene's own networks or sampler) when asked for."""
    from gananim.training.replay import open_trace
    return open_trace(path, scene)


def train(scene, path, **kw):
    """Train a Scene and write its trace to `path`; see gananim.training.loop.train."""
    from gananim.training.loop import train as _train
    return _train(scene, path, **kw)


def animate(trace, **options):
    """The player of a trace (a Trace or a path) for notebooks: a cell ending in it shows the
    web page of `render -o run.html`; `.animation` is a matplotlib FuncAnimation of the frames.

    Keywords: frames, fps, size, dpi, grid, start, stop, layout, title.
    """
    from gananim.rendering.webpage import Player
    from gananim.trace import Trace
    return Player(trace if isinstance(trace, Trace) else load_trace(trace), **options)
