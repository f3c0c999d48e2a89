"""Trace -> frames: choose the frames' steps, draw them fast, hand them to an encoder.

Static parts of the figure are drawn once and restored for every frame (blitting into the
Agg canvas); only the artists that change are redrawn, and the D fields for a block of
frames are evaluated in one batched call. `animate` builds a FuncAnimation from the same
panels for notebooks.
"""
from __future__ import annotations

import io
import os
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.animation import FuncAnimation

from gananim import devices
from gananim.analysis import phases
from gananim.analysis.frames import FrameBlock, View
from gananim.config.scene import check_render_counts, check_size
from gananim.errors import GananimError
from gananim.forked import run_forked
from gananim.progress import console, render_bar
from gananim.rendering import captions as captions_mod
from gananim.rendering import encode, layout
from gananim.rendering.layout import WIDE_SIZE, fit_text, legible_pt
from gananim.rendering.panels.base import THEMES
from gananim.rendering.panels.heatmaps import Heatmap
from gananim.rendering.timeline import TIMELINES, frame_steps
from gananim.trace import Trace

FIELD_FLOATS = 2_500_000  # activations per block of frames: small enough to stay in cache


@dataclass
class RenderOptions:
    """How to draw a trace. None means: take it from the scene's render defaults."""

    frames: int | None = None
    fps: int | None = None
    size: tuple[int, int] | None = None
    dpi: float | None = None
    grid: int | None = None
    start: int | None = None
    stop: int | None = None
    layout: str | None = None
    panels: tuple[str, ...] | None = None
    theme: str | None = None
    title: str | None = None
    run: int | None = None
    workers: int | None = None  # rendering processes; None: one per core for long animations
    max_bytes: int = 0  # a GIF's largest size (0: no limit)
    networks: tuple | None = None  # G's and D's modules, for traces of a scene's own nn.Modules
    timeline: str | None = None  # linear, log or adaptive (gananim/rendering/timeline.py)
    hold: float = 0.0  # seconds the last frame stays on screen (display time, not frames)
    hold_start: float = 0.0  # seconds the first frame stays
    captions: tuple[str, ...] = ()  # "STEP=TEXT" / "FROM-TO=TEXT", after the scene's own
    quality: int | None = None  # a lossy WebP's quality (1-100); None: lossless through one palette
    chroma: str = "444"  # a WebM's chroma subsampling: 444 or 420
    precision: str = "fp32"  # the heat maps' arithmetic: fp32 or bf16 (gananim/analysis/frames.py, PRECISIONS)
    device: str = "cpu"  # where the heat maps are computed: auto, cpu, cuda or mps (gananim/devices.py)

    def resolved(self, trace: Trace) -> "RenderOptions":
        r = trace.settings["render"]
        s = trace.settings
        out = replace(self, **{k: getattr(self, k) if getattr(self, k) is not None else r.get(k, default)
                               for k, default in (("frames", 200), ("fps", 20), ("dpi", 0.0), ("grid", 100),
                                                  ("layout", "classic"), ("theme", "light"))})
        out.panels = tuple(self.panels if self.panels is not None else r.get("panels", ()))
        out.timeline = self.timeline or r.get("timeline", DEFAULT_TIMELINE)
        out.captions = tuple(r.get("captions", ())) + tuple(self.captions)
        if out.timeline not in TIMELINES:
            raise GananimError(f"unknown timeline {out.timeline!r}; choose from {', '.join(TIMELINES)}")
        for key in ("hold", "hold_start"):
            if not 0 <= getattr(out, key) <= MAX_HOLD:
                raise GananimError(f"--{key.replace('_', '-')} must be between 0 and {MAX_HOLD} seconds, "
                                   f"got {getattr(out, key):g}")
        if out.quality is not None and not 1 <= out.quality <= 100:
            raise GananimError(f"--quality must be between 1 and 100, got {out.quality}")
        if out.chroma not in encode.CHROMAS:
            raise GananimError(f"--chroma must be one of {', '.join(encode.CHROMAS)}, got {out.chroma!r}")
        wide_by_request = out.layout == "wide" and r["layout"] != "wide"
        out.size = tuple(self.size or (WIDE_SIZE if wide_by_request else r["size"]))
        if out.theme not in THEMES:
            raise GananimError(f"unknown theme {out.theme!r}; choose from {', '.join(THEMES)}")
        out.title = self.title or s["title"] or s["name"]
        check_render_counts(out.frames, out.fps, out.grid)
        if out.dpi < 0:
            raise GananimError(f"--dpi must be positive, got {out.dpi}")
        check_size(out.size)
        runs, seeds = trace.meta["runs"], trace.meta.get("seeds", [])
        if out.run is None and runs > 1 and out.layout != "1d" and not out.panels:
            raise GananimError(f"this trace holds {runs} runs (seeds {', '.join(map(str, seeds[:8]))}"
                               f"{'…' if runs > 8 else ''}); the {out.layout} layout draws one: pick it with "
                               f"--run 0..{runs - 1}, or use --layout 1d for 1-D problems")
        if out.run is None and (runs == 1 or (out.layout != "1d" and not out.panels)):
            out.run = 0
        return out


