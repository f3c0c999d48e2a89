"""GAN objectives by name: D's loss, G's loss and how D's raw output is read.

D networks end in one raw output. For the classifier objectives here it is a logit and the
panels show the probability sigmoid(logit) that a sample is real. Losses are averaged over
the batch and kept per run (the leading dimension), so runs trained together stay independent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from .errors import GananimError

Tensor = torch.Tensor


def _mean(x: Tensor) -> Tensor:
    return x.mean(dim=(-2, -1))


@dataclass(frozen=True)
class Objective:
    name: str
    about: str
    d_loss: Callable[[Tensor, Tensor], Tensor]  # (D(real), D(fake)) raw outputs -> loss per run
    g_loss: Callable[[Tensor], Tensor]  # D(G(z)) raw output -> loss per run
    display: Callable[[Tensor], Tensor] = torch.sigmoid  # raw output -> value drawn in the panels
    display_range: tuple[float, float] = (0.0, 1.0)
    display_label: str = "D: probability real"
    threshold: float = 0.0  # raw output above which D calls a sample real (for accuracy)


def _bce_d(real: Tensor, fake: Tensor) -> Tensor:
    # -log D(x) - log(1 - D(G(z))), in the stable softplus form of BCE-with-logits.
    return _mean(F.softplus(-real)) + _mean(F.softplus(fake))


REGISTRY: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective("nonsaturating", "BCE; G maximises log D(G(z)) (Goodfellow's practical form)",
                  _bce_d, lambda fake: _mean(F.softplus(-fake))),
        Objective("minimax", "BCE; G minimises log(1 - D(G(z))) (the saturating original)",
                  _bce_d, lambda fake: -_mean(F.softplus(fake))),
    )
}


def get(name: str) -> Objective:
    if name not in REGISTRY:
        raise GananimError(f"unknown loss {name!r}; choose from {', '.join(REGISTRY)}")
    return REGISTRY[name]
