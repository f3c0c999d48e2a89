"""Reliability: more bad input, atomic outputs, SIGKILL, NaN, and a fuzzed trace reader."""
from __future__ import annotations

import os
import random
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import TINY_SCENE, write_scene

from gananim import GananimError
from gananim.cli import main
from gananim.trace import FORMAT_VERSION, MAGIC, Trace


def error_of(capsys, *args) -> str:
    """Run the CLI; it must fail with status 2 and exactly one line on stderr."""
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gananim: error: "), err
    return lines[0]


def test_more_bad_scenes(tmp_path, capsys):
    ambiguous = write_scene(tmp_path, TINY_SCENE.replace("scene = Scene(", "first = Scene(") +
                            "\nsecond = first\n", "ambiguous.py")
    assert "defines several Scenes; pick one with --scene: first, second" in error_of(capsys, "show", ambiguous)
    mistyped = write_scene(tmp_path, TINY_SCENE.replace("steps=40", 'steps="many"'), "mistyped.py")
    assert "steps must be an integer, got 'many'" in error_of(capsys, "render", mistyped, "-o", tmp_path / "o.mp4")
    assert "raised ValueError (line 9): invalid literal for int()" in error_of(capsys, "show", write_scene(
        tmp_path, TINY_SCENE.replace('g=mlp([8]', 'g=mlp(["x"]'), "w.py"))


def test_damaged_traces(tmp_path, capsys, tiny_trace):
    data = tiny_trace.read_bytes()
    truncated = tmp_path / "truncated.trace"
    truncated.write_bytes(data[:40])
    assert "is corrupted" in error_of(capsys, "info", truncated)
    newer = tmp_path / "newer.trace"
    newer.write_bytes(MAGIC + struct.pack("<I", FORMAT_VERSION + 1) + data[12:])
    assert "newer than this gananim reads" in error_of(capsys, "info", newer)
    corrupted = tmp_path / "corrupted.trace"
    damaged = bytearray(data)
    with Trace(tiny_trace) as trace:  # a byte of the last keyframe, which holds step 40's parameters
        inside = trace.states[-1].offset + 10
    damaged[inside] ^= 0xFF
    corrupted.write_bytes(bytes(damaged))
    previous = tmp_path / "o.mp4"
    previous.write_bytes(b"an earlier render")
    message = error_of(capsys, "render", corrupted, "-o", previous, "--workers", "1")
    assert "is corrupted: the training state after step 40" in message
    assert previous.read_bytes() == b"an earlier render"  # the failed render replaced nothing
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupted.trace", "newer.trace", "o.mp4",
                                                          "truncated.trace"]


FAKE_FFMPEG = """#!/bin/sh
# reads a little of its input, then fails as a broken encoder would
head -c 100000 > /dev/null
echo "Conversion failed: simulated encoder crash" >&2
exit 1
"""


@pytest.mark.parametrize("workers", [1, 2])
def test_ffmpeg_failing_mid_encode_leaves_the_previous_output(tmp_path, capsys, tiny_trace, monkeypatch, workers):
    fake = tmp_path / "ffmpeg"
    fake.write_text(FAKE_FFMPEG)
    fake.chmod(0o755)
    monkeypatch.setattr("imageio_ffmpeg.get_ffmpeg_exe", lambda: str(fake))
    out = tmp_path / "out"
    out.mkdir()
    previous = out / "v.mp4"
    previous.write_bytes(b"yesterday's video")
    message = error_of(capsys, "render", tiny_trace, "-o", previous, "--frames", "6", "--workers", workers)
    assert "ffmpeg" in message and ("simulated encoder crash" in message or "stopped reading" in message)
    assert previous.read_bytes() == b"yesterday's video"
    assert [p.name for p in out.iterdir()] == ["v.mp4"]  # no temporary files left behind


