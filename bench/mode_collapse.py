"""Mode collapse and its cures over 10 seeds: `python bench/mode_collapse.py [SCENE …]`.

Trains each ring-of-8 scene with seeds 0-9 together (one trace each, parameters every 50
steps) and measures every run with the VEEGAN/PacGAN protocol (2,500 samples, 3σ) and the
looser "near" radius (gananim/analysis/metrics.py): at the end, modes covered, dense modes,
near modes, high-quality share, reverse KL; over every recorded step, the mode the run sits
on (the fullest, holding at least 15% of its samples) and how often that changes (hops); over
the second half, how often it has at most 3 near modes and how often it is collapsed.
Writes outputs/mode_collapse.json and prints a line per scene; `--measure [SCENE …]` measures
the traces again without training; `--table` prints the README's table from that file.
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

SCENES = ("ring8_hopping", "ring8_pacgan", "ring8", "ring8_minibatch", "ring8_unrolled")
SEEDS = "0-9"
OUT = Path("outputs/mode_collapse.json")


OCCUPIED = 0.15  # a run sits on a mode when that mode holds the most samples within NEAR, and this share


def measure(path: Path) -> dict:
    """Per run: the protocol's figures and the dense and near modes at the end; over every
    recorded step, the mode it sits on (if any), how often that changes (hops), and how many
    modes are near at a time in the second half."""
    trace = Trace(path)
    steps = trace.param_steps
    runs = []
    for r in range(trace.meta["runs"]):
        view = View(trace, (0, int(steps[-1])), 8, run=r)
        values, occupied = [], []
        for start in range(0, len(steps), 32):
            for fakes in FrameBlock(view, steps[start:start + 32]).metric_fakes:
                fakes = fakes.reshape(-1, 2)
                values.append(metrics.mode_stats(fakes, *view.modes))
                shares = metrics.mode_shares(fakes, view.modes[0])
                occupied.append(int(shares.argmax()) if shares.max() >= OCCUPIED else -1)
        second = values[len(values) // 2:]
        sat = np.array(occupied)
        seq = sat[sat >= 0]
        end = values[-1]
        runs.append({**{k: end[k] for k in ("modes", "dense_modes", "near_modes", "high_quality", "reverse_kl")},
                     "collapsed_share": float(np.mean([v["collapse"] for v in second])),
                     "at_most_3_near_share": float(np.mean([v["near_modes"] <= 3 for v in second])),
                     "mean_near_modes": float(np.mean([v["near_modes"] for v in second])),
                     "hops": int((seq[1:] != seq[:-1]).sum()), "modes_visited": len(set(seq.tolist())),
                     "on_a_mode_share": float((sat >= 0).mean())})
    trace.close()
    return {"runs": runs, "checkpoints": len(steps)}


def collapsed(run: dict) -> bool:
    """The issue's test of collapse: at most 3 near modes for most of the second half, and a
    changing mode (it hops) or half its samples on 1-3 modes for most of it."""
    return run["at_most_3_near_share"] > 0.5 and (run.get("hops", 0) >= 4 or run["collapsed_share"] > 0.5)


def table() -> None:
    """The README's table, from outputs/mode_collapse.json: mean ± spread over the seeds."""
    results = json.loads(OUT.read_text())
    print("| scene | steps | modes (protocol) | high-quality | reverse KL | dense modes | near modes | hops | "
          "collapsed runs | runs with ≥ 7 near modes | 10 seeds trained in |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in SCENES:
        if name not in results:
            continue
        result, runs = results[name], results[name]["runs"]

        def stat(key: str, scale: float = 1.0, digits: int = 1) -> str:
            values = np.array([r[key] for r in runs], dtype=float) * scale
            return f"{np.nanmean(values):.{digits}f} ± {np.nanstd(values):.{digits}f}"

        hopping = sum(collapsed(r) for r in runs)
        covered = sum(r["near_modes"] >= 7 for r in runs)
        print(f"| `{name}` | {result['steps']:,} | {stat('modes')} | {stat('high_quality', 100)}% | "
              f"{stat('reverse_kl', digits=2)} | {stat('dense_modes')} | {stat('near_modes')} | {stat('hops', digits=0)} | "
              f"{hopping}/{len(runs)} | "
              f"{covered}/{len(runs)} | {result['train_seconds_10_seeds'] / 60:.0f} min |")


def main() -> None:
    if sys.argv[1:] == ["--table"]:
        table()
        return
    if sys.argv[1:2] == ["--measure"]:  # measure traces already trained, again
        results = json.loads(OUT.read_text())
        for name in sys.argv[2:] or [n for n in SCENES if n in results]:
            results[name].update(measure(Path(f"outputs/mode_collapse_{name}.trace")))
            OUT.write_text(json.dumps(results, indent=1))
            report(name, results[name])
        return
    names = sys.argv[1:] or SCENES
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    OUT.parent.mkdir(exist_ok=True)
    for name in names:
        scene = settings.apply(scene_files.load(name), [f"seeds={SEEDS}", "record.every=50"])
        path = Path(f"outputs/mode_collapse_{name}.trace")
        start = time.perf_counter()
        train(scene, path, show_progress=False, compile="off")  # the mode the README table was measured in
        seconds = time.perf_counter() - start
        results[name] = {**measure(path), "train_seconds_10_seeds": round(seconds, 1), "steps": scene.steps}
        OUT.write_text(json.dumps(results, indent=1))
        report(name, results[name])


def report(name: str, result: dict) -> None:
    runs = result["runs"]

    def stat(key: str, scale: float = 1.0) -> str:
        values = np.array([r[key] for r in runs], dtype=float) * scale
        return f"{np.nanmean(values):.2f} ± {np.nanstd(values):.2f}"

    print(f"{name} ({result['steps']} steps, 10 seeds trained together in {result['train_seconds_10_seeds']:.0f} s): "
          f"modes {stat('modes')}, dense {stat('dense_modes')}, near {stat('near_modes')}, "
          f"high quality {stat('high_quality', 100)}%, reverse KL {stat('reverse_kl')}, hops {stat('hops')}, "
          f"on a mode {stat('on_a_mode_share', 100)}% of the time; collapsed: {sum(map(collapsed, runs))}/10; "
          f"≥ 7 near modes at the end: {sum(r['near_modes'] >= 7 for r in runs)}/10", flush=True)


if __name__ == "__main__":
    main()