DEFAULT_TIMELINE = "linear"  # traces written before pacing existed
MAX_HOLD = 600


def step_range(trace: Trace, start: int | None, stop: int | None) -> tuple[int, int]:
    """The steps an animation covers, checked against what the trace recorded."""
    if len(trace.param_steps) < 2:
        raise GananimError(f"trace {trace.path} holds fewer than two recorded steps; nothing to draw")
    last = int(trace.param_steps[-1])
    lo = 0 if start is None else start
    hi = last if stop is None else stop
    if lo < 0 or hi < 0:
        raise GananimError(f"--from and --to must be steps between 0 and {last}")
    if lo > last:
        raise GananimError(f"--from {lo} is past the trace's last recorded step ({last})")
    if hi > last:
        raise GananimError(f"--to {hi} is past the trace's last recorded step ({last})")
    if lo >= hi:
        raise GananimError(f"--from ({lo}) must come before --to ({hi})")
    trace.prefetch(lo, hi)  # a keyframe trace replays what the range needs once, here, before forking
    return lo, hi


class BlittedFigure:
    """A figure (`fig`) drawn at `steps` by blitting: `update(i)` moves and returns the animated
    artists; the static rest is drawn once and restored for every frame."""

    def frames(self, start: int = 0, stop: int | None = None):
        """Yield frames start..stop-1 as H×W×4 RGBA buffers (each valid until the next is drawn)."""
        canvas = self.fig.canvas
        canvas.draw()
        background = canvas.copy_from_bbox(self.fig.bbox)
        for i in range(start, len(self.steps) if stop is None else stop):
            canvas.restore_region(background)
            for artist in self.update(i):
                self.fig.draw_artist(artist)
            yield canvas.buffer_rgba()

    @property
    def pixel_size(self) -> tuple[int, int]:
        w, h = self.fig.canvas.get_width_height()
        return int(w), int(h)


