"""Named layouts: which panels go where, the figure around them, and the header.

Panels are placed by hand in inches rather than by a layout engine: with the DPI scaled to
the frame size, text has a fixed size in inches, so fixed margins fit it at every size, and
square panels stay square whatever the frame's shape.
"""
from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .errors import GananimError
from .fields import View
from .nets import Network
from .panels import PANELS

HEADER_IN = 0.62  # title and subtitle
EDGE_IN = 0.12  # between the frame's edge and the header text
MARGIN_IN = {"left": 0.70, "bottom": 0.46, "top": 0.30, "right": 0.16}  # room for ticks, labels, titles


def auto_dpi(width: int, height: int) -> float:
    """Dots per inch for a pixel size: text grows slower than the frame, so it stays legible
    at 480 px and does not shout at 1080 px."""
    return 100.0 * (min(width, height) / 720) ** 0.5


def panel_names(view: View, layout: str) -> list[list[str]]:
    """Rows of panel names for a layout and a trace."""
    if layout == "1d":
        if view.data_dim != 1:
            raise GananimError(f"layout '1d' needs 1-D data; this trace's data has {view.data_dim} dimensions")
        linear_g = isinstance(view.g, Network) and view.g.n_params == 2
        return [["line1d"], ["weight_bias" if linear_g else "d_means", "curves"]]
    if layout == "classic":
        if view.data_dim != 2 or view.latent_dim < 2:
            raise GananimError("layout 'classic' needs 2-D data and a latent space of at least 2 dimensions; "
                               "use --layout 1d for 1-D problems")
        return [["curves", "samples"], ["latent_field", "sample_field"]]
    raise GananimError(f"unknown layout {layout!r}; choose from classic, 1d")


def _place(fig: Figure, cell: tuple[float, float, float, float], panel_cls) -> tuple[float, ...]:
    """The axes rectangle (figure fractions) for a panel in a cell given in inches."""
    x, y, w, h = cell
    width_in, height_in = fig.get_size_inches()
    avail_w = w - MARGIN_IN["left"] - MARGIN_IN["right"] - panel_cls.right_in
    avail_h = h - MARGIN_IN["bottom"] - MARGIN_IN["top"]
    ax_x, ax_y, ax_w, ax_h = x + MARGIN_IN["left"], y + MARGIN_IN["bottom"], avail_w, avail_h
    if panel_cls.square:
        side = min(avail_w, avail_h)
        ax_x += (avail_w - side) / 2
        ax_y += avail_h - side  # keep the tops of a row aligned
        ax_w = ax_h = side
    if ax_w <= 0.2 or ax_h <= 0.2:
        raise GananimError("the frame is too small for this layout; use a larger --size or a smaller --dpi")
    return ax_x / width_in, ax_y / height_in, ax_w / width_in, ax_h / height_in


def fit_text(text, max_width_px: float, min_size: float) -> None:
    """Shrink a text artist until it fits, then shorten it with an ellipsis."""
    renderer = text.figure.canvas.get_renderer()
    while text.get_window_extent(renderer).width > max_width_px and text.get_fontsize() > min_size:
        text.set_fontsize(text.get_fontsize() - 0.5)
    full = text.get_text()
    while text.get_window_extent(renderer).width > max_width_px and len(text.get_text()) > 4:
        full = full[:-1]
        text.set_text(full.rstrip() + "…")


def build(view: View, layout: str, size: tuple[int, int], dpi: float, title: str):
    """The figure, its panels and the step counter (the header artist that changes per frame)."""
    width, height = size
    dpi = dpi or auto_dpi(width, height)
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    width_in, height_in = fig.get_size_inches()
    rows = panel_names(view, layout)
    row_h = (height_in - HEADER_IN) / len(rows)
    panels = []
    for r, row in enumerate(rows):
        cell_w = width_in / len(row)
        for c, name in enumerate(row):
            cell = (c * cell_w, height_in - HEADER_IN - (r + 1) * row_h, cell_w, row_h)
            ax = fig.add_axes(_place(fig, cell, PANELS[name]))
            panels.append(PANELS[name](ax, view))
    top = 1 - EDGE_IN / height_in
    counter = fig.text(1 - EDGE_IN / width_in, top, f"step {view.trace.meta['planned_steps']:,} / "
                       f"{view.trace.meta['planned_steps']:,}", ha="right", va="top", fontsize="large",
                       color="#202020", fontfamily="DejaVu Sans Mono")
    counter_px = counter.get_window_extent(fig.canvas.get_renderer()).width
    counter.set_text("")
    counter.set_animated(True)
    heading = fig.text(EDGE_IN / width_in, top, title, ha="left", va="top", fontsize="large", fontweight="bold",
                       color="#202020")
    fit_text(heading, width - counter_px - 3 * EDGE_IN * dpi, 8)
    sub = fig.text(EDGE_IN / width_in, top - 0.27 / height_in, subtitle(view), ha="left", va="top",
                   fontsize="small", color="#555555")
    fit_text(sub, width - 2 * EDGE_IN * dpi, 6.5)
    return fig, panels, counter


def subtitle(view: View) -> str:
    s = view.scene

    def opt(o) -> str:
        extra = f", β1 {o.betas[0]:g}" if o.name == "adam" else ""
        return f"{o.name} {o.lr:g}{extra}"

    return (f"loss {s.loss} · G {view.g.describe()} ({opt(s.opt_g)}) · D {view.d.describe()} ({opt(s.opt_d)}) "
            f"· batch {s.batch} · seed {s.seed}")