def test_sigkill_leaves_a_readable_partial_trace_that_renders(tmp_path):
    scene = write_scene(tmp_path)
    trace = tmp_path / "k.trace"
    proc = subprocess.Popen([sys.executable, "-m", "gananim", "train", str(scene), "--set", "steps=1000000",
                             "-o", str(trace), "-q"], stderr=subprocess.DEVNULL)
    partial = Path(str(trace) + ".partial")
    deadline = time.time() + 60
    steps = 0
    while time.time() < deadline and steps < 2000:
        time.sleep(0.5)
        if partial.exists():
            try:
                with Trace(partial) as t:
                    steps = t.steps
            except GananimError:
                pass
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert steps >= 2000, "no chunk reached the disk in time"
    with Trace(partial) as t:
        assert t.status == "partial" and t.steps >= steps and not trace.exists()
    assert main(["render", str(partial), "-o", str(tmp_path / "k.png")]) == 0


def test_nan_traces_render_up_to_the_failure_and_mark_it(tmp_path):
    from test_train import NAN_SCENE

    from gananim.config import scene_files
    from gananim.rendering.renderer import Renderer, RenderOptions, frame_steps, step_range
    from gananim.training.loop import train
    from gananim.training.replay import open_trace
    scene = scene_files.load(str(write_scene(tmp_path, NAN_SCENE, "nan.py")))
    train(scene, tmp_path / "n.trace", show_progress=False)
    with open_trace(tmp_path / "n.trace", scene) as trace:  # its own sampler: replaying needs the scene
        opts = RenderOptions(frames=5).resolved(trace)
        span = step_range(trace, None, None)
        renderer = Renderer(trace, frame_steps(trace, 5, *span), span, opts)
        frames = list(np.array(f) for f in renderer.frames())
        assert len(frames) == 5 and span == (0, 20)
        assert "stopped: NaN" in renderer.counter.get_text()
        assert renderer.caption.get_text() == "diverged: NaN or inf after step 20"


def mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    kind = rng.randrange(5)
    if kind == 0:  # flip a few bits
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == 1:  # overwrite a span with noise
        start = rng.randrange(len(data))
        data[start:start + rng.randint(1, 64)] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    elif kind == 2:  # truncate
        del data[rng.randrange(len(data)):]
    elif kind == 3:  # insert noise
        at = rng.randrange(len(data))
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 32)))
    else:  # huge lengths in a record header
        at = rng.randrange(12, len(data) - 8)
        data[at:at + 8] = struct.pack("<Q", rng.choice([2 ** 63 - 1, 2 ** 40, 2 ** 32 - 1]))
    return bytes(data)


def test_fuzzed_traces_fail_only_with_the_clear_error(tmp_path, tiny_trace):
    """3,000 mutations of a valid trace: every read ends in success or GananimError, quickly."""
    data = tiny_trace.read_bytes()
    rng = random.Random(0)
    path = tmp_path / "fuzz.trace"
    outcomes = {"ok": 0, "error": 0}
    start = time.time()
    for _ in range(3000):
        path.write_bytes(mutate(data, rng))
        try:
            with Trace(path) as trace:
                trace.scalars()
                trace.params(trace.param_steps)
                trace.array("real")
                trace.array("latents")
                for point in trace.states:  # the training states --resume reads
                    trace.state(point)
            outcomes["ok"] += 1
        except GananimError:
            outcomes["error"] += 1
    assert outcomes["error"] > 2300 and time.time() - start < 60  # truncations read as shorter traces
    assert outcomes["ok"] + outcomes["error"] == 3000


def test_loading_never_unpickles(tmp_path, tiny_trace, monkeypatch):
    """Reading never reaches pickle: a pickle smuggled into a trace is a corruption, not code."""
    import pickle

    def refuse(*args, **kwargs):
        raise AssertionError("a trace must never be unpickled")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(np, "load", refuse)
    with Trace(tiny_trace) as trace:
        trace.scalars(), trace.params(trace.param_steps), trace.array("real")
    (tmp_path / "evil.trace").write_bytes(tiny_trace.read_bytes() + pickle.dumps(os.system))
    with pytest.raises(GananimError, match="is corrupted"):
        Trace(tmp_path / "evil.trace")
