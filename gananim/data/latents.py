"""Draws from a scene's latent distribution (gananim.config.scene.Latent)."""
from __future__ import annotations

import torch

from gananim.config.scene import Latent


def sample_latent(latent: Latent, n: int, generator: torch.Generator) -> torch.Tensor:
    if latent.kind == "normal":
        return torch.randn(n, latent.dim, generator=generator)
    return torch.empty(n, latent.dim).uniform_(-1, 1, generator=generator)
