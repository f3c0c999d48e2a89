"""Named layouts: which panels go where, the figure around them, and the header.

Panels are placed by hand in inches rather than by a layout engine: with the DPI scaled to
the frame size, text has a fixed size in inches, so fixed margins fit it at every size, and
square panels stay square whatever the frame's shape.
"""
from __future__ import annotations

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator, MaxNLocator

from gananim.analysis.frames import View
from gananim.errors import GananimError
from gananim.rendering.panels import PANELS
from gananim.rendering.panels.base import THEMES

HEADER_IN = 0.62  # title and subtitle
FOOTER_IN = 0.22  # the caption naming the current phase or failure
CAPTION = "#c2410c"
EDGE_IN = 0.12  # between the frame's edge and the header text
MARGIN_IN = {"left": 0.70, "bottom": 0.46, "top": 0.30, "right": 0.16}  # room for ticks, labels, titles


def auto_dpi(width: int, height: int) -> float:
    """Dots per inch for a pixel size: text grows slower than the frame, so it stays legible
    at 480 px and does not shout at 1080 px."""
    return 100.0 * (min(width, height) / 720) ** 0.5


LAYOUTS_2D = {
    "classic": [["curves", "samples"], ["latent_field", "sample_field"]],  # Wang et al. 2020, figure 7
    "wide": [["curves", "samples", "sample_field"], ["metrics", "latent_field", "manifold"]],  # 16:9 slides
    "square": [["sample_field", "manifold"], ["curves", "metrics"]],  # blogs
}
# Image scenes (16:9): samples, D's outputs and the score on top, interpolation and classes below.
# Frames narrower than 3:2 leave out the FID curve (the sample grid's caption gives the FID).
LAYOUT_DIGITS = [["digit_grid", "curves", "fid"], ["interpolation", "classes"]]
LAYOUT_DIGITS_NARROW = [["digit_grid", "curves"], ["interpolation", "classes"]]
LAYOUTS = ("classic", "1d", "wide", "square", "digits")
WIDE_SIZE = (1280, 720)


def arrange(names: list[str], columns: int | None = None) -> list[list[str]]:
    """Rows for a free list of panels: up to 3 in one row, 4 as 2×2, then rows of 3 (or `columns`)."""
    if columns is None:
        columns = len(names) if len(names) <= 3 else 2 if len(names) == 4 else 3
    return [names[i:i + columns] for i in range(0, len(names), columns)]


def panel_names(view: View, layout: str, panels: tuple[str, ...] = (), columns: int | None = None,
                aspect: float = 16 / 9) -> list[list[str]]:
    """Rows of panel names for a layout (or a free list of panels) and a trace, in a frame of
    width / height `aspect`."""
    if panels:
        rows = arrange(list(panels), columns)
    elif layout == "1d":
        if view.data_dim != 1:
            raise GananimError(f"layout '1d' needs 1-D data; this trace's data has {view.data_dim} dimensions")
        linear_g = PANELS["weight_bias"].unavailable(view) is None
        rows = [["line1d"], ["weight_bias" if linear_g else "d_means", "curves"]]
    elif layout == "digits":
        if not view.image:
            raise GananimError("layout 'digits' needs an image scene (target 'digits' or 'digits16')")
        rows = LAYOUT_DIGITS if aspect >= 1.5 else LAYOUT_DIGITS_NARROW
    elif layout in LAYOUTS_2D:
        if view.image:
            raise GananimError(f"layout {layout!r} draws 2-D data; use --layout digits for image scenes")
        if view.data_dim != 2 or view.latent_dim < 2:
            raise GananimError(f"layout {layout!r} needs 2-D data and a latent space of at least 2 dimensions; "
                               "use --layout 1d for 1-D problems")
        rows = LAYOUTS_2D[layout]
    else:
        raise GananimError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    for name in (n for row in rows for n in row):
        if name not in PANELS:
            raise GananimError(f"unknown panel {name!r}; choose from {', '.join(PANELS)}")
        reason = PANELS[name].unavailable(view)
        if reason:
            raise GananimError(f"panel {name!r} {reason}")
    return rows


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


def sheet_size(panel: str, columns: int, rows: int, tile_px: int = 380, dpi: float = 100.0) -> tuple[int, int]:
    """Pixel size of a contact sheet whose square tiles fill their cells exactly."""
    cls = PANELS[panel]
    side = tile_px / dpi - MARGIN_IN["left"] - MARGIN_IN["right"] - cls.right_in
    row = (side if cls.square else 0.75 * tile_px / dpi) + MARGIN_IN["top"] + MARGIN_IN["bottom"]
    height = HEADER_IN + FOOTER_IN + rows * row
    return columns * tile_px, int(round(height * dpi / 2) * 2)


def legible_pt(fig: Figure) -> float:
    """The smallest font size, in points, that stays legible in this frame: 8 px tall in frames
    under 720 px, 10 px from 720 px up."""
    return (8.0 if min(fig.canvas.get_width_height()) < 720 else 10.0) * 72 / fig.dpi


def _tick_label_px(axis, fontsize_px: float) -> float:
    """A tick label's extent along its axis: its width for x, its height for y."""
    if axis.axis_name == "y":
        return 1.3 * fontsize_px
    low, high = axis.get_view_interval()
    digits = max(len(f"{v:,.6g}") for v in (low, high, (low + high) / 2))
    return 0.62 * fontsize_px * (digits + 1)


