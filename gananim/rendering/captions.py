"""A teacher's words on the frames: `--caption STEP=TEXT`, `--caption FROM-TO=TEXT`, or
`captions` in a scene's Render (README, "Captions").

`STEP=TEXT` shows from STEP until the next caption starts (or to the end); `FROM-TO=TEXT`
shows on the frames of that range. Text is drawn literally ($, %, {} and ^ are not
mathtext); characters the theme's font lacks are drawn with an installed font that has them,
found through matplotlib's font manager, and refused by name when none has.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from gananim.errors import GananimError

MAX_CAPTIONS = 200
MAX_CAPTION_CHARS = 300
_FORM = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?=(.*)$", re.S)


@dataclass(frozen=True)
class Caption:
    start: int
    stop: int | None  # None: until the next caption starts
    text: str


def parse(texts, font: str = "DejaVu Sans") -> tuple[list[Caption], tuple[str, ...]]:
    """Captions from "STEP=TEXT" / "FROM-TO=TEXT" strings, ordered by start; and the font
    families to draw them with (the theme's, then a fallback for characters it lacks)."""
    if len(texts) > MAX_CAPTIONS:
        raise GananimError(f"{len(texts)} captions given; at most {MAX_CAPTIONS}")
    captions = []
    for text in texts:
        match = _FORM.match(text)
        if not match:
            raise GananimError(f"caption {text[:60]!r} must read STEP=TEXT or FROM-TO=TEXT, e.g. 200-800=D learns first")
        start, stop, words = int(match[1]), match[2], match[3].strip()
        if stop is not None and int(stop) < start:
            raise GananimError(f"caption {text[:60]!r}: its range runs backwards")
        if not words:
            raise GananimError(f"caption {text[:60]!r} has no text after '='")
        if len(words) > MAX_CAPTION_CHARS or any(ord(c) < 32 for c in words):
            raise GananimError(f"caption {text[:60]!r}: captions are one line of at most {MAX_CAPTION_CHARS} characters")
        captions.append(Caption(start, None if stop is None else int(stop), words))
    captions.sort(key=lambda c: c.start)
    return captions, families_for("".join(c.text for c in captions), font)


def at(captions: list[Caption], step: int) -> str:
    """The caption text a frame at `step` shows ("" for none; overlapping ones joined)."""
    shown = []
    for i, c in enumerate(captions):
        stop = c.stop if c.stop is not None else (captions[i + 1].start - 1 if i + 1 < len(captions) else None)
        if c.start <= step and (stop is None or step <= stop):
            shown.append(c.text)
    return "   ·   ".join(shown)


def families_for(text: str, font: str) -> tuple[str, ...]:
    """The theme's font, followed by installed fonts that cover the characters it lacks."""
    missing = [c for c in dict.fromkeys(text) if not c.isspace() and not _has(font, c)]
    if not missing:
        return (font,)
    fallback = _covering("".join(missing))
    if fallback is None:
        raise GananimError(f"no installed font has the caption's characters {' '.join(missing[:12])}; install one "
                           "that does (e.g. the fonts-noto-cjk package for Chinese) and render again")
    return (font, fallback)


@functools.lru_cache(maxsize=64)
def _face(family: str):
    from matplotlib import font_manager
    from matplotlib.font_manager import FontProperties, get_font

    try:
        return get_font(font_manager.findfont(FontProperties(family=family), fallback_to_default=False))
    except (ValueError, RuntimeError, OSError):
        return None


def _has(family: str, char: str) -> bool:
    face = _face(family)
    return face is not None and face.get_char_index(ord(char)) != 0


@functools.lru_cache(maxsize=16)
def _covering(chars: str) -> str | None:
    """The first installed font family with every one of `chars`."""
    from matplotlib import font_manager
    from matplotlib.font_manager import get_font

    for entry in font_manager.fontManager.ttflist:
        try:
            face = get_font(entry.fname)
        except (RuntimeError, OSError):
            continue
        if all(face.get_char_index(ord(c)) != 0 for c in chars):
            return entry.name
    return None
