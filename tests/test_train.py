"""The trainer: determinism, an oracle against a plain PyTorch loop, recording, NaN and Ctrl-C."""
from __future__ import annotations

import filecmp

import numpy as np
import torch
from conftest import TINY_SCENE, write_scene

from gananim.config import scene_files, settings
from gananim.data import targets
from gananim.data.latents import sample_latent
from gananim.trace import Trace
from gananim.training.loop import prepare, train
from gananim.training.step import BASE_SCALARS as SCALARS
from gananim.training.step import generators as _generators


def _tiny(tmp_path, *sets):
    return settings.apply(scene_files.load(str(write_scene(tmp_path))), list(sets))


def test_same_scene_and_seed_give_identical_traces(tmp_path):
    scene = _tiny(tmp_path)
    train(scene, tmp_path / "a.trace", show_progress=False)
    train(scene, tmp_path / "b.trace", show_progress=False)
    assert filecmp.cmp(tmp_path / "a.trace", tmp_path / "b.trace", shallow=False)
    train(settings.apply(scene, ["seed=1"]), tmp_path / "c.trace", show_progress=False)
    assert not filecmp.cmp(tmp_path / "a.trace", tmp_path / "c.trace", shallow=False)


def test_recorded_values_equal_a_plain_pytorch_loop(tmp_path):
    """Oracle: the same networks in nn.Sequential, trained the textbook way, step by step."""
    scene = _tiny(tmp_path, "steps=25")
    path = tmp_path / "t.trace"
    train(scene, path, show_progress=False)
    setup = prepare(scene)
    gens = _generators(scene.seed)
    G = setup.g.to_module(setup.g.init(gens["init_g"]))
    D = setup.d.to_module(setup.d.init(gens["init_d"]))
    opt_g = torch.optim.Adam(G.parameters(), lr=scene.opt_g.lr, betas=scene.opt_g.betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=scene.opt_d.lr, betas=scene.opt_d.betas)
    bce = torch.nn.BCEWithLogitsLoss()
    _ = targets.draw(setup.target, scene.record.bank, gens["bank"])  # same stream use as the trainer
    losses = []
    for _step in range(scene.steps):
        real = targets.draw(setup.target, scene.batch, gens["data"])
        z = sample_latent(scene.latent, scene.batch, gens["data"])
        fake = G(z).detach()
        opt_d.zero_grad()
        out_real, out_fake = D(real), D(fake)
        d_loss = bce(out_real, torch.ones_like(out_real)) + bce(out_fake, torch.zeros_like(out_fake))
        d_loss.backward()
        opt_d.step()
        z = sample_latent(scene.latent, scene.batch, gens["data"])
        opt_g.zero_grad()
        out = D(G(z))
        g_loss = bce(out, torch.ones_like(out))
        g_loss.backward()
        opt_g.step()
        losses.append((d_loss.item(), g_loss.item(), torch.sigmoid(out_real).mean().item()))
    with Trace(path) as trace:
        recorded = trace.params([scene.steps])[0, 0]
        expected = torch.cat([p.detach().reshape(-1) for p in [*G.parameters(), *D.parameters()]]).numpy()
        np.testing.assert_allclose(recorded, expected, rtol=1e-4, atol=1e-6)
        losses = np.array(losses)
        np.testing.assert_allclose(trace.scalar("d_loss")[:, 0], losses[:, 0], rtol=1e-4)
        np.testing.assert_allclose(trace.scalar("g_loss")[:, 0], losses[:, 1], rtol=1e-4)
        np.testing.assert_allclose(trace.scalar("d_real")[:, 0], losses[:, 2], rtol=1e-4)
        assert trace.scalar_names == list(SCALARS)


def test_every_step_is_recorded_by_default_and_the_budget_thins_it(tmp_path):
    scene = _tiny(tmp_path)
    train(scene, tmp_path / "all.trace", show_progress=False)
    with Trace(tmp_path / "all.trace") as trace:
        assert trace.param_steps.tolist() == list(range(41)) and trace.meta["record_every"] == 1
    n_params = prepare(scene).n_params
    budget_mb = 4 * n_params * 12 / 1e6  # room for about 12 parameter rows
    train(settings.apply(scene, [f"record.budget_mb={budget_mb}"]), tmp_path / "thin.trace", show_progress=False)
    with Trace(tmp_path / "thin.trace") as trace:
        every = trace.meta["record_every"]
        assert every == 4
        assert trace.param_steps.tolist() == list(range(0, 41, every))
        assert trace.steps == 40  # scalars are kept for every step regardless



def test_chunks_without_a_recorded_step_are_written(tmp_path, monkeypatch):
    """A coarse cadence with small chunks leaves chunks that hold scalars only."""
    import gananim.training.loop as train_module
    monkeypatch.setattr(train_module, "CHUNK_FLOPS", 1.0)  # the smallest chunks: 4 steps
    scene = settings.apply(_tiny(tmp_path), ["record.every=10"])
    train(scene, tmp_path / "coarse.trace", show_progress=False)
    with Trace(tmp_path / "coarse.trace") as trace:
        assert trace.status == "complete" and trace.steps == 40
        assert trace.param_steps.tolist() == [0, 10, 20, 30, 40]


NAN_SCENE = TINY_SCENE.replace("from gananim import", '''
import torch
calls = {"n": 0}

def poisoned(n, generator):
    """sine-like data that turns to NaN after a while"""
    calls["n"] += 1
    x = torch.rand(n, 2, generator=generator)
    if calls["n"] > 22:
        x[:] = float("nan")
    return x

from gananim import''').replace('target="sine"', "target=poisoned")


def test_nan_stops_training_and_keeps_the_steps_before_it(tmp_path):
    scene = scene_files.load(str(write_scene(tmp_path, NAN_SCENE, "nan.py")))
    result = train(scene, tmp_path / "n.trace", show_progress=False)
    # Two sampler calls before training (the data-dimension probe and the real bank): step 21 is the first NaN.
    assert result.status == "nan" and result.steps == 20
    assert "NaN or inf at step 21" in result.message
    with Trace(tmp_path / "n.trace") as trace:
        assert trace.status == "nan" and trace.steps == 20
        assert np.isfinite(trace.scalars()).all()
        assert trace.param_steps[-1] == 20


INTERRUPT_SCENE = TINY_SCENE.replace("from gananim import", '''
import os, signal, torch
calls = {"n": 0}

def interrupting(n, generator):
    """data that presses Ctrl-C during step 10"""
    calls["n"] += 1
    if calls["n"] == 12:
        os.kill(os.getpid(), signal.SIGINT)
    return torch.rand(n, 2, generator=generator)

from gananim import''').replace('target="sine"', "target=interrupting")


def test_ctrl_c_saves_a_valid_partial_trace(tmp_path):
    scene = scene_files.load(str(write_scene(tmp_path, INTERRUPT_SCENE, "int.py")))
    result = train(scene, tmp_path / "i.trace", show_progress=False)
    assert result.status == "interrupted" and result.steps == 10
    assert "the trace holds 10 steps" in result.message
    with Trace(tmp_path / "i.trace") as trace:
        assert trace.status == "interrupted" and trace.steps == 10 and trace.param_steps[-1] == 10


def test_trainer_matches_the_seed_point_problem(tmp_path):
    """PointGAN's G is y = w·x + b: two parameters, and D has 1·2 + 2 + 2 + 1 = 7."""
    setup = prepare(scene_files.load("point"))
    assert (setup.g.n_params, setup.d.n_params, setup.data_dim) == (2, 7, 1)
