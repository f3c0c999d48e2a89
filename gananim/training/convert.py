"""Converting a trace between its two recording modes (gananim pack, gananim unpack).

`pack` turns a full trace into a keyframe trace: the same scalars and chunks, no parameter rows,
and as keyframes the state at step 0 (rebuilt from the seed, and checked against the trace's
first row) and the full trace's training states, as many as fit a fiftieth of its bytes.
`unpack` replays a keyframe trace and writes the rows a full trace keeps (every
`record_every`-th step) into the same chunks, with every keyframe kept as a training state.
The fingerprint is the same in both modes: they are the same run.
"""
from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np

from gananim.analysis.scorers import scorer_for
from gananim.config.scene import from_settings
from gananim.errors import GananimError
from gananim.trace import Trace, TraceWriter
from gananim.training.loop import KEYFRAME_SHARE
from gananim.training.run import fresh_run
from gananim.training.replay import open_trace

ARRAYS = ("real", "latents", "vbn_reference")


def _header(trace: Trace, mode: str, keyframe_every: int = 0) -> tuple[dict, dict]:
    meta = copy.deepcopy(trace.meta)
    meta["settings"]["record"]["mode"] = mode
    meta["record"] = {"mode": mode, "keyframe_every": keyframe_every} if mode == "keyframes" else {"mode": mode}
    return meta, {name: trace.array(name) for name in ARRAYS if name in trace.arrays}


def _copy_state(writer: TraceWriter, trace: Trace, point) -> None:
    info = {k: v for k, v in point.info.items() if k not in ("step", "arrays")}
    writer.state(point.step, trace.state(point), info)


def _finish(writer: TraceWriter, trace: Trace) -> None:
    done = trace.done or {"status": "interrupted", "steps": trace.steps, "message": ""}
    writer.finish(done.get("status", "complete"), trace.steps, done.get("message", ""))


def _step_zero(trace: Trace, scene) -> dict[str, np.ndarray]:
    """The training state at step 0, rebuilt from the run's seeds the way training begins."""
    scene = scene or from_settings(trace.settings)
    setup, step_fn, _ = fresh_run(scene)
    state = step_fn.state()
    first = np.concatenate([state["params.g"], state["params.d"]], axis=-1)
    if not np.array_equal(first, trace.params([0])[0]):
        raise GananimError(f"cannot pack {trace.path}: rebuilding its step 0 from its seeds does not give its first "
                           "recorded parameters (it was trained by another version or with other code)")
    scores = scorer_for(setup.target, scene.latent)
    if scores:
        state["scores"] = scores(setup.g, step_fn.flat_g).numpy()
    return state


def pack(source: Path, out: Path, keyframe_every: int = 0, scene=None) -> Path:
    """Write the keyframe trace of the full trace `source` to `out`."""
    with Trace(source) as trace:
        if trace.keyframes:
            raise GananimError(f"{source} already keeps keyframes")
        if trace.version < 2 or not trace.states:
            raise GananimError(f"{source} keeps no training states (written before gananim kept them); train it "
                               "again with --record keyframes")
        if not keyframe_every:  # as training would choose: a fiftieth of the full trace's bytes
            state_bytes = trace.states[0].end - trace.states[0].offset
            scalar_bytes = 4 * trace.steps * trace.meta["runs"] * len(trace.scalar_names)
            budget = max(trace.size * KEYFRAME_SHARE - scalar_bytes, 0)
            keyframe_every = math.ceil(trace.steps / max(1, int(budget // state_bytes) - 1))
        later = [p for p in trace.states if p.step > 0]
        kept, last = [], 0
        for point in later:  # the states at least `keyframe_every` apart, and the last
            if point.step - last >= keyframe_every or point is later[-1]:
                kept.append(point)
                last = point.step
        meta, arrays = _header(trace, "keyframes", keyframe_every)
        no_rows = np.zeros((0, trace.meta["runs"], trace.meta["n_params"]), np.float32)
        writer = TraceWriter(out, meta, arrays)
        try:
            if trace.states[0].step == 0:  # unpacked from a keyframe trace: it kept step 0
                _copy_state(writer, trace, trace.states[0])
            else:
                writer.state(0, _step_zero(trace, scene))
            for chunk in trace.chunks:
                first, last = chunk.scalar_start, chunk.scalar_start + chunk.scalar_rows - 1
                writer.chunk(first, trace.scalars()[first - 1:last], [], no_rows)
                if kept and kept[0].step == last:
                    _copy_state(writer, trace, kept.pop(0))
            _finish(writer, trace)
        except BaseException:
            writer.discard()
            raise
    return out


def unpack(source: Path, out: Path, scene=None, show: bool = True) -> Path:
    """Write the full trace of the keyframe trace `source` to `out`, replaying its rows."""
    with open_trace(source, scene) as trace:
        if not trace.keyframes:
            raise GananimError(f"{source} is a full trace already")
        trace.replay.ensure(0, trace.steps, show)
        meta, arrays = _header(trace, "full")
        every, states = trace.meta.get("record_every", 1), {p.step: p for p in trace.states}
        writer = TraceWriter(out, meta, arrays, compress_rows=True)  # for sharing: rows compressed
        try:
            if 0 in states:
                _copy_state(writer, trace, states[0])
            for index, chunk in enumerate(trace.chunks):
                first, last = chunk.scalar_start, chunk.scalar_start + chunk.scalar_rows - 1
                steps = [s for s in range(first if index else 0, last + 1) if s % every == 0 or s == trace.steps]
                writer.chunk(first, trace.scalars()[first - 1:last], steps, trace.params(steps))
                if last in states and last:
                    _copy_state(writer, trace, states[last])
            _finish(writer, trace)
        except BaseException:
            writer.discard()
            raise
    return out
