"""gananim: train small GANs on toy problems and turn their training into animations."""
__version__ = "0.1.0"

from .errors import GananimError  # noqa: E402
from .nets import MLP, mlp  # noqa: E402
from .scene import Latent, Optim, Record, Render, Scene, adam, rmsprop, sgd  # noqa: E402
from .trace import Trace  # noqa: E402


def load_trace(path) -> Trace:
    """Open a trace file for reading."""
    return Trace(path)


def train(scene: Scene, path, **kw):
    """Train a Scene and write its trace to `path`; see gananim.train.train."""
    from .train import train as _train
    return _train(scene, path, **kw)


def animate(trace, **options):
    """A matplotlib FuncAnimation of a trace (or trace path), for notebooks."""
    from .render import animate as _animate
    return _animate(trace if isinstance(trace, Trace) else Trace(trace), **options)


__all__ = ["Scene", "Latent", "Optim", "Record", "Render", "MLP", "mlp", "adam", "rmsprop", "sgd",
           "Trace", "load_trace", "train", "animate", "GananimError", "__version__"]
