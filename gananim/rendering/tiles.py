"""A sweep's animation: one tile per run, synchronised by step, and a summary strip.

Each tile draws one run (a grid point, or one seed of it) with a compact panel — D's field
with the samples for 2-D data, the 1-D picture for 1-D data — or, for one or two runs, a
fuller column of panels. Tiles share axis limits and the colour scale, so they compare at a
glance; the strip below plots one metric for every run over the steps, with a cursor.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from gananim import devices
from gananim.analysis.digit_scores import IMAGE_METRICS
from gananim.analysis.frames import FrameBlock, View
from gananim.analysis.metrics import LABELS
from gananim.errors import GananimError
from gananim.rendering.layout import (
    EDGE_IN,
    FOOTER_IN,
    HEADER_IN,
    MARGIN_IN,
    _place,
    auto_dpi,
    fit_text,
    fit_ticks,
    legible_pt,
)
from gananim.rendering.panels import PANELS
from gananim.rendering.panels.base import THEMES, Panel
from gananim.rendering.renderer import BlittedFigure
from gananim.trace import Trace

STRIP = 0.2  # the summary strip's least share of the frame's height
TILE_MARGIN_W = MARGIN_IN["left"] + MARGIN_IN["right"]
TILE_MARGIN_H = MARGIN_IN["top"] + MARGIN_IN["bottom"]
INNER_BOTTOM_IN = 0.08  # under a tile with another below it: no tick labels there
TILE_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
               "#1f78b4", "#b15928"]


@dataclass
class Tile:
    trace: Trace
    run: int
    label: str


class Summary(Panel):
    """One metric per run over the steps, in the tiles' colours."""

    def __init__(self, ax, views: list[View], labels: list[str], metric: str, theme, fraction: bool = False) -> None:
        """`fraction` plots each run against its share of training instead of the step."""
        super().__init__(ax, views[0], theme)
        self.curves = []
        for i, (view, label) in enumerate(zip(views, labels)):
            steps = np.union1d(view.spread_steps(100), view.frame_steps)
            values = []
            if metric in view.trace.scalar_names:  # recorded while training (image scores)
                recorded = view.series(metric)[0]
                values = recorded[np.clip(steps, 1, len(recorded)) - 1]
            for start in range(0, len(steps), 64) if not len(values) else ():
                values += [v[metric] for v in FrameBlock(view, steps[start:start + 64]).metric_values]
            color = TILE_COLORS[i % len(TILE_COLORS)]
            x = steps / view.trace.param_steps[-1] if fraction else steps
            ax.plot(x, values, color=color, lw=1.3, label=label)
            dot = self.animate(ax.plot([], [], "o", color=color, ms=3.5)[0])
            self.curves.append((x, np.asarray(values), dot))
        ax.set_xlim(*((0, 1) if fraction else views[0].span))
        if metric == "fid":
            ax.set_yscale("log")
        ax.set_ylabel(LABELS[metric], fontsize="small")
        ax.set_xlabel("share of training" if fraction else "step")
        if fraction:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        if len(views) <= 10:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
        self.cursor = self.animate(ax.axvline(views[0].span[0], color=theme.muted, lw=0.9))

    def update_step(self, x: float) -> None:
        """Move the cursor to a step (or a share of training)."""
        self.cursor.set_xdata([x, x])
        for xs, values, dot in self.curves:
            i = int(np.clip(np.searchsorted(xs, x), 0, len(xs) - 1))
            dot.set_data([xs[i]], [values[i]])


def abbreviated(label: str) -> str:
    """A tile label with each setting named by its last part: "opt_*.lr 0.001" → "lr 0.001"."""
    return re.sub(r"(?<![\w.])[A-Za-z_][\w*]*\.(?=[A-Za-z_])", "", label)


def values_only(label: str) -> str:
    """A tile label's values without their settings' names (the heading names them, in order)."""
    return " · ".join(part.split(" ", 1)[-1] for part in label.split(" · "))


def fit_labels(labels: list, min_size: float) -> None:
    """The tiles' labels (text, width in pixels) within their widths, all in one form: full,
    settings abbreviated, or values alone — the first that every label fits — then shrunk
    and shortened where they still do not."""
    if not labels:
        return
    renderer = labels[0][0].figure.canvas.get_renderer()
    originals = [text.get_text() for text, _ in labels]
    for form in (str, abbreviated, lambda label: values_only(abbreviated(label))):
        for (text, _), original in zip(labels, originals):
            text.set_text(form(original))
        if all(text.get_window_extent(renderer).width <= room for text, room in labels):
            break
    for text, room in labels:
        fit_text(text, room, min_size)


