"""GAN objectives by name: D's loss terms, G's loss, how D's output is drawn, what it estimates.

D networks end in one raw output v. Each objective says how v is read: a logit whose
sigmoid is the probability "real" (the BCE family), a critic score (WGAN, hinge, LSGAN), or
the f-GAN variational function T = g_f(v). Losses are averaged over the batch and kept per
run (the leading dimension), so runs trained together stay independent.

D's loss is `real_weight · real_term + fake_weight · fake_term` (plus a penalty for
WGAN-GP); the terms take the label targets for the objectives that have them (BCE: real 1,
fake 0; LSGAN: b = 1, a = 0), so label smoothing and easing are settings, not objectives.

f-GAN (Nowozin et al. 2016, Table 2), with P the data and Q the generator:
    name        g_f(v)                 f*(t)                f'(1)   D_f(P‖Q)
    kl          v                      exp(t − 1)           1       KL(P‖Q)
    rkl         −exp(−v)               −1 − log(−t)         −1      KL(Q‖P)
    pearson     v                      t²/4 + t             0       ∫ (p − q)²/q
    hellinger   1 − exp(−v)            t/(1 − t)            0       ∫ (√p − √q)²
    js          log 2 − log(1 + e^−v)  −log(2 − e^t)        0       KL(P‖M) + KL(Q‖M), M = (P+Q)/2
    gan         −log(1 + e^−v)         −log(1 − e^t)        −log 2  KL(P‖M) + KL(Q‖M) − log 4
D maximises E_P[T] − E_Q[f*(T)], a lower bound of D_f that is tight at the optimal critic;
G uses the paper's practical objective, maximising E_Q[T(G(z))]. f*(g_f(v)) is written in
terms of v below, which keeps every term finite.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from gananim.errors import GananimError, did_you_mean

Tensor = torch.Tensor
LOG2 = math.log(2.0)


def _mean(x: Tensor) -> Tensor:
    return x.mean(dim=(-2, -1))


def _bce(out: Tensor, target: float) -> Tensor:
    """Mean binary cross-entropy of logits against a (possibly soft) target."""
    if target == 1.0:  # the usual hard labels take one operation, not five
        return _mean(F.softplus(-out))
    if target == 0.0:
        return _mean(F.softplus(out))
    return _mean(target * F.softplus(-out) + (1 - target) * F.softplus(out))


@dataclass(frozen=True)
class Objective:
    name: str
    about: str
    real_term: Callable[[Tensor, float], Tensor]  # D's loss on real samples, given the real label
    fake_term: Callable[[Tensor, float], Tensor]  # D's loss on generated samples, given the fake label
    g_term: Callable[[Tensor], Tensor]  # G's loss from D(G(z))
    display: Callable[[Tensor], Tensor] = torch.sigmoid  # raw output -> the value drawn in the panels
    center: float | None = 0.5  # where "real" and "fake" meet; None: midway between the two means
    bounds: tuple[float, float] | None = (0.0, 1.0)  # fixed colour range, or None: from the data
    display_label: str = "D(x): probability real"
    estimate: Callable[[Tensor, Tensor], Tensor] | None = None  # what the critic estimates, per run
    estimate_label: str = ""
    penalty: str = ""  # "gp": gradient penalty; "clip": weight clipping

    @property
    def critic(self) -> bool:
        return self.bounds is None


def _wasserstein(real: Tensor, fake: Tensor) -> Tensor:
    return _mean(real) - _mean(fake)


# The BCE family records no separate estimate: at the optimal D its loss is log 4 − 2·JS(P‖Q),
# and the curves show that loss itself.
BCE = dict(real_term=_bce, fake_term=_bce)
WGAN = dict(real_term=lambda out, _: -_mean(out), fake_term=lambda out, _: _mean(out),
            g_term=lambda out: -_mean(out), display=lambda v: v, center=None, bounds=None,
            display_label="critic D(x)", estimate=_wasserstein, estimate_label="Wasserstein estimate")


def _fgan(key: str, label: str, g_f, fstar_of_v, f_prime_1: float, divergence: str) -> Objective:
    def estimate(real: Tensor, fake: Tensor) -> Tensor:
        return _mean(g_f(real)) - _mean(fstar_of_v(fake))

    return Objective(
        f"fgan-{key}", f"f-GAN, {divergence}", real_term=lambda out, _: -_mean(g_f(out)),
        fake_term=lambda out, _: _mean(fstar_of_v(out)), g_term=lambda out: -_mean(g_f(out)),
        display=g_f, center=f_prime_1, bounds=None, display_label=f"T(x) = g_f(V(x)), {label}",
        estimate=estimate, estimate_label=f"{label} estimate")


REGISTRY: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective("nonsaturating", "BCE; G maximises log D(G(z)) (Goodfellow's practical form)",
                  g_term=lambda out: _mean(F.softplus(-out)), **BCE),
        Objective("minimax", "BCE; G minimises log(1 − D(G(z))) (the saturating original)",
                  g_term=lambda out: -_mean(F.softplus(out)), **BCE),
        Objective("lsgan", "least squares (Mao et al. 2017): D → b on real, a on fake; G → 1",
                  real_term=lambda out, b: 0.5 * _mean((out - b) ** 2),
                  fake_term=lambda out, a: 0.5 * _mean((out - a) ** 2),
                  g_term=lambda out: 0.5 * _mean((out - 1) ** 2), display=lambda v: v, center=0.5, bounds=None,
                  display_label="D(x), least squares (1 real, 0 fake)"),
        Objective("hinge", "hinge loss (Lim & Ye 2017; SAGAN): D wants ≥ 1 on real, ≤ −1 on fake",
                  real_term=lambda out, _: _mean(F.relu(1 - out)), fake_term=lambda out, _: _mean(F.relu(1 + out)),
                  g_term=lambda out: -_mean(out), display=lambda v: v, center=0.0, bounds=None,
                  display_label="D(x), hinge (> 0 real)"),
        Objective("wgan", "Wasserstein GAN with weight clipping (Arjovsky et al. 2017)", penalty="clip", **WGAN),
        Objective("wgan-gp", "Wasserstein GAN with gradient penalty (Gulrajani et al. 2017)", penalty="gp", **WGAN),
        _fgan("kl", "KL", lambda v: v, lambda v: torch.exp(v - 1), 1.0, "Kullback–Leibler KL(P‖Q)"),
        _fgan("rkl", "reverse KL", lambda v: -torch.exp(-v), lambda v: v - 1, -1.0, "reverse KL(Q‖P)"),
        _fgan("pearson", "Pearson χ²", lambda v: v, lambda v: 0.25 * v * v + v, 0.0, "Pearson χ²"),
        _fgan("hellinger", "squared Hellinger", lambda v: 1 - torch.exp(-v), lambda v: torch.exp(v) - 1, 0.0,
              "squared Hellinger"),
        _fgan("js", "JS", lambda v: LOG2 - F.softplus(-v), lambda v: F.softplus(v) - LOG2, 0.0,
              "Jensen–Shannon (2·JS)"),
        _fgan("gan", "GAN", lambda v: -F.softplus(-v), F.softplus, -LOG2, "the original GAN's 2·JS − log 4"),
    )
}


def get(name: str) -> Objective:
    if name not in REGISTRY:
        raise GananimError(f"unknown loss {name!r}; {did_you_mean(name, REGISTRY)}choose from {', '.join(REGISTRY)}")
    return REGISTRY[name]
