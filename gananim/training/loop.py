"""Scene -> trace: one training loop that records every step's scalars and the parameters of G and D."""
from __future__ import annotations

import math
import signal
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gananim import devices
from gananim.analysis.scorers import scorer_for
from gananim.config.scene import Scene
from gananim.errors import GananimError
from gananim.progress import console, training_bar
from gananim.trace import FORMAT_VERSION, DiskFull, ResumePoint, Trace, TraceWriter, busy_message, stale
from gananim.training import replay, rowcache
from gananim.training.compiled import iteration_for
from gananim.training.run import Setup, fingerprint, fresh_run, prepare, step_flops, training_threads
from gananim.training.run import threads as with_threads
from gananim.version import __version__

__all__ = ["Setup", "prepare", "fingerprint", "fresh_run", "step_flops", "train", "cadence", "keyframe_spacing"]
Trace.replayer = replay.Replay  # a keyframe trace opened in any process that trains can replay

CHUNK_BYTES = 8 << 20  # parameter rows per chunk: a killed run loses at most one chunk
# Chunks end after about this much arithmetic, so that even slow runs reach the disk every few
# seconds; counted in work rather than time so that the same run always writes the same bytes.
CHUNK_FLOPS = 4e9
# Training states (for --resume) go in at chunk boundaries, no more often than keeps them to
# about this share of the trace: a large network's optimizer state costs three times its
# parameters, and small chunks would otherwise carry one each. Counted in bytes written, so
# the same run always keeps its states at the same steps.
STATE_SHARE = 0.1
# A keyframe trace's keyframes take about this share of the bytes the full trace would (less
# the scalars, which both keep): more keyframes replay faster, fewer keep the file small.
KEYFRAME_SHARE = 1 / 50


