"""Quantities over the steps with a cursor: G's weight and bias (PointGAN), or mean D(x) and D(G(z))."""
from __future__ import annotations

import numpy as np

from .base import FAKE, MUTED, REAL, Panel
from .curves import smooth, thin

W_COLOR, B_COLOR = "#1b9e77", "#d95f02"


class Trajectory(Panel):
    """Lines over the recorded steps; subclasses supply (label, color, steps, values, target)."""

    def __init__(self, ax, view) -> None:
        super().__init__(ax, view)
        lo, hi = view.span
        self.lines = []
        for label, color, steps, values, target in self.series():
            keep = (steps >= lo) & (steps <= hi)
            steps, values = steps[keep], values[keep]
            ax.plot(*thin(steps, values), color=color, lw=1.4, label=label)
            if target is not None:
                ax.axhline(target, color=color, lw=0.8, ls=":", alpha=0.9)
            dot = self.animate(ax.plot([], [], "o", color=color, ms=4)[0])
            self.lines.append((steps, values, dot))
        ax.set_xlim(lo, max(hi, lo + 1))
        ax.set_xlabel("step")
        ax.legend(loc="best", frameon=False, fontsize="small")
        self.cursor = self.animate(ax.axvline(lo, color=MUTED, lw=0.9))

    def series(self):
        raise NotImplementedError

    def update(self, block, k) -> None:
        step = int(block.steps[k])
        self.cursor.set_xdata([step, step])
        for steps, values, dot in self.lines:
            i = int(np.clip(np.searchsorted(steps, step), 0, len(steps) - 1)) if len(steps) else None
            dot.set_data(([steps[i]], [values[i]]) if i is not None else ([], []))


class WeightBias(Trajectory):
    """PointGAN's generator y = w·x + b: w → 0 and b → 1 when it has learned the point."""

    title = "Generator y = w·z + b"

    def series(self):
        trace = self.view.trace
        params = trace.params(trace.param_steps)[:, 0, :2]
        real = float(self.view.real[0, 0])
        steps = trace.param_steps
        return [("w", W_COLOR, steps, params[:, 0], 0.0), ("b", B_COLOR, steps, params[:, 1], real)]


class DMeans(Trajectory):
    """Mean D(x) on real and D(G(z)) on generated samples (the curves of seeds 001 and 003)."""

    title = "Mean D on real and generated samples"

    def series(self):
        trace = self.view.trace
        steps = np.arange(1, trace.steps + 1)
        window = max(1, trace.steps // 150)
        self.ax.set_ylim(*self.view.objective.display_range)
        return [("D(x)", REAL, steps, smooth(trace.scalar("d_real")[:, 0], window), None),
                ("D(G(z))", FAKE, steps, smooth(trace.scalar("d_fake")[:, 0], window), None)]
