"""The compiled training step (gananim/training/compiled.py) against the eager one.

Compiling costs seconds per distinct graph, so two small configurations that exercise what
the compiled step covers — two seeds, WGAN-GP with two critic steps, PacGAN packs, instance
noise, gradient clipping, RMSprop and Adam with weight decay; and an unrolled G with parameter
noise against a D with minibatch discrimination — are compiled once per test session and
shared.
"""
from __future__ import annotations

import shutil
import signal

import numpy as np
import pytest
import torch

import gananim.training.compiled as compiled
import gananim.training.loop as loop
from gananim.config import scene_files, settings
from gananim.trace import Trace
from gananim.training.loop import train

CONFIGS = {  # each is one compiled graph, built once per session
    "wgan-gp": ("ring8", ["steps=12", "seeds=0-1", "g.widths=8", "d.widths=8", "batch=16", "d_steps=2",
                          "tricks.pack=2", "tricks.instance_noise=0.1", "tricks.grad_clip=1.0", "opt_g.name=rmsprop",
                          "opt_g.lr=1e-3", "opt_g.weight_decay=0.01", "opt_d.weight_decay=0.01", "record.bank=32",
                          "record.latents=32"]),
    "unrolled": ("ring8_unrolled", ["steps=12", "g.widths=8", "d.widths=8", "latent.dim=4", "batch=16",
                                    "tricks.unroll=2", "tricks.param_noise=0.05", "tricks.param_noise_batch=2",
                                    "d.minibatch=3", "d.minibatch_dims=2",
                                    "tricks.instance_noise=0.1", "record.bank=32", "record.latents=32"]),
}


NEEDS_COMPILER = pytest.mark.skipif(not any(map(shutil.which, ("c++", "g++", "clang++"))),
                                    reason="no C++ compiler here: torch cannot compile for the CPU (training falls "
                                    "back to eager, tested below)")


def _mixed(name: str = "wgan-gp"):
    source, sets = CONFIGS[name]
    return settings.apply(scene_files.load(source), sets)


@pytest.fixture(scope="module")
def both_modes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compiled")
    paths = {}
    for name in CONFIGS:
        for mode in ("on", "off"):
            paths[name, mode] = folder / f"{name}-{mode}.trace"
            assert train(_mixed(name), paths[name, mode], show_progress=False, compile=mode).status == "complete"
    return paths


