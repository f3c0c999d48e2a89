"""Sweeps: a grid of settings, one cached trace per grid point, trained in parallel.

A grid is a list of axes; each axis sets one or more keys to each of its values, and the
grid points are the Cartesian product of the axes. Seeds are not an axis: all of a point's
seeds train together in its one trace (the run dimension). Traces live in a folder beside
the output and are reused when their scene and settings are unchanged, so an interrupted
sweep resumes where it stopped and `--shard i/n` lets separate jobs train shares of it.
"""
from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from gananim.config import settings as settings_mod
from gananim.config.scene import PRESENTATION, Scene, from_settings
from gananim.errors import GananimError
from gananim.progress import console, training_bar

Axis = tuple[tuple[str, ...], list[Any]]  # keys set together, and their values (text or Python)


@dataclass
class Point:
    """One grid point: its settings, its scene and where its trace goes."""

    index: int
    changes: dict[str, Any]
    scene: Scene
    trace: Path

    @property
    def label(self) -> str:
        return ", ".join(f"{key} {_text(value)}" for key, value in _collapsed(self.changes).items())


def _text(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return ",".join(_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _collapsed(changes: dict[str, Any]) -> dict[str, Any]:
    """Keys that share a value and differ only by network (opt_g.beta1, opt_d.beta1) shown once."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        twin = re.sub(r"(opt_|^)([gd])([._])", lambda m: m.group(1) + {"g": "d", "d": "g"}[m.group(2)] + m.group(3), key)
        if twin in changes and changes[twin] == value and twin != key:
            merged = re.sub(r"(opt_|^)[gd]([._])", r"\1*\2", key)
            out.setdefault(merged, value)
        else:
            out[key] = value
    return out


def parse_axis(spec: str) -> Axis:
    """KEY=V1,V2,… ; KEY1,KEY2=V1,V2 sets both keys to each value; tuple values take ';'."""
    keys, sep, values = spec.partition("=")
    if not sep or not keys.strip() or not values.strip():
        raise GananimError(f"--grid takes KEY=V1,V2,… (several keys: KEY1,KEY2=V1,V2), got {spec!r}")
    separator = ";" if ";" in values else ","
    return tuple(k.strip() for k in keys.split(",") if k.strip()), [v.strip() for v in values.split(separator)]


def axes_from_file(grid: dict) -> list[Axis]:
    """A sweep file's `grid`: {"key": [values], "key1,key2": [values], "variants": [{key: value}, …]}."""
    if not isinstance(grid, dict):
        raise GananimError("a sweep file's `grid` must be a dict of keys to lists of values")
    axes = []
    for keys, values in grid.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise GananimError(f"grid[{keys!r}] must be a non-empty list of values")
        axes.append(((keys,) if keys == "variants" else tuple(k.strip() for k in keys.split(",")), list(values)))
    return axes


def plan(scene: Scene, axes: list[Axis], folder: Path) -> list[Point]:
    """Every grid point, with its scene validated and its trace path."""
    if not axes:
        return [Point(0, {}, scene, folder / "00.trace")]
    points = []
    for index, combo in enumerate(itertools.product(*[values for _, values in axes])):
        changes: dict[str, Any] = {}
        derived = scene
        for (keys, _), value in zip(axes, combo):
            if isinstance(value, dict):  # a variant: several keys, each with its own value
                derived = settings_mod.update(derived, value)
                changes.update(value)
                continue
            for key in keys:
                if isinstance(value, str):
                    derived = settings_mod.apply(derived, [f"{key}={value}"])
                    value_typed = settings_mod.flatten(derived)[key]
                else:
                    derived = settings_mod.update(derived, {key: value})
                    value_typed = value
                changes[key] = value_typed
        derived = derived.derive(name=f"{scene.name}_{index:02d}").validate()
        slug = re.sub(r"[^A-Za-z0-9.=,-]+", "_", "_".join(f"{k}={_text(v)}" for k, v in changes.items()))[:80]
        points.append(Point(index, changes, derived, folder / f"{index:02d}_{slug}.trace"))
    return points


def shard(points: list[Point], spec: str) -> list[Point]:
    """The i-th of n shares (1-based), by grid index: i, i + n, i + 2n, …"""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise GananimError(f"--shard takes i/n with 1 ≤ i ≤ n, e.g. 2/4; got {spec!r}")
    i, n = int(match[1]), int(match[2])
    return points[i - 1::n]


def write_manifest(folder: Path, points: list[Point], source: str) -> None:
    """sweep.json: what each trace in the folder holds (for people; the plan is recomputed)."""
    manifest = {"scene": source, "points": [{"trace": p.trace.name, "settings": {k: _text(v) for k, v in
                                                                               p.changes.items()}} for p in points]}
    with tempfile.NamedTemporaryFile("w", dir=folder, prefix=".sweep.", suffix=".json", delete=False) as f:
        f.write(json.dumps(manifest, indent=2))
    os.replace(f.name, folder / "sweep.json")  # two sweeps in one folder never leave half a file


def _train_one(job) -> tuple[int, str, str]:
    """In a worker process: train one grid point on one thread; returns (index, status, message)."""
    from gananim.training.loop import train

    torch.set_num_threads(1)
    point, scene_file, compile_mode, device = job
    result = train(point.scene, point.trace, scene_file=scene_file, show_progress=False, compile=compile_mode,
                   device=device)
    return point.index, result.status, result.message


def train_points(points: list[Point], scene_file: str, workers: int, show_progress: bool,
                 compile_mode: str = "auto", device: str = "cpu") -> int:
    """Train the points whose traces are missing or stale, `workers` at a time (`compile_mode`
    and `device`: see training/loop.py's train). Returns how many."""
    from gananim.training.loop import reusable

    todo = [p for p in points if not reusable(p.trace, p.scene)]
    if len(todo) < len(points):
        console.print(f"reusing {len(points) - len(todo)} of {len(points)} traces (same scene and settings)")
    if not todo:
        return 0
    jobs = [(p, scene_file, compile_mode, device) for p in todo]
    results = []
    try:
        with training_bar(f"sweep: {len(todo)} runs", len(todo), show_progress, unit="runs") as bar:
            if workers <= 1:
                for done, job in enumerate(jobs, 1):
                    results.append(_train_one(job))
                    bar.advance(done)
            else:
                with multiprocessing.get_context("fork").Pool(min(workers, len(jobs))) as pool:
                    for done, result in enumerate(pool.imap_unordered(_train_one, jobs), 1):
                        results.append(result)
                        bar.advance(done)
    except KeyboardInterrupt:
        finished = len(points) - len(todo) + sum(status == "complete" for _, status, _ in results)
        console.print(f"sweep interrupted: {finished} of {len(points)} runs are complete; "
                      "run the same command again to train the rest")
        raise
    failed = [(i, message) for i, status, message in results if status != "complete"]
    for index, message in failed:
        console.print(f"[yellow]warning:[/] grid point {index}: {message}")
    return len(todo)


MAX_LABEL_KEYS = 3  # settings a compare tile's label lists after the scene's name


def differing_labels(settings_list: list[dict], names: list[str]) -> list[str]:
    """A label per trace for `gananim compare`: its scene's name and the training settings
    whose values differ between the traces (presentation left out), shortened like a sweep's.
    Different scenes that differ in more than MAX_LABEL_KEYS settings are labelled by name alone."""
    flat = [settings_mod.flatten(from_settings(s)) for s in settings_list]
    keys = [k for k in flat[0] if k.split(".")[0] not in PRESENTATION and k != "name"
            and len({repr(f.get(k)) for f in flat}) > 1]
    if len(set(names)) == len(names) and len(keys) > MAX_LABEL_KEYS:
        return list(names)  # different scenes: their names say it; a list of values would not fit
    labels = []
    for name, values in zip(names, flat):
        changes = _collapsed({k: values[k] for k in keys})
        labels.append(" · ".join([name, *(f"{k} {_text(v)}" for k, v in changes.items())]))
    return labels
