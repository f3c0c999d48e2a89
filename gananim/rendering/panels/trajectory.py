"""Quantities over the steps with a cursor: G's weight and bias (PointGAN), or mean D(x) and D(G(z)).

A multi-seed trace shows the mean across runs with a band of ± one standard deviation, as
in PointGAN's figures.
"""
from __future__ import annotations

import numpy as np

from gananim.analysis.series import smooth
from gananim.model.mlp import Network
from gananim.rendering.panels.base import THEMES, Panel
from gananim.rendering.panels.curves import thin

W_COLOR, B_COLOR = "#1b9e77", "#d95f02"


class Trajectory(Panel):
    """Lines over the steps; subclasses supply (label, color, steps, mean, std, target) series."""

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        lo, hi = view.span
        self.lines = []
        for label, color, steps, mean, std, target in self.series():
            keep = (steps >= lo) & (steps <= hi)
            steps, mean, std = steps[keep], mean[keep], std[keep]
            ax.plot(*thin(steps, mean), color=color, lw=1.4, label=label)
            if std.any():
                x, upper, lower = thin(steps, mean + std, mean - std)
                ax.fill_between(x, lower, upper, color=color, alpha=0.18, lw=0)
            if target is not None:
                ax.axhline(target, color=color, lw=0.8, ls=":", alpha=0.9)
            dot = self.animate(ax.plot([], [], "o", color=color, ms=4)[0])
            self.lines.append((steps, mean, dot))
        ax.set_xlim(lo, max(hi, lo + 1))
        ax.set_xlabel("step")
        ax.legend(loc="best", frameon=False, fontsize="small")
        self.cursor = self.animate(ax.axvline(lo, color=theme.muted, lw=0.9))

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

    @classmethod
    def unavailable(cls, view):
        if isinstance(view.g, Network) and view.g.n_params == 2:
            return None
        return "needs PointGAN's linear generator y = w·z + b"

    def series(self):
        trace, view = self.view.trace, self.view
        params = trace.params(trace.param_steps)[:, :, :2]
        params = params[:, [view.run]] if view.run is not None else params
        if params.shape[1] > 1:
            self.ax.set_title(f"G = w·z + b, {params.shape[1]} runs", loc="left")
        real = float(view.real[0, 0])
        steps = trace.param_steps
        band = " (mean ± std)" if params.shape[1] > 1 else ""
        return [(name + band, color, steps, params[:, :, i].mean(1), params[:, :, i].std(1), target)
                for i, (name, color, target) in enumerate((("w", W_COLOR, 0.0), ("b", B_COLOR, real)))]


class DMeans(Trajectory):
    """Mean D(x) on real and D(G(z)) on generated samples (the curves of Zhang's ANN lab report 4 and Yu's GAN tutorial)."""

    title = "Mean D on real and generated samples"

    def series(self):
        view = self.view
        steps = np.arange(1, view.trace.steps + 1)
        window = max(1, view.trace.steps // 150)
        if view.objective.bounds:
            self.ax.set_ylim(*view.objective.bounds)
        out = []
        for label, color, name in (("D(x)", self.theme.real, "d_real"), ("D(G(z))", self.theme.fake, "d_fake")):
            mean, std = view.series(name)
            out.append((label, color, steps, smooth(mean, window), smooth(std, window), None))
        return out
