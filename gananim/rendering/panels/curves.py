"""Losses and D's accuracy over the steps, with a cursor at the current step (Wang et al. 2020, figure 7)."""
from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from gananim.analysis.series import smooth
from gananim.rendering.panels.base import ACC_COLOR, THEMES, Panel


def thin(x: np.ndarray, *ys: np.ndarray, points: int = 2000):
    """At most `points` samples per curve: more than the pixels that show them."""
    idx = np.unique(np.linspace(0, len(x) - 1, min(points, len(x))).astype(int))
    return (x[idx], *[y[idx] for y in ys])


class Curves(Panel):
    """Title-less: the legend above the axes names the curves; the right axis is D's accuracy.

    For a critic (WGAN, f-GAN, …) the first curve is what the critic estimates (the
    Wasserstein distance, the divergence) rather than D's loss. Multi-run traces show the
    mean over runs."""

    right_in = 0.55

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        trace = view.trace
        lo, hi = view.span
        first = max(lo, 1)
        n = trace.steps
        steps = np.arange(1, n + 1)
        keep = (steps >= first) & (steps <= max(hi, first))
        steps = steps[keep]
        window = max(1, len(steps) // 150)
        first_name, first_label = "d_loss", "D loss"
        if view.objective.critic and "estimate" in trace.scalar_names:
            first_name, first_label = "estimate", view.objective.estimate_label
        curves = [(view.series(first_name)[0][keep], self.theme.d_color, first_label)]
        if view.objective.center is not None:  # a WGAN's G loss has an arbitrary offset: left out
            curves.append((view.series("g_loss")[0][keep], self.theme.g_color, "G loss"))
        self.labels = tuple(label for _, _, label in curves)
        self.series = {}
        for values, color, label in curves:
            x, raw = thin(steps, values)
            ax.plot(x, raw, color=color, alpha=0.12, lw=0.5)
            sm = smooth(values, window)
            ax.plot(*thin(steps, sm), color=color, lw=1.4, label=label)
            self.series[label] = sm
        both = np.concatenate([self.series[label] for label in self.labels]) if len(steps) else np.zeros(1)
        low, high = np.nanquantile(both, [0.005, 0.995])
        bottom = 0.0 if low >= 0 else low - 0.1 * (high - low)
        ax.set_ylim(bottom, max(high + 0.25 * (high - bottom), bottom + 0.1))
        ax.set_xlim(lo, max(hi, lo + 1))
        ax.set_xlabel("step")
        ax.set_ylabel("loss" if first_name == "d_loss" else "value")
        self.acc_ax = ax.twinx()
        self.acc_ax.spines["top"].set_visible(False)
        self.acc_ax.tick_params(colors=ACC_COLOR, length=3, labelsize="small")
        self.acc_ax.spines["right"].set_color(ACC_COLOR)
        self.right = self._right_curves(view, keep)
        for values, color, label in self.right:
            self.series[label] = smooth(values, window)
            self.acc_ax.plot(*thin(steps, self.series[label]), color=color, lw=1.0, alpha=0.85, label=label)
        self.acc_ax.axhline(0.5, color=ACC_COLOR, lw=0.6, alpha=0.35)
        self.acc_ax.set_ylim(0, 1.02)
        self.acc_ax.set_ylabel("D accuracy" if len(self.right) == 1 else "mean D output", color=ACC_COLOR)
        self.steps = steps
        handles = ax.get_lines()[1::2] + (self.acc_ax.get_lines()[:-1] if len(self.right) > 1 else [])
        from gananim.analysis.phases import KINDS
        marks = {}  # one legend entry per kind of phase mark drawn
        for event in view.events:  # phase and failure labels as shaded spans, or a dashed line at one step
            name, color = KINDS[event.kind]
            if event.stop > event.start:
                ax.axvspan(event.start, event.stop, color=color, alpha=0.10, lw=0)
                marks.setdefault(name, Patch(color=color, alpha=0.25, lw=0, label=name))
            else:
                ax.axvline(event.start, color=color, lw=1.2, ls="--")
                marks.setdefault(name, Line2D([], [], color=color, lw=1.2, ls="--", label=name))
        self.cursor = self.animate(ax.axvline(lo, color=theme.muted, lw=0.9))
        handles += [Line2D([], [], color=theme.muted, lw=0.9, label="now"), *marks.values()]
        ax.legend(handles, [h.get_label() for h in handles], loc="lower left", bbox_to_anchor=(-0.02, 1.0),
                  frameon=False, ncols=len(handles), handlelength=1.4, columnspacing=1.0, borderaxespad=0.2)
        self.dots = [self.animate(ax.plot([], [], "o", color=c, ms=3.5)[0]) for _, c, _ in curves]
        self.acc_dots = [self.animate(self.acc_ax.plot([], [], "o", color=c, ms=3.5)[0]) for _, c, _ in self.right]

    def _right_curves(self, view, keep) -> list:
        """D's accuracy; for images, D's mean output on real and generated images (Zhang's D(x),
        D(G(z)))."""
        if view.image:
            return [(view.series("d_real")[0][keep], self.theme.real, "D(x)"),
                    (view.series("d_fake")[0][keep], self.theme.fake, "D(G(z))")]
        acc = 0.5 * (view.series("d_acc_real")[0][keep] + view.series("d_acc_fake")[0][keep])
        return [(acc, ACC_COLOR, "D accuracy")]

    def update(self, block, k) -> None:
        step = int(block.steps[k])
        self.cursor.set_xdata([step, step])
        i = int(np.searchsorted(self.steps, step)) if len(self.steps) else 0
        if not len(self.steps) or step < 1:
            for dot in (*self.dots, *self.acc_dots):
                dot.set_data([], [])
            return
        i = min(i, len(self.steps) - 1)
        for dot, label in zip([*self.dots, *self.acc_dots], [*self.labels, *(r[2] for r in self.right)]):
            dot.set_data([step], [self.series[label][i]])
