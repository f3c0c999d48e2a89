"""What every panel shares: the plug-in contract and the house style.

A panel creates its artists once in __init__ (static ones are drawn into the background a
single time), lists the artists that change per frame in `animated`, and moves them to a
frame in `update` — no clearing, no re-plotting.
"""
from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.ticker import MaxNLocator

from ..fields import FrameBlock, View

REAL = "#2166ac"  # the blue end of the D colormap: "surely real"
FAKE = "#b2182b"  # the red end: "surely fake"
REAL_DARK = "#08254a"  # real samples drawn over the blue end of a D field
D_COLOR = "#5e3c99"
G_COLOR = "#e66101"
ACC_COLOR = "#6b6b6b"
MUTED = "#6b6b6b"
GRID = "#e6e6e6"

# Red (fake) -> white (unsure) -> blue (real), as in seed 000's figures; ColorBrewer RdBu.
D_CMAP = LinearSegmentedColormap.from_list(
    "gananim_d", ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
                  "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"])


class Panel:
    """A plug-in panel. Subclasses set `animated` and implement `update`."""

    title = ""
    square = False  # keep the axes square (sample and latent spaces)
    right_in = 0.0  # inches the panel needs right of its axes (colorbar, twin axis)

    def __init__(self, ax: Axes, view: View) -> None:
        self.ax, self.view = ax, view
        self.animated: list = []
        style_axes(ax)
        if self.square:
            ax.xaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 2.5, 5, 10]))
            ax.yaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 2.5, 5, 10]))
        if self.title:
            ax.set_title(self.title, loc="left")

    def update(self, block: FrameBlock, k: int) -> None:
        raise NotImplementedError

    def animate(self, *artists):
        """Mark artists as per-frame: kept out of the background, redrawn each frame in this order."""
        for artist in artists:
            artist.set_animated(True)
            self.animated.append(artist)
        return artists[0] if len(artists) == 1 else artists


def style_axes(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#9a9a9a")
    ax.tick_params(colors="#4a4a4a", length=3, labelsize="small")
