"""Real samples (blue) and generated samples (red) in the sample space."""
from __future__ import annotations

from gananim.rendering.panels.base import DOT, THEMES, Panel, data_axes


def scatter_size(ax) -> float:
    """Marker area (pt²) for a dense cloud: a diameter of about 1/110 of the axes' side."""
    fig_w, fig_h = ax.figure.get_size_inches()
    pos = ax.get_position()
    side_pt = 72 * min(pos.width * fig_w, pos.height * fig_h)
    return max(1.0, (side_pt / 110) ** 2)


class Samples(Panel):
    """Title-less: the legend above the axes says which colour is which."""

    square = True

    @classmethod
    def unavailable(cls, view):
        return None if view.data_dim == 2 else "needs 2-D data"

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        ax.set_xlim(*view.xlim)
        ax.set_ylim(*view.ylim)
        ax.set_box_aspect(1)
        data_axes(ax, view, always=False)
        ax.grid(color=theme.grid, lw=0.6)
        ax.set_axisbelow(True)
        s = scatter_size(ax)
        ax.scatter(view.real[:, 0], view.real[:, 1], s=s, color=self.theme.real, alpha=0.75, lw=0, label="real",
                   marker=DOT)
        self.fake = self.animate(ax.scatter(view.real[:1, 0], view.real[:1, 1], s=s, color=self.theme.fake, alpha=0.75, lw=0,
                                            label="generated", marker=DOT))
        ax.legend(loc="lower left", bbox_to_anchor=(-0.02, 1.0), ncols=2, frameon=False, markerscale=3,
                  handletextpad=0.1, columnspacing=0.8, borderaxespad=0.2)

    def update(self, block, k) -> None:
        self.fake.set_offsets(block.fake[k, :, :2])
