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
SHEET_FOOTER_IN = 0.06  # contact sheets have no caption
SHEET_HEADER_IN = HEADER_IN - 0.1  # nor a step counter beside the title
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
    "wide_narrow": [["curves", "samples"], ["sample_field", "latent_field"], ["metrics", "manifold"]],
    "square": [["sample_field", "manifold"], ["curves", "metrics"]],  # blogs
}
# Frames narrower than 3:2 get the wide layout's six panels in three rows of two.
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
        rows = LAYOUTS_2D["wide_narrow" if layout == "wide" and aspect < 1.5 else layout]
        if layout == "wide" and view.modes is not None:  # a mixture: where G's mass sits, by mode
            rows = [["mode_bars" if name == "latent_field" else name for name in row] for row in rows]
    else:
        raise GananimError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    for name in (n for row in rows for n in row):
        if name not in PANELS:
            raise GananimError(f"unknown panel {name!r}; choose from {', '.join(PANELS)}")
        reason = PANELS[name].unavailable(view)
        if reason:
            raise GananimError(f"panel {name!r} {reason}")
    return rows


def _cells(rows: list[list[str]], width_in: float, body_in: float, aligned: bool):
    """(panel name, cell (x, y, w, h) in inches) for every panel, row by row from the top.

    A free list of panels (`aligned`) keeps equal cells, so its columns line up. Named
    layouts are packed: a square panel takes the room its side needs, and panels that are
    not square share what is left of their row — and rows holding such panels share the
    height that rows of square panels leave; only where nothing can stretch does the room
    spread evenly between and around the panels. No wide empty band opens at any shape."""
    vertical = MARGIN_IN["top"] + MARGIN_IN["bottom"]
    horizontal = MARGIN_IN["left"] + MARGIN_IN["right"]
    row_h = body_in / len(rows)
    per_row = max(len(row) for row in rows)
    if aligned:
        return [(name, (c * width_in / per_row, FOOTER_IN + (len(rows) - 1 - r) * row_h, width_in / per_row, row_h))
                for r, row in enumerate(rows) for c, name in enumerate(row)]
    sides, heights = [], []
    for row in rows:
        cell_w = width_in / len(row)
        side = min([row_h - vertical] + [cell_w - horizontal - PANELS[n].right_in for n in row if PANELS[n].square])
        sides.append(side)
        heights.append(side + vertical if all(PANELS[n].square for n in row) else None)
    stretching = heights.count(None)  # rows with a panel that is not square take the height left over
    spare_v = body_in - sum(h for h in heights if h is not None)
    heights = [spare_v / stretching if h is None else h for h in heights] if stretching else heights
    gap_v = 0.0 if stretching else max(0.0, spare_v) / (len(rows) + 1)
    cells, top = [], FOOTER_IN + body_in
    for row, side, h in zip(rows, sides, heights):
        top -= gap_v + h
        widths = [side + horizontal + PANELS[n].right_in if PANELS[n].square else None for n in row]
        spare = width_in - sum(w for w in widths if w is not None)
        flexible = widths.count(None)
        widths = [spare / flexible if w is None else w for w in widths] if flexible else widths
        gap_h = 0.0 if flexible else max(0.0, spare) / (len(row) + 1)
        x = gap_h
        for name, w in zip(row, widths):
            cells.append((name, (x, top, w, h)))
            x += w + gap_h
    return cells


def _place(fig: Figure, cell: tuple[float, float, float, float], panel_cls,
           bottom_in: float = MARGIN_IN["bottom"], right_in: float | None = None,
           left_in: float = MARGIN_IN["left"]) -> tuple[float, ...]:
    """The axes rectangle (figure fractions) for a panel in a cell given in inches; `bottom_in`
    is the room under the axes (less for axes whose tick labels are hidden), `right_in` the
    room right of them (the panel's own by default: a colour bar's, a twin axis's)."""
    x, y, w, h = cell
    width_in, height_in = fig.get_size_inches()
    avail_w = w - left_in - MARGIN_IN["right"] - (panel_cls.right_in if right_in is None else right_in)
    avail_h = h - bottom_in - MARGIN_IN["top"]
    ax_x, ax_y, ax_w, ax_h = x + left_in, y + bottom_in, avail_w, avail_h
    if panel_cls.square:
        side = min(avail_w, avail_h)
        ax_x += (avail_w - side) / 2
        ax_y += avail_h - side  # keep the tops of a row aligned
        ax_w = ax_h = side
    if ax_w <= 0.2 or ax_h <= 0.2:
        raise GananimError("the frame is too small for this layout; use a larger --size or a smaller --dpi")
    return ax_x / width_in, ax_y / height_in, ax_w / width_in, ax_h / height_in


