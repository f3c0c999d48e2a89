"""Networks as flat parameter vectors: MLP specs, their layouts and batched forward passes.

Every network's parameters live in one flat vector. Training updates that vector in one
optimizer call, recording a step is one copy, and rendering evaluates many recorded steps
at once by stacking their vectors along leading batch dimensions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from .errors import GananimError

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "linear")
INITS = ("torch", "glorot")


@dataclass
class MLP:
    """A fully connected network: hidden `widths`, one activation per hidden layer.

    `activation` is one name for every hidden layer or one name per layer, e.g.
    ("leaky_relu", "leaky_relu", "linear") for a linear bottleneck. `output` is the
    activation of the last layer. `init` is "torch" (PyTorch's nn.Linear default) or
    "glorot" (Keras and TensorFlow's default: Glorot-uniform weights, zero biases).
    """

    widths: tuple[int, ...] = (64, 64)
    activation: tuple[str, ...] = ("leaky_relu",)
    slope: float = 0.2
    output: str = "linear"
    init: str = "torch"

    def __post_init__(self) -> None:
        self.widths = tuple(int(w) for w in self.widths)
        if isinstance(self.activation, str):
            self.activation = (self.activation,)
        self.activation = tuple(self.activation)

    def validate(self, name: str) -> None:
        if any(w < 1 for w in self.widths):
            raise GananimError(f"{name}.widths must be positive integers, got {list(self.widths)}")
        for act in (*self.activation, self.output):
            if act not in ACTIVATIONS:
                raise GananimError(f"{name}: unknown activation {act!r}; choose from {', '.join(ACTIVATIONS)}")
        if len(self.activation) not in (1, len(self.widths)) and self.widths:
            raise GananimError(
                f"{name}.activation names {len(self.activation)} layers but {name}.widths has {len(self.widths)}"
            )
        if self.init not in INITS:
            raise GananimError(f"{name}.init must be one of {', '.join(INITS)}, got {self.init!r}")

    def hidden_activations(self) -> tuple[str, ...]:
        if len(self.activation) == 1:
            return self.activation * len(self.widths)
        return self.activation


def mlp(widths=(64, 64), activation="leaky_relu", *, slope: float = 0.2, output: str = "linear",
        init: str = "torch") -> MLP:
    """Build an MLP spec; input and output sizes come from the scene (latent and data dimensions)."""
    return MLP(tuple(widths), activation, slope, output, init)


def activate(h: torch.Tensor, name: str, slope: float, inplace: bool = False) -> torch.Tensor:
    if name == "leaky_relu":
        return F.leaky_relu_(h, slope) if inplace else F.leaky_relu(h, slope)
    if name == "relu":
        return F.relu_(h) if inplace else F.relu(h)
    if name == "tanh":
        return h.tanh_() if inplace else torch.tanh(h)
    if name == "sigmoid":
        return h.sigmoid_() if inplace else torch.sigmoid(h)
    return h


@dataclass
class Network:
    """An MLP with fixed input and output sizes, evaluated from a flat parameter vector.

    Parameters are laid out layer by layer as W (out × in, row-major) then b, the order of
    nn.Linear's state_dict, so `to_module` can load a flat vector into plain PyTorch layers.
    """

    spec: MLP
    n_in: int
    n_out: int
    layers: list[tuple[int, int, int]] = field(init=False)  # (offset, fan_in, fan_out)
    n_params: int = field(init=False)

    def __post_init__(self) -> None:
        sizes = [self.n_in, *self.spec.widths, self.n_out]
        offset, self.layers = 0, []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            self.layers.append((offset, fan_in, fan_out))
            offset += fan_out * fan_in + fan_out
        self.n_params = offset
        self.activations = (*self.spec.hidden_activations(), self.spec.output)

    def init(self, generator: torch.Generator) -> torch.Tensor:
        flat = torch.empty(self.n_params)
        for offset, fan_in, fan_out in self.layers:
            n_w = fan_out * fan_in
            if self.spec.init == "glorot":
                bound = math.sqrt(6.0 / (fan_in + fan_out))
                flat[offset:offset + n_w].uniform_(-bound, bound, generator=generator)
                flat[offset + n_w:offset + n_w + fan_out].zero_()
            else:  # nn.Linear's default: kaiming_uniform(a=√5) for W, U(±1/√fan_in) for b
                bound = 1.0 / math.sqrt(fan_in)
                flat[offset:offset + n_w + fan_out].uniform_(-bound, bound, generator=generator)
        return flat

    def forward(self, flat: torch.Tensor, x: torch.Tensor, upto: int | None = None) -> torch.Tensor:
        """Evaluate at `x` [..., N, n_in] with parameters `flat` [..., n_params].

        Leading dimensions of `flat` (runs, frames) broadcast against those of `x`.
        `upto=k` returns the activations after hidden layer k (1-based) instead of the output.
        """
        if flat.dim() > 2:  # several leading dimensions: fold them into one batch
            lead = flat.shape[:-1]
            x = x.expand(*lead, *x.shape[-2:]) if x.dim() > 2 else x
            out = self.forward(flat.reshape(-1, flat.shape[-1]), x.reshape(-1, *x.shape[-2:]) if x.dim() > 2
                               else x, upto)
            return out.reshape(*lead, *out.shape[-2:])
        h = x
        # Without autograd (rendering) activations may overwrite their input: half the memory traffic.
        inplace = not torch.is_grad_enabled()
        for i, (offset, fan_in, fan_out) in enumerate(self.layers[:upto]):
            n_w = fan_out * fan_in
            if flat.dim() == 2:  # a batch of parameter sets: [B, P] against x [N, in] or [B, N, in]
                w = flat[:, offset:offset + n_w].reshape(-1, fan_out, fan_in).transpose(1, 2)
                b = flat[:, None, offset + n_w:offset + n_w + fan_out]
                h = torch.baddbmm(b, h.expand(len(flat), *h.shape[-2:]) if h.dim() == 2 else h, w)
            else:
                h = F.linear(h, flat[offset:offset + n_w].reshape(fan_out, fan_in),
                             flat[offset + n_w:offset + n_w + fan_out])
            h = activate(h, self.activations[i], self.spec.slope, inplace)
        return h

    def to_module(self, flat: torch.Tensor) -> nn.Sequential:
        """Plain nn.Linear layers holding `flat`'s values (for checks against PyTorch itself)."""
        modules: list[nn.Module] = []
        for i, (offset, fan_in, fan_out) in enumerate(self.layers):
            layer = nn.Linear(fan_in, fan_out)
            n_w = fan_out * fan_in
            with torch.no_grad():
                layer.weight.copy_(flat[offset:offset + n_w].reshape(fan_out, fan_in))
                layer.bias.copy_(flat[offset + n_w:offset + n_w + fan_out])
            modules.append(layer)
            act = self.activations[i]
            if act == "leaky_relu":
                modules.append(nn.LeakyReLU(self.spec.slope))
            elif act != "linear":
                modules.append({"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[act]())
        return nn.Sequential(*modules)

    def describe(self) -> str:
        sizes = [self.n_in, *self.spec.widths, self.n_out]
        return "–".join(str(s) for s in sizes)


class ModuleNetwork:
    """Any nn.Module, driven from a flat parameter vector through torch.func.functional_call."""

    def __init__(self, module: nn.Module, n_in: int, n_out: int) -> None:
        self.module, self.n_in, self.n_out = module, n_in, n_out
        self.shapes = {name: p.shape for name, p in module.named_parameters()}
        self.n_params = sum(s.numel() for s in self.shapes.values())
        self.spec = module

    def init(self, generator: torch.Generator) -> torch.Tensor:
        # Re-run each layer's own initialiser under the scene's seed so the start is reproducible.
        seed = int(torch.randint(0, 2**62, (1,), generator=generator))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            for m in self.module.modules():
                if hasattr(m, "reset_parameters"):
                    m.reset_parameters()
        return torch.cat([p.detach().reshape(-1) for p in self.module.parameters()]).clone()

    def _views(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        views, offset = {}, 0
        for name, shape in self.shapes.items():
            n = shape.numel()
            views[name] = flat[offset:offset + n].view(shape)
            offset += n
        return views

    def forward(self, flat: torch.Tensor, x: torch.Tensor, upto: int | None = None) -> torch.Tensor:
        if upto is not None:
            raise GananimError("hidden-layer features need an MLP network, not a custom module")
        if flat.dim() == 1:
            return torch.func.functional_call(self.module, self._views(flat), (x,))
        lead = flat.shape[:-1]
        flats = flat.reshape(-1, self.n_params)
        xs = x.expand(*lead, *x.shape[-2:]).reshape(-1, *x.shape[-2:])
        outs = [torch.func.functional_call(self.module, self._views(f), (xi,)) for f, xi in zip(flats, xs)]
        return torch.stack(outs).reshape(*lead, *outs[0].shape)

    def describe(self) -> str:
        return f"{type(self.module).__name__} ({self.n_params} parameters)"


def build_network(spec: MLP | nn.Module, n_in: int, n_out: int) -> Network | ModuleNetwork:
    """The runtime network for a scene's G or D spec."""
    if isinstance(spec, nn.Module):
        return ModuleNetwork(spec, n_in, n_out)
    return Network(spec, n_in, n_out)
