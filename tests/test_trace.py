"""The trace file: round trips, partial and damaged files, foreign files, versions."""
from __future__ import annotations

import struct

import numpy as np
import pytest

from gananim import GananimError
from gananim.trace import FORMAT_VERSION, MAGIC, Trace, TraceWriter

RUNS, K, P = 1, 3, 5


def _meta() -> dict:
    return {"gananim": "test", "settings": {"name": "t"}, "runs": RUNS, "scalars": ["a", "b", "c"],
            "n_params": P, "nets": {}, "data_dim": 2}


def _write(path, chunks=3, finish=True):
    rng = np.random.default_rng(0)
    writer = TraceWriter(path, _meta(), {"real": rng.normal(size=(7, 2))})
    scalars, params, steps, first = [], [], [], 1
    for c in range(chunks):
        s = rng.normal(size=(4, RUNS, K)).astype(np.float32)
        p_steps = ([0] if c == 0 else []) + [first + 1, first + 3]
        p = rng.normal(size=(len(p_steps), RUNS, P)).astype(np.float32)
        writer.chunk(first, s, p_steps, p)
        scalars.append(s), params.append(p), steps.extend(p_steps)
        first += 4
    if finish:
        writer.finish("complete", first - 1)
    return np.concatenate(scalars), np.concatenate(params), steps, writer


def test_round_trip(tmp_path):
    path = tmp_path / "t.trace"
    scalars, params, steps, _ = _write(path)
    assert not (tmp_path / "t.trace.partial").exists()
    with Trace(path) as trace:
        assert trace.status == "complete" and trace.steps == 12
        assert trace.param_steps.tolist() == steps
        np.testing.assert_array_equal(trace.scalars(), scalars)
        np.testing.assert_array_equal(trace.scalar("b"), scalars[:, :, 1])
        np.testing.assert_array_equal(trace.params([steps[4], steps[0]]), params[[4, 0]])
        assert trace.array("real").shape == (7, 2)
        assert trace.nearest_recorded(9) in (8, 10)
        with pytest.raises(GananimError, match="step 1 is not recorded"):
            trace.params([1])


def test_unfinished_trace_is_readable_as_partial(tmp_path):
    path = tmp_path / "t.trace"
    scalars, _, _, writer = _write(path, chunks=2, finish=False)
    with Trace(writer.partial) as trace:
        assert trace.status == "partial" and trace.steps == 8
        np.testing.assert_array_equal(trace.scalars(), scalars)
    writer.discard()
    assert not writer.partial.exists()


def test_every_truncation_reads_as_a_shorter_trace_or_fails_clearly(tmp_path):
    path = tmp_path / "t.trace"
    _write(path)
    data = path.read_bytes()
    cut = tmp_path / "cut.trace"
    seen_steps = set()
    for length in range(0, len(data), 7):
        cut.write_bytes(data[:length])
        try:
            with Trace(cut) as trace:
                seen_steps.add(trace.steps)
                assert trace.status == "partial"
                trace.scalars()
                trace.params(trace.param_steps)
        except GananimError:
            pass
    assert {0, 4, 8}.issubset(seen_steps)  # a killed run keeps every chunk it finished


def test_corrupted_bytes_are_caught(tmp_path):
    path = tmp_path / "t.trace"
    _write(path)
    data = bytearray(path.read_bytes())
    bad = tmp_path / "bad.trace"
    failures = 0
    for offset in range(12, len(data), 3):
        mutated = bytearray(data)
        mutated[offset] ^= 0x5A
        bad.write_bytes(bytes(mutated))
        try:
            with Trace(bad) as trace:
                trace.scalars()
                trace.params(trace.param_steps)
                trace.array("real")
        except GananimError:
            failures += 1
    # Every flipped byte lies in a checksummed header, JSON or payload: all are detected.
    assert failures == len(range(12, len(data), 3))


def test_foreign_files_and_newer_versions(tmp_path):
    png = tmp_path / "x.trace"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    with pytest.raises(GananimError, match="is not a gananim trace \\(it is a PNG image\\)"):
        Trace(png)
    npz = tmp_path / "y.trace"
    np.savez(tmp_path / "y.npz", a=np.zeros(3))
    npz.write_bytes((tmp_path / "y.npz").read_bytes())
    with pytest.raises(GananimError, match="zip or .npz"):
        Trace(npz)
    newer = tmp_path / "z.trace"
    newer.write_bytes(MAGIC + struct.pack("<I", FORMAT_VERSION + 1) + bytes(30))
    with pytest.raises(GananimError, match="newer than this gananim reads"):
        Trace(newer)
    with pytest.raises(GananimError, match="does not exist"):
        Trace(tmp_path / "missing.trace")
    empty = tmp_path / "e.trace"
    empty.write_bytes(b"")
    with pytest.raises(GananimError, match="not a gananim trace"):
        Trace(empty)


def test_trace_holds_no_pickle(tiny_trace):
    data = tiny_trace.read_bytes()
    assert data.startswith(MAGIC)
    assert b"\x80\x04\x95" not in data and b"\x80\x05\x95" not in data  # pickle protocol 4/5 frames