def sheet_size(panel: str, columns: int, rows: int, tile_px: int = 380, dpi: float = 100.0) -> tuple[int, int]:
    """Pixel size of a contact sheet whose square tiles fill it exactly (one colour bar, at the right)."""
    cls = PANELS[panel]
    side = tile_px / dpi - cls.left_in - MARGIN_IN["right"] - cls.right_in
    row = (side if cls.square else 0.75 * tile_px / dpi) + MARGIN_IN["top"] + cls.bottom_in
    width = columns * (side + cls.left_in + MARGIN_IN["right"]) + cls.right_in * _right_rooms(cls, columns)
    height = SHEET_HEADER_IN + SHEET_FOOTER_IN + rows * row
    return int(round(width * dpi / 2) * 2), int(round(height * dpi / 2) * 2)


def _right_rooms(cls, columns: int) -> int:
    """How many of a sheet's columns need the panel's room on the right: one for a shared
    colour bar, every column for a twin axis."""
    return 1 if cls.colour_bar else columns


def sheet_columns(count: int, size: tuple[int, int], dpi: float, panel: str) -> int:
    """Columns for a contact sheet of `count` tiles in a frame of `size`: the largest tiles."""
    cls = PANELS[panel]
    width_in, height_in = size[0] / dpi, size[1] / dpi - SHEET_HEADER_IN - SHEET_FOOTER_IN
    horizontal, vertical = cls.left_in + MARGIN_IN["right"], MARGIN_IN["top"] + cls.bottom_in
    return max(range(1, min(count, 4) + 1), key=lambda c: min((width_in - cls.right_in * _right_rooms(cls, c)) / c
                                                            - horizontal, height_in / -(-count // c) - vertical))


def sheet_tile_px(count: int, columns: int, size: tuple[int, int], dpi: float, panel: str) -> float:
    """The tile width (as sheet_size counts it) of the largest tiles that fit `size`."""
    cls = PANELS[panel]
    horizontal, vertical = cls.left_in + MARGIN_IN["right"], MARGIN_IN["top"] + cls.bottom_in
    height_in = size[1] / dpi - SHEET_HEADER_IN - SHEET_FOOTER_IN
    row_in = height_in / -(-count // columns)
    by_width = (size[0] / dpi - cls.right_in * _right_rooms(cls, columns)) / columns - horizontal
    if cls.square:
        return (min(by_width, row_in - vertical) + horizontal + cls.right_in) * dpi
    # sheet_size gives a panel that is not square 3/4 of its tile's width in height
    return min((by_width + horizontal + cls.right_in) * dpi, (row_in - vertical) / 0.75 * dpi)


def _sheet_cells(rows: list[list[str]], width_in: float, body_in: float):
    """A contact sheet's cells: a grid of equal square tiles, the shared colour bar's room only
    beside the last column, the room left over spread evenly between and around the tiles."""
    cls = PANELS[rows[0][0]]
    columns = len(rows[0])
    horizontal, vertical = cls.left_in + MARGIN_IN["right"], MARGIN_IN["top"] + cls.bottom_in
    rooms = [cls.right_in if c == columns - 1 or not cls.colour_bar else 0.0 for c in range(columns)]
    side = min((width_in - sum(rooms)) / columns - horizontal, body_in / len(rows) - vertical)
    if not cls.square:  # as tall as sheet_size makes it
        side = min(side, (body_in / len(rows) - vertical) / 0.75 - horizontal - cls.right_in)
    widths = [side + horizontal + room for room in rooms]
    gap_h = max(0.0, width_in - sum(widths)) / (columns + 1)
    row_h = (side if cls.square else 0.75 * (side + horizontal + cls.right_in)) + vertical
    gap_v = max(0.0, body_in - len(rows) * row_h) / (len(rows) + 1)
    cells, top = [], SHEET_FOOTER_IN + body_in
    for row in rows:
        top -= gap_v + row_h
        x = gap_h
        for c, name in enumerate(row):
            cells.append((name, (x, top, widths[c], row_h)))
            x += widths[c] + gap_h
    return cells


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
            locator.set_params(nbins=nbins, steps=[1, 2, 2.5, 5, 10], min_n_ticks=2)  # keeps a UnitsLocator's units


def fit_legends(fig: Figure) -> None:
    """A legend above its axes stays within their width: in a smaller font down to the
    legible size, then, with three entries or more, in two rows, else inside the axes."""
    renderer = fig.canvas.get_renderer()
    smallest = legible_pt(fig)
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        if legend.get_bbox_to_anchor() is ax.bbox:  # inside the axes: one column, if it must, within their width
            _fit_inside(legend, ax, renderer, smallest)
            continue
        if legend._loc != 3:
            continue
        ax.apply_aspect()
        room = ax.get_position().width * fig.bbox.width * 1.02

        def fits() -> bool:
            return legend.get_window_extent(renderer).width <= room

        while not fits() and legend.get_texts()[0].get_fontsize() > smallest + 0.01:
            for text in legend.get_texts():
                text.set_fontsize(max(smallest, text.get_fontsize() - 0.5))
        entries = len(legend.get_texts())
        if not fits() and entries >= 3:  # rebuilt: a legend lays out its columns only when made
            legend = _rebuilt_legend(ax, legend, ncols=-(-entries // 2), loc="lower left", bbox_to_anchor=(-0.02, 1.0))
        if not fits():  # a panel too narrow for its legend above it keeps it in its corner
            legend = _rebuilt_legend(ax, legend, ncols=1, loc="upper left", framealpha=0.8, frameon=True,
                                     edgecolor="none", facecolor=ax.get_facecolor())


def _fit_inside(legend, ax, renderer, smallest: float) -> None:
    ax.apply_aspect()
    room = ax.get_position().width * ax.figure.bbox.width
    if legend.get_window_extent(renderer).width <= room:
        return
    for text in legend.get_texts():
        text.set_fontsize(smallest)
    legend = _rebuilt_legend(ax, legend, ncols=1, loc=legend._loc)


def _rebuilt_legend(ax, legend, **changes):
    kwargs = dict(frameon=False, fontsize=legend.get_texts()[0].get_fontsize(), handlelength=1.4, columnspacing=1.0,
                  borderaxespad=0.2, markerscale=legend.markerscale)
    return ax.legend(legend.legend_handles, [text.get_text() for text in legend.get_texts()], **{**kwargs, **changes})


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
          panels: tuple[str, ...] = (), theme_name: str = "light", columns: int | None = None, sheet: bool = False):
    """The figure, its panels and the header artists that change per frame (step counter, caption).
    `sheet` lays the panels out as a contact sheet's grid of equal tiles, without a caption."""
    theme = THEMES[theme_name]
    with matplotlib.rc_context(theme.rc()):
        return _build(view, layout, size, dpi, title, panels, theme, columns, sheet)


def _build(view, layout, size, dpi, title, panels, theme, columns, sheet):
    width, height = size
    dpi = dpi or auto_dpi(width, height)
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor=theme.background)
    FigureCanvasAgg(fig)
    width_in, height_in = fig.get_size_inches()
    rows = panel_names(view, layout, panels, columns, width / height)
    built = []
    cells = _sheet_cells(rows, width_in, height_in - SHEET_HEADER_IN - SHEET_FOOTER_IN) if sheet else \
        _cells(rows, width_in, height_in - HEADER_IN - FOOTER_IN, aligned=bool(panels))
    columns = len(rows[0])
    for i, (name, cell) in enumerate(cells):
        shared_bar = sheet and PANELS[name].colour_bar and i % columns != columns - 1  # by the last column only
        room = dict(bottom_in=PANELS[name].bottom_in, left_in=PANELS[name].left_in) if sheet else {}
        ax = fig.add_axes(_place(fig, cell, PANELS[name], right_in=0.0 if shared_bar else None, **room))
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
    fit_legends(fig)
    return fig, built, counter, caption


def subtitle(view: View) -> str:
    s = view.scene

    def opt(o) -> str:
        extra = f", β1 {o.betas[0]:g}" if o.name == "adam" else ""
        return f"{o.name} {o.lr:g}{extra}"

    return (f"loss {s.loss} · G {view.g.describe()} ({opt(s.opt_g)}) · D {view.d.describe()} ({opt(s.opt_d)}) "
            f"· batch {s.batch} · seed {s.seed}")
