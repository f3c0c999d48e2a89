"""The generator's manifold (GAN Lab): the latent grid warped by G, cells shaded by density.

Each cell of a grid over the first two latent coordinates is mapped by G to a quadrilateral
in the sample space. Its shade is the density G puts there: the latent probability of the
cell divided by the area of its image (log scale), so stretched cells are pale and
compressed ones dark.
"""
from __future__ import annotations

import numpy as np
import torch
from matplotlib.collections import PolyCollection
from matplotlib.colors import LogNorm

from gananim.analysis.frames import MANIFOLD_CELLS as CELLS
from gananim.rendering.panels.base import DOT, THEMES, Panel, data_axes, needs_planes


def _areas(quads: np.ndarray) -> np.ndarray:
    """Shoelace areas of quadrilaterals [..., 4, 2]."""
    x, y = quads[..., 0], quads[..., 1]
    return 0.5 * np.abs((x * np.roll(y, -1, axis=-1) - np.roll(x, -1, axis=-1) * y).sum(-1))


class Manifold(Panel):
    title = "G's manifold"
    square = True
    right_in = 0.62
    colour_bar = True

    unavailable = staticmethod(needs_planes)

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        n = CELLS + 1
        z = view.latent_points(n)  # vertices, row-major from the bottom-left
        self.vertices = z
        idx = np.arange(n * n).reshape(n, n)
        self.quads = np.stack([idx[:-1, :-1], idx[:-1, 1:], idx[1:, 1:], idx[1:, :-1]], axis=-1).reshape(-1, 4)
        zq = z.numpy()[self.quads][..., :2]
        centres = torch.from_numpy(zq.mean(axis=1))
        if view.scene.latent.kind == "normal":
            mass = torch.exp(-0.5 * (centres ** 2).sum(-1)).numpy()
        else:
            mass = np.ones(len(zq))
        self.cell_mass = mass * _areas(zq) / (mass * _areas(zq)).sum()
        ax.set_xlim(*view.xlim)
        ax.set_ylim(*view.ylim)
        data_axes(ax, view)
        ax.scatter(view.real[:, 0], view.real[:, 1], s=2, color=self.theme.real, alpha=0.35, lw=0, zorder=0,
                   marker=DOT)
        cell_area = np.ptp(view.xlim) * np.ptp(view.ylim) / CELLS ** 2
        self.norm = LogNorm(vmin=0.02 / (CELLS ** 2 * cell_area), vmax=50 / (CELLS ** 2 * cell_area))
        self.cells = self.animate(ax.add_collection(PolyCollection([], cmap="Purples", norm=self.norm,
                                                                   edgecolors=(0.35, 0.2, 0.55, 0.35),
                                                                   linewidths=0.3, alpha=0.85)))
        bar = ax.figure.colorbar(self.cells, cax=ax.inset_axes((1.03, 0.0, 0.045, 1.0)))
        bar.set_label("density of G's samples", fontsize="small", labelpad=2)
        bar.outline.set_visible(False)
        bar.ax.tick_params(length=2, labelsize="small")

    def update(self, block, k) -> None:
        mapped = block.manifold_vertices[k]
        quads = mapped[self.quads]
        density = self.cell_mass / np.maximum(_areas(quads), 1e-12)
        self.cells.set_verts(quads)
        self.cells.set_array(density)
