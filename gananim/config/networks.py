"""What a scene says about its networks: MLP and DCGAN specs, checked here, built by gananim.model.

A spec holds only settings; input and output sizes come from the scene (latent and data
dimensions) when gananim.model builds the network.
"""
from __future__ import annotations

from dataclasses import dataclass

from gananim.errors import GananimError

MAX_WIDTH, MAX_LAYERS = 8192, 16
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "linear")
INITS = ("torch", "glorot")


@dataclass
class MLP:
    """A fully connected network: hidden `widths`, one activation per hidden layer.

    `activation` is one name for every hidden layer or one name per layer, e.g.
    ("leaky_relu", "leaky_relu", "linear") for a linear bottleneck. `output` is the
    activation of the last layer. `init` is "torch" (PyTorch's nn.Linear default) or
    "glorot" (Keras and TensorFlow's default: Glorot-uniform weights, zero biases).

    Two Improved-GAN layers (Salimans et al. 2016) are options of the spec:
    `minibatch` > 0 adds minibatch discrimination before the output layer, with that many
    kernels of `minibatch_dims` dimensions; `vbn` > 0 applies virtual batch normalisation
    to every hidden layer, with a reference batch of that many inputs fixed at the start.
    """

    widths: tuple[int, ...] = (64, 64)
    activation: tuple[str, ...] = ("leaky_relu",)
    slope: float = 0.2
    output: str = "linear"
    init: str = "torch"
    minibatch: int = 0
    minibatch_dims: int = 5
    vbn: int = 0

    def __post_init__(self) -> None:
        self.widths = tuple(int(w) for w in self.widths)
        if isinstance(self.activation, str):
            self.activation = (self.activation,)
        self.activation = tuple(self.activation)

    def validate(self, name: str) -> None:
        if any(not 1 <= w <= MAX_WIDTH for w in self.widths) or len(self.widths) > MAX_LAYERS:
            raise GananimError(f"{name}.widths must be at most {MAX_LAYERS} layers of 1 to {MAX_WIDTH:,} units, "
                               f"got {list(self.widths)}")
        for act in (*self.activation, self.output):
            if act not in ACTIVATIONS:
                raise GananimError(f"{name}: unknown activation {act!r}; choose from {', '.join(ACTIVATIONS)}")
        if len(self.activation) not in (1, len(self.widths)) and self.widths:
            raise GananimError(
                f"{name}.activation names {len(self.activation)} layers but {name}.widths has {len(self.widths)}"
            )
        if self.init not in INITS:
            raise GananimError(f"{name}.init must be one of {', '.join(INITS)}, got {self.init!r}")
        if not (0 <= self.minibatch <= 1024 and 1 <= self.minibatch_dims <= 1024 and 0 <= self.vbn <= 100_000):
            raise GananimError(f"{name}.minibatch and {name}.minibatch_dims must lie in 0–1,024 and 1–1,024, "
                               f"{name}.vbn in 0–100,000")
        if self.vbn and not self.widths:
            raise GananimError(f"{name}.vbn normalises hidden layers; {name} has none")

    def hidden_activations(self) -> tuple[str, ...]:
        if len(self.activation) == 1:
            return self.activation * len(self.widths)
        return self.activation


def mlp(widths=(64, 64), activation="leaky_relu", *, slope: float = 0.2, output: str = "linear",
        init: str = "torch", minibatch: int = 0, minibatch_dims: int = 5, vbn: int = 0) -> MLP:
    """Build an MLP spec; input and output sizes come from the scene (latent and data dimensions)."""
    return MLP(tuple(widths), activation, slope, output, init, minibatch, minibatch_dims, vbn)


CONV_ACTIVATIONS = ("relu", "leaky_relu")
SIDES = (16, 28)


@dataclass
class DCGAN:
    """A convolutional G or D; which one follows from where the scene puts it."""

    hidden: int = 32
    activation: str = ""  # "" = DCGAN's choice: ReLU in G, LeakyReLU in D
    slope: float = 0.2
    batchnorm: bool = True

    def validate(self, name: str) -> None:
        if not 1 <= self.hidden <= 1024:
            raise GananimError(f"{name}.hidden must be between 1 and 1,024, got {self.hidden}")
        if self.activation and self.activation not in CONV_ACTIVATIONS:
            raise GananimError(f"{name}.activation must be one of {', '.join(CONV_ACTIVATIONS)} "
                               f"(or empty for DCGAN's choice), got {self.activation!r}")


def dcgan(hidden: int = 32, activation: str = "", *, slope: float = 0.2, batchnorm: bool = True) -> DCGAN:
    """Build a DCGAN spec; the image size and latent size come from the scene."""
    return DCGAN(hidden, activation, slope, batchnorm)
