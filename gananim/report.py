"""Human- and machine-readable descriptions: the scene list, a scene's settings, a trace's summary."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from gananim.config import settings as settings_mod

out = Console(highlight=False)


def scene_about(path: Path) -> str:
    """A bundled scene's one-line description (its module docstring), read without running it."""
    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError, UnicodeDecodeError):
        return ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def list_scenes(scenes: dict[str, Path]) -> None:
    width = max(map(len, scenes), default=0)
    for name, path in scenes.items():
        print(f"{name:<{width}}  {scene_about(path)}")


def _text(value) -> str:
    if isinstance(value, tuple):
        return ",".join(_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    if callable(value) and not isinstance(value, type):
        return f"<{getattr(value, '__name__', type(value).__name__)}>"
    return "none" if value is None else str(value)


def show_scene(scene, as_json: bool) -> None:
    if as_json:
        print(json.dumps(scene.settings(), indent=2, default=str))
        return
    table = Table(title=f"scene {scene.name}", show_edge=False, header_style="bold")
    table.add_column("key (--set key=value)")
    table.add_column("value")
    for key, value in settings_mod.flatten(scene).items():
        table.add_row(key, _text(value))
    out.print(table)


def trace_summary(trace) -> dict:
    meta, s = trace.meta, trace.settings
    summary = {
        "path": str(trace.path), "status": trace.status, "scene": s["name"], "title": s["title"],
        "steps": trace.steps, "planned_steps": meta["planned_steps"],
        "recorded_steps": len(trace.param_steps), "record_every": meta["record_every"],
        "runs": meta["runs"], "seeds": meta.get("seeds"),
        "parameters": {"g": meta["nets"]["g"]["n"], "d": meta["nets"]["d"]["n"]},
        "networks": {"g": meta["nets"]["g"]["describe"], "d": meta["nets"]["d"]["describe"]},
        "versions": {"format": trace.version, "gananim": meta["gananim"], "torch": meta["torch"],
                     "numpy": meta["numpy"]},
        "execution": _execution(meta.get("execution")),
        "bytes": trace.size, "message": (trace.done or {}).get("message", ""),
        "record": {**meta.get("record", {"mode": "full"}), "keyframes": len(trace.keyframe_steps)},
        "target": {"source": s["target"]["source"] if isinstance(s["target"], dict) else s["target"],
                   "about": meta.get("target_about"), "units": meta.get("data_units")},
        "last": {}, "settings": s,
    }
    if trace.steps:  # the last step's values; their mean over runs for a multi-seed trace
        scalars = trace.scalars()[-1].mean(axis=0)
        summary["last"] = {name: float(v) for name, v in zip(trace.scalar_names, scalars)}
    summary["metrics"] = last_metrics(trace)
    return summary


MAX_RUN_METRICS = 64  # runs whose metrics info computes one by one


def last_metrics(trace) -> dict:
    """The sample-quality metrics (gananim/analysis/metrics.py) at the last recorded step. For
    a multi-seed trace, per run — {"mean", "std", "per_run"} over the runs — never pooled:
    samples pooled over runs would cover the modes that no single run covers."""
    from gananim.analysis.frames import FrameBlock, View
    from gananim.errors import GananimError

    if len(trace.param_steps) < 2:
        return {}
    runs = trace.meta["runs"]
    if "image" in trace.meta:  # scored while training (gananim/analysis/digit_scores.py)
        values = [{name: float(trace.scalar(name)[-1][r]) for name in ("fid", "classes")} for r in range(runs)]
    else:
        last = int(trace.param_steps[-1])
        try:
            values = [FrameBlock(View(trace, (0, last), grid=8, run=r), [last]).metric_values[0]
                      for r in range(min(runs, MAX_RUN_METRICS))]
        except GananimError:  # e.g. custom networks whose scene file is gone: metrics need G
            return {}
    if len(values) == 1:
        return values[0]
    names = values[0].keys()
    return {"mean": {n: float(np.nanmean([v[n] for v in values])) for n in names},
            "std": {n: float(np.nanstd([v[n] for v in values])) for n in names},
            "per_run": values, "runs": len(values)}


def _execution(recorded) -> dict:
    """How the run was trained (mode, device, precision), as strings: a trace is input."""
    if not isinstance(recorded, dict):
        return {}
    return {k: str(recorded[k])[:40] for k in ("mode", "device", "precision") if k in recorded}


def _recorded_text(summary: dict) -> str:
    """How the trace keeps parameters, and how to convert it to the other mode."""
    record, path = summary["record"], summary["path"]
    if record["mode"] == "keyframes":
        return (f"keyframes: the training state every {record['keyframe_every']:,} steps ({record['keyframes']} "
                f"kept) and every step's scalars; any step's parameters are replayed (drawing shows every "
                f"{summary['record_every']}th, as a full trace would); `gananim unpack {path}` writes a full trace")
    return (f"full: {summary['recorded_steps']:,} parameter snapshots, every {summary['record_every']} step(s); "
            f"`gananim pack {path}` writes a keyframe trace (about 1/50 of the bytes)")


def _target_text(target: dict) -> str:
    text = f"{target['source']}" + (f": {target['about']}" if target["about"] else "")
    units = target["units"]
    if units:
        text += f"; scaled to fit (1 = {units['scale']:.4g} {units['unit'] or 'data units'})"
    return text


def show_trace(trace, as_json: bool) -> None:
    summary = trace_summary(trace)
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    table = Table(title=f"trace {trace.path}", show_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("scene", f"{summary['scene']} — {summary['title']}"),
        ("target", _target_text(summary["target"])),
        ("status", summary["status"] + (f" ({summary['message']})" if summary["message"] else "")),
        ("steps", f"{summary['steps']:,} of {summary['planned_steps']:,}"),
        ("recorded", _recorded_text(summary)),
        ("G", f"{summary['networks']['g']}: {summary['parameters']['g']:,} parameters"),
        ("D", f"{summary['networks']['d']}: {summary['parameters']['d']:,} parameters"),
        ("size", f"{summary['bytes'] / 1e6:,.1f} MB"),
        ("trained", ", ".join(summary["execution"].values()) or "unrecorded"),
        ("versions", ", ".join(f"{k} {v}" for k, v in summary["versions"].items())),
    ]
    rows += [(f"last {name}", f"{value:.4g}") for name, value in summary["last"].items()]
    from gananim.analysis.metrics import LABELS
    found = summary["metrics"]
    if "per_run" in found:  # one value per run: mean ± spread, then each run
        rows += [(f"metric {LABELS[name]}", f"{found['mean'][name]:.4g} ± {found['std'][name]:.2g} over "
                  f"{found['runs']} runs, per run: " + ", ".join(f"{v[name]:.3g}" for v in found["per_run"]))
                 for name in found["mean"]]
    else:
        rows += [(f"metric {LABELS[name]}", f"{value:.4g}") for name, value in found.items()]
    rows += [(f"set {key}", _text(value)) for key, value in _flatten_dict(summary["settings"]).items()]
    for row in rows:
        table.add_row(*row)
    out.print(table)


def _flatten_dict(data: dict, prefix: str = "") -> dict:
    """Stored settings by dotted key, as `gananim show` names them."""
    items = {}
    for key, value in data.items():
        if isinstance(value, dict) and "module" not in value and "sampler" not in value:
            items.update(_flatten_dict(value, f"{prefix}{key}."))
        else:
            items[prefix + key] = tuple(value) if isinstance(value, list) else value
    return items



def show_plan(plan: dict, as_json: bool) -> None:
    """What `render --plan` prints: the frames' steps and the time the render will take."""
    if as_json:
        print(json.dumps(plan, indent=2))
        return
    steps = plan["steps"]
    out.print(f"[bold]{plan['output']}[/]: {plan['frames']} frames ({plan['timeline']} timeline), "
              f"{plan['seconds']:g} s at {plan['fps']} fps"
              + (f" with holds of {plan['hold_start']:g} s and {plan['hold']:g} s" if plan["hold"] or plan["hold_start"]
                 else "") + f", {plan['size'][0]}x{plan['size'][1]}")
    shown = ", ".join(f"{s:,}" for s in steps) if len(steps) <= 40 else \
        ", ".join(f"{s:,}" for s in steps[:20]) + ", …, " + ", ".join(f"{s:,}" for s in steps[-10:])
    out.print(f"steps: {shown}")
    quarters = [steps[min(len(steps) - 1, round(q * (len(steps) - 1)))] for q in (0.25, 0.5, 0.75)]
    out.print(f"a quarter of the frames come by step {quarters[0]:,}, half by {quarters[1]:,}, three quarters by "
              f"{quarters[2]:,}")
    out.print(f"estimated rendering time: {plan['estimated_render_seconds']:g} s on {plan['workers']} "
              f"process{'es' * (plan['workers'] > 1)} ({plan['how']})")