def fit_ticks(fig: Figure) -> None:
    """Tick density that follows each axis's length in pixels: labels never run together."""
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        box = ax.get_window_extent(renderer)
        for axis, length in ((ax.xaxis, box.width), (ax.yaxis, box.height)):
            locator = axis.get_major_locator()
            if not isinstance(locator, (MaxNLocator, AutoLocator)) or not axis.get_visible():
                continue
            labels = [t for t in axis.get_ticklabels() if t.get_visible()]
            size_px = (labels[0].get_fontsize() if labels else 10) * fig.dpi / 72
            room = _tick_label_px(axis, size_px) * 1.5
            nbins = max(1, min(8, int(length / room)))
            axis.set_major_locator(MaxNLocator(nbins, steps=[1, 2, 2.5, 5, 10], min_n_ticks=2))


def fit_titles(fig: Figure) -> None:
    """Panel titles no wider than their axes (a colour bar's label may stand beside them)."""
    renderer = fig.canvas.get_renderer()
    smallest = legible_pt(fig)
    for ax in fig.axes:
        title = ax._left_title
        if title.get_text():
            fit_text(title, ax.get_window_extent(renderer).width, smallest)


def fit_text(text, max_width_px: float, min_size: float) -> None:
    """Shrink a text artist until it fits, then shorten it with an ellipsis. Bounded work
    whatever the text's length: the size and the kept length are found by bisection."""
    renderer = text.figure.canvas.get_renderer()

    def fits() -> bool:
        return text.get_window_extent(renderer).width <= max_width_px

    # No glyph is narrower than a fifth of an em, so no more characters than this can show.
    visible = int(max_width_px / (0.2 * min_size * text.figure.dpi / 72)) + 1
    if len(text.get_text()) > visible:
        text.set_text(text.get_text()[:visible])
    if fits():
        return
    low, high = min_size, text.get_fontsize()  # the largest size in half-points that fits
    text.set_fontsize(low)
    if fits():
        while high - low > 0.5:
            middle = round((low + high)) / 2
            text.set_fontsize(middle)
            low, high = (middle, high) if fits() else (low, middle)
        text.set_fontsize(low)
        return
    full = text.get_text()
    shortest, longest = 4, len(full)  # the most characters (before the ellipsis) that fit
    while longest - shortest > 1:
        middle = (shortest + longest) // 2
        text.set_text(full[:middle].rstrip() + "…")
        shortest, longest = (middle, longest) if fits() else (shortest, middle)
    text.set_text(full[:shortest].rstrip() + "…")


def build(view: View, layout: str, size: tuple[int, int], dpi: float, title: str,
          panels: tuple[str, ...] = (), theme_name: str = "light", columns: int | None = None):
    """The figure, its panels and the header artists that change per frame (step counter, caption)."""
    theme = THEMES[theme_name]
    with matplotlib.rc_context(theme.rc()):
        return _build(view, layout, size, dpi, title, panels, theme, columns)


def _build(view, layout, size, dpi, title, panels, theme, columns):
    width, height = size
    dpi = dpi or auto_dpi(width, height)
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor=theme.background)
    FigureCanvasAgg(fig)
    width_in, height_in = fig.get_size_inches()
    rows = panel_names(view, layout, panels, columns, width / height)
    row_h = (height_in - HEADER_IN - FOOTER_IN) / len(rows)
    built = []
    per_row = max(len(row) for row in rows) if panels else None  # a free list keeps its columns aligned
    for r, row in enumerate(rows):
        cell_w = width_in / (per_row or len(row))
        for c, name in enumerate(row):
            cell = (c * cell_w, FOOTER_IN + (len(rows) - 1 - r) * row_h, cell_w, row_h)
            ax = fig.add_axes(_place(fig, cell, PANELS[name]))
            built.append(PANELS[name](ax, view, theme))
    top = 1 - EDGE_IN / height_in
    counter = fig.text(1 - EDGE_IN / width_in, top, f"step {view.trace.meta['planned_steps']:,} / "
                       f"{view.trace.meta['planned_steps']:,}", ha="right", va="top", fontsize="large",
                       color=theme.text, fontfamily="DejaVu Sans Mono")
    counter_px = counter.get_window_extent(fig.canvas.get_renderer()).width
    counter.set_text("")
    counter.set_animated(True)
    heading = fig.text(EDGE_IN / width_in, top, title, ha="left", va="top", fontsize="large", fontweight="bold",
                       color=theme.text)
    fit_text(heading, width - counter_px - 3 * EDGE_IN * dpi, max(8, legible_pt(fig)))
    sub = fig.text(EDGE_IN / width_in, top - 0.27 / height_in, subtitle(view), ha="left", va="top",
                   fontsize="small", color=theme.muted)
    fit_text(sub, width - 2 * EDGE_IN * dpi, legible_pt(fig))
    caption = fig.text(EDGE_IN / width_in, 0.06 / height_in, "", ha="left", va="bottom", fontsize="small",
                       fontweight="bold", color=CAPTION, animated=True)
    fit_ticks(fig)
    fit_titles(fig)
    return fig, built, counter, caption


def subtitle(view: View) -> str:
    s = view.scene

    def opt(o) -> str:
        extra = f", β1 {o.betas[0]:g}" if o.name == "adam" else ""
        return f"{o.name} {o.lr:g}{extra}"

    return (f"loss {s.loss} · G {view.g.describe()} ({opt(s.opt_g)}) · D {view.d.describe()} ({opt(s.opt_d)}) "
            f"· batch {s.batch} · seed {s.seed}")
