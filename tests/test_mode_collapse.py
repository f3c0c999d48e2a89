"""Mode collapse and its cures: PacGAN's packing, unrolled G updates (oracles), honest mode
counts on constructed samples, and per-run metrics for multi-seed traces."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from gananim.analysis import metrics
from gananim.cli import main
from gananim.config.scene import Latent, Scene, Tricks, adam, sgd
from gananim.config.networks import mlp
from gananim.data import targets
from gananim.training.loop import prepare, train
from gananim.training.step import Runs, Step

CENTERS, SIGMA = targets.BUILTIN["ring8"].modes


def _around(modes, per_mode: int, rng) -> np.ndarray:
    return np.concatenate([CENTERS[m] + SIGMA * 0.5 * rng.standard_normal((per_mode, 2)) for m in modes])


def test_dense_modes_count_what_the_eye_sees_and_collapse_needs_samples_near_modes():
    rng = np.random.default_rng(0)
    two = np.concatenate([_around([0, 1], 1245, rng), _around(range(2, 8), 1, rng)])  # one stray sample elsewhere
    stats = metrics.mode_stats(two, CENTERS, SIGMA)
    assert stats["modes"] == 8  # the protocol counts a mode with one sample of 2,500
    assert stats["dense_modes"] == 2 and stats["near_modes"] == 2 and stats["collapse"] == 1.0
    every = _around(range(8), 313, rng)[:2500]
    assert metrics.mode_stats(every, CENTERS, SIGMA)["dense_modes"] == 8
    assert metrics.mode_stats(every, CENTERS, SIGMA)["collapse"] == 0.0
    lost = rng.uniform(-0.2, 0.2, (2500, 2))  # near no mode: a failure, not collapse
    assert metrics.mode_stats(lost, CENTERS, SIGMA)["collapse"] == 0.0
    wide = np.concatenate([CENTERS[0] + 0.1 * rng.standard_normal((2500, 2))])  # a wide cluster on one mode
    stats = metrics.mode_stats(wide, CENTERS, SIGMA)
    assert stats["dense_modes"] <= 1 and stats["near_modes"] == 1 and stats["collapse"] == 1.0
    assert metrics.near_radius(CENTERS) == pytest.approx(np.linalg.norm(CENTERS[0] - CENTERS[4]) / 4)


def _step(**tricks) -> Step:
    scene = Scene(target="circle", latent=Latent("uniform", 1), g=mlp([3], "tanh"), d=mlp([3], "tanh"),
                  loss="nonsaturating", opt_g=sgd(1.0), opt_d=sgd(0.1), batch=4, steps=10, tricks=Tricks(**tricks))
    return Step(prepare(scene), Runs((0,)))


def _scripted(step: Step, draws: list[torch.Tensor]) -> None:
    """The step's random draws replaced by a fixed script, consumed in order."""
    queue = list(draws)
    step._real = lambda n: queue.pop(0)[:, :n]
    step._latent = lambda n: queue.pop(0)[:, :n]


def test_pack_concatenates_m_samples_for_d_and_draws_m_times_the_batch():
    step = _step(pack=2)
    x = torch.arange(24.0).reshape(1, 12, 2)
    assert torch.equal(step._packed(x), torch.cat([x[:, 0::2], x[:, 1::2]], dim=-1))
    assert step.d.n_in == 4
    gen = torch.Generator().manual_seed(1)
    real, z = torch.randn(1, 8, 2, generator=gen), torch.rand(1, 8, 1, generator=gen) * 2 - 1
    _scripted(step, [real, z])
    with torch.no_grad():
        d0 = step.flat_d.detach().clone()
        fake = step.g.forward(step.flat_g.detach(), z)
        pairs = lambda v: torch.cat([v[:, 0::2], v[:, 1::2]], dim=-1)  # noqa: E731
        out_real, out_fake = step.d.forward(d0, pairs(real)), step.d.forward(d0, pairs(fake))
        expected = step.obj.real_term(out_real, 1.0) + step.obj.fake_term(out_fake, 0.0)
    values = step.d_update(0.0)
    assert torch.allclose(values["d_loss"], expected, atol=1e-6)


