"""The runtime network for any spec: an MLP, a DCGAN, or a scene's own nn.Module."""
from __future__ import annotations

import torch
from torch import nn

from gananim.config.networks import DCGAN, MLP
from gananim.errors import GananimError
from gananim.model.dcgan import build_module
from gananim.model.mlp import Network


class ModuleWeights(dict):
    """A custom module's parameters as views of its flat vector, by name."""

    def leaves(self) -> list[torch.Tensor]:
        return list(self.values())


class ModuleNetwork:
    """Any nn.Module, driven from a flat parameter vector through torch.func.functional_call."""

    def __init__(self, module: nn.Module, n_in: int, n_out: int) -> None:
        self.module, self.n_in, self.n_out = module, n_in, n_out
        self.shapes = {name: p.shape for name, p in module.named_parameters()}
        self.n_params = sum(s.numel() for s in self.shapes.values())
        self.spec = module
        # BatchNorm makes each sample's output depend on the rest of its batch
        self.mixes_batch = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in module.modules())

    def init(self, generator: torch.Generator) -> torch.Tensor:
        # Re-run each layer's own initialiser under the scene's seed so the start is reproducible.
        seed = int(torch.randint(0, 2**62, (1,), generator=generator))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            if hasattr(self.module, "reset_parameters"):  # the module initialises itself as a whole
                self.module.reset_parameters()
            else:
                for m in self.module.modules():
                    if hasattr(m, "reset_parameters"):
                        m.reset_parameters()
        return torch.cat([p.detach().reshape(-1) for p in self.module.parameters()]).clone()

    def unflatten(self, flat: torch.Tensor) -> "ModuleWeights":
        """Views into `flat` [..., n_params], one per parameter of the module, by name."""
        views, offset = ModuleWeights(), 0
        for name, shape in self.shapes.items():
            n = shape.numel()
            views[name] = flat[..., offset:offset + n].unflatten(-1, shape) if shape else flat[..., offset]
            offset += n
        return views

    def forward(self, params, x: torch.Tensor, upto: int | None = None, **_) -> torch.Tensor:
        """Evaluate with a flat vector [..., n_params] or its views, one call per parameter set."""
        if upto is not None:
            raise GananimError("hidden-layer features need an MLP network, not a custom module")
        views = self.unflatten(params) if isinstance(params, torch.Tensor) else params
        lead = next(iter(views.values())).shape[:-len(next(iter(self.shapes.values())))] \
            if self.shapes else ()
        if not lead:
            return torch.func.functional_call(self.module, dict(views), (x,))
        count = int(torch.tensor(lead).prod())
        xs = x.expand(*lead, *x.shape[-2:]).reshape(count, *x.shape[-2:])
        flat_views = {k: v.reshape(count, *self.shapes[k]) for k, v in views.items()}
        outs = [torch.func.functional_call(self.module, {k: v[i] for k, v in flat_views.items()}, (xs[i],))
                for i in range(count)]
        return torch.stack(outs).reshape(*lead, *outs[0].shape)

    def describe(self) -> str:
        if isinstance(self.spec, DCGAN):
            return f"DCGAN, {self.spec.hidden} channels"
        return f"{type(self.module).__name__} ({self.n_params:,} parameters)"


def build_network(spec: "MLP | DCGAN | nn.Module", n_in: int, n_out: int) -> "Network | ModuleNetwork":
    """The runtime network for a scene's G or D spec."""
    if isinstance(spec, DCGAN):
        network = ModuleNetwork(build_module(spec, n_in, n_out), n_in, n_out)
        network.spec = spec  # rebuilt from the trace's settings, no scene file needed
        return network
    if isinstance(spec, nn.Module):
        return ModuleNetwork(spec, n_in, n_out)
    return Network(spec, n_in, n_out)
