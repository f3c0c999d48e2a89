"""Trace sizes of every bundled scene, full against keyframes, by the recorder's own rules.

For each bundled scene (its default settings) this builds the run at step 0 — no training —
and applies the rules gananim/training/loop.py records by: the parameter cadence within
record.budget_mb, chunk lengths, training states about a tenth of a full trace, and keyframes
within a fiftieth of it. Payload bytes only (record headers add well under 1%). `--measure
NAME` also trains NAME both ways and prints the real file sizes beside the plan.

    python bench/trace_sizes.py [--measure wing]
"""
from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path

from gananim.analysis.scorers import scorer_for
from gananim.config import scene_files, settings
from gananim.training import loop


def planned(scene) -> tuple[float, float, int]:
    """(full trace bytes, keyframe trace bytes, steps between keyframes) for `scene`."""
    setup, step_fn, _ = loop.fresh_run(scene)
    runs = len(scene.run_seeds)
    scores = scorer_for(setup.target, scene.latent)
    names = len(step_fn.names) + (len(scores.names) if scores else 0)
    every = loop.cadence(scene, setup.n_params, runs, scene.render.frames if scores else 0)
    row = 4 * runs * setup.n_params
    state = sum(a.nbytes for a in step_fn.state().values()) + (4 * runs * len(scores.names) if scores else 0)
    scalars = 4 * scene.steps * runs * names
    full = (scene.steps // every + 2) * row + scalars
    full += full * loop.STATE_SHARE / (1 - loop.STATE_SHARE)  # training states, for --resume
    chunk = int(max(4, min(1024, loop.CHUNK_FLOPS // loop.step_flops(setup, runs))))
    spacing = loop.keyframe_spacing(scene, chunk, state, (scene.steps // every + 2) * row + scalars, scalars)
    keyframes = math.ceil(scene.steps / spacing) + 1
    return full, scalars + keyframes * state, spacing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", action="append", default=[], metavar="NAME",
                        help="also train this bundled scene both ways and report the real sizes")
    args = parser.parse_args()
    print("| scene | steps | full | keyframes | smaller | keyframe every |")
    print("|---|---|---|---|---|---|")
    for name in sorted(scene_files.bundled()):
        if name.startswith("sweep_"):
            continue
        scene = scene_files.load(name)
        full, keyed, spacing = planned(scene)
        print(f"| {name} | {scene.steps:,} | {full / 1e6:,.1f} MB | {keyed / 1e6:,.2f} MB | {full / keyed:,.0f}× "
              f"| {spacing:,} |", flush=True)
    for name in args.measure:
        with tempfile.TemporaryDirectory() as work:
            sizes = {}
            for mode in ("full", "keyframes"):
                path = Path(work) / f"{mode}.trace"
                loop.train(settings.apply(scene_files.load(name), [f"record.mode={mode}"]), path, show_progress=False)
                sizes[mode] = path.stat().st_size
        print(f"measured {name}: full {sizes['full'] / 1e6:,.1f} MB, keyframes {sizes['keyframes'] / 1e6:,.2f} MB "
              f"({sizes['full'] / sizes['keyframes']:,.0f}×)")


if __name__ == "__main__":
    main()
