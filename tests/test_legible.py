"""Frames read well at every advertised size: no overlapping or clipped text, no text too
small to read, no empty band — measured with matplotlib's own text extents, not pixels."""
from __future__ import annotations

import contextlib
import itertools

import pytest
import torch
from matplotlib.legend import Legend
from matplotlib.text import Text

import gananim.analysis.digit_scores as digit_scores
from gananim.config import scene_files, settings
from gananim.rendering.renderer import Renderer, RenderOptions, frame_steps, step_range
from gananim.trace import Trace
from gananim.training.loop import train
from gananim.training.step import Step

SIZES = [(480, 480), (720, 720), (1280, 720), (1920, 1080)]
THEMES = ["light", "dark"]
EMPTY_BAND = 0.05


def min_text_px(size: tuple[int, int]) -> float:
    return 8.0 if min(size) < 720 else 10.0


@contextlib.contextmanager
def recording_drawn():
    """Collects every Text and Legend matplotlib actually draws while the block runs (ticks
    outside the view, empty texts and hidden artists are never drawn, so never checked)."""
    drawn = []
    originals = {cls: cls.draw for cls in (Text, Legend)}

    def recorder(cls):
        def draw(self, renderer, *args, **kwargs):
            if self.get_visible():
                drawn.append(self)
            return originals[cls](self, renderer, *args, **kwargs)
        return draw

    for cls in originals:
        cls.draw = recorder(cls)
    try:
        yield drawn
    finally:
        for cls, draw in originals.items():
            cls.draw = draw


def _boxes(fig, drawn):
    """(artist, bbox) of every drawn text and legend (a legend's own texts count as the legend)."""
    renderer = fig.canvas.get_renderer()
    in_legends = {text for legend in fig.findobj(Legend) for text in (*legend.get_texts(), legend.get_title())}
    out, seen = [], set()
    for artist in drawn:
        if artist in in_legends or id(artist) in seen or (isinstance(artist, Text) and not artist.get_text().strip()):
            continue
        seen.add(id(artist))
        bbox = artist.get_window_extent(renderer)
        if bbox.width > 0 and bbox.height > 0:
            out.append((artist, bbox))
    return out


def problems(fig, size: tuple[int, int], drawn: list) -> list[str]:
    """Every defect the layout check finds in a figure whose drawn artists are `drawn`."""
    width, height = fig.canvas.get_width_height()
    found = []
    boxes = _boxes(fig, drawn)
    small = min_text_px(size)
    for artist, bbox in boxes:
        name = artist.get_text()[:30] if isinstance(artist, Text) else "legend"
        if bbox.x0 < -1 or bbox.y0 < -1 or bbox.x1 > width + 1 or bbox.y1 > height + 1:
            found.append(f"{name!r} extends outside the frame ({bbox.x0:.0f}, {bbox.y0:.0f}, {bbox.x1:.0f}, {bbox.y1:.0f})")
        texts = [artist] if isinstance(artist, Text) else artist.get_texts()
        for text in texts:
            px = text.get_fontsize() * fig.dpi / 72
            if px < small - 0.05:
                found.append(f"{text.get_text()[:30]!r} is {px:.1f} px tall (at least {small:g})")
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        if box_a.overlaps(box_b):
            inter_w = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            inter_h = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if inter_w > 1 and inter_h > 1:
                label = [x.get_text()[:25] if isinstance(x, Text) else "legend" for x in (a, b)]
                found.append(f"{label[0]!r} overlaps {label[1]!r}")
    found += _empty_bands(fig, boxes, width, height)
    return found


def _empty_bands(fig, boxes, width: int, height: int) -> list[str]:
    renderer = fig.canvas.get_renderer()
    extents = [bbox for _, bbox in boxes]
    extents += [ax.get_tightbbox(renderer) for ax in fig.axes if ax.get_visible()]
    out = []
    for axis, length in ((1, height), (0, width)):
        spans = sorted((b.y0, b.y1) if axis else (b.x0, b.x1) for b in extents if b is not None)
        reach, gaps = 0.0, []
        for lo, hi in spans:
            if lo > reach:
                gaps.append((reach, lo))
            reach = max(reach, hi)
        gaps.append((reach, length))
        for lo, hi in gaps:
            if hi - lo > EMPTY_BAND * length:
                out.append(f"an empty {'horizontal' if axis else 'vertical'} band from {lo:.0f} to {hi:.0f} px")
    return out


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    """Long runs whose training is faked (each step returns fixed scalars): the frames look like
    a 20,000-step run's, with its long tick labels, in a fraction of a second."""
    folder = tmp_path_factory.mktemp("legible")
    original = Step.__call__
    rng = torch.Generator().manual_seed(0)

    def fake(self, step):
        return 0.5 + 0.3 * torch.rand(len(self.runs.seeds), len(self.names), generator=rng)

    Step.__call__ = fake
    points, digit_scores.SCORE_POINTS = digit_scores.SCORE_POINTS, 3
    digit_scores.DigitScores.points = 3
    try:
        out = {}
        for name, sets in (("sine", ["steps=20000", "record.every=400"]),
                           ("point", ["steps=20000", "record.every=400"]),
                           ("digits_dcgan", ["steps=600", "record.every=50", "target=digits16", "g.hidden=4",
                                             "d.hidden=4"])):
            scene = settings.apply(scene_files.load(name), sets)
            out[name] = folder / f"{name}.trace"
            train(scene, out[name], show_progress=False)
    finally:
        Step.__call__ = original
        digit_scores.SCORE_POINTS = digit_scores.DigitScores.points = points
    return out


