"""A shared trace is pure data, two writers never corrupt a trace, no request exhausts the
machine, and a full disk or a killed run is reported in one line."""
from __future__ import annotations

import errno
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import imageio.v3 as iio
import pytest
from conftest import write_scene
from test_cli import CUSTOM_SCENE, run

import gananim.trace as trace_module
from gananim.trace import MAGIC, RECORD, Trace

GANANIM = [sys.executable, "-m", "gananim"]


def _records(data: bytes):
    """(tag, json bytes, payload bytes) of every record of a trace file."""
    pos, out = 12, []
    while pos < len(data):
        tag, n_json, n_payload, _, _ = RECORD.unpack(data[pos:pos + RECORD.size])
        body = data[pos + RECORD.size:pos + RECORD.size + n_json]
        payload = data[pos + RECORD.size + n_json:pos + RECORD.size + n_json + n_payload]
        out.append((tag, body, payload))
        pos += RECORD.size + n_json + n_payload
    return out


def _rewrite_meta(path: Path, change) -> None:
    """Edit a trace's metadata the way an attacker would: recomputing every checksum."""
    data = path.read_bytes()
    parts = [data[:12]]
    for tag, body, payload in _records(data):
        if tag == b"META":
            meta = json.loads(body)
            change(meta)
            body = json.dumps(meta).encode()
        head = RECORD.pack(tag, len(body), len(payload), 0, 0)[:16]
        parts.append(head + struct.pack("<II", zlib.crc32(head), zlib.crc32(body)) + body + payload)
    path.write_bytes(b"".join(parts))


def test_a_hostile_trace_runs_no_code(tmp_path, capsys):
    """A trace whose metadata names a Python file beside it: info, render and still never run it."""
    scene = write_scene(tmp_path, CUSTOM_SCENE, "custom.py")
    assert run(capsys, "train", scene, "--scene", "custom", "-q", "-o", tmp_path / "c.trace")[0] == 0
    marker = tmp_path / "ran.txt"
    evil = tmp_path / "evil.py"
    evil.write_text(f"open({str(marker)!r}, 'w').write('ran')\n" + CUSTOM_SCENE)

    def hostile(meta):
        meta.update(scene_file=str(evil), scene_var="custom", scene_path=str(evil), module=str(evil))

    _rewrite_meta(tmp_path / "c.trace", hostile)
    code, out, err = run(capsys, "info", tmp_path / "c.trace")
    assert code == 0, err
    for args in (["render", tmp_path / "c.trace", "-o", tmp_path / "r.png"],
                 ["render", tmp_path / "c.trace", "-o", tmp_path / "r.mp4", "--frames", "2"],
                 ["still", tmp_path / "c.trace", "--steps", "0,20", "-o", tmp_path / "s.png"]):
        code, _, err = run(capsys, *args)
        assert code == 2 and "--scene-file" in err
    assert not marker.exists()


def test_metadata_of_the_wrong_type_is_one_line_naming_the_field(tmp_path, tiny_trace, capsys):
    for change, field in ((lambda m: m.update(runs="3"), "'runs'"), (lambda m: m.update(runs=10 ** 9), "'runs'"),
                          (lambda m: m["nets"]["g"].update(n=-1), "'nets.g'"),
                          (lambda m: m.update(scalars=[1, 2]), "'scalars'"),
                          (lambda m: m.update(seeds=[0, 1]), "'seeds'")):
        path = tmp_path / "bad.trace"
        path.write_bytes(tiny_trace.read_bytes())
        _rewrite_meta(path, change)
        for command in (["info", path], ["render", path, "-o", tmp_path / "x.png"]):
            code, _, err = run(capsys, *command)
            assert code == 2 and f"metadata field {field}" in err and len(err.strip().splitlines()) == 1, err


