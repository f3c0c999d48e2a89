"""Sample-quality curves over the steps (gananim/analysis/metrics.py): mode coverage and high-quality
share for mixtures of Gaussians, histogram JS and sliced W₁ for any data."""
from __future__ import annotations

import numpy as np

from gananim.analysis.metrics import LABELS
from gananim.rendering.panels.base import THEMES, Panel


class Quality(Panel):
    right_in = 0.55

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        from gananim.analysis.frames import FrameBlock
        steps = np.union1d(view.frame_steps, view.spread_steps(120))
        values = []
        for start in range(0, len(steps), 64):
            values += FrameBlock(view, steps[start:start + 64]).metric_values
        left, right = ("dense_modes", "high_quality") if view.modes is not None else ("js", "sliced_w1")
        self.steps = steps
        self.series = {name: np.array([v[name] for v in values]) for name in (left, right)}
        if view.modes is not None:  # the protocol's count, thin: a mode "covered" by one sample of 2,500
            ax.plot(steps, [v["modes"] for v in values], color=self.theme.d_color, lw=0.8, ls="--",
                    label="_covered")  # named by the axis label: the legend keeps to two entries
        if left == "high_quality" or right == "high_quality":
            self.series["high_quality"] = 100 * self.series["high_quality"]
        self.twin = ax.twinx()
        self.twin.spines["top"].set_visible(False)
        self.twin.tick_params(colors=self.theme.g_color, length=3, labelsize="small")
        self.dots = []
        for axis, name, color in ((ax, left, self.theme.d_color), (self.twin, right, self.theme.g_color)):
            label = LABELS[name] + (" (%)" if name == "high_quality" else "")
            axis.plot(steps, self.series[name], color=color, lw=1.5, label=label)
            axis.set_ylabel("modes: dense, - - covered" if name == "dense_modes" else label, color=color)
            self.dots.append((axis, name, self.animate(axis.plot([], [], "o", color=color, ms=4)[0])))
        if left == "dense_modes":
            ax.set_ylim(0, len(view.modes[0]) + 0.5)
            self.twin.set_ylim(0, 102)
        else:
            for axis, name in ((ax, left), (self.twin, right)):
                axis.set_ylim(0, max(np.nanmax(self.series[name]) * 1.1, 1e-6))
        ax.set_xlim(*view.span)
        ax.set_xlabel("step")
        handles = [line for axis in (ax, self.twin) for line in axis.get_lines()
                   if not line.get_label().startswith("_") and not line.get_animated()]
        short = {LABELS["dense_modes"]: "dense", LABELS["high_quality"] + " (%)": "high quality (%)"}
        ax.legend(handles, [short.get(h.get_label(), h.get_label()) for h in handles], loc="lower left",
                  bbox_to_anchor=(-0.02, 1.0), ncols=len(handles), frameon=False, fontsize="small", borderaxespad=0.2)
        self.cursor = self.animate(ax.axvline(view.span[0], color=theme.muted, lw=0.9))

    def update(self, block, k) -> None:
        step = int(block.steps[k])
        self.cursor.set_xdata([step, step])
        i = int(np.clip(np.searchsorted(self.steps, step), 0, len(self.steps) - 1))
        for axis, name, dot in self.dots:
            dot.set_data([self.steps[i]], [self.series[name][i]])