CASES = [("sine", layout) for layout in ("classic", "wide", "square")] + [("point", "1d"), ("digits_dcgan", "digits")]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene, layout", CASES)
@pytest.mark.parametrize("theme", THEMES)
def test_every_layout_reads_well(traces, scene, layout, size, theme):
    with Trace(traces[scene]) as trace:
        span = step_range(trace, None, None)
        steps = frame_steps(trace, 3, *span)
        renderer = Renderer(trace, steps, span, RenderOptions(layout=layout, size=size, theme=theme,
                                                              grid=24).resolved(trace))
        with recording_drawn() as drawn:
            next(iter(renderer.frames(1, 2)))
        assert problems(renderer.fig, size, drawn) == []


def test_the_check_finds_what_it_looks_for(traces):
    """It can fail: text pushed off the frame, a tiny label and a collision are all reported."""
    with Trace(traces["sine"]) as trace:
        span = step_range(trace, None, None)
        renderer = Renderer(trace, frame_steps(trace, 2, *span), span,
                            RenderOptions(size=(720, 720), grid=24).resolved(trace))
        fig = renderer.fig
        fig.text(0.98, 0.5, "far out to the right", fontsize=12)
        fig.text(0.3, 0.5, "tiny", fontsize=3)
        fig.text(0.3, 0.5, "on top of tiny", fontsize=12)
        with recording_drawn() as drawn:
            next(iter(renderer.frames(0, 1)))
        found = "\n".join(problems(fig, (720, 720), drawn))
    assert "extends outside the frame" in found and "'tiny' is 4.2 px tall" in found and "overlaps" in found



LABELS = ["loss nonsaturating · opt_*.lr 0.001 · opt_*.beta2 0.99", "loss nonsaturating · opt_*.lr 0.0005 · opt_*.beta2 0.9",
          "loss hinge · opt_*.lr 0.001 · opt_*.beta2 0.99", "loss hinge · opt_*.lr 0.0005 · opt_*.beta2 0.9"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tiles", [2, 4])
@pytest.mark.parametrize("theme", THEMES)
def test_sweeps_read_well(traces, tiles, size, theme):
    from gananim.rendering.tiles import Tile, TiledRenderer

    with Trace(traces["sine"]) as trace:
        span = step_range(trace, None, None)
        opts = RenderOptions(size=size, theme=theme, grid=24, run=0).resolved(trace)
        renderer = TiledRenderer([Tile(trace, 0, label) for label in LABELS[:tiles]], frame_steps(trace, 3, *span),
                                 span, opts, "Sine: sweep over loss, opt_*.lr, opt_*.beta2", None,
                                 "first run: loss nonsaturating · G 2–64–64–2 (adam 0.0001, β1 0.5)")
        with recording_drawn() as drawn:
            next(iter(renderer.frames(1, 2)))
        assert problems(renderer.fig, size, drawn) == []


def test_tile_labels_shorten_setting_names_then_keep_values():
    from gananim.rendering.tiles import abbreviated, values_only

    assert abbreviated("loss hinge · opt_*.lr 0.001 · g.widths 64,64") == "loss hinge · lr 0.001 · widths 64,64"
    assert values_only("loss hinge · lr 0.001") == "hinge · 0.001"


SHEETS = {"sine": [0, 5000, 10000, 20000], "point": [0, 10000, 20000], "digits_dcgan": [0, 300, 600]}


@pytest.mark.parametrize("size", [None, *SIZES], ids=lambda s: "380-px tiles" if s is None else f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", list(SHEETS))
@pytest.mark.parametrize("theme", THEMES)
def test_contact_sheets_read_well(traces, scene, size, theme):
    from gananim.rendering.renderer import sheet_figure

    with Trace(traces[scene]) as trace:
        with recording_drawn() as drawn:
            fig, _ = sheet_figure(trace, SHEETS[scene], RenderOptions(size=size, theme=theme, grid=24))
            fig.canvas.draw()
        width, height = fig.canvas.get_width_height()
        assert size is None or (width <= size[0] and height <= size[1])  # trimmed, never larger than asked
        assert problems(fig, (width, height), drawn) == []