def test_settings_of_a_trace_get_the_checks_of_any_scene(tmp_path, tiny_trace, capsys):
    path = tmp_path / "bad.trace"
    path.write_bytes(tiny_trace.read_bytes())
    _rewrite_meta(path, lambda m: m["settings"]["opt_d"].update(lr=-1.0))
    code, _, err = run(capsys, "render", path, "-o", tmp_path / "x.png")
    assert code == 2 and "has bad settings: opt_d.lr must be positive" in err, err
    _rewrite_meta(path, lambda m: m["settings"].pop("loss"))
    code, _, err = run(capsys, "render", path, "-o", tmp_path / "x.png")
    assert code == 2 and "its settings are damaged (KeyError: 'loss')" in err, err


def _start_writer(tmp_path: Path, out: str, steps: int) -> subprocess.Popen:
    return subprocess.Popen([*GANANIM, "train", "sine", "--set", f"steps={steps}", "-q", "-o", str(tmp_path / out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, proc: subprocess.Popen, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not (path.exists() and trace_module.lock_holder(path)):
        assert proc.poll() is None and time.monotonic() < end, "the writer never started"
        time.sleep(0.05)


def test_a_second_writer_is_refused_and_a_killed_ones_lock_lapses(tmp_path):
    first = _start_writer(tmp_path, "t.trace", 400_000)
    try:
        partial = tmp_path / "t.trace.partial"
        _wait_for(partial, first)
        second = subprocess.run([*GANANIM, "train", "sine", "--set", "steps=300", "-q", "-o", str(tmp_path / "t.trace")],
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 2, second.stderr
        assert second.stderr.count("\n") == 1 and f"being written by process {first.pid}" in second.stderr
        shown = subprocess.run([*GANANIM, "render", str(tmp_path / "t.trace"), "-o", str(tmp_path / "t.png")],
                               capture_output=True, text=True, timeout=120)
        assert shown.returncode == 2 and "is still being trained" in shown.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    shown = subprocess.run([*GANANIM, "render", str(tmp_path / "t.trace"), "-o", str(tmp_path / "t.png")],
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 2 and "its run was killed" in shown.stderr and "--resume" in shown.stderr
    third = subprocess.run([*GANANIM, "train", "sine", "--set", "steps=300", "-q", "-o", str(tmp_path / "t.trace")],
                           capture_output=True, text=True, timeout=120)
    assert third.returncode == 0 and "starting afresh over" in third.stderr, third.stderr
    with Trace(tmp_path / "t.trace") as trace:
        assert trace.status == "complete" and trace.steps == 300
    assert not partial.exists() and not list(tmp_path.glob("*.abandoned"))


def test_two_writers_started_together_leave_one_good_trace(tmp_path):
    procs = [_start_writer(tmp_path, "both.trace", 3000) for _ in range(2)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    codes = sorted(code for _, _, code in results)
    assert codes in ([0, 0], [0, 2]), results  # the second either waited its turn or was refused
    refused = [err for _, err, code in results if code == 2]
    assert all("is being written by process" in err and "Traceback" not in err for err in refused)
    with Trace(tmp_path / "both.trace") as trace:
        assert trace.status == "complete" and trace.steps == 3000
        trace.scalars(), trace.params(trace.param_steps[-3:])  # every checksum holds


def test_a_lock_left_on_another_machine_lapses_after_ten_minutes(tmp_path, tiny_scene_file, capsys):
    partial = tmp_path / "o.trace.partial"
    holder = json.dumps({"host": "elsewhere", "pid": 1, "started": 0}).encode()
    holder += b" " * (trace_module.LOCK_BYTES - len(holder))
    head = RECORD.pack(b"LOCK", len(holder), 0, 0, 0)[:16]
    partial.write_bytes(MAGIC + struct.pack("<I", 2) + head + struct.pack("<II", zlib.crc32(head),
                                                                          zlib.crc32(holder)) + holder)
    code, _, err = run(capsys, "train", tiny_scene_file, "-q", "-o", tmp_path / "o.trace")
    assert code == 2 and "process 1 on elsewhere" in err
    old = time.time() - trace_module.STALE_AFTER_S - 5
    os.utime(partial, (old, old))
    code, _, err = run(capsys, "train", tiny_scene_file, "-q", "-o", tmp_path / "o.trace")
    assert code == 0, err


class _FillingFile:
    """A file whose writes fail with ENOSPC once `room` bytes are written."""

    def __init__(self, file, room: int) -> None:
        self.file, self.room = file, room

    def write(self, data) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.file.write(data)

    def __getattr__(self, name):
        return getattr(self.file, name)


@pytest.mark.parametrize("room, kept", [(300, False), (60_000, True)])
def test_a_full_disk_while_training_is_one_line_and_keeps_the_earlier_trace(tmp_path, tiny_scene_file, capsys,
                                                                              monkeypatch, room, kept):
    out = tmp_path / "t.trace"
    out.write_bytes(b"earlier")
    real = os.fdopen
    monkeypatch.setattr(trace_module.os, "fdopen", lambda fd, mode: _FillingFile(real(fd, mode), room))
    monkeypatch.setattr("gananim.training.loop.CHUNK_FLOPS", 1.0)  # a state record every 4 steps
    monkeypatch.setattr("gananim.training.loop.STATE_SHARE", 1.0)
    code, _, err = run(capsys, "train", tiny_scene_file, "-q", "-o", out, "--record", "full")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "the disk is full" in err and f"the earlier {out} is intact" in err
    assert out.read_bytes() == b"earlier"
    partial = tmp_path / "t.trace.partial"
    assert partial.exists() == kept
    if kept:
        assert "--resume" in err
        with Trace(partial) as trace:
            assert trace.resume_point() is not None
    else:
        assert "nothing was kept" in err


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)")
def test_a_really_full_file_system(tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], capture_output=True)
    assert mounted.returncode == 0, mounted.stderr
    try:
        done = subprocess.run([*GANANIM, "train", "sine", "--set", "steps=2000", "-q", "-o", str(folder / "s.trace")],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 2 and done.stderr.startswith("gananim: error: the disk is full"), done.stderr
        assert done.stderr.count("\n") == 1
        assert not (folder / "s.trace").exists()
    finally:
        subprocess.run(["umount", str(folder)])


def test_requests_beyond_the_limits_are_refused_before_any_work(tmp_path, tiny_trace, capsys):
    for args, message in ((["--grid", "5000"], "--grid must be between 1 and 2,000, got 5,000"),
                          (["--frames", "1000000"], "--frames must be between 1 and 100,000"),
                          (["--fps", "100000"], "--fps must be between 1 and 240")):
        code, _, err = run(capsys, "render", tiny_trace, "-o", tmp_path / "x.mp4", *args)
        assert code == 2 and message in err, err
        assert not (tmp_path / "x.mp4").exists()


def test_more_frames_than_recorded_steps_draws_each_step_once(tmp_path, tiny_trace, capsys):
    code, _, err = run(capsys, "render", tiny_trace, "-o", tmp_path / "all.mp4", "--frames", "5000", "-q")
    assert code == 0, err
    assert "5,000 frames asked, but the range holds 41 recorded steps: drawing 41 frames" in err
    assert sum(1 for _ in iio.imiter(tmp_path / "all.mp4")) == 41


def test_fitting_a_huge_title_measures_text_a_bounded_number_of_times(tmp_path, tiny_trace, monkeypatch):
    """A 5,000- or 500,000-character title costs about as many text measurements as a short one."""
    from matplotlib.text import Text

    from gananim.rendering.renderer import RenderOptions, still

    counts = {}
    original = Text.get_window_extent
    for length in (60, 5_000, 500_000):
        calls = 0

        def counting(self, *args, **kwargs):
            nonlocal calls
            calls += 1
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Text, "get_window_extent", counting)
        still(Trace(tiny_trace), tmp_path / f"{length}.png", None, RenderOptions(title="W" * length))
        counts[length] = calls
    assert counts[500_000] <= counts[60] + 40, counts


def test_the_finest_grid_draws_a_still_in_bounded_memory(tmp_path, tiny_trace):
    """The largest grid the CLI accepts, at 720×720: the rendering process peaks under 2 GB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([*GANANIM, "render", str(tiny_trace), "-o", str(tmp_path / "fine.png"), "--grid", "2000",
                           "--size", "720x720"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 2048 and peak_mb >= before / 1024, peak_mb
    assert iio.imread(tmp_path / "fine.png").shape[:2] == (720, 720)
