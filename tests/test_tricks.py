"""Tricks exercised through the trainer, each checked against what it should change.

Most use the fixed-generator scene (P = N(0, 1), Q = N(1, 1)), where the optimal BCE
discriminator has a closed form that each trick alters in a known way.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import TINY_SCENE, write_scene
from test_objectives import d_on, trained

from gananim.config import settings
from gananim.config.networks import MLP
from gananim.model.mlp import Network
from gananim.trace import Trace
from gananim.training.loop import train

X = np.linspace(-1.5, 2.5, 41)


def normal(x, mean, var):
    return np.exp(-(x - mean) ** 2 / (2 * var)) / np.sqrt(2 * np.pi * var)


P, Q = normal(X, 0, 1), normal(X, 1, 1)


@pytest.mark.parametrize("sets, optimum", [
    (["tricks.real_label=0.9"], 0.9 * P / (P + Q)),  # one-sided label smoothing
    (["tricks.real_label=0.9", "tricks.fake_label=0.1"], (0.9 * P + 0.1 * Q) / (P + Q)),  # two-sided easing
    (["tricks.fake_weight=0.25"], P / (P + 0.25 * Q)),  # weighted real vs fake terms
    (["tricks.instance_noise=1", "tricks.instance_noise_anneal=false"],
     normal(X, 0, 2) / (normal(X, 0, 2) + normal(X, 1, 2))),  # D sees N(0, 2) against N(1, 2)
    (["tricks.param_noise=1", "tricks.param_noise_batch=4"],
     P / (P + normal(X, 1, 2))),  # G's bias jittered by N(0, 1): Q becomes N(1, 2) while D trains
])
def test_tricks_move_the_optimal_discriminator_where_theory_says(tmp_path, sets, optimum):
    with trained(tmp_path, *sets, steps=800) as trace:
        np.testing.assert_allclose(d_on(trace, X), optimum, atol=0.05)


def test_weight_decay_shrinks_d(tmp_path):
    norms = []
    for decay in (0.0, 0.05):
        with trained(tmp_path, f"opt_d.weight_decay={decay}", steps=300) as trace:
            norms.append(np.linalg.norm(trace.params([trace.param_steps[-1]])[0, 0, 1:]))
    assert norms[1] < 0.7 * norms[0]


def test_fixed_generator_and_feature_matching(tmp_path):
    with trained(tmp_path, "tricks.feature_matching=1", steps=100) as trace:
        shifted = trace.scalar("g_loss")[:, 0].mean()
        g_params = trace.params(trace.param_steps)[:, 0, 0]
        assert np.all(g_params == 1.0)  # g_steps = 0: G never moves
    with trained(tmp_path, "tricks.feature_matching=1", steps=100, name="matched") as trace:
        matched = trace.scalar("g_loss")[:, 0].mean()
    assert matched < 0.1 * shifted  # the feature distance vanishes when G's samples match the data


def test_gradient_clipping_bounds_each_update(tmp_path):
    with trained(tmp_path, "opt_d.name=sgd", "opt_d.lr=0.1", "tricks.grad_clip=0.01", "record.every=1",
                 steps=20) as trace:
        d = trace.params(trace.param_steps)[:, 0, 1:]
        steps = np.linalg.norm(np.diff(d, axis=0), axis=1)
        assert steps.max() <= 0.1 * 0.01 * 1.0001
        assert trace.scalar("d_grad_norm")[:, 0].min() > 0.01  # the raw gradients were larger


COUNTING_SCENE = TINY_SCENE.replace("from gananim import", '''
import torch
calls = {"n": 0}

def counted(n, generator):
    """sine-like data that counts its calls"""
    calls["n"] += 1
    return torch.rand(n, 2, generator=generator)

from gananim import''').replace('target="sine"', "target=counted")


def test_d_steps_and_g_steps_per_iteration(tmp_path):
    module = {}
    exec(compile(COUNTING_SCENE, "counting", "exec"), module)
    scene = settings.apply(module["scene"], ["steps=5", "d_steps=3", "g_steps=2"])
    train(scene, tmp_path / "c.trace", show_progress=False)
    assert module["calls"]["n"] == 2 + 5 * 3  # the data-dimension probe, the bank, then D's real batches


def test_minibatch_discrimination_compares_samples_within_a_group():
    d = Network(MLP((8,), "tanh", minibatch=4, minibatch_dims=3), 2, 1)
    flat = d.init(torch.Generator().manual_seed(0))
    batch = torch.randn(6, 2)
    changed = batch.clone()
    changed[1:] += 3.0
    with torch.no_grad():
        assert not torch.allclose(d.forward(flat, batch)[0], d.forward(flat, changed)[0])
        plain = Network(MLP((8,), "tanh"), 2, 1)
        p = plain.init(torch.Generator().manual_seed(0))
        assert torch.allclose(plain.forward(p, batch)[0], plain.forward(p, changed)[0])


def test_virtual_batch_norm_uses_the_reference_not_the_batch():
    g = Network(MLP((8, 8), "relu", vbn=16), 2, 2)
    flat = g.init(torch.Generator().manual_seed(0))
    g.reference = torch.randn(16, 2, generator=torch.Generator().manual_seed(1))
    batch = torch.randn(5, 2)
    changed = batch.clone()
    changed[1:] *= 10
    with torch.no_grad():
        first = g.forward(flat, batch)[0]
        assert torch.allclose(first, g.forward(flat, changed)[0])  # other examples do not matter
        g.reference = g.reference * 3
        assert not torch.allclose(first, g.forward(flat, batch)[0])  # the reference batch does


def test_minibatch_and_vbn_scenes_train_and_render(tmp_path, capsys):
    from gananim.cli import main
    path = write_scene(tmp_path)
    out = tmp_path / "o.png"
    code = main(["render", str(path), "--set", "d.minibatch=4", "--set", "g.vbn=16", "--set", "steps=12",
                 "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    with Trace(tmp_path / "o.trace") as trace:
        assert trace.array("vbn_reference").shape == (1, 16, 2)
        assert "minibatch 4×5" in trace.meta["nets"]["d"]["describe"]
