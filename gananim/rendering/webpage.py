"""A recorded run as one self-contained web page: the animation (WebM, VP9 4:4:4, embedded),
controls that reach every frame, the run's curves from its recorded steps, deep links.

The page's code is plain HTML, CSS and JavaScript in gananim/rendering/page/, filled in here:
every value that came from a trace or a scene (titles, labels, captions) goes in as escaped
text or as JSON that the script reads with JSON.parse and shows as text, never as markup. The
page requests nothing: the video and the poster are data: URLs.
"""
from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from gananim.analysis.frames import View
from gananim.analysis.phases import KINDS
from gananim.rendering import captions as captions_mod
from gananim.rendering import encode
from gananim.rendering.renderer import RenderOptions, render
from gananim.trace import Trace

PAGE = Path(__file__).parent / "page"
MAX_CURVE_POINTS = 6000  # per curve: every recorded step up to this many, else every k-th
CURVES = {"d_loss": ("D loss", "#5b3fa0"), "g_loss": ("G loss", "#d95f02"), "d_real": ("D(x)", "#1b7837"),
          "d_fake": ("D(G(z))", "#b2182b"), "gp": ("gradient penalty", "#4d4d4d"),
          "estimate": ("distance estimate", "#2166ac"), "fid": ("FID", "#2166ac"), "classes": ("classes", "#8c510a")}
POSTER_QUALITY = 80  # the poster and no-script image: a lossy WebP of the last frame


def _json_for_script(value) -> str:
    """JSON that cannot end its <script> element or start a comment in it."""
    text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _curves(trace: Trace, run: int, last: int) -> tuple[list[dict], int]:
    """The page's curves: each scalar's value at every recorded step up to `last` (a stride of
    them past MAX_CURVE_POINTS), float32, base64."""
    names = [name for name in CURVES if name in trace.scalar_names]
    steps = min(trace.steps, last)
    stride = max(1, math.ceil(steps / MAX_CURVE_POINTS))
    scalars = trace.scalars()[:steps:stride, run]
    series = []
    for name in names:
        values = np.ascontiguousarray(scalars[:, trace.scalar_names.index(name)], dtype="<f4")
        series.append({"name": name, "label": CURVES[name][0], "color": CURVES[name][1],
                       "values": base64.b64encode(values.tobytes()).decode()})
    return series, stride


def _marks(trace: Trace, opts: RenderOptions, span: tuple[int, int]) -> list[dict]:
    """Phase labels and captions, as spans of steps on the timeline."""
    marks = []
    try:
        events = View(trace, span, 8, opts.run or 0, opts.networks).events
    except Exception:  # labels are a help: a trace they cannot be computed for still gets its page
        events = []
    for event in events:
        marks.append({"start": int(event.start), "stop": int(event.stop), "text": event.text,
                      "color": KINDS.get(event.kind, ("", "#666666"))[1]})
    parsed, _ = captions_mod.parse(tuple(opts.captions))
    for i, caption in enumerate(parsed):
        stop = caption.stop if caption.stop is not None else (parsed[i + 1].start if i + 1 < len(parsed) else span[1])
        marks.append({"start": caption.start, "stop": int(stop), "text": caption.text, "color": "#444444"})
    return marks


def _poster(video: Path) -> str:
    """The video's last frame (the trained result) as a lossy WebP: the poster while the video
    loads, and what a reader without JavaScript sees."""
    from PIL import Image

    last = video.with_name("poster.png")
    encode.last_frame_png(video, last)
    buffer = io.BytesIO()
    with Image.open(last) as image:
        image.convert("RGB").save(buffer, "WEBP", quality=POSTER_QUALITY, method=6)
    return "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode()