class Renderer(BlittedFigure):
    """A figure for a trace and a list of steps, producing frames by blitting."""

    def __init__(self, trace: Trace, steps: np.ndarray, span: tuple[int, int], opts: RenderOptions) -> None:
        self.trace, self.steps, self.opts = trace, np.asarray(steps), opts
        self.view = View(trace, span, opts.grid, opts.run, opts.networks, opts.precision, devices.resolve(opts.device))
        self.view.frame_steps = self.steps
        self.fig, self.panels, self.counter, self.caption = layout.build(
            self.view, opts.layout, opts.size, opts.dpi, opts.title, opts.panels, opts.theme)
        self.animated = [a for p in self.panels for a in p.animated] + [self.counter, self.caption]
        self.events = self.view.events
        self.captions, families = captions_mod.parse(opts.captions, THEMES[opts.theme].font)
        self.caption.set_fontfamily(list(families))
        self.caption.set_parse_math(False)  # a teacher's "$5" or "50%" is text, not mathtext
        self._fitted: dict[str, tuple[str, float]] = {}
        self.view.grid = min(self.view.grid, self._heatmap_pixels())
        width = max([*getattr(self.view.d.spec, "widths", ()), *getattr(self.view.g.spec, "widths", ()), 1])
        self.block_size = int(max(1, min(64, FIELD_FLOATS // (self.view.grid ** 2 * width))))
        self._block: FrameBlock | None = None
        self._block_start = -1

    def _heatmap_pixels(self) -> int:
        """The heat maps' longest side in pixels: a finer grid adds work and nothing to the
        picture, so the grid is capped to it (a frame without heat maps: no cap)."""
        sides = [max(p.ax.bbox.width, p.ax.bbox.height) for p in self.panels if isinstance(p, Heatmap)]
        return int(np.ceil(max(sides))) if sides else self.view.grid

    def block_for(self, i: int) -> tuple[FrameBlock, int]:
        """The block holding frame i (evaluated on first use) and i's index in it."""
        start = (i // self.block_size) * self.block_size
        if start != self._block_start:
            self._block = FrameBlock(self.view, self.steps[start:start + self.block_size])
            self._block_start = start
        return self._block, i - start

    def update(self, i: int) -> list:
        block, k = self.block_for(i)
        for panel in self.panels:
            panel.update(block, k)
        step, total = int(self.steps[i]), self.trace.meta["planned_steps"]
        text = f"step {step:,} / {total:,}"
        if i == len(self.steps) - 1 and self.trace.status != "complete":
            text += {"nan": "  ■ stopped: NaN", "interrupted": "  ■ interrupted"}.get(self.trace.status, "  ■ partial")
        self.counter.set_text(text)
        self._set_caption(captions_mod.at(self.captions, step) or phases.caption(self.events, step))
        return self.animated

    def _set_caption(self, text: str) -> None:
        """The caption, shrunk (down to the legible size) or shortened to the frame's width;
        fitted once per distinct text."""
        if text not in self._fitted:
            self.caption.set_fontsize("small")
            self.caption.set_text(text)
            width = self.fig.bbox.width - 2 * layout.EDGE_IN * self.fig.dpi
            fit_text(self.caption, width, legible_pt(self.fig))
            self._fitted[text] = (self.caption.get_text(), self.caption.get_fontsize())
        shown, size = self._fitted[text]
        self.caption.set_text(shown)
        self.caption.set_fontsize(size)



def even_size(size: tuple[int, int]) -> tuple[int, int]:
    return tuple(v + (v % 2) for v in size)


def workers_for(frames: int, requested: int | None = None) -> int:
    """Processes to render with: one per core, each with at least 60 frames, at most 8."""
    if requested:
        return max(1, min(requested, frames))
    return max(1, min(os.cpu_count() or 1, 8, frames // 60))


def _render_part(make_renderer, start: int, stop: int, part: Path, fps: int, threads: int, tick,
                 lead: int = 0, tail: int = 0) -> None:
    """Draw frames start..stop-1 with a renderer from `make_renderer` and encode them into one
    part; the first frame is written `lead` more times and the last `tail` more (holds)."""
    renderer = make_renderer()
    width, height = renderer.pixel_size
    with encode.part_writer(part, width, height, fps, threads=threads) as writer:
        for i, frame in enumerate(renderer.frames(start, stop), start=start):
            for _ in range(1 + (lead if i == start else 0) + (tail if i == stop - 1 else 0)):
                writer.write(frame)
            tick()


def _render_parallel(make_renderer, ranges, parts, fps, bar, lead: int, tail: int) -> None:
    """Each frame range in a forked process (open traces are shared, read with pread)."""
    def job(i: int):
        r = ranges[i]
        return lambda advance: _render_part(make_renderer, r[0], r[-1] + 1, parts[i], fps, 1, lambda: advance(1),
                                            lead if i == 0 else 0, tail if i == len(ranges) - 1 else 0)

    run_forked([job(i) for i in range(len(ranges))], bar, "rendering")


def held_frames(opts: RenderOptions) -> tuple[int, int]:
    """Extra copies of the first and of the last frame that --hold-start and --hold show."""
    return round(opts.hold_start * opts.fps), round(opts.hold * opts.fps)


def encode_frames(make_renderer, count: int, out: Path, opts: RenderOptions, show_progress: bool) -> None:
    """Draw `count` frames and encode them to `out`: contiguous frame ranges in `opts.workers`
    forked processes (each with its own renderer from `make_renderer`), their parts joined. A
    GIF over `opts.max_bytes` is made smaller until it fits, and a note says how."""
    ranges = np.array_split(np.arange(count), opts.workers)
    lead, tail = held_frames(opts)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as work, \
            render_bar(out.name, count, show_progress) as bar:
        parts = [Path(work) / f"part{i}{encode.part_suffix(out)}" for i in range(len(ranges))]
        if opts.workers == 1:
            done = iter(range(1, count + 1))
            _render_part(make_renderer, 0, count, parts[0], opts.fps, 0, lambda: bar.advance(next(done)), lead, tail)
        else:
            _render_parallel(make_renderer, ranges, parts, opts.fps, bar, lead, tail)
        given_up = encode.join(parts, out, opts.fps, count + lead + tail, opts.max_bytes, opts.quality, opts.chroma)
    if given_up:
        console.print(f"[yellow]note:[/] to fit {opts.max_bytes / 1e6:g} MB, {out.name} has {given_up}")


def check_video(out: Path, opts: RenderOptions) -> None:
    """Refuse other suffixes; round odd sizes up for H.264, saying so."""
    if opts.max_bytes and out.suffix != ".gif":
        raise GananimError(f"--max-size applies to .gif outputs; {out.suffix or out.name} files are compressed "
                           "with loss and small already")
    if out.suffix not in encode.VIDEO_SUFFIXES:
        raise GananimError(f"cannot write {out.name}: choose an output ending in {', '.join(encode.VIDEO_SUFFIXES)}")
    if opts.quality is not None and out.suffix != ".webp":
        raise GananimError("--quality applies to .webp outputs (a lossy WebP); other formats set their own")
    if out.suffix == ".mp4" and even_size(opts.size) != tuple(opts.size):
        console.print(f"[yellow]note:[/] size {opts.size[0]}x{opts.size[1]} rounded up to "
                      f"{even_size(opts.size)[0]}x{even_size(opts.size)[1]}: H.264 needs even dimensions")
        opts.size = even_size(opts.size)


def plan_steps(trace: Trace, opts: RenderOptions, span: tuple[int, int], quiet: bool = False) -> np.ndarray:
    """The steps the frames show, by the options' timeline (resolved options)."""
    view = View(trace, span, 8, opts.run, opts.networks) if opts.timeline == "adaptive" else None
    steps = frame_steps(trace, opts.frames, *span, timeline=opts.timeline, view=view)
    if len(steps) < opts.frames and not quiet:
        console.print(f"[yellow]note:[/] {opts.frames:,} frames asked, but the range holds {len(steps):,} recorded "
                      f"steps: drawing {len(steps):,} frames, one per recorded step")
    return steps


def render(trace: Trace, out: Path, opts: RenderOptions, show_progress: bool = True) -> dict:
    """Write an animation of `trace` to `out` (.mp4, .gif, .webp or .webm). Returns what was
    written. Frame ranges are drawn in parallel processes (one per core) and their encoded
    parts joined."""
    opts = opts.resolved(trace)
    out = Path(out)
    check_video(out, opts)
    span = step_range(trace, opts.start, opts.stop)
    steps = plan_steps(trace, opts, span)
    # one process drives a GPU (forked processes cannot share its context); the CPU: one per core
    opts.workers = workers_for(len(steps), opts.workers if opts.device == "cpu" else 1)
    encode_frames(lambda: Renderer(trace, steps, span, opts), len(steps), out, opts, show_progress)
    lead, tail = held_frames(opts)
    return {"path": out, "frames": len(steps), "size": tuple(opts.size), "fps": opts.fps, "workers": opts.workers,
            "video_frames": len(steps) + lead + tail, "steps": steps, "options": opts}


def plan(trace: Trace, opts: RenderOptions, out: Path) -> dict:
    """What a render would draw, without drawing it: each frame's step, the video's length,
    and an estimate of the time, from drawing one frame (and the figure) once."""
    opts = opts.resolved(trace)
    out = Path(out)
    check_video(out, opts)
    span = step_range(trace, opts.start, opts.stop)
    started = time.perf_counter()
    steps = plan_steps(trace, opts, span, quiet=True)
    choosing = time.perf_counter() - started
    started = time.perf_counter()
    renderer = Renderer(trace, steps[-2:], span, opts)
    frames = renderer.frames()
    next(frames)
    setup = time.perf_counter() - started
    started = time.perf_counter()
    next(frames, None)
    per_frame = time.perf_counter() - started
    workers = workers_for(len(steps), opts.workers)
    lead, tail = held_frames(opts)
    estimate = choosing + setup + per_frame * len(steps) / workers * 1.15  # encoding runs beside drawing
    return {"output": str(out), "timeline": opts.timeline, "frames": len(steps), "steps": [int(s) for s in steps],
            "fps": opts.fps, "seconds": round((len(steps) + lead + tail) / opts.fps, 2), "hold": opts.hold,
            "hold_start": opts.hold_start, "size": list(opts.size), "workers": workers,
            "estimated_render_seconds": round(estimate, 1),
            "how": "timed by drawing one frame (the figure, then one more frame)"}


def still(trace: Trace, out: Path, step: int | None, opts: RenderOptions) -> dict:
    """Write one frame, at the recorded step nearest `step` (default: the last), as a PNG."""
    opts = opts.resolved(trace)
    span = step_range(trace, opts.start, opts.stop)
    last = int(trace.param_steps[-1])
    step = last if step is None else step
    if not 0 <= step <= last:
        raise GananimError(f"--step {step} is outside the trace, which holds steps 0 to {last}")
    shown = trace.nearest_recorded(step)
    if shown != step:
        console.print(f"[yellow]note:[/] step {step} is not recorded; showing the nearest recorded step, {shown}")
    renderer = Renderer(trace, np.array([shown]), span, opts)
    frame = next(iter(renderer.frames()))
    encode.write_png(out, np.asarray(frame))
    return {"path": Path(out), "step": shown, "size": renderer.pixel_size}


def animate(trace: Trace, **options) -> FuncAnimation:
    """A FuncAnimation of `trace` for notebooks, drawn by the same panels as the file pipeline.

    Takes the RenderOptions fields as keywords (frames, fps, size, dpi, grid, start, stop, layout).
    """
    opts = RenderOptions(**options).resolved(trace)
    span = step_range(trace, opts.start, opts.stop)
    steps = plan_steps(trace, opts, span, quiet=True)
    renderer = Renderer(trace, steps, span, opts)
    fitting = embeddable_frames(renderer)
    if fitting < len(steps):  # matplotlib would drop the last frames, the trained result, without a word
        kept = steps[np.unique(np.linspace(0, len(steps) - 1, fitting).round().astype(int))]
        console.print(f"[yellow]note:[/] {len(steps)} frames would pass matplotlib's embed limit of "
                      f"{matplotlib.rcParams['animation.embed_limit']:g} MB (rcParams['animation.embed_limit']) in a "
                      f"notebook; showing {len(kept)} frames spread over the same steps, the last included")
        renderer = Renderer(trace, kept, span, opts)
    return FuncAnimation(renderer.fig, renderer.update, frames=len(renderer.steps), interval=1000 / opts.fps,
                         blit=True)


def embeddable_frames(renderer: "Renderer") -> int:
    """How many frames of this figure fit matplotlib's embed limit as base64 PNGs (to_jshtml's
    default), measured on the first and last frames, with a tenth to spare."""
    sizes = []
    for i in (0, len(renderer.steps) - 1):
        renderer.update(i)
        buffer = io.BytesIO()
        renderer.fig.savefig(buffer, format="png")
        sizes.append(len(buffer.getvalue()))
    per_frame = 4 / 3 * max(sizes) * 1.1
    return max(2, int(matplotlib.rcParams["animation.embed_limit"] * 1024 * 1024 // per_frame))


def contact_sheet(trace: Trace, out: Path, steps: list[int], opts: RenderOptions, panel: str | None = None) -> dict:
    """One panel drawn at several steps side by side (Wang et al. 2020's figures 9–11), as a PNG.

    The panel defaults to D over the sample space (the 1-D picture for 1-D data); each tile
    shows the recorded step nearest the one asked for, and all tiles share scales."""
    fig, shown = sheet_figure(trace, steps, opts, panel)
    fig.canvas.draw()
    encode.write_png(out, np.asarray(fig.canvas.buffer_rgba()))
    return {"path": Path(out), "steps": shown.tolist(), "size": fig.canvas.get_width_height()}


def sheet_figure(trace: Trace, steps: list[int], opts: RenderOptions, panel: str | None = None):
    """The contact sheet's figure, drawn but not written, and the steps its tiles show."""
    asked = opts.size
    opts = opts.resolved(trace)
    if not steps:
        raise GananimError("--steps needs at least one step, e.g. --steps 0,1000,5000")
    last = int(trace.param_steps[-1])
    outside = [s for s in steps if not 0 <= s <= last]
    if outside:
        raise GananimError(f"--steps {outside[0]} is outside the trace, which holds steps 0 to {last}")
    shown = np.array([trace.nearest_recorded(s) for s in steps])
    span = step_range(trace, opts.start, opts.stop)
    view = View(trace, span, opts.grid, opts.run, opts.networks, opts.precision, devices.resolve(opts.device))
    panel = panel or ("digit_grid" if view.image else "line1d" if view.data_dim == 1 else "sample_field")
    if asked is None:  # no --size: tiles of 380 px
        opts.dpi = opts.dpi or 100.0
        columns = min(len(steps), 4)
        opts.size = layout.sheet_size(panel, columns, -(-len(steps) // columns), dpi=opts.dpi)
    else:  # the largest tiles that fit the size asked for, the sheet trimmed to them
        dpi = opts.dpi or layout.auto_dpi(*opts.size)
        columns = layout.sheet_columns(len(steps), opts.size, dpi, panel)
        opts.size = layout.sheet_size(panel, columns, -(-len(steps) // columns), layout.sheet_tile_px(
            len(steps), columns, opts.size, dpi, panel), dpi)
        opts.dpi = dpi
    view.frame_steps = shown
    fig, panels, counter, caption = layout.build(view, "classic", opts.size, opts.dpi, opts.title,
                                                 tuple([panel] * len(steps)), opts.theme, columns=columns, sheet=True)
    block = FrameBlock(view, shown)
    for i, tile in enumerate(panels):
        tile.update(block, i)
        tile.ax.set_title(f"step {shown[i]:,}", loc="left")
        for artist in tile.animated:
            artist.set_animated(False)
        if i < len(panels) - 1:  # one colour bar and one legend serve the sheet
            for child in list(tile.ax.child_axes):
                child.remove()
        if i and tile.ax.get_legend():
            tile.ax.get_legend().remove()
    return fig, shown
