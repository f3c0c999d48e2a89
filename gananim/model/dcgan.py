"""DCGAN networks for image scenes: the modules a DCGAN spec (gananim.config.networks) builds.

Yu's recipe (Radford et al. 2016) scaled down to 16×16 and 28×28 grey images: G
upsamples with transposed convolutions, BatchNorm and ReLU to a tanh image; D downsamples with
strided convolutions and LeakyReLU (BatchNorm after the first) to one logit. `hidden` is Zhang's
(ANN lab report 4) hidden_dim: the channels next to the image, doubled one layer further in.

Images travel through the trainer as flat rows of side² values, like every other sample, so
the modules flatten and unflatten at their ends. BatchNorm keeps no running averages: every
batch, in training and when drawing frames, is normalised by its own statistics, so a network
is wholly described by its flat parameter vector and a frame can be recomputed from a trace.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from gananim.config.networks import DCGAN, SIDES
from gananim.errors import GananimError


def image_side(n: int, role: str) -> int:
    side = math.isqrt(n)
    if side * side != n or side not in SIDES:
        raise GananimError(f"a DCGAN {role} needs square images of side {' or '.join(map(str, SIDES))}; "
                           f"the data have {n} values per sample")
    return side


def _activation(spec: DCGAN, default: str) -> nn.Module:
    name = spec.activation or default
    return nn.ReLU() if name == "relu" else nn.LeakyReLU(spec.slope)


def _norm(channels: int, on: bool) -> nn.Module:
    return nn.BatchNorm2d(channels, track_running_stats=False) if on else nn.Identity()


class _DCGANModule(nn.Module):
    def reset_parameters(self) -> None:
        """DCGAN's initialisation: weights N(0, 0.02), BatchNorm scales N(1, 0.02), biases 0."""
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.zeros_(m.bias)


class ConvGenerator(_DCGANModule):
    """latent [N, k] -> image rows [N, side²] in [-1, 1]."""

    def __init__(self, spec: DCGAN, latent_dim: int, side: int) -> None:
        super().__init__()
        h, base = spec.hidden, side // 4
        self.layers = nn.Sequential(
            nn.ConvTranspose2d(latent_dim, 2 * h, base, 1, 0, bias=not spec.batchnorm),
            _norm(2 * h, spec.batchnorm), _activation(spec, "relu"),
            nn.ConvTranspose2d(2 * h, h, 4, 2, 1, bias=not spec.batchnorm),
            _norm(h, spec.batchnorm), _activation(spec, "relu"),
            nn.ConvTranspose2d(h, 1, 4, 2, 1), nn.Tanh())
        self.reset_parameters()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.layers(z[:, :, None, None]).flatten(1)


class ConvDiscriminator(_DCGANModule):
    """image rows [N, side²] -> one logit per image [N, 1]."""

    def __init__(self, spec: DCGAN, side: int) -> None:
        super().__init__()
        h, self.side = spec.hidden, side
        self.layers = nn.Sequential(
            nn.Conv2d(1, h, 4, 2, 1), _activation(spec, "leaky_relu"),
            nn.Conv2d(h, 2 * h, 4, 2, 1, bias=not spec.batchnorm),
            _norm(2 * h, spec.batchnorm), _activation(spec, "leaky_relu"),
            nn.Conv2d(2 * h, 1, side // 4, 1, 0))
        self.reset_parameters()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x.reshape(-1, 1, self.side, self.side)).flatten(1)


def build_module(spec: DCGAN, n_in: int, n_out: int) -> nn.Module:
    """G when the output is an image (n_out > 1), D when it is one logit."""
    if n_out == 1:
        return ConvDiscriminator(spec, image_side(n_in, "D"))
    return ConvGenerator(spec, n_in, image_side(n_out, "G"))
