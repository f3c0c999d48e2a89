"""The parameters of any step of a keyframe trace: training replayed from the keyframe before it.

A keyframe trace (gananim/trace.py) keeps every step's scalars and the whole training state —
parameters, optimizer state, every random generator — at keyframes. To get the parameters of
a step between two keyframes, `Replay` rebuilds the run's networks, optimizers and random
streams from the trace's settings, loads the keyframe before it and trains forward the way
the run was recorded (eager or compiled, the same intra-op thread count). On the machine and
torch version that recorded it, that writes the recorded run's bytes again.

Checks: where a replay reaches the next keyframe, it compares its parameters with the stored
ones. A difference (another machine, another torch) is reported in one line with the largest
parameter difference; rendering goes on, and the next segment starts from the stored keyframe,
so drift never accumulates.

The local cache (never the trace) keeps, per segment between keyframes, the rows a full trace
would hold (every `record_every`-th step) and any other step asked for. Training a keyframe
trace fills it as it goes, so rendering right after training replays nothing; a trace from
elsewhere is replayed once, segments in parallel processes, and cached.
"""
from __future__ import annotations

import bisect
import math
import multiprocessing
import os
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch

from gananim.config import scene_files
from gananim.config.scene import from_settings, is_data_file
from gananim.errors import GananimError
from gananim.forked import run_forked
from gananim.progress import console, replay_bar
from gananim.trace import Trace
from gananim.training.compiled import iteration_for
from gananim.training.run import fingerprint, prepare, threads, training_threads
from gananim.training.rowcache import cache_path, load_rows, segment_key, store_rows, trim_cache
from gananim.training.step import Runs, Step

# Rows held in memory per process: a render's range is loaded once, before its drawing
# processes fork and share it; past this, the least recently read segments are dropped.
MEMORY_BYTES = 1 << 30


def open_trace(path, scene=None, networks=None) -> Trace:
    """A trace for drawing: a keyframe trace gets its Replay attached. `scene` (the Scene it
    was trained from, when the caller has it) or `networks` (modules from --scene-file) are
    needed for a scene's own networks or sampler; otherwise the trace's settings suffice."""
    trace = Trace(path)
    if trace.keyframes:
        trace.replay = Replay(trace, scene, networks)
    return trace


def _with_bundled_data(scene):
    """A bundled scene's own data file (heart.png) is read from beside the bundled scenes when
    the working directory has none of that name (the fingerprint then checks its bytes)."""
    source = scene.target.source
    if isinstance(source, str) and is_data_file(source) and not Path(source).expanduser().exists():
        bundled = scene_files.bundled_dir() / source
        if bundled.is_file():
            return scene.derive({"target.source": str(bundled)})
    return scene


