"""Where the generator's mass sits on a mixture of Gaussians: one bar per mode, the share of
G's samples near it (gananim/analysis/metrics.py, NEAR), against the fair share."""
from __future__ import annotations

import numpy as np

from gananim.analysis.metrics import mode_shares, near_radius
from gananim.rendering.panels.base import THEMES, Panel


class ModeBars(Panel):
    title = "G's samples near each mode"

    @classmethod
    def unavailable(cls, view):
        return None if view.modes is not None else "needs a mixture of Gaussians (ring8, grid25)"

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        centers = view.modes[0]
        k = len(centers)
        self.fair = 100 / k
        ax.set_xlim(-0.6, k - 0.4)
        ax.set_ylim(0, 100)
        ax.set_xticks(range(k), [str(i + 1) for i in range(k)])
        ax.set_xlabel(f"mode (within {near_radius(centers):.2g} of its centre)")
        ax.set_ylabel("share of samples (%)")
        ax.axhline(self.fair, color=theme.muted, lw=0.9, ls="--")
        ax.axhline(self.fair / 4, color=theme.muted, lw=0.6, ls=":")
        ax.text(-0.5, self.fair + 1, "fair share", ha="left", va="bottom", fontsize="small", color=theme.muted)
        self.bars = ax.bar(range(k), np.zeros(k), color=theme.g_color, width=0.7)
        for bar in self.bars:
            self.animate(bar)

    def update(self, block, k) -> None:
        shares = 100 * mode_shares(block.metric_fakes[k].reshape(-1, 2), self.view.modes[0])
        for bar, share in zip(self.bars, shares):
            bar.set_height(min(share, 100))
            bar.set_color(self.theme.g_color if share >= self.fair / 4 else self.theme.muted)