def cadence(scene: Scene, n_params: int, runs: int = 1, frames: int = 0) -> int:
    """Record every step unless that passes the size budget; then the finest cadence that fits.
    Image scenes (given `frames`) keep parameters at the frame cadence at most: their networks
    are large, and each recorded step is also scored (gananim/analysis/scorers.py)."""
    if scene.record.every:
        return scene.record.every
    row = 4 * runs * n_params
    budget = scene.record.budget_mb * 1e6
    every = max(1, math.ceil((scene.steps + 2) * row / budget))
    return max(every, scene.steps // frames) if frames else every


def keyframe_spacing(scene: Scene, chunk_steps: int, state_bytes: int, full_bytes: int, scalar_bytes: int) -> int:
    """Steps between keyframes: `record.keyframe_every`, or as many keyframes (at least the first
    and the last) as fit in KEYFRAME_SHARE of the full trace's bytes; always whole chunks, since
    training states are written at chunk boundaries."""
    wanted = scene.record.keyframe_every
    if not wanted:
        intervals = max(1, int(max(full_bytes * KEYFRAME_SHARE - scalar_bytes, 0) // state_bytes) - 1)
        wanted = math.ceil(scene.steps / intervals)
    return chunk_steps * max(1, math.ceil(wanted / chunk_steps))


def execution_mode(mode: str = "eager", device: str = "cpu", threads: int | None = None) -> dict:
    """How training ran (`mode`: eager or compiled; `device`: cpu, cuda, mps; the intra-op
    `threads`, which can change rounding); a resume or a replay must run the same way to write
    the same bytes."""
    found = {"mode": mode, "device": device, "precision": "float32", "torch": torch.__version__}
    return found if threads is None else {**found, "threads": threads}


@contextmanager
def _stop_flag():
    """Ctrl-C and SIGTERM set a flag the loop checks, so a step or chunk is never cut in half."""
    flag = {"stop": False}

    def handler(signum, frame):
        flag["stop"] = True

    previous = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread: no handlers, Ctrl-C raises as usual
        pass
    try:
        yield flag
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@dataclass
class TrainResult:
    path: Path
    status: str  # complete | nan | interrupted
    steps: int
    message: str


def train(scene: Scene, path: str | Path, *, scene_file: str | None = None,
          scene_var: str | None = None, show_progress: bool = True, frames: int | None = None,
          resume: bool = False, compile: str = "auto", device: str = "cpu") -> TrainResult:
    """Train `scene` (all of its seeds together) and stream its trace to `path`.

    `scene_file` and `scene_var` name where the scene came from (the trace keeps the file's
    name, never its path); `frames` is the number of frames the caller will render, used only
    to warn when the recording cadence is coarser. `resume` continues an interrupted or killed
    run of the same scene from its last training state (see `resume_source`), in the mode it
    was trained in. `compile` is auto, on or off (gananim/training/compiled.py); `device` is
    auto, cpu, cuda or mps (gananim/devices.py)."""
    path = Path(path)
    where = devices.resolve(device)
    setup, step_fn, arrays = fresh_run(scene, where)
    runs, n_runs = step_fn.runs, len(step_fn.runs.seeds)
    scores = scorer_for(setup.target, scene.latent)
    names = step_fn.names + (scores.names if scores else ())
    fp = fingerprint(scene)
    threads = training_threads(setup, n_runs)
    resumed = resume_source(path, fp, where.type, threads) if resume else None
    if resumed:  # continue the way it ran: resume_source has checked this machine can
        compile = "on" if resumed[0].meta["execution"]["mode"] == "compiled" else "off"
    with with_threads(threads):  # compiled code is specialised to the thread count it trains with
        iteration, mode = iteration_for(step_fn, compile, show=show_progress)
    if resumed and (mode == "compiled") != (compile == "on"):
        resumed[0].close()
        raise GananimError(f"{path} was trained compiled, and this machine cannot compile its step; "
                           "train without --resume")

    frames = frames or scene.render.frames
    every = resumed[0].meta["record_every"] if resumed else cadence(scene, setup.n_params, n_runs,
                                                                   frames if scores else 0)
    score_every = every * math.ceil(scene.steps / (scores.points if scores else 1) / every)  # recorded steps only
    if every > 1 and not scene.record.every and not scores and not resumed:
        note = f"recording parameters every {every} steps to stay within record.budget_mb = {scene.record.budget_mb:g}"
        if scene.steps // every < frames:
            note += f"; {frames} frames will share recorded steps"
        console.print(f"[yellow]note:[/] {note}")
    row_bytes = 4 * n_runs * setup.n_params
    keyframes = scene.record.mode == "keyframes"
    rows_bound = 1024 if keyframes else CHUNK_BYTES * every // row_bytes  # a keyframe trace's chunks hold no rows
    chunk_steps = int(max(4, min(1024, rows_bound, CHUNK_FLOPS // step_flops(setup, n_runs))))
    if keyframes and scene.record.keyframe_every:
        chunk_steps = min(chunk_steps, scene.record.keyframe_every)
    state_bytes = sum(array.nbytes for array in step_fn.state().values())
    scalar_bytes = 4 * scene.steps * n_runs * len(names)
    if resumed:
        record = resumed[0].meta.get("record", {"mode": "full"})
    elif keyframes:
        full_bytes = (scene.steps // every + 2) * row_bytes + scalar_bytes
        record = {"mode": "keyframes",
                  "keyframe_every": keyframe_spacing(scene, chunk_steps, state_bytes, full_bytes, scalar_bytes)}
    else:
        record = {"mode": "full"}
    keyframe_every = record.get("keyframe_every", 0)

    g, d = setup.g, setup.d
    meta = {
        "format": FORMAT_VERSION, "gananim": __version__, "torch": torch.__version__, "numpy": np.__version__,
        "settings": scene.settings(), "runs": n_runs, "seeds": list(runs.seeds), "scalars": list(names),
        "nets": {"g": {"offset": 0, "n": g.n_params, "n_in": scene.latent.dim, "n_out": setup.data_dim,
                       "describe": g.describe()},
                 "d": {"offset": g.n_params, "n": d.n_params, "n_in": setup.data_dim * scene.tricks.pack, "n_out": 1,
                       "describe": d.describe()}},
        "n_params": setup.n_params, "data_dim": setup.data_dim, "record_every": every,
        "planned_steps": scene.steps, "scene_file": Path(scene_file).name if scene_file else None,
        "scene_var": scene_var, "custom_source": scene.custom_source_hash(),
        "execution": execution_mode(mode, where.type, threads), "record": record,
        "fingerprint": fp, "target_about": setup.target.about,
    }
    if scores:
        meta["image"] = [setup.target.image, setup.target.image]
    if setup.target.units:
        meta["data_units"] = setup.target.units.to_meta()
    sbuf = torch.empty(chunk_steps, n_runs, len(names))
    pbuf = torch.empty(chunk_steps + 1, n_runs, setup.n_params)
    recorded: list[int] = []
    latest_scores = torch.empty(n_runs, 0)

    def record_params(step: int) -> None:
        nonlocal latest_scores
        step_fn.params_into(pbuf[len(recorded)])
        recorded.append(step)
        if scores and (step % score_every == 0 or step == scene.steps):  # held until the next evaluation
            latest_scores = scores(setup.g, step_fn.flat_g)

    def flush(first: int, last: int) -> int:
        """Write steps first..last; on NaN/inf keep what came before it and return that step."""
        n = last - first + 1
        rows_ok = torch.isfinite(sbuf[:n]).flatten(1).all(dim=1)
        bad = int((~rows_ok).nonzero()[0]) + first if not bool(rows_ok.all()) else 0
        steps_kept = [s for s in recorded if not bad or s < bad]
        params = pbuf[:len(steps_kept)].numpy()
        finite = np.isfinite(params).all(axis=(1, 2))  # per recorded row (a chunk may hold none)
        if not finite.all():
            first_bad_row = int(np.nonzero(~finite)[0][0])
            bad = min(bad or steps_kept[first_bad_row], steps_kept[first_bad_row])
            steps_kept, params = steps_kept[:first_bad_row], params[:first_bad_row]
        n_keep = (bad - first) if bad else n
        if keyframes:  # the rows stay out of the trace; the local cache keeps them
            segment.extend((step, row.copy()) for step, row in zip(steps_kept, params))
            steps_kept, params = [], params[:0]
        writer.chunk(first, sbuf[:n_keep].numpy(), steps_kept, params)
        recorded.clear()
        return bad

    def save_state(step: int) -> None:
        nonlocal segment_key
        state = step_fn.state()
        if scores:
            state["scores"] = latest_scores.numpy()
        info = writer.state(step, state)
        if keyframes:
            if segment_key:
                rowcache.store_rows(segment_key, [s for s, _ in segment], [row for _, row in segment])
            segment.clear()
            segment_key = rowcache.segment_key(meta, info)

    if resumed:
        source_trace, point = resumed
        try:
            state = source_trace.state(point)
            step_fn.load_state(state)
            if scores:
                latest_scores = torch.from_numpy(state["scores"])
            writer = TraceWriter(path, resume_from=resumed)
        except DiskFull as exc:
            raise _disk_full(exc, path, 0) from None
        except (KeyError, ValueError, RuntimeError) as exc:
            raise GananimError(f"trace {source_trace.path} is corrupted: its training state after step "
                               f"{point.step} does not fit this scene ({exc})") from None
        finally:
            source_trace.close()
        start = point.step
        console.print(f"resuming {scene.name} at step {start:,} of {scene.steps:,}")
    else:
        partial = path.with_name(path.name + ".partial")
        if partial.exists() and stale(partial):
            console.print(f"[yellow]note:[/] starting afresh over {partial}, left by a run that was killed "
                          "(--resume continues such a run instead)")
        try:
            writer = TraceWriter(path, meta, arrays)
        except DiskFull as exc:
            raise _disk_full(exc, path, 0) from None
        start = 0
    status, message, bad_step, kept, states_kept = "complete", "", 0, scene.steps, start
    state_end = writer.written  # where the last state (or, fresh, the header) ends
    step = start
    segment: list = []  # a keyframe trace's rows since its last keyframe, for the local cache
    segment_key = rowcache.segment_key(meta, resumed[1].info) if resumed and keyframes else ""
    try:
        if not resumed:
            record_params(0)
            if keyframes:  # the first keyframe: where replaying the first steps starts
                save_state(0)
        chunk_first = start + 1
        with _stop_flag() as flag, with_threads(threads), training_bar(scene.name, scene.steps, show_progress) as bar:
            bar.advance(start)
            for step in range(start + 1, scene.steps + 1):
                row = iteration(step).cpu()
                sbuf[step - chunk_first] = torch.cat([row, latest_scores], dim=-1) if scores else row
                if step % every == 0 or step == scene.steps:
                    record_params(step)
                    if scores:  # an evaluated step's row holds its own scores
                        sbuf[step - chunk_first, :, len(step_fn.names):] = latest_scores
                boundary = step - chunk_first + 1 == chunk_steps or step == scene.steps
                if boundary or flag["stop"]:
                    bad_step = flush(chunk_first, step)
                    if bad_step:
                        break
                    if keyframes:
                        due = step % keyframe_every == 0
                    else:
                        due = (writer.written - state_end) * STATE_SHARE >= state_bytes * (1 - STATE_SHARE)
                    if boundary and (due or step == scene.steps):  # regular boundaries only: a resumed
                        save_state(step)                         # run then writes the same chunks
                        states_kept, state_end = step, writer.written
                    chunk_first = step + 1
                    if flag["stop"]:
                        break
                bar.advance(step, row)
        if bad_step:
            status, kept = "nan", bad_step - 1
            message = (f"training produced NaN or inf at step {bad_step}; the trace keeps steps up to {kept}. "
                       f"Likely cause: learning rates too high for this loss (try lower opt_d.lr / opt_g.lr)")
        elif step < scene.steps:
            status, kept = "interrupted", step
            message = (f"training interrupted at step {step} of {scene.steps}; the trace holds {step} steps "
                       f"(--resume continues it)")
        writer.finish(status, kept, message)
    except DiskFull as exc:
        if states_kept:
            writer.close()
        else:
            writer.discard()
        raise _disk_full(exc, path, states_kept) from None
    except BaseException:
        writer.discard()
        raise
    return TrainResult(path, status, kept, message)


def _disk_full(exc: DiskFull, path: Path, kept: int) -> GananimError:
    """One line: what ran out, what was written, what is kept, and that the earlier trace is intact."""
    earlier = f"; the earlier {path} is intact" if path.exists() else ""
    if kept:
        return GananimError(f"{exc}; it keeps steps up to {kept:,} (`--resume` continues once there is room){earlier}")
    return GananimError(f"{exc}; nothing was kept{earlier}")


def resume_source(path: Path, fp: str, device: str = "cpu", threads: int | None = None) -> "tuple[Trace, ResumePoint]":
    """What `--resume` continues: PATH.partial left by a killed run, or PATH when it was
    interrupted; refused with one line when it is missing, finished, busy, or of another run."""
    partial = path.with_name(path.name + ".partial")
    if partial.exists():
        if not stale(partial):
            raise GananimError(busy_message(partial))
        found = partial
    elif path.exists():
        found = path
    else:
        raise GananimError(f"nothing to resume: neither {path} nor {partial} exists; train without --resume")
    trace = Trace(found)
    try:
        if trace.status in ("complete", "nan"):
            raise GananimError(f"{found} is finished ({trace.status}, {trace.steps:,} steps); nothing to resume")
        if trace.meta.get("fingerprint") != fp:
            raise GananimError(f"{found} was trained with other settings or code than this scene; resuming would "
                               "mix two runs (train without --resume to start again)")
        recorded = trace.meta.get("execution")
        before = recorded if isinstance(recorded, dict) else {}
        now = execution_mode(before.get("mode", "eager"), device, threads if "threads" in before else None)
        if recorded != now:
            was = ", ".join(f"{v}" for v in (recorded or {}).values()) or "an older gananim"
            raise GananimError(f"{found} was trained with {was}; this is {', '.join(map(str, now.values()))}. "
                               "A resume must run the same way to continue the same run; train without --resume")
        point = trace.resume_point()
        if point is None:
            raise GananimError(f"{found} holds no training state yet (it stopped before its first chunk ended); "
                               "train without --resume")
    except BaseException:
        trace.close()
        raise
    return trace, point


def reusable(path: Path, scene: Scene) -> bool:
    """True when `path` already holds the complete trace of exactly this run (same fingerprint),
    recorded the way the scene asks (keyframes or full)."""
    if not Path(path).is_file():
        return False
    try:
        with Trace(path) as trace:
            mode = "keyframes" if trace.keyframes else "full"
            return (trace.status == "complete" and trace.meta.get("fingerprint") == fingerprint(scene)
                    and mode == scene.record.mode)
    except GananimError:
        return False
