"""Real samples (blue) and generated samples (red) in the sample space."""
from __future__ import annotations

from .base import FAKE, GRID, REAL, Panel


def scatter_size(ax) -> float:
    """Marker area that reads at any output size: about 1/180 of the axes' width."""
    width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72
    return max(1.0, (width_pt / 180) ** 2)


class Samples(Panel):
    title = "Real and generated samples"

    def __init__(self, ax, view) -> None:
        super().__init__(ax, view)
        ax.set_xlim(*view.xlim)
        ax.set_ylim(*view.ylim)
        ax.set_box_aspect(1)
        ax.grid(color=GRID, lw=0.6)
        ax.set_axisbelow(True)
        s = scatter_size(ax)
        ax.scatter(view.real[:, 0], view.real[:, 1], s=s, color=REAL, alpha=0.55, lw=0, label="real")
        self.fake = self.animate(ax.scatter(view.real[:1, 0], view.real[:1, 1], s=s, color=FAKE, alpha=0.7, lw=0,
                                            label="generated"))
        ax.legend(loc="upper right", frameon=False, fontsize="small", markerscale=2.5, handletextpad=0.2)

    def update(self, block, k) -> None:
        self.fake.set_offsets(block.fake[k, :, :2])
