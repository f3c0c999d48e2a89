"""D's 2-D feature space (the quadratic-GAN tutorial): real and generated samples after D's 2-unit layer.

Generated samples are shown before the step's G update (G one recorded step earlier, hollow)
and after it (filled), with the centroids of each set and an arrow for how G's update moved
its centroid: the picture the quadratic-GAN tutorial uses to show G chasing the real features.
"""
from __future__ import annotations

import numpy as np

from gananim.rendering.panels.base import DOT, THEMES, Panel


class Features(Panel):
    """Title-less: the legend above the axes names the sets; the axes are D's two units."""

    square = True

    @classmethod
    def unavailable(cls, view):
        return None if view.feature_layer else "needs a D with a 2-unit hidden layer (e.g. d.widths=16,16,2)"

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        from gananim.analysis.frames import FrameBlock
        picks = FrameBlock(view, view.frame_steps[np.linspace(0, len(view.frame_steps) - 1,
                                                              min(len(view.frame_steps), 16)).astype(int)])
        every = np.concatenate([picks.real_features.reshape(-1, 2), picks.fake_features.reshape(-1, 2)])
        low, high = np.nanquantile(every, [0.01, 0.99], axis=0)
        pad = 0.1 * (high - low) + 1e-6
        ax.set_xlim(low[0] - pad[0], high[0] + pad[0])
        ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
        ax.set_xlabel(f"D's feature 1 (layer {view.feature_layer})")
        ax.set_ylabel("D's feature 2")
        ax.grid(color=theme.grid, lw=0.6)
        ax.set_axisbelow(True)
        s = 4.0
        self.real = self.animate(ax.scatter([], [], s=s, color=self.theme.real, alpha=0.5, lw=0, label="real",
                                            marker=DOT))
        self.before = self.animate(ax.scatter([], [], s=s * 1.6, facecolors="none", edgecolors=self.theme.fake, alpha=0.35,
                                              lw=0.5, label="generated, before"))
        self.after = self.animate(ax.scatter([], [], s=s, color=self.theme.fake, alpha=0.6, lw=0, label="after G's step",
                                             marker=DOT))
        self.centroids = self.animate(ax.scatter(np.zeros(3), np.zeros(3), s=70, marker="X", c=[self.theme.real, "none", self.theme.fake],
                                                 edgecolors=[theme.background, self.theme.fake, theme.background], lw=1.2))
        self.arrow = self.animate(ax.annotate("", (0, 0), (0, 0), arrowprops=dict(arrowstyle="->", color=self.theme.fake, lw=1.2)))
        ax.legend(loc="lower left", bbox_to_anchor=(-0.02, 1.0), ncols=3, frameon=False, fontsize="small",
                  markerscale=2, handletextpad=0.1, columnspacing=0.6, borderaxespad=0.2)

    def update(self, block, k) -> None:
        real, before, after = block.real_features[k], block.fake_features_before[k], block.fake_features[k]
        self.real.set_offsets(real)
        self.before.set_offsets(before)
        self.after.set_offsets(after)
        centers = np.stack([real.mean(0), before.mean(0), after.mean(0)])
        self.centroids.set_offsets(centers)
        self.arrow.xy, self.arrow.xyann = tuple(centers[2]), tuple(centers[1])
