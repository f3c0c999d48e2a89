"""Keyframe traces: every step reachable by replay, bit for bit, in a fraction of the bytes."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import IMAGE_SCENE, write_scene

import gananim.training.loop as loop
from gananim.config import scene_files, settings
from gananim.trace import Trace, TraceWriter
from gananim.training.convert import pack, unpack
from gananim.training.loop import train
from gananim.training.replay import open_trace

TOY = ["steps=40", "g.widths=8", "d.widths=8", "batch=16", "record.bank=64", "record.latents=64"]
FAMILIES = {
    "toy": ("sine", TOY),
    "wgan-gp": ("ring8", ["steps=30", "g.widths=16,16", "d.widths=16,16", "batch=32", "record.bank=64",
                          "record.latents=64"]),
    "seeds": ("point_final", ["steps=40", "seeds=0-2", "record.bank=16", "record.latents=16"]),
}
KEYFRAMES = ["record.mode=keyframes", "record.keyframe_every=8"]


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(loop, "CHUNK_FLOPS", 1.0)  # chunks of 4 steps: several keyframes in a tiny run


def _both(family: str, tmp_path):
    """A full trace and a keyframe trace of the same run."""
    if family == "digits":
        base = scene_files.load(str(write_scene(tmp_path, IMAGE_SCENE, "tiny_digits.py")))
    else:
        name, sets = FAMILIES[family]
        base = settings.apply(scene_files.load(name), sets)
    full, keyed = tmp_path / "full.trace", tmp_path / "keyed.trace"
    train(settings.apply(base, ["record.mode=full"]), full, show_progress=False)
    train(settings.apply(base, KEYFRAMES), keyed, show_progress=False)
    return full, keyed


def _cache(tmp_path, monkeypatch):
    """A fresh, empty replay cache."""
    folder = tmp_path / "fresh-cache"
    monkeypatch.setenv("GANANIM_CACHE", str(folder))
    return folder


@pytest.mark.parametrize("family", ["toy", "wgan-gp", "seeds", "digits"])
def test_replayed_parameters_are_the_full_traces_bytes(tmp_path, small_chunks, monkeypatch, family):
    full, keyed = _both(family, tmp_path)
    _cache(tmp_path, monkeypatch)  # nothing cached: every row below is replayed
    with Trace(full) as f, open_trace(keyed) as k:
        assert k.keyframes and len(k.keyframe_steps) >= 3 and k.keyframe_steps[0] == 0
        assert np.array_equal(f.param_steps, k.param_steps)
        assert np.array_equal(f.scalars(), k.scalars())
        assert np.array_equal(f.params(f.param_steps), k.params(k.param_steps))
        assert k.params([1, 5, k.steps - 1]).shape == (3, f.meta["runs"], f.meta["n_params"])  # any step
        assert k.replay.reported is False  # replayed here: no drift


def test_a_reader_without_the_training_code_says_how_to_get_replayed_steps(tmp_path, small_chunks, monkeypatch):
    _, keyed = _both("toy", tmp_path)
    monkeypatch.setattr(Trace, "replayer", None)  # as in a process that never imported gananim.training
    with Trace(keyed) as trace:
        assert trace.params([0, 8]).shape[0] == 2  # keyframes are stored
        with pytest.raises(Exception, match="keeps keyframes"):
            trace.params([3])


def _gananim(*args, cache, cwd):
    env = {**os.environ, "GANANIM_CACHE": str(cache)}
    return subprocess.run([sys.executable, "-m", "gananim", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=600)


def test_a_keyframe_trace_renders_the_full_traces_frames_and_caches_its_replay(tmp_path, tiny_scene_file):
    import imageio.v3 as iio

    full, keyed = tmp_path / "full.trace", tmp_path / "keyed.trace"
    for path, mode in ((full, "full"), (keyed, "keyframes")):
        done = _gananim("train", tiny_scene_file, "-o", path, "--record", mode, "--set", "record.keyframe_every=8",
                        "-q", cache=tmp_path / "train-cache", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    cache = tmp_path / "render-cache"
    first = _gananim("render", keyed, "-o", tmp_path / "k1.gif", cache=cache, cwd=tmp_path)
    assert first.returncode == 0 and "replaying tiny" in first.stderr, first.stderr
    cached = sorted((cache / "replay").glob("*.rows"))
    assert cached
    second = _gananim("render", keyed, "-o", tmp_path / "k2.gif", cache=cache, cwd=tmp_path)
    assert second.returncode == 0 and "replaying" not in second.stderr, second.stderr
    assert _gananim("render", full, "-o", tmp_path / "f.gif", cache=cache, cwd=tmp_path).returncode == 0
    frames = [iio.imread(tmp_path / name) for name in ("k1.gif", "k2.gif", "f.gif")]
    assert frames[0].shape[0] == 6 and all(np.array_equal(frames[0], other) for other in frames[1:])
    # training a keyframe trace fills the cache as it goes: rendering right after replays nothing
    again = _gananim("render", keyed, "-o", tmp_path / "k3.gif", cache=tmp_path / "train-cache", cwd=tmp_path)
    assert again.returncode == 0 and "replaying" not in again.stderr, again.stderr
    info = _gananim("info", keyed, cache=cache, cwd=tmp_path)
    assert "keyframes" in info.stdout and "gananim unpack" in info.stdout


def _copy(source, out, change_state=None, drop_step_zero=False, meta_change=None):
    """Write `source` again record by record, with a keyframe's arrays or the metadata changed
    (the CRCs computed afresh, as someone editing a trace would)."""
    with Trace(source) as trace:
        meta = {**trace.meta, **(meta_change or {})}
        arrays = {name: trace.array(name) for name in trace.arrays}
        writer = TraceWriter(out, meta, arrays)
        states = {p.step: p for p in trace.states}
        runs, n = trace.meta["runs"], trace.meta["n_params"]

        def state(step):
            if step in states and not (drop_step_zero and step == 0):
                arrays = trace.state(states[step])
                if change_state:
                    change_state(step, arrays)
                writer.state(step, arrays)

        state(0)
        for chunk in trace.chunks:
            last = chunk.scalar_start + chunk.scalar_rows - 1
            writer.chunk(chunk.scalar_start, trace.scalars()[chunk.scalar_start - 1:last], [],
                         np.zeros((0, runs, n), np.float32))
            state(last)
        writer.finish("complete", trace.steps)


def test_drift_is_reported_in_one_line_and_the_render_goes_on(tmp_path, small_chunks, monkeypatch):
    _, keyed = _both("toy", tmp_path)
    drifted = tmp_path / "drifted.trace"

    def nudge(step, arrays):  # as if another machine had rounded differently before step 16
        if step == 16:
            arrays["params.g"] = arrays["params.g"] + np.float32(1e-3)
    _copy(keyed, drifted, nudge)
    done = _gananim("render", drifted, "-o", tmp_path / "d.gif", "-q", cache=tmp_path / "c", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if "drifts from the recorded run" in line]
    assert len(notes) == 1 and "differ by up to 0.001" in notes[0], done.stderr


@pytest.mark.parametrize("damage, message", [
    ("crc", "the training state after step 16"),
    ("no step 0", "must keep the state at step 0"),
    ("shape", "does not fit its run"),
    ("mode", "'record' must give a mode"),
])
def test_corrupted_or_hostile_keyframes_are_one_line_and_status_2(tmp_path, small_chunks, damage, message):
    _, keyed = _both("toy", tmp_path)
    bad = tmp_path / "bad.trace"
    if damage == "crc":
        data = bytearray(keyed.read_bytes())
        with Trace(keyed) as trace:
            offset = trace.states[2].offset + 40
        data[offset] ^= 0xFF
        bad.write_bytes(bytes(data))
    elif damage == "no step 0":
        _copy(keyed, bad, drop_step_zero=True)
    elif damage == "shape":
        def grow(step, arrays):
            if step == 8:
                arrays["params.g"] = np.zeros((1, 3), np.float32)
        _copy(keyed, bad, grow)
    else:
        _copy(keyed, bad, meta_change={"record": {"mode": "bogus"}})
    done = _gananim("render", bad, "-o", tmp_path / "b.gif", "-q", cache=tmp_path / "c", cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and message in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_pack_and_unpack_round_trip(tmp_path, small_chunks):
    full, keyed = _both("toy", tmp_path)
    unpacked, repacked = tmp_path / "unpacked.trace", tmp_path / "repacked.trace"
    unpack(keyed, unpacked, show=False)
    pack(unpacked, repacked, keyframe_every=8)
    assert repacked.read_bytes() == keyed.read_bytes()
    packed, back = tmp_path / "packed.trace", tmp_path / "back.trace"
    pack(full, packed)  # a trace trained full: its step 0 is rebuilt from the seed
    unpack(packed, back, show=False)
    with Trace(full) as f, Trace(back) as b, open_trace(packed) as p:
        assert p.keyframes and not b.keyframes and p.meta["fingerprint"] == f.meta["fingerprint"]
        assert np.array_equal(f.param_steps, b.param_steps)
        assert np.array_equal(f.params(f.param_steps), b.params(b.param_steps))
        assert np.array_equal(f.scalars(), b.scalars())


def test_pack_and_unpack_from_the_command_line_refuse_the_wrong_kind(tmp_path, small_chunks):
    full, keyed = _both("toy", tmp_path)
    done = _gananim("pack", full, cache=tmp_path / "c", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "full-keyframes.trace").is_file(), done.stderr
    for command, path, said in (("pack", keyed, "already keeps keyframes"), ("unpack", full, "full trace already")):
        done = _gananim(command, path, cache=tmp_path / "c", cwd=tmp_path)
        assert done.returncode == 2 and said in done.stderr, done.stderr
