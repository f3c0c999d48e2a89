"""A fixed generator G(z) = z + 1 (Q = N(1, 1)) against data P = N(0, 1): D trains alone."""
import torch
from torch import nn

from gananim import Latent, Record, Scene, adam, mlp


class Shift(nn.Module):
    """G(z) = z + 1: with z ~ N(0, 1) the generated distribution is N(1, 1)."""

    def __init__(self):
        super().__init__()
        self.b = nn.Parameter(torch.ones(1))

    def reset_parameters(self):
        with torch.no_grad():
            self.b.fill_(1.0)

    def forward(self, z):
        return z + self.b


def standard_normal(n, generator):
    """P = N(0, 1)"""
    return torch.randn(n, 1, generator=generator)


def _same_as_g(n, generator):
    """N(1, 1): the fixed generator's own distribution"""
    return torch.randn(n, 1, generator=generator) + 1


scene = Scene(name="fixed", target=standard_normal, latent=Latent("normal", 1), g=Shift(),
              d=mlp([32, 32], "leaky_relu"), opt_d=adam(2e-3, betas=(0.5, 0.999)), g_steps=0,
              batch=512, steps=800, record=Record(every=800, bank=64, latents=64))

matched = scene.derive(name="matched", target=_same_as_g)
