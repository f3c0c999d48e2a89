"""Stabilisation tricks as small functions the training step composes (settings: scene.Tricks)."""
from __future__ import annotations

import torch

from gananim.config.scene import Tricks


def instance_sigma(tricks: Tricks, step: int, steps: int) -> float:
    """Instance noise's std at a step: constant, or annealed linearly to 0 over the run."""
    if not tricks.instance_noise:
        return 0.0
    if tricks.instance_noise_anneal:
        return tricks.instance_noise * max(0.0, 1.0 - (step - 1) / steps)
    return tricks.instance_noise


def clip_grad_(grad: torch.Tensor, norm: torch.Tensor, max_norm: float) -> None:
    """Scale each run's gradient (last dimension, of norm `norm`) down to at most max_norm, in
    place; 0 leaves it alone."""
    if max_norm:
        grad.mul_((max_norm / norm.clamp_min(max_norm)).unsqueeze(-1))


def feature_matching_loss(real_features: torch.Tensor, fake_features: torch.Tensor) -> torch.Tensor:
    """‖E f(x) − E f(G(z))‖² per run (Salimans et al. 2016); the real side is a fixed target."""
    diff = real_features.detach().mean(-2) - fake_features.mean(-2)
    return (diff * diff).sum(-1)


def gradient_penalty(d_forward, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor,
                     lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """WGAN-GP: λ·E[(‖∇D(x̂)‖ − 1)²] at x̂ = ε·x + (1 − ε)·G(z), kept in the graph (create_graph)
    so that it trains D. Returns the penalty and the mean gradient norm, per run."""
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(d_forward(x_hat).sum(), x_hat, create_graph=True)
    norms = grad.norm(dim=-1)
    return lam * ((norms - 1) ** 2).mean(-1), norms.mean(-1)


def lookahead_step(opt, m, v, grad: torch.Tensor, count):
    """One of D's unrolled updates (Metz et al. 2016), differentiable: its direction by D's own
    rule — Adam from moments m, v at step `count`, else plain SGD — and the new moments."""
    if opt.name != "adam":
        return grad, m, v
    m = opt.beta1 * m + (1 - opt.beta1) * grad
    v = opt.beta2 * v + (1 - opt.beta2) * grad * grad
    # + 1e-30 inside the root: its derivative at a zero moment would be infinite (NaN in G's gradient)
    return (m / (1 - opt.beta1 ** count)) / ((v / (1 - opt.beta2 ** count) + 1e-30).sqrt() + opt.eps), m, v
