"""D's verdict as a heat map: over the latent space (D(G(z))) and over the sample space (D(x)).

Blue is "surely real", red "surely fake", white "unsure" (Wang et al. 2020 §3). The fields are
recomputed from the recorded parameters at render time, at the render's grid resolution.
"""
from __future__ import annotations

import numpy as np

from gananim.rendering.panels.base import D_CMAP, DOT, REAL_DARK, THEMES, Panel, data_axes, needs_planes
from gananim.rendering.panels.samples import scatter_size


class Heatmap(Panel):
    square = True
    right_in = 0.62
    colour_bar = True
    def _image(self, xlim, ylim):
        lo, hi = self.view.shown_range
        image = self.ax.imshow(self.view_blank(), origin="lower", extent=(*xlim, *ylim), cmap=D_CMAP,
                               vmin=lo, vmax=hi, aspect="auto", interpolation="bilinear")
        self.ax.set_xlim(*xlim)
        self.ax.set_ylim(*ylim)
        self.ax.set_box_aspect(1)
        for side in ("top", "right"):
            self.ax.spines[side].set_visible(True)
            self.ax.spines[side].set_color(self.theme.spine)
        bar = self.ax.figure.colorbar(image, cax=self.ax.inset_axes((1.03, 0.0, 0.045, 1.0)))
        bar.set_label(self.bar_label(self.view.shown_label), fontsize="small", labelpad=2)
        bar.outline.set_visible(False)
        bar.ax.tick_params(length=2, labelsize="small")
        # The image covers the axes; its frame is redrawn on top of it each frame.
        self.animate(image, *self.ax.spines.values())
        return image

    def bar_label(self, label: str) -> str:
        """The colour bar's label names what this map shows (D's output on samples, here)."""
        return label

    def view_blank(self) -> np.ndarray:
        lo, hi = self.view.shown_range
        return np.full((2, 2), 0.5 * (lo + hi))


class LatentField(Heatmap):
    title = "D(G(z)) on the latent space"

    unavailable = staticmethod(needs_planes)

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        self.image = self._image(view.zlim, view.zlim)
        ax.set_xlabel("$z_1$")
        ax.set_ylabel("$z_2$")
        if view.latent_dim > 2:
            ax.set_title(f"{self.title} ($z_3$…$z_{{{view.latent_dim}}}$ = 0)", loc="left")

    def bar_label(self, label: str) -> str:
        return label.replace("(x)", "(G(z))")  # D(G(z)) here, T(G(z)) for an f-GAN's critic

    def update(self, block, k) -> None:
        self.image.set_data(block.latent_field[k])


class SampleField(Heatmap):
    title = "D(x) on the sample space"

    @classmethod
    def unavailable(cls, view):
        return None if view.data_dim == 2 else "needs 2-D data"

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        self.image = self._image(view.xlim, view.ylim)
        # Dark real points without edges, red fakes ringed in white: both visible on any colour.
        s = scatter_size(ax)
        self.real = self.animate(ax.scatter(view.real[:, 0], view.real[:, 1], s=0.7 * s, color=REAL_DARK,
                                            linewidths=0, alpha=0.8, marker=DOT))
        self.fake = self.animate(ax.scatter(view.real[:1, 0], view.real[:1, 1], s=s, color=self.theme.fake,
                                            linewidths=0.3, edgecolors="white", marker=DOT))
        data_axes(ax, view)

    def update(self, block, k) -> None:
        self.image.set_data(block.sample_field[k])
        self.fake.set_offsets(block.fake[k, :, :2])
