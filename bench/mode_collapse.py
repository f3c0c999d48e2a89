"""Mode collapse and its cures over 10 seeds: `python bench/mode_collapse.py [SCENE …]`.

Trains each ring-of-8 scene with seeds 0-9 together (one trace each, parameters every 50
steps) and measures every run with the VEEGAN/PacGAN protocol (2,500 samples, 3σ) and the
looser "near" radius (gananim/analysis/metrics.py): at the end, modes covered, dense modes,
near modes, high-quality share, reverse KL; over the second half, how often the run is
collapsed (half of its samples near 1-3 modes) and how often its set of near modes changes.
Writes outputs/mode_collapse.json and prints a table; the README's table comes from it.
A long job (tens of minutes on 2 cores); not a test.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from gananim.analysis import metrics
from gananim.analysis.frames import FrameBlock, View
from gananim.config import scene_files, settings
from gananim.trace import Trace
from gananim.training.loop import train

SCENES = ("ring8_collapse", "ring8_pacgan", "ring8", "ring8_minibatch", "ring8_unrolled")
SEEDS = "0-9"
OUT = Path("outputs/mode_collapse.json")


def measure(path: Path) -> dict:
    trace = Trace(path)
    steps = trace.param_steps
    second = steps[steps >= steps[-1] / 2]
    runs = []
    for r in range(trace.meta["runs"]):
        view = View(trace, (0, int(steps[-1])), 8, run=r)
        values, near_sets = [], []
        for start in range(0, len(second), 32):
            block = FrameBlock(view, second[start:start + 32])
            for fakes in block.metric_fakes:
                values.append(metrics.mode_stats(fakes.reshape(-1, 2), *view.modes))
                shares = metrics.mode_shares(fakes.reshape(-1, 2), view.modes[0])
                near_sets.append(tuple(np.flatnonzero(shares * len(fakes.reshape(-1, 2)) >= len(fakes.reshape(-1, 2)) / 32)))
        end = values[-1]
        collapsed = float(np.mean([v["collapse"] for v in values]))
        changes = sum(a != b for a, b in zip(near_sets, near_sets[1:]))
        runs.append({**{k: end[k] for k in ("modes", "dense_modes", "near_modes", "high_quality", "reverse_kl")},
                     "collapsed_share": collapsed, "set_changes": changes,
                     "mean_near_modes": float(np.mean([v["near_modes"] for v in values]))})
    trace.close()
    return {"runs": runs}


def main() -> None:
    names = sys.argv[1:] or SCENES
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    OUT.parent.mkdir(exist_ok=True)
    for name in names:
        scene = settings.apply(scene_files.load(name), [f"seeds={SEEDS}", "record.every=50"])
        path = Path(f"outputs/mode_collapse_{name}.trace")
        start = time.perf_counter()
        train(scene, path, show_progress=False)
        seconds = time.perf_counter() - start
        results[name] = {**measure(path), "train_seconds_10_seeds": round(seconds, 1), "steps": scene.steps}
        OUT.write_text(json.dumps(results, indent=1))
        report(name, results[name])


def report(name: str, result: dict) -> None:
    runs = result["runs"]

    def stat(key: str, scale: float = 1.0) -> str:
        values = np.array([r[key] for r in runs], dtype=float) * scale
        return f"{np.nanmean(values):.2f} ± {np.nanstd(values):.2f}"

    collapsed = sum(r["collapsed_share"] >= 0.5 or r["set_changes"] > 0 for r in runs)
    covered = sum(r["near_modes"] >= 7 for r in runs)
    print(f"{name} ({result['steps']} steps, 10 seeds trained together in {result['train_seconds_10_seeds']:.0f} s): "
          f"modes {stat('modes')}, dense {stat('dense_modes')}, near {stat('near_modes')}, "
          f"high quality {stat('high_quality', 100)}%, reverse KL {stat('reverse_kl')}; collapsed ≥ half the second "
          f"half or near-mode set changing: {collapsed}/10; ≥ 7 near modes at the end: {covered}/10", flush=True)


if __name__ == "__main__":
    main()