def assemble(out: Path, video: Path, done: dict, title: str, alt: str, data: dict) -> dict:
    """Fill the page's template and move it into place."""
    values = {
        "title": html.escape(title), "alt": html.escape(alt), "width": str(done["size"][0]),
        "height": str(done["size"][1]), "poster": _poster(video),
        "video": "data:video/webm;base64," + base64.b64encode(video.read_bytes()).decode(),
        "css": (PAGE / "player.css").read_text(encoding="utf-8"),
        "js": (PAGE / "player.js").read_text(encoding="utf-8"),
        "data": _json_for_script({**data, "frames": [int(s) for s in done["steps"]], "fps": done["options"].fps}),
    }
    page = re.sub(r"\{\{(\w+)\}\}", lambda match: values[match[1]], (PAGE / "player.html").read_text(encoding="utf-8"))
    staged = video.with_name("page.html")
    staged.write_text(page, encoding="utf-8")
    os.replace(staged, out)
    return {**done, "path": out, "webm_bytes": video.stat().st_size, "bytes": out.stat().st_size}


def _alt(title: str, steps, about: str = "") -> str:
    return f"{title}: an animation of GAN training over steps {int(steps[0]):,} to {int(steps[-1]):,}" + \
        (f" ({about})" if about else "")


def write_page(trace: Trace, out: Path, opts: RenderOptions, show_progress: bool = True) -> dict:
    """Write `trace` as one HTML page to `out` (atomically). Returns what was written."""
    out = Path(out)
    opts.hold = opts.hold_start = 0.0  # a page starts paused and pauses anywhere: no held frames
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as folder:
        video = Path(folder) / "page.webm"
        done = render(trace, video, opts, show_progress)
        steps, resolved = done["steps"], done["options"]
        series, stride = _curves(trace, resolved.run or 0, int(steps[-1]))
        title = resolved.title or trace.settings.get("title") or trace.settings.get("name", "gananim run")
        data = {"series": series, "curve_first": 1, "curve_stride": stride, "title": title,
                "marks": _marks(trace, resolved, (int(steps[0]), int(steps[-1])))}
        return assemble(out, video, done, title, _alt(title, steps, trace.settings.get("about") or ""), data)


def write_sweep_page(tiles, out: Path, opts: RenderOptions, title: str, metric, show_progress: bool = True,
                     **sync) -> dict:
    """A sweep's (or a comparison's) tiled animation as one page: one slider for all tiles; the
    curves are the first tile's run."""
    from gananim.rendering.tiles import render_sweep

    out = Path(out)
    opts.hold = opts.hold_start = 0.0
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as folder:
        video = Path(folder) / "page.webm"
        done = render_sweep(tiles, video, opts, title, metric, show_progress, **sync)
        steps, first = done["steps"], tiles[0]
        series, stride = _curves(first.trace, first.run or 0, int(steps[-1]))
        data = {"series": series, "curve_first": 1, "curve_stride": stride, "title": title, "marks": []}
        return assemble(out, video, done, title, _alt(title, steps, f"{len(tiles)} runs side by side"), data)


class Player:
    """A trace as the web page's player, for notebooks: a cell ending in it shows the page (in
    an iframe of its own, so several players and the notebook never share ids or scripts).
    `.animation` is the matplotlib FuncAnimation of the same frames, for those who want one."""

    def __init__(self, trace: Trace, **options) -> None:
        self.trace, self.options = trace, options
        self._animation = None

    @property
    def animation(self):
        from gananim.rendering.renderer import animate

        if self._animation is None:
            self._animation = animate(self.trace, **self.options)
        return self._animation

    def to_jshtml(self) -> str:
        """matplotlib's own HTML of the frames (PNGs), as FuncAnimation.to_jshtml gives it."""
        return self.animation.to_jshtml()

    def html(self) -> str:
        """The whole page, as `render -o run.html` writes it."""
        with tempfile.TemporaryDirectory(prefix="gananim-player-") as folder:
            out = Path(folder) / "player.html"
            write_page(self.trace, out, RenderOptions(**self.options), show_progress=False)
            return out.read_text(encoding="utf-8")

    def _repr_html_(self) -> str:
        page = self.html()
        height = int(re.search(r'<video[^>]* height="(\d+)"', page)[1]) + 360
        return (f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width: 100%; height: {height}px; '
                'border: 0" sandbox="allow-scripts" title="gananim player"></iframe>')