def _thin_labels(panel: Panel, first_col: bool, last_col: bool, bottom: bool, last_panel: bool) -> None:
    """Axis labels only on the grid's outer edges: every tile has the same axes."""
    twins = [getattr(panel, name) for name in ("g_ax", "acc_ax", "twin") if hasattr(panel, name)]
    if not first_col:
        panel.ax.set_ylabel("")
    if not last_col:
        for twin in twins:
            twin.set_ylabel("")
    if not (bottom and last_panel):
        panel.ax.set_xlabel("")


def _grid(n: int, width_in: float, height_in: float, stacked: int, right_in: float,
          bar_in: float = 0.0) -> tuple[int, int, float]:
    """Columns, rows and axes side that give n square tiles (each `stacked` panels tall) the most
    room; every tile needs `right_in` beside it, and the last column also the shared `bar_in`."""
    best = (1, n, 0.0)
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        side = min((width_in - bar_in) / cols - TILE_MARGIN_W - right_in,
                   height_in / (rows * stacked) - TILE_MARGIN_H)
        if side > best[2]:
            best = (cols, rows, side)
    return best


class TiledRenderer(BlittedFigure):
    """Frames of a sweep: every tile moved to the same step, drawn by blitting."""

    def __init__(self, tiles: list[Tile], steps: np.ndarray, span: tuple[int, int], opts, title: str,
                 metric: str | None, subtitle: str = "", sync: str = "step", share: bool = True) -> None:
        """`sync` "step" shows every tile at the same step (a shorter run holds its last
        frame); "fraction" at the same share of its own training. `share` gives every tile
        the same axis limits and colour range (for data that agree)."""
        self.tiles, self.steps, self.opts, self.sync = tiles, np.asarray(steps), opts, sync
        self.own_colour_ranges = False
        self.last = max(int(t.trace.param_steps[-1]) for t in tiles)
        self.views = [View(t.trace, span if sync == "step" else (0, int(t.trace.param_steps[-1])), opts.grid, t.run,
                           opts.networks, opts.precision, devices.resolve(opts.device)) for t in tiles]
        if share:
            self._share_scales()
        for view in self.views:
            view.frame_steps = self._snap(view)
        data_1d, images = self.views[0].data_dim == 1, bool(self.views[0].image)
        self.metric = metric or ("fid" if images else "dense_modes" if all(v.modes is not None for v in self.views)
                                 else "sliced_w1")
        if images != (self.metric in IMAGE_METRICS):
            raise GananimError(f"--metric {self.metric} " + ("does not apply to images; image sweeps take fid or classes"
                                                             if images else "needs an image scene (target 'digits')"))
        full = self.full = len(tiles) <= 2
        picture = "digit_grid" if images else "line1d" if data_1d else "sample_field"
        tile_panels = [picture, "curves"] if full else [picture]
        theme = THEMES[opts.theme]
        with matplotlib.rc_context(theme.rc()):
            self._build(tile_panels, title, subtitle, theme)
        self._blocks: dict[int, tuple[int, list[FrameBlock]]] = {}

    def _share_scales(self) -> None:
        """One set of axis limits and one colour range for every tile."""
        views = self.views
        if any(v.image for v in views):  # pixels have one scale already
            return
        xs = [v.xlim for v in views]
        xlim = (min(x[0] for x in xs), max(x[1] for x in xs))
        ys = [v.ylim for v in views if v.ylim]
        ylim = (min(y[0] for y in ys), max(y[1] for y in ys)) if ys else None
        for v in views:
            v.xlim, v.ylim = xlim, ylim
        # D's outputs share a colour range only when they measure the same thing: a critic's
        # score and a probability do not, and each tile then keeps its own range (see _build).
        self.own_colour_ranges = len({v.shown_label for v in views}) > 1
        if not self.own_colour_ranges:
            shown = [v.shown_range for v in views]
            shown_range = (min(s[0] for s in shown), max(s[1] for s in shown))
            for v in views:
                v.shown_range = shown_range

    def _snap(self, view: View) -> np.ndarray:
        """Each frame's step in this tile's trace: the nearest recorded one."""
        recorded = view.trace.param_steps
        wanted = self.steps if self.sync == "step" else self.steps / self.last * recorded[-1]
        idx = np.clip(np.searchsorted(recorded, wanted), 0, len(recorded) - 1)
        left = np.clip(idx - 1, 0, len(recorded) - 1)
        nearer_left = np.abs(recorded[left] - wanted) <= np.abs(recorded[idx] - wanted)
        return np.where(nearer_left, recorded[left], recorded[idx])

    def _build(self, tile_panels: list[str], title: str, subtitle: str, theme) -> None:
        width, height = self.opts.size
        dpi = self.opts.dpi or auto_dpi(width, height)
        fig = self.fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor=theme.background)
        FigureCanvasAgg(fig)
        width_in, height_in = fig.get_size_inches()
        per_tile = len(tile_panels)
        room = height_in - HEADER_IN - FOOTER_IN - STRIP * height_in
        picture = PANELS[tile_panels[0]]
        bar_in = picture.right_in if picture.colour_bar else 0.0  # one colour bar, by the first row's last tile
        cols, rows, side = _grid(len(self.tiles), width_in, room, per_tile, picture.right_in - bar_in, bar_in)
        # Every tile shares its axes' scales, so rows above the last show no x tick labels and
        # stand closer: only the bottom row keeps the full room under its last panel.
        saved = MARGIN_IN["bottom"] - INNER_BOTTOM_IN
        panel_h = side + TILE_MARGIN_H
        body_h = rows * per_tile * panel_h - (rows - 1) * saved  # the tiles take what they need; the strip the rest
        strip_in = height_in - HEADER_IN - FOOTER_IN - body_h
        cell_w = (width_in - bar_in) / cols
        bar_tile = min(cols, len(self.tiles)) - 1
        full = self.full
        self.panels: list[list[Panel]] = []
        labels = []
        for i, (tile, view) in enumerate(zip(self.tiles, self.views)):
            r, c = divmod(i, cols)
            top = height_in - HEADER_IN - r * (per_tile * panel_h - saved)
            inner = r < rows - 1 and i + cols < len(self.tiles)  # another tile stands below this one
            panels = []
            for j, name in enumerate(tile_panels):
                last = j == per_tile - 1
                h = panel_h - saved if last and inner else panel_h
                keeps_bar = PANELS[name].colour_bar and i == bar_tile
                cell = (c * cell_w, top - j * panel_h - h, cell_w + (bar_in if keeps_bar else 0.0), h)
                right = None if keeps_bar or not PANELS[name].colour_bar else 0.0
                ax = fig.add_axes(_place(fig, cell, PANELS[name], INNER_BOTTOM_IN if last and inner else
                                         MARGIN_IN["bottom"], right_in=right))
                if last and inner:
                    ax.tick_params(labelbottom=False)
                panel = PANELS[name](ax, view, theme)
                ax.set_title("", loc="left")
                if j == 0:
                    label = ax.text(0.0, 1.02, tile.label, transform=ax.transAxes, fontsize="small",
                                    color=TILE_COLORS[i % len(TILE_COLORS)], fontweight="bold", va="bottom")
                    # up to where the next tile's tick labels begin, or the colour bar the last tile keeps
                    room = (cell_w - 2 * MARGIN_IN["left"] + 0.15 - (0.0 if right == 0.0 else PANELS[name].right_in)) * dpi
                    if ax.child_axes and keeps_bar:
                        ax.apply_aspect()
                        room = ax.get_position().width * width
                    labels.append((label, room))
                if ax.get_legend() and (i or not full):  # small tiles: their title says what is drawn
                    ax.get_legend().remove()
                _thin_labels(panel, first_col=c == 0, last_col=c == cols - 1 or i == len(self.tiles) - 1,
                             bottom=r == rows - 1 or i + cols >= len(self.tiles), last_panel=j == per_tile - 1)
                for child in list(ax.child_axes) if not keeps_bar else ():
                    child.remove()  # one colour bar serves every tile
                if keeps_bar and self.own_colour_ranges and ax.child_axes:
                    _verdict_bar(ax.child_axes[0], view)
                panels.append(panel)
            self.panels.append(panels)
        fit_labels(labels, legible_pt(fig))
        # The strip has nothing above its axes: it reaches into the room under the tiles' x labels.
        strip_cell = (0, FOOTER_IN, width_in * 0.78, strip_in + 0.1)  # the legend takes the rest
        ax = fig.add_axes(_place(fig, strip_cell, Panel))
        self.summary = Summary(ax, self.views, [t.label for t in self.tiles], self.metric, theme,
                               fraction=self.sync == "fraction")
        top = 1 - EDGE_IN / height_in
        heading = fig.text(EDGE_IN / width_in, top, title, ha="left", va="top", fontsize="large",
                           fontweight="bold", color=theme.text)
        self.counter = fig.text(1 - EDGE_IN / width_in, top, "", ha="right", va="top", fontsize="large",
                                color=theme.text, fontfamily="DejaVu Sans Mono", animated=True)
        fit_text(heading, width * 0.7, max(8, legible_pt(fig)))
        sub = fig.text(EDGE_IN / width_in, top - 0.27 / height_in, subtitle, ha="left", va="top",
                       fontsize="small", color=theme.muted)
        fit_text(sub, width - 2 * EDGE_IN * dpi, legible_pt(fig))
        fit_ticks(fig)
        legend = self.summary.ax.get_legend()
        if legend is not None:  # beside the strip, or not at all: the tile labels carry the same colours
            renderer = fig.canvas.get_renderer()
            for text in legend.get_texts():
                text.set_fontsize(legible_pt(fig))
            fit_labels([(text, 0.2 * width) for text in legend.get_texts()], legible_pt(fig))
            if legend.get_window_extent(renderer).x1 > width - EDGE_IN * dpi:
                legend.remove()
        self.animated = [a for panels in self.panels for p in panels for a in p.animated] + \
            self.summary.animated + [self.counter]

    def _block(self, i: int) -> tuple[int, list[FrameBlock]]:
        size = 4
        start = (i // size) * size
        if start not in self._blocks:
            self._blocks = {start: (start, [FrameBlock(v, v.frame_steps[start:start + size]) for v in self.views])}
        return self._blocks[start]

    def update(self, i: int) -> list:
        start, blocks = self._block(i)
        for panels, block in zip(self.panels, blocks):
            for panel in panels:
                panel.update(block, i - start)
        step = int(self.steps[i])
        self.summary.update_step(step if self.sync == "step" else step / self.last)
        self.counter.set_text(f"step {step:,}" if self.sync == "step" else f"{step / self.last:.0%} of training")
        return self.animated



def render_sweep(tiles: list[Tile], out, opts, title: str, metric: str | None, show_progress: bool = True,
                 sync: str = "step", share: bool = True) -> dict:
    """Write a tiled animation (a sweep, or `gananim compare`): frames follow the longest
    tile's trace; `sync` and `share` as TiledRenderer takes them."""
    from pathlib import Path

    from gananim.rendering.layout import subtitle
    from gananim.rendering.renderer import check_video, encode_frames, plan_steps, step_range, workers_for

    base = max((t.trace for t in tiles), key=lambda trace: int(trace.param_steps[-1]))
    opts.run = 0  # each tile names its own run
    opts.size = opts.size or (1280, 720)
    opts = opts.resolved(base)
    out = Path(out)
    if out.suffix != ".png":
        check_video(out, opts)
    span = step_range(base, opts.start, opts.stop)
    for trace in {id(t.trace): t.trace for t in tiles}.values():  # keyframe traces replay here, once
        trace.prefetch(0, min(span[1], int(trace.param_steps[-1])))
    steps = plan_steps(base, opts, span)
    opts.workers = workers_for(len(steps), opts.workers if opts.device == "cpu" else 1)  # one process drives a GPU
    sub = ("first run: " + subtitle(View(tiles[0].trace, span, 8, 0, opts.networks))) if share else \
        "each tile on its own scales: their data differ"

    def make():
        return TiledRenderer(tiles, steps, span, opts, title, metric, sub, sync, share)

    if out.suffix == ".png":  # one picture for a slide: the last frame
        from gananim.rendering.encode import write_png
        renderer = make()
        write_png(out, np.asarray(list(renderer.frames(len(steps) - 1))[-1]))
        return {"path": out, "frames": 1, "size": tuple(opts.size), "tiles": len(tiles)}

    encode_frames(make, len(steps), out, opts, show_progress)
    return {"path": out, "frames": len(steps), "size": tuple(opts.size), "tiles": len(tiles), "steps": steps,
            "options": opts, "title": title}


def _verdict_bar(bar, view: View) -> None:
    """The one colour bar of tiles whose D outputs have different scales (a probability beside
    a critic's score): it says what the colours mean, from each tile's own range, not numbers."""
    lo, hi = view.shown_range
    bar.set_yticks([lo, 0.5 * (lo + hi), hi], ["fake", "unsure", "real"])
    bar.set_ylabel("D's verdict, each tile on its own scale", fontsize="small", labelpad=2)
