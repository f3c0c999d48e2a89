"""The heat maps in bfloat16 against float32: `python bench/precision.py`.

Speed: a wide scene (the wing with G and D of three hidden layers of 512, as a well-known GAN
visualiser sets them), briefly trained; D's sample-space and latent-space fields at a 400×400
grid for 4 frames, float32 and bfloat16 alternated, median of the pairs' ratios.
Fidelity: the largest difference between the two renderings, in colour levels of 256 over
the shown range, for 12 frames spread over the default wing and ring8 runs (trained here, a
few minutes on 2 cores) and the wide run. Nothing here asserts.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from gananim.analysis.frames import FrameBlock, View
from gananim.config import scene_files, settings
from gananim.trace import Trace
from gananim.training.loop import train

WIDE = ["g.widths=512,512,512", "d.widths=512,512,512", "batch=512", "steps=300"]


def fields(trace: Trace, steps, grid: int, precision: str) -> tuple[float, np.ndarray, tuple[float, float]]:
    view = View(trace, (0, int(trace.param_steps[-1])), grid, precision=precision)
    start = time.perf_counter()
    block = FrameBlock(view, steps)
    both = np.stack([block.sample_field, block.latent_field])
    return time.perf_counter() - start, both, view.shown_range


def levels(trace: Trace) -> float:
    steps = trace.param_steps[np.linspace(0, len(trace.param_steps) - 1, 12).astype(int)]
    _, exact, (lo, hi) = fields(trace, steps, 100, "fp32")
    _, fast, _ = fields(trace, steps, 100, "bf16")
    return float(np.abs(exact - fast).max() / (hi - lo) * 256)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wide.trace"
        train(settings.apply(scene_files.load("wing"), WIDE), path, show_progress=False)
        with Trace(path) as trace:
            steps = trace.param_steps[-4:]
            ratios, times = [], {"fp32": [], "bf16": []}
            for _ in range(3):
                for precision in times:
                    times[precision].append(fields(trace, steps, 400, precision)[0])
                ratios.append(times["fp32"][-1] / times["bf16"][-1])
            print(f"wide wing (3×512), 400×400 fields, 4 frames: float32 {statistics.median(times['fp32']):.2f} s, "
                  f"bfloat16 {statistics.median(times['bf16']):.2f} s: {statistics.median(ratios):.2f}× faster; "
                  f"colours differ by up to {levels(trace):.1f} levels in 256", flush=True)
        for name in ("wing", "ring8"):
            path = Path(folder) / f"{name}.trace"
            train(scene_files.load(name), path, show_progress=False)
            with Trace(path) as trace:
                print(f"{name} (default run): colours differ by up to {levels(trace):.1f} levels in 256", flush=True)


if __name__ == "__main__":
    main()