def test_unrolled_g_gradient_matches_finite_differences_through_the_unrolled_d_steps():
    step = _step(unroll=2)
    gen = torch.Generator().manual_seed(2)
    draws = []
    for _ in range(2):  # each unrolled D step: real, then latent codes
        draws += [torch.randn(1, 4, 2, generator=gen), torch.rand(1, 4, 1, generator=gen) * 2 - 1]
    draws.append(torch.rand(1, 4, 1, generator=gen) * 2 - 1)  # G's own batch
    _scripted(step, draws)
    theta0, d0 = step.flat_g.detach().clone().double(), step.flat_d.detach().clone().double()
    step.g_update(0.0)
    ours = step.flat_g.grad.clone().double()

    def unrolled_loss(theta: torch.Tensor) -> float:
        """By hand: D's two SGD steps taken at this θ_G, then G's loss against that D."""
        d = d0.clone()
        for k in range(2):
            real, z = draws[2 * k].double(), draws[2 * k + 1].double()
            d = d.requires_grad_(True)
            loss = step.obj.real_term(step.d.forward(d, real), 1.0) + \
                step.obj.fake_term(step.d.forward(d, step.g.forward(theta, z)), 0.0)
            (grad,) = torch.autograd.grad(loss.sum(), d)
            d = (d - 0.1 * grad).detach()
        return float(step.obj.g_term(step.d.forward(d, step.g.forward(theta, draws[4].double()))).sum())

    eps = 1e-5
    numeric = torch.zeros_like(theta0)
    for i in range(theta0.shape[1]):
        plus, minus = theta0.clone(), theta0.clone()
        plus[0, i] += eps
        minus[0, i] -= eps
        numeric[0, i] = (unrolled_loss(plus) - unrolled_loss(minus)) / (2 * eps)
    assert torch.allclose(ours, numeric, rtol=2e-3, atol=2e-5)
    # and it is not the plain gradient: unrolling changed G's step
    plain = _step()
    _scripted(plain, [draws[4]])
    plain.g_update(0.0)
    assert not torch.allclose(plain.flat_g.grad.double(), ours, atol=1e-4)


def test_unroll_is_refused_where_it_cannot_apply():
    with pytest.raises(Exception, match="tricks.unroll is not supported with loss wgan-gp"):
        Scene(loss="wgan-gp", tricks=Tricks(unroll=3)).validate()
    with pytest.raises(Exception, match="tricks.pack must be at most 16"):
        Scene(tricks=Tricks(pack=17)).validate()


def test_multi_seed_metrics_are_per_run_never_pooled(tmp_path, capsys):
    scene = Scene(name="m", target="ring8", latent=Latent("normal", 2), g=mlp([8]), d=mlp([8]), batch=16, steps=20,
                  opt_g=adam(1e-3), opt_d=adam(1e-3), seeds=(0, 1, 2))
    train(scene, tmp_path / "m.trace", show_progress=False)
    assert main(["info", str(tmp_path / "m.trace"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    found = info["metrics"]
    assert found["runs"] == 3 and len(found["per_run"]) == 3
    assert found["mean"]["dense_modes"] == pytest.approx(np.mean([r["dense_modes"] for r in found["per_run"]]))
    assert main(["info", str(tmp_path / "m.trace")]) == 0
    assert "over 3 runs, per run:" in capsys.readouterr().out


def test_a_packed_trace_renders_its_d_at_copies_of_each_point(tmp_path, capsys):
    scene = Scene(name="p", target="ring8", latent=Latent("normal", 2), g=mlp([8]), d=mlp([8]), batch=16, steps=20,
                  tricks=Tricks(pack=3), render=__import__("gananim").Render(grid=10, size=(480, 270), layout="wide"))
    train(scene, tmp_path / "p.trace", show_progress=False)
    assert main(["render", str(tmp_path / "p.trace"), "-o", str(tmp_path / "p.png"), "-q"]) == 0
    from gananim.trace import Trace
    with Trace(tmp_path / "p.trace") as trace:
        assert trace.meta["nets"]["d"]["n_in"] == 6
