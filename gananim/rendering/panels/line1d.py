"""The 1-D picture of PointGAN (PointGAN article): D's curve over x and G's mapping, on one axis.

The horizontal axis is the sample value x. D(x) is drawn against the left axis; G is drawn
as the set of points (G(z), z) against the right axis, so a generator that outputs the real
value for every input is a vertical line through it. Generated samples sit as a rug below.
A multi-seed trace draws every run's curves as a faint bundle.
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from gananim.rendering.panels.base import THEMES, Panel, data_axes


class Line1D(Panel):
    title = "D(x) and G's mapping"
    right_in = 0.55

    @classmethod
    def unavailable(cls, view):
        return None if view.data_dim == 1 else "needs 1-D data"

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        lo, hi = view.shown_range
        runs = 1 if view.run is not None else view.runs
        alpha = 1.0 if runs == 1 else max(0.12, 1.6 / runs)
        if runs > 1:
            ax.set_title(f"{self.title}, {runs} runs (seeds {_seeds(view.seeds)})", loc="left")
        ax.set_xlim(*view.xlim)
        ax.set_ylim(lo - 0.12 * (hi - lo), hi + 0.05 * (hi - lo))
        data_axes(ax, view, dims=1, names=("x", ""))
        ax.set_ylabel(view.shown_label if view.objective.critic else "D(x)", color=self.theme.d_color)
        ax.axhline(0.5 * (lo + hi), color=theme.muted, lw=0.6, alpha=0.4)
        values = np.unique(view.real[:, 0])
        handles = []
        if len(values) <= 3:  # a few real values: mark each; else show the real distribution's rug
            for value in values:
                ax.axvline(value, color=self.theme.real, lw=1.0, ls=":", alpha=0.8)
            handles += ax.plot(values, [hi] * len(values), "*", color=self.theme.real, ms=11, clip_on=False, label="real value")
        else:
            handles.append(ax.scatter(view.real[:200, 0], np.full(min(200, len(view.real)), lo - 0.02 * (hi - lo)),
                                      marker="|", s=80, color=self.theme.real, alpha=0.3, lw=1.0, label="real"))
        self.g_ax = ax.twinx()
        self.g_ax.set_ylim(view.zlim[0] - 0.12 * np.ptp(view.zlim), view.zlim[1] + 0.05 * np.ptp(view.zlim))
        self.g_ax.set_ylabel("G's input z", color=self.theme.g_color)
        self.g_ax.spines["top"].set_visible(False)
        self.g_ax.tick_params(colors=self.theme.g_color, length=3, labelsize="small")
        self.xs = view.line()[:, 0].numpy()
        self.zs = np.linspace(*view.zlim, 200)
        self.d_lines = self.animate(ax.add_collection(LineCollection([], colors=self.theme.d_color, lw=2 if runs == 1 else 1.2,
                                                                     alpha=alpha, label="D(x)")))
        self.g_lines = self.animate(self.g_ax.add_collection(
            LineCollection([], colors=self.theme.g_color, lw=2 if runs == 1 else 1.2, alpha=alpha, label="G: z → x")))
        self.rug_y = lo - 0.06 * (hi - lo)
        self.rug = self.animate(ax.scatter([], [], marker="|", s=80, color=self.theme.fake, alpha=0.35 if runs == 1 else 0.15,
                                           lw=1.0, label="generated"))
        # Legend keys drawn at full strength, whatever the bundle's transparency.
        keys = [Line2D([], [], color=self.theme.d_color, lw=2, label="D(x)"), Line2D([], [], color=self.theme.g_color, lw=2, label="G: z → x"),
                *handles, Line2D([], [], color=self.theme.fake, marker="|", ls="", ms=9, label="generated")]
        ax.legend(handles=keys, loc="upper left", frameon=False, fontsize="small", ncols=2)

    def update(self, block, k) -> None:
        d_curves = block.d_curve[k].reshape(-1, len(self.xs))
        g_lines = block.g_line[k].reshape(-1, len(self.zs))
        self.d_lines.set_segments([np.column_stack([self.xs, c]) for c in d_curves])
        self.g_lines.set_segments([np.column_stack([g, self.zs]) for g in g_lines])
        fake = block.fake[k].reshape(-1, *block.fake.shape[-2:])  # [runs, n, 1]
        fake = fake[:, :max(1, 400 // len(fake)), 0].ravel()  # a share of every run
        self.rug.set_offsets(np.column_stack([fake, np.full_like(fake, self.rug_y)]))


def _seeds(seeds: list[int]) -> str:
    """0-19 for a contiguous range, else a short list."""
    if seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}–{seeds[-1]}"
    return ", ".join(map(str, seeds[:6])) + ("…" if len(seeds) > 6 else "")