class Replay:
    """Replays the segments of one keyframe trace; `Trace.params` and `Trace.prefetch` call it."""

    def __init__(self, trace: Trace, scene=None, networks=None) -> None:
        self.trace, self.scene, self.networks = trace, scene, networks
        self.points = list(trace.states)
        self.starts = [p.step for p in self.points]
        if not self.points or self.starts[0] != 0:
            raise GananimError(f"trace {trace.path} is corrupted: a keyframe trace must keep the state at step 0")
        self.runs, self.n_params = trace.meta["runs"], trace.meta["n_params"]
        self.every = trace.meta.get("record_every", 1)
        self.loaded: OrderedDict[int, dict[int, np.ndarray]] = OrderedDict()
        self.built = None
        self.reported = False

    # -- segments ---------------------------------------------------------------------
    def _segment(self, step: int) -> int:
        """The segment that replays `step`: the one after the last keyframe before it."""
        return max(0, bisect.bisect_left(self.starts, step) - 1)

    def _end(self, index: int) -> int:
        return self.starts[index + 1] if index + 1 < len(self.starts) else self.trace.steps

    def _key(self, index: int) -> str:
        return segment_key(self.trace.meta, self.points[index].info)

    def _rows_of(self, index: int) -> dict[int, np.ndarray] | None:
        if index in self.loaded:
            self.loaded.move_to_end(index)
            return self.loaded[index]
        rows = load_rows(self._key(index), self.runs, self.n_params)
        if rows is not None:
            self._keep(index, rows)
        return rows

    def _keep(self, index: int, rows: dict[int, np.ndarray]) -> None:
        self.loaded[index] = rows
        self.loaded.move_to_end(index)
        row_bytes = 4 * self.runs * self.n_params
        while len(self.loaded) > 1 and sum(map(len, self.loaded.values())) * row_bytes > MEMORY_BYTES:
            self.loaded.popitem(last=False)

    # -- what Trace calls -------------------------------------------------------------
    def rows(self, steps: list[int]) -> np.ndarray:
        """The parameter rows of `steps` (none of them a keyframe), replaying what the cache lacks."""
        by_segment: dict[int, list[int]] = {}
        for step in steps:
            by_segment.setdefault(self._segment(step), []).append(step)
        found: dict[int, np.ndarray] = {}
        for index, wanted in by_segment.items():
            rows = self._rows_of(index) or {}
            missing = [s for s in wanted if s not in rows]
            if missing:
                replayed, drift = self._replay(index, missing)
                self._report([drift])
                rows = {**rows, **replayed}
                store_rows(self._key(index), list(rows), list(rows.values()))
                self._keep(index, rows)
            found.update({s: rows[s] for s in wanted})
        return np.stack([found[s] for s in steps])

    def ensure(self, first: int, last: int, show: bool = True) -> None:
        """Replay (and cache) every segment holding steps first..last that the cache lacks: in
        parallel processes, one per core, when the run trains on one thread."""
        span = range(self._segment(first + 1), self._segment(max(last, 1)) + 1)
        needed = [i for i in span
                  if self._end(i) > self.starts[i] and i not in self.loaded and not cache_path(self._key(i)).is_file()]
        if needed:
            self._replay_missing(needed, show)
        for index in span:  # read once here: drawing processes forked after this share them
            self._rows_of(index)

    def _replay_missing(self, needed: list[int], show: bool) -> None:
        total = sum(self._end(i) - self.starts[i] for i in needed)
        self._build()
        workers = min(len(needed), os.cpu_count() or 1) if self.threads == 1 else 1
        name = self.trace.meta["settings"].get("name", "run")
        with replay_bar(name, total, show) as bar:
            if workers > 1:
                drifts = self._replay_parallel(needed, workers, bar)
            else:
                drifts, done = [], 0
                for index in needed:
                    rows, drift = self._replay(index)
                    drifts.append(drift)
                    store_rows(self._key(index), list(rows), list(rows.values()))
                    self._keep(index, rows)
                    done += self._end(index) - self.starts[index]
                    bar.advance(done)
        trim_cache()
        self._report(drifts)

    def _replay_parallel(self, needed: list[int], workers: int, bar) -> list[float]:
        """Replay segments in forked processes (they inherit the built, perhaps compiled, step),
        each storing its rows in the cache; drifts and progress come back through shared
        memory, so nothing is pickled. A segment the cache could not keep is replayed again
        here when it is read."""
        drifts = multiprocessing.get_context("fork").Array("d", [math.nan] * len(needed), lock=False)

        def job(mine: list[int]):
            def work(advance) -> None:
                for slot in mine:
                    index = needed[slot]
                    rows, drift = self._replay(index)
                    store_rows(self._key(index), list(rows), list(rows.values()))
                    drifts[slot] = math.nan if drift is None else drift
                    advance(self._end(index) - self.starts[index])
            return work

        run_forked([job(list(range(w, len(needed), workers))) for w in range(workers)], bar, "replaying")
        return [None if math.isnan(d) else d for d in drifts]

    # -- replaying --------------------------------------------------------------------
    def _build(self):
        """The run's training step, built once: networks, optimizers and random streams from
        the trace's settings (or the scene the caller gave), in the recorded mode."""
        if self.built is not None:
            return self.built
        trace = self.trace
        scene = self.scene
        if scene is None:
            try:
                scene = from_settings(trace.settings)
            except GananimError as exc:
                raise GananimError(f"trace {trace.path} has bad settings: {exc}") from None
            if self.networks is not None:
                scene.g, scene.d = self.networks
            scene = _with_bundled_data(scene)
        try:
            same = fingerprint(scene) == trace.meta.get("fingerprint")
        except GananimError as exc:
            raise GananimError(f"replaying {trace.path} needs what it trained on: {exc}") from None
        if not same:
            raise GananimError(self._not_same_run(scene))
        setup = prepare(scene)
        step = Step(setup, Runs(trace.meta["seeds"]))
        if "vbn_reference" in trace.arrays:
            reference = torch.from_numpy(trace.array("vbn_reference"))
            setup.g.reference = reference[0] if self.runs == 1 else reference
        execution = trace.meta.get("execution", {})
        self.threads = int(execution.get("threads", training_threads(setup, self.runs)))
        compile = "on" if execution.get("mode") == "compiled" else "off"
        with threads(self.threads):
            iteration, mode = iteration_for(step, compile, show=False)
        if mode != execution.get("mode", "eager"):
            console.print(f"[yellow]note:[/] {trace.path} was trained {execution.get('mode')}; replaying it "
                          f"{mode} here, so replayed steps differ from the recorded run by float rounding")
        self.built = (step, iteration, threads)
        return self.built

    def _not_same_run(self, scene) -> str:
        target = getattr(scene.target, "source", scene.target)
        if not isinstance(target, str) or target.startswith("text:") or "." in Path(str(target)).name:
            return (f"replaying {self.trace.path} needs the data it trained on ({target}): the file found here "
                    "differs from it, or it lies elsewhere (paths are read from the working directory); give "
                    "the scene file it came from, or render a full trace (--record full)")
        return (f"replaying {self.trace.path} needs the networks and sampler it was trained with: give the "
                "scene file it came from (--scene-file), or render a full trace (--record full)")

    def _replay(self, index: int, extra=()) -> tuple[dict[int, np.ndarray], float | None]:
        """Train segment `index` from its keyframe: the rows of the steps a full trace would
        hold and of `extra`, and how far it ended from the next keyframe (None without one)."""
        step_fn, iteration, using = self._build()
        start, end = self.starts[index], self._end(index)
        try:
            step_fn.load_state(self.trace.state(self.points[index]))
        except (KeyError, ValueError, RuntimeError) as exc:
            raise GananimError(f"trace {self.trace.path} is corrupted: its keyframe at step {start} does not fit "
                               f"its run ({exc})") from None
        wanted = {s for s in range(start + 1, end + 1) if s % self.every == 0 or s == self.trace.steps}
        wanted |= set(extra)
        ahead = index + 1 < len(self.points)  # a next keyframe to check against
        if ahead:
            wanted.add(end)
        rows = {}
        with using(self.threads):
            for step in range(start + 1, end + 1):
                iteration(step)
                if step in wanted:
                    row = torch.empty(self.runs, self.n_params)
                    step_fn.params_into(row)
                    rows[step] = row.numpy()
        drift = None
        if ahead:
            stored = self.trace.params([end])[0]
            drift = float(np.nan_to_num(np.abs(stored - rows[end]), nan=np.inf).max())
            rows[end] = stored  # a render shows the recorded keyframe itself
        return rows, drift

    def _report(self, drifts) -> None:
        worst = max((d for d in drifts if d), default=0.0)
        if worst and not self.reported:
            self.reported = True
            execution = self.trace.meta.get("execution", {})
            console.print(f"[yellow]note:[/] replaying {self.trace.path} here drifts from the recorded run: "
                          f"parameters at its keyframes differ by up to {worst:.3g} (recorded with torch "
                          f"{execution.get('torch', '?')}, {execution.get('mode', '?')}; this is torch "
                          f"{torch.__version__}); the frames show the replayed parameters")

