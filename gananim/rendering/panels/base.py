"""What every panel shares: the plug-in contract, the house style and the themes.

A panel creates its artists once in __init__ (static ones are drawn into the background a
single time), lists the artists that change per frame in `animated`, and moves them to a
frame in `update` — no clearing, no re-plotting. `unavailable(view)` says why a panel cannot
draw a trace (wrong data dimension, no 2-unit layer, …), or None when it can.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.ticker import Formatter, MaxNLocator

from gananim.analysis.frames import FrameBlock, View

REAL = "#2166ac"  # the blue end of the D colormap: "surely real"
FAKE = "#b2182b"  # the red end: "surely fake"
REAL_DARK = "#08254a"  # real samples drawn over the blue end of a D field
D_COLOR = "#5e3c99"
G_COLOR = "#e66101"
ACC_COLOR = "#6b6b6b"
MUTED = "#6b6b6b"
# Sample markers: a regular octagon looks like a dot at these sizes, and unlike the Bézier
# circle it spares matplotlib measuring curve extents for every scatter it draws.
DOT = (8, 0, 22.5)
GRID = "#e6e6e6"

# Red (fake) -> white (unsure) -> blue (real), as in Wang et al. 2020's figures; ColorBrewer RdBu.
D_CMAP = LinearSegmentedColormap.from_list(
    "gananim_d", ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
                  "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"])


@dataclass(frozen=True)
class Theme:
    """Colours and line weights of a look: light (default), dark (slides), print (papers)."""

    name: str
    background: str
    text: str
    muted: str
    spine: str
    grid: str
    font: str = "DejaVu Sans"
    line_scale: float = 1.0
    real: str = REAL
    fake: str = FAKE
    d_color: str = D_COLOR
    g_color: str = G_COLOR

    def rc(self) -> dict:
        """matplotlib settings for figures drawn in this theme."""
        return {"font.family": self.font, "text.color": self.text, "axes.labelcolor": self.text,
                "axes.edgecolor": self.spine, "axes.facecolor": self.background, "figure.facecolor": self.background,
                "xtick.color": self.muted, "ytick.color": self.muted, "legend.labelcolor": self.text,
                "axes.titlecolor": self.text, "lines.linewidth": 1.5 * self.line_scale,
                "savefig.facecolor": self.background}


THEMES = {t.name: t for t in (
    Theme("light", "#ffffff", "#202020", "#4a4a4a", "#9a9a9a", "#e6e6e6"),
    Theme("dark", "#14161a", "#e8e8e8", "#b8b8b8", "#6f7680", "#2c3038",
          real="#6baed6", fake="#fb6a4a", d_color="#b39ddb", g_color="#fdae6b"),
    Theme("print", "#ffffff", "#000000", "#222222", "#444444", "#dddddd", font="DejaVu Serif", line_scale=1.3),
)}


class Panel:
    """A plug-in panel. Subclasses set `animated` and implement `update`."""

    title = ""
    square = False  # keep the axes square (sample and latent spaces)
    right_in = 0.0  # inches the panel needs right of its axes (colorbar, twin axis)
    colour_bar = False  # that room holds a colour bar, which one tile of a contact sheet can show for all
    bottom_in = 0.46  # inches under the axes: tick labels and the axis label (less for pictures)
    left_in = 0.70  # inches left of the axes, likewise

    @classmethod
    def unavailable(cls, view: View) -> str | None:
        """Why this panel cannot draw `view`'s trace, or None if it can."""
        return None

    def __init__(self, ax: Axes, view: View, theme: Theme = THEMES["light"]) -> None:
        self.ax, self.view, self.theme = ax, view, theme
        self.animated: list = []
        style_axes(ax, theme)
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


def needs_planes(view: View) -> str | None:
    """Why a panel over the 2-D sample space and the latent plane cannot draw `view`'s trace."""
    if view.data_dim != 2 or view.latent_dim < 2:
        return "needs 2-D data and a latent space of at least 2 dimensions"
    return None


def style_axes(ax: Axes, theme: Theme) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(theme.spine)
    ax.set_facecolor(theme.background)
    ax.tick_params(colors=theme.muted, length=3, labelsize="small")


class UnitsLocator(MaxNLocator):
    """Ticks at round values of the data's own units, placed on the scaled axis training used."""

    def __init__(self, scale: float, offset: float, **kw) -> None:
        super().__init__(**kw)
        self.scale, self.offset = scale, offset

    def tick_values(self, vmin, vmax):
        raw = super().tick_values(vmin * self.scale + self.offset, vmax * self.scale + self.offset)
        return (raw - self.offset) / self.scale


class UnitsFormatter(Formatter):
    """Tick labels in the data's own units, with as many decimals as the tick spacing needs."""

    def __init__(self, scale: float, offset: float) -> None:
        self.scale, self.offset, self.decimals = scale, offset, 0

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        raw = np.asarray(locs, dtype=float) * self.scale + self.offset
        step = np.min(np.diff(np.sort(raw))) if len(raw) > 1 else abs(raw[0]) if len(raw) else 1.0
        self.decimals = int(max(0, -np.floor(np.log10(step)))) if step > 0 else 0

    def __call__(self, x, pos=None) -> str:
        raw = x * self.scale + self.offset
        if abs(raw) >= 1e6:
            return f"{raw:.3g}"
        return f"{raw:.{self.decimals}f}".replace("-", "\N{MINUS SIGN}")


def data_axes(ax: Axes, view: View, dims: int = 2, names: tuple[str, str] = ("$x_1$", "$x_2$"),
              always: bool = True) -> None:
    """Label a panel over the data space and, for a user's own data scaled to fit, tick it in
    the data's own units (README, "Your own data"). `always` False labels only own data."""
    units = view.units
    if units is not None:
        for i, axis in enumerate((ax.xaxis, ax.yaxis)[:dims]):
            axis.set_major_locator(UnitsLocator(units.scale, units.offset[i], nbins=5, steps=[1, 2, 2.5, 5, 10]))
            axis.set_major_formatter(UnitsFormatter(units.scale, units.offset[i]))
    if units is None and not always:
        return
    for i, setter in enumerate((ax.set_xlabel, ax.set_ylabel)[:dims]):
        name = units.labels[i].replace("$", r"\$") if units and units.labels else names[i]
        setter(f"{name} ({units.unit})" if units and units.unit else name)