@NEEDS_COMPILER
@pytest.mark.parametrize("name", CONFIGS)
def test_compiled_training_matches_eager_within_float_tolerance(both_modes, name):
    with Trace(both_modes[name, "on"]) as on, Trace(both_modes[name, "off"]) as off:
        assert on.meta["execution"]["mode"] == "compiled" and off.meta["execution"]["mode"] == "eager"
        assert on.scalar_names == off.scalar_names
        scalars_on, scalars_off = on.scalars(), off.scalars()
        assert scalars_on.shape == scalars_off.shape == (12, on.meta["runs"], len(on.scalar_names))
        # the same random draws: the first step's values agree to float rounding, the rest closely
        np.testing.assert_allclose(scalars_on[0], scalars_off[0], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(scalars_on, scalars_off, rtol=1e-2, atol=1e-3)
        params_on, params_off = on.params(on.param_steps), off.params(off.param_steps)
        np.testing.assert_array_equal(params_on[0], params_off[0])  # the same initial parameters
        assert np.abs(params_on - params_off).max() < 1e-3
        assert np.abs(params_on[-1] - params_on[0]).max() > 1e-2  # and both trained


@NEEDS_COMPILER
def test_compiled_training_writes_the_same_bytes_every_time(both_modes, tmp_path):
    again = tmp_path / "again.trace"
    train(_mixed(), again, show_progress=False, compile="on")
    assert again.read_bytes() == both_modes["wgan-gp", "on"].read_bytes()


@NEEDS_COMPILER
def test_an_interrupted_compiled_run_resumes_compiled_into_the_uninterrupted_bytes(both_modes, tmp_path,
                                                                                 monkeypatch):
    monkeypatch.setattr(loop, "CHUNK_FLOPS", 1.0)  # chunks of 4 steps, a training state after each
    monkeypatch.setattr(loop, "STATE_SHARE", 1.0)
    whole, stopped = tmp_path / "whole.trace", tmp_path / "stopped.trace"
    train(_mixed(), whole, show_progress=False, compile="on")
    original = compiled.CompiledIteration.__call__

    def interrupting(self, s):
        if s == 10:
            signal.raise_signal(signal.SIGINT)
        return original(self, s)
    monkeypatch.setattr(compiled.CompiledIteration, "__call__", interrupting)
    assert train(_mixed(), stopped, show_progress=False, compile="on").status == "interrupted"
    monkeypatch.setattr(compiled.CompiledIteration, "__call__", original)
    # resumed in the mode it was trained in, whatever --compile says now
    assert train(_mixed(), stopped, show_progress=False, compile="off", resume=True).status == "complete"
    assert stopped.read_bytes() == whole.read_bytes()


def test_a_compile_failure_trains_eagerly_with_one_note_and_the_same_bytes(both_modes, tmp_path, monkeypatch,
                                                                          capsys):
    def failing(self):
        self._draws(0.1)  # consume random draws, as a failure midway through would
        raise RuntimeError("no working C++ compiler\nmore detail")
    monkeypatch.setattr(compiled.CompiledIteration, "warm_up", failing)
    path = tmp_path / "fallback.trace"
    train(_mixed(), path, show_progress=False, compile="on")
    out = capsys.readouterr().err
    assert "training eagerly: compiling the step failed (no working C++ compiler)" in out and "more detail" not in out
    assert path.read_bytes() == both_modes["wgan-gp", "off"].read_bytes()


def test_settings_the_compiled_step_lacks_train_eagerly_with_a_note(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(torch, "compile", None)  # never reached
    scene = settings.apply(scene_files.load("ring8_hopping"), ["steps=3", "g.widths=8", "latent.dim=4",
                                                                "batch=8", "tricks.feature_matching=1"])
    train(scene, tmp_path / "u.trace", show_progress=False, compile="on")
    assert "does not cover feature_matching" in capsys.readouterr().err
    with Trace(tmp_path / "u.trace") as trace:
        assert trace.meta["execution"]["mode"] == "eager"


def test_no_cpp_compiler_trains_eagerly_with_a_note(tmp_path, capsys, monkeypatch, tiny_scene_file):
    monkeypatch.setattr(compiled.shutil, "which", lambda name: None)
    train(scene_files.load(str(tiny_scene_file)), tmp_path / "t.trace", show_progress=False, compile="on")
    assert "no C++ compiler" in capsys.readouterr().err


def test_auto_compiles_only_runs_long_enough_to_repay_it(tmp_path, monkeypatch, tiny_scene_file):
    monkeypatch.setattr(torch, "compile", None)  # a short run must not try
    scene = scene_files.load(str(tiny_scene_file))
    assert scene.steps < compiled.AUTO_MIN_STEPS
    train(scene, tmp_path / "t.trace", show_progress=False)
    with Trace(tmp_path / "t.trace") as trace:
        assert trace.meta["execution"]["mode"] == "eager"


@pytest.mark.parametrize("name,kwargs", [
    ("adam", dict(lr=1e-2, betas=(0.5, 0.9), eps=1e-8, weight_decay=0.1)),
    ("rmsprop", dict(lr=1e-2, alpha=0.9, eps=1e-10, weight_decay=0.1)),
    ("sgd", dict(lr=1e-2, weight_decay=0.1)),
])
def test_the_functional_optimizer_rules_follow_torchs(name, kwargs):
    cls = {"adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop, "sgd": torch.optim.SGD}[name]
    reference = torch.randn(3, 50, generator=torch.Generator().manual_seed(0))
    ours = reference.clone()
    reference.requires_grad_(True)
    opt = cls([reference], **kwargs)
    ours_opt = cls([ours], **kwargs)
    state = compiled._optimizer_state(ours_opt, ours)
    for k in range(5):
        grad = torch.randn(3, 50, generator=torch.Generator().manual_seed(k + 1))
        reference.grad = grad.clone()
        opt.step()
        compiled._apply(ours_opt, ours, grad, state)
    np.testing.assert_allclose(ours.numpy(), reference.detach().numpy(), rtol=1e-5, atol=1e-6)


@NEEDS_COMPILER
def test_a_compiled_keyframe_trace_replays_compiled_into_the_full_traces_bytes(both_modes, tmp_path, monkeypatch):
    from gananim.training.replay import open_trace

    monkeypatch.setattr(loop, "CHUNK_FLOPS", 1.0)  # chunks of 4 steps: keyframes at 0, 4, 8, 12
    keyed = tmp_path / "keyed.trace"
    train(settings.apply(_mixed(), ["record.mode=keyframes", "record.keyframe_every=4"]), keyed,
          show_progress=False, compile="on")
    monkeypatch.setenv("GANANIM_CACHE", str(tmp_path / "empty-cache"))  # replay, not the rows training cached
    with Trace(both_modes["wgan-gp", "on"]) as full, open_trace(keyed) as k:
        assert k.meta["execution"]["mode"] == "compiled" and k.keyframe_steps == [0, 4, 8, 12]
        assert np.array_equal(full.params(full.param_steps), k.params(k.param_steps))
