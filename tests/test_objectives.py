"""Each objective against theory: a fixed generator Q = N(1, 1), data P = N(0, 1), D trained alone.

The scene (tests/fixed_generator_scene.py) holds G at G(z) = z + 1 with g_steps = 0, so every
quantity has a closed form: the optimal BCE discriminator is p/(p+q) = sigmoid(0.5 − x), each
f-GAN critic's objective tends to D_f(P‖Q), and W1(P, Q) = 1.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from gananim.config import scene_files, settings
from gananim.model import objectives
from gananim.trace import Trace
from gananim.training.loop import train

SCENE = str(Path(__file__).parent / "fixed_generator_scene.py")
X = np.linspace(-12, 13, 200001)
P = np.exp(-X ** 2 / 2) / np.sqrt(2 * np.pi)
Q = np.exp(-(X - 1) ** 2 / 2) / np.sqrt(2 * np.pi)
M = (P + Q) / 2


def _kl(a, b):
    return float(np.trapezoid(a * np.log(a / b), X))


TWO_JS = _kl(P, M) + _kl(Q, M)
DIVERGENCES = {  # D_f(P‖Q) for N(0, 1) and N(1, 1)
    "fgan-kl": (0.5, 0.03), "fgan-rkl": (0.5, 0.03), "fgan-pearson": (np.e - 1, 0.08),
    "fgan-hellinger": (2 * (1 - np.exp(-1 / 8)), 0.03), "fgan-js": (TWO_JS, 0.03),
    "fgan-gan": (TWO_JS - np.log(4), 0.03),
}


def trained(tmp_path, *sets, steps=600, name="scene"):
    scene = settings.apply(scene_files.load(SCENE, name), [f"steps={steps}", f"record.every={steps}", *sets])
    path = tmp_path / "t.trace"
    train(scene, path, show_progress=False)
    return Trace(path)


def d_on(trace: Trace, x: np.ndarray) -> np.ndarray:
    """The trained D's displayed output at points x."""
    scene = scene_files.load(SCENE)
    from gananim.model.networks import build_network
    d = build_network(scene.d, 1, 1)
    params = torch.from_numpy(trace.params([trace.param_steps[-1]])[0, 0, trace.meta["nets"]["g"]["n"]:])
    with torch.no_grad():
        out = d.forward(params, torch.from_numpy(x[:, None]).float())
    return objectives.get(trace.settings["loss"]).display(out)[:, 0].numpy()


@pytest.mark.parametrize("loss", ["nonsaturating", "minimax", "lsgan"])
def test_optimal_discriminator_is_p_over_p_plus_q(tmp_path, loss):
    with trained(tmp_path, f"loss={loss}") as trace:
        x = np.linspace(-1.5, 2.5, 41)
        np.testing.assert_allclose(d_on(trace, x), 1 / (1 + np.exp(x - 0.5)), atol=0.05)
        if loss != "lsgan":  # at the optimum, D's BCE loss is log 4 − 2·JS(P‖Q)
            assert trace.scalar("d_loss")[-200:, 0].mean() == pytest.approx(np.log(4) - TWO_JS, rel=0.02)


def test_hinge_critic_separates_where_densities_cross(tmp_path):
    with trained(tmp_path, "loss=hinge") as trace:
        x = np.array([-1.5, -1.0, 0.0, 1.0, 2.0, 2.5])
        assert np.array_equal(np.sign(d_on(trace, x)), np.sign(0.5 - x))


@pytest.mark.parametrize("loss", list(DIVERGENCES))
def test_critic_objective_estimates_the_divergence(tmp_path, loss):
    truth, tolerance = DIVERGENCES[loss]
    with trained(tmp_path, f"loss={loss}") as trace:
        estimate = trace.scalar("estimate")[-200:, 0].mean()
    assert estimate == pytest.approx(truth, rel=tolerance), (loss, estimate, truth)


def test_wgan_gp_critic_is_1_lipschitz_on_interpolates_and_estimates_w1(tmp_path):
    with trained(tmp_path, "loss=wgan-gp") as trace:
        assert trace.scalar("gp_grad_norm")[-200:, 0].mean() == pytest.approx(1.0, abs=0.1)
        assert trace.scalar("estimate")[-200:, 0].mean() == pytest.approx(1.0, abs=0.1)  # W1(P, Q) = 1


def test_gradient_penalty_trains_the_critic():
    """The penalty must stay in the graph: a detached penalty would leave these gradients at zero."""
    from gananim.config.networks import MLP
    from gananim.model.mlp import Network
    from gananim.training.tricks import gradient_penalty
    d = Network(MLP((8,), "tanh"), 1, 1)
    flat = d.init(torch.Generator().manual_seed(0)).mul_(5).requires_grad_(True)
    real, fake = torch.randn(64, 1), torch.randn(64, 1) + 1
    penalty, _ = gradient_penalty(lambda x: d.forward(flat, x), real, fake, torch.rand(64, 1), 10.0)
    (grad,) = torch.autograd.grad(penalty, flat)
    assert penalty.item() > 0 and grad.abs().sum().item() > 0


def test_wgan_clips_every_critic_parameter(tmp_path):
    with trained(tmp_path, "loss=wgan", "tricks.weight_clip=0.05", steps=50) as trace:
        d_params = trace.params(trace.param_steps)[1:, 0, trace.meta["nets"]["g"]["n"]:]
        assert np.abs(d_params).max() <= 0.05 + 1e-7
        assert trace.scalar("estimate")[-20:, 0].mean() > 0  # it still ranks real above fake


def test_every_objective_is_registered_with_its_reading():
    assert set(objectives.REGISTRY) == {"minimax", "nonsaturating", "lsgan", "hinge", "wgan", "wgan-gp", "fgan-kl",
                                        "fgan-rkl", "fgan-pearson", "fgan-hellinger", "fgan-js", "fgan-gan"}
    for obj in objectives.REGISTRY.values():
        assert obj.display_label and (obj.bounds or obj.critic)


@pytest.mark.parametrize("name", [n for n in objectives.REGISTRY if n.startswith("fgan")])
def test_fgan_conjugates_satisfy_fenchel_duality(name):
    """f*(g_f(v)) as implemented equals sup_u (u·t − f(u)) at t = g_f(v), computed numerically."""
    f = {"fgan-kl": lambda u: u * np.log(u), "fgan-rkl": lambda u: -np.log(u),
         "fgan-pearson": lambda u: (u - 1) ** 2, "fgan-hellinger": lambda u: (np.sqrt(u) - 1) ** 2,
         "fgan-js": lambda u: -(u + 1) * np.log((1 + u) / 2) + u * np.log(u),
         "fgan-gan": lambda u: u * np.log(u) - (u + 1) * np.log(u + 1)}[name]
    obj = objectives.get(name)
    u = np.exp(np.linspace(-12, 6, 400001))
    for v in (-1.0, -0.3, 0.0, 0.4, 0.9):
        t = float(obj.display(torch.tensor(v)))
        conjugate = np.max(u * t - f(u))
        implemented = float(obj.fake_term(torch.tensor([[v]]), 0.0))
        assert implemented == pytest.approx(conjugate, abs=2e-3), (name, v)
