"""Interrupted runs resume from their last training state into the bytes an uninterrupted run writes."""
from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from conftest import IMAGE_SCENE, write_scene

import gananim.training.loop as loop
from gananim import GananimError
from gananim.config import scene_files, settings
from gananim.trace import Trace
from gananim.training.loop import train
from gananim.training.step import Step

TOY = ["steps=40", "g.widths=8", "d.widths=8", "batch=16", "record.bank=64", "record.latents=64"]
FAMILIES = {
    "toy": ("sine", TOY, 23),
    "wgan-gp": ("ring8", ["steps=30", "g.widths=16,16", "d.widths=16,16", "batch=32", "record.bank=64",
                          "record.latents=64"], 17),
    "seeds": ("point_final", ["steps=40", "seeds=0-2", "record.bank=16", "record.latents=16"], 26),
    "keyframes": ("sine", TOY + ["record.mode=keyframes", "record.keyframe_every=8"], 19),
}


def _scene(family: str, tmp_path):
    """(scene, where it comes from, its --set changes, the step to kill it at)."""
    if family == "digits":
        source = str(write_scene(tmp_path, IMAGE_SCENE, "tiny_digits.py"))
        return scene_files.load(source), source, [], 7
    name, sets, kill_at = FAMILIES[family]
    return settings.apply(scene_files.load(name), sets), name, sets, kill_at


KILLER = """
import os, signal, sys
import gananim.training.loop as loop
from gananim.config import scene_files, settings
from gananim.training.step import Step
source, out, step, sets = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
loop.CHUNK_FLOPS = 1.0
loop.STATE_SHARE = 1.0
original = Step.__call__
def dying(self, s):
    if s == step:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(self, s)
Step.__call__ = dying
loop.train(settings.apply(scene_files.load(source), sets), out, show_progress=False)
"""


def _killed_at(source: str, sets: list[str], path, step: int) -> None:
    """Train in a separate process that SIGKILLs itself as it starts `step` (mid-chunk)."""
    done = subprocess.run([sys.executable, "-c", KILLER, source, str(path), str(step), *sets], timeout=300)
    assert done.returncode == -signal.SIGKILL


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(loop, "CHUNK_FLOPS", 1.0)  # chunks of 4 steps: several boundaries in a tiny run
    monkeypatch.setattr(loop, "STATE_SHARE", 1.0)  # and a training state after each


@pytest.mark.parametrize("family", ["toy", "wgan-gp", "seeds", "digits", "keyframes"])
def test_a_killed_run_resumes_into_the_uninterrupted_bytes(tmp_path, small_chunks, family):
    scene, source, sets, kill_at = _scene(family, tmp_path)
    whole, killed = tmp_path / "whole.trace", tmp_path / "killed.trace"
    train(scene, whole, show_progress=False)
    _killed_at(source, sets, killed, kill_at)
    partial = tmp_path / "killed.trace.partial"
    assert partial.exists() and not killed.exists()
    with Trace(partial) as trace:  # readable as it is, up to its last chunk
        assert trace.status == "partial" and 0 < trace.steps < kill_at
        assert trace.resume_point().step <= trace.steps
    result = train(scene, killed, show_progress=False, resume=True)
    assert result.status == "complete" and not partial.exists()
    assert killed.read_bytes() == whole.read_bytes()


def test_an_interrupted_run_resumes_into_the_uninterrupted_bytes(tmp_path, small_chunks, monkeypatch):
    """Ctrl-C keeps a finished, interrupted trace; --resume continues that file."""
    scene = _scene("toy", tmp_path)[0]
    whole, stopped = tmp_path / "whole.trace", tmp_path / "stopped.trace"
    train(scene, whole, show_progress=False)
    original = Step.__call__

    def interrupting(self, s):
        if s == 18:
            signal.raise_signal(signal.SIGINT)
        return original(self, s)

    monkeypatch.setattr(Step, "__call__", interrupting)
    assert train(scene, stopped, show_progress=False).status == "interrupted"
    monkeypatch.setattr(Step, "__call__", original)
    assert train(scene, stopped, show_progress=False, resume=True).status == "complete"
    assert stopped.read_bytes() == whole.read_bytes()


def test_resume_refuses_other_settings_and_finished_runs(tmp_path, small_chunks):
    scene, source, sets, kill_at = _scene("toy", tmp_path)
    path = tmp_path / "t.trace"
    _killed_at(source, sets, path, kill_at)
    with pytest.raises(GananimError, match="other settings or code"):
        train(settings.apply(scene, ["opt_d.lr=5e-4"]), path, show_progress=False, resume=True)
    train(scene, path, show_progress=False, resume=True)
    with pytest.raises(GananimError, match="is finished"):
        train(scene, path, show_progress=False, resume=True)
    with pytest.raises(GananimError, match="nothing to resume"):
        train(scene, tmp_path / "never.trace", show_progress=False, resume=True)


def test_presentation_settings_do_not_change_the_fingerprint():
    scene = scene_files.load("sine")
    same = settings.apply(scene, ["title=Another title", "render.fps=5", "detect.window=0.1", "name=other"])
    assert loop.fingerprint(same) == loop.fingerprint(scene)
    assert loop.fingerprint(settings.apply(scene, ["opt_d.lr=5e-4"])) != loop.fingerprint(scene)


def test_training_states_take_a_bounded_share_of_the_trace(tmp_path, monkeypatch):
    """With chunks of 4 steps, a state after each would outweigh the steps themselves."""
    monkeypatch.setattr(loop, "CHUNK_FLOPS", 1.0)
    scene = settings.apply(scene_files.load("sine"), TOY + ["steps=2000", "record.mode=full"])
    path = tmp_path / "t.trace"
    train(scene, path, show_progress=False)
    with Trace(path) as trace:
        state_bytes = sum(point.end - point.offset for point in trace.states)
        assert trace.states[-1].step == 2000 and len(trace.states) >= 2
        assert state_bytes <= 0.15 * trace.size
