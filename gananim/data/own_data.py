"""A user's own data as the distribution to learn: points files, pictures and words.

Each loader reads its input once (what is hashed is what is parsed), checks it, and returns
RawData: a sampler in the data's own units, the SHA-256 of the bytes that define it (part of
a run's fingerprint), and a reference sample whose robust extent sets the scaling
(gananim/data/targets.py). Input is untrusted: sizes are checked before anything is
allocated, nothing is unpickled, and every problem is one line naming the file.
"""
from __future__ import annotations

import functools
import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from gananim.config.scene import PICTURE_SUFFIXES, TEXT_PREFIX
from gananim.errors import GananimError

MAX_FILE_BYTES = 200 << 20  # about ten million rows of two columns as text
MAX_PIXELS = 4096 * 4096
MAX_TEXT_CHARS = 64
GLYPH_POOL = 400_000  # points drawn once, uniformly inside the glyphs; training samples rows of them
REFERENCE = 200_000  # samples whose percentiles set the scaling of pictures


@dataclass(frozen=True)
class RawData:
    name: str
    about: str
    sample: Callable[[int, torch.Generator], torch.Tensor]  # float64 [n, dim], the data's own units
    digest: str
    reference: np.ndarray  # [k, dim] raw points: their extent sets the scaling
    unit: str = ""  # what one unit of the data is, shown beside the axes ("px", "em")
    labels: tuple[str, ...] = ()  # a points file's column names, when it has a header row


def load(source: str, invert: bool = False, font: str = "DejaVu Sans:bold") -> RawData:
    """The data a target source names: a points file, a picture or text:WORDS."""
    if source.startswith(TEXT_PREFIX):
        return words(source[len(TEXT_PREFIX):], font)
    path = Path(source).expanduser()
    try:
        stat = path.stat()
    except OSError as exc:
        raise GananimError(f"cannot read target {source}: {exc.strerror or exc}") from None
    # Cached by what identifies the file's contents, so checking a scene and training it read it once.
    return _load_file(str(path.resolve()), stat.st_size, stat.st_mtime_ns, invert)


@functools.lru_cache(maxsize=4)
def _load_file(path: str, size: int, mtime: int, invert: bool) -> RawData:
    name = Path(path).name
    if os.path.isdir(path):
        raise GananimError(f"target {name} is a folder, not a file")
    if size > MAX_FILE_BYTES:
        raise GananimError(f"target {name} is {size / 2 ** 20:,.0f} MB; data files of at most "
                           f"{MAX_FILE_BYTES >> 20} MB can be learned (sample it down first)")
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise GananimError(f"cannot read target {name}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise GananimError(f"target {name} grew past {MAX_FILE_BYTES >> 20} MB while it was read")
    digest = hashlib.sha256(data).hexdigest()
    if name.lower().endswith(PICTURE_SUFFIXES):
        return picture(data, name, digest, invert)
    rows, labels = read_npy(data, name) if name.lower().endswith(".npy") else read_points_text(data, name)
    return points(rows, name, digest, labels)


# Points files ---------------------------------------------------------------------------------

def points(rows: np.ndarray, name: str, digest: str, labels: tuple[str, ...] = ()) -> RawData:
    """Rows of 1-D or 2-D data, sampled uniformly with replacement."""
    table = torch.from_numpy(rows)

    def sample(n: int, generator: torch.Generator) -> torch.Tensor:
        return table[torch.randint(len(table), (n,), generator=generator)]

    about = f"the {len(rows):,} points of {name}"
    return RawData(name, about, sample, digest, rows, labels=labels)


def read_npy(data: bytes, name: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """A NumPy array file, its header checked against its size before anything is allocated."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read_header(stream)
    except (ValueError, SyntaxError, EOFError, TypeError) as exc:
        raise GananimError(f"target {name} is not a NumPy .npy file ({exc})") from None
    if dtype.kind not in "iuf" or dtype.hasobject:
        raise GananimError(f"target {name} holds {dtype} values; gananim learns numbers (integers or floats)")
    if len(shape) not in (1, 2):
        raise GananimError(f"target {name} is a {len(shape)}-D array; give one row per point, with 1 or 2 columns")
    if int(np.prod(shape, dtype=np.int64)) * dtype.itemsize > len(data) - stream.tell():
        raise GananimError(f"target {name} is cut short: its header promises more values than it holds")
    rows = np.load(io.BytesIO(data), allow_pickle=False).astype(np.float64)
    rows = rows.reshape(len(rows), -1) if rows.ndim == 2 else rows[:, None]
    bad = np.flatnonzero(~np.isfinite(rows).all(axis=1))
    if len(bad):
        raise GananimError(f"target {name}: row {bad[0]} holds {rows[bad[0]].tolist()}; every value must be finite")
    return _checked_columns(rows, name), ()


def read_points_text(data: bytes, name: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Comma, semicolon, tab or whitespace separated numbers, with an optional header row and
    `#` comments. NumPy's C reader parses the rows; only an error is located line by line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GananimError(f"target {name} is not text (byte {exc.start} is not UTF-8)") from None
    first, line = _first_data_line(text)
    if line is None:
        raise GananimError(f"target {name} is empty: it has no data rows")
    delimiter = _delimiter(line)
    cells = _cells(line, delimiter)
    header = not all(_is_number(c) for c in cells)
    labels = tuple(c.strip().strip('"\'') for c in cells) if header else ()
    skip = first + header
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "input contained no data": answered below
        try:
            rows = np.loadtxt(io.StringIO(text), delimiter=delimiter, comments="#", skiprows=skip, ndmin=2,
                              dtype=np.float64, encoding=None)
        except ValueError:
            raise GananimError(f"target {name}: {_locate_bad_cell(text, skip, delimiter)}") from None
    if rows.size == 0:
        raise GananimError(f"target {name} has a header but no data rows" if header else f"target {name} is empty")
    bad = np.flatnonzero(~np.isfinite(rows).all(axis=1))
    if len(bad):
        return_line = _line_of_row(text, skip, int(bad[0]))
        raise GananimError(f"target {name}: line {return_line} holds {rows[bad[0]].tolist()}; every value must be "
                           "finite (no nan or inf)")
    return _checked_columns(rows, name), labels if len(labels) == rows.shape[1] else ()


def _checked_columns(rows: np.ndarray, name: str) -> np.ndarray:
    if len(rows) == 0:
        raise GananimError(f"target {name} is empty: it has no data rows")
    if rows.shape[1] not in (1, 2):
        raise GananimError(f"target {name} has {rows.shape[1]} columns; gananim learns 1-D or 2-D data: keep one "
                           "or two columns")
    return rows


def _data_lines(text: str, start_line: int = 0):
    """(line number from 1, line) for each line at or after `start_line` that holds data."""
    for number, line in enumerate(io.StringIO(text), start=1):
        if number <= start_line:
            continue
        content = line.split("#", 1)[0].strip()
        if content:
            yield number, content


def _first_data_line(text: str) -> tuple[int, str | None]:
    """The number of lines before the first that holds data, and that line's content."""
    for number, content in _data_lines(text):
        return number - 1, content
    return 0, None


def _delimiter(line: str) -> str | None:
    for delimiter in (",", "\t", ";"):
        if delimiter in line:
            return delimiter
    return None  # any run of spaces


def _cells(line: str, delimiter: str | None) -> list[str]:
    return line.split(delimiter)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _locate_bad_cell(text: str, skip: int, delimiter: str | None) -> str:
    """Why NumPy refused the rows, said by file line and column (read only on this error path)."""
    width = None
    for number, content in _data_lines(text, skip):
        cells = _cells(content, delimiter)
        if width is None:
            width = len(cells)
        elif len(cells) != width:
            return f"line {number} has {len(cells)} value{'' if len(cells) == 1 else 's'} where the rows above have {width}"
        for column, cell in enumerate(cells, start=1):
            if not _is_number(cell):
                return f"line {number}, column {column}: {cell.strip()!r} is not a number"
    return "its rows could not be read as numbers"


def _line_of_row(text: str, skip: int, row: int) -> int:
    for index, (number, _) in enumerate(_data_lines(text, skip)):
        if index == row:
            return number
    return 0


# Pictures ------------------------------------------------------------------------------------

def picture(data: bytes, name: str, digest: str, invert: bool) -> RawData:
    """A density proportional to darkness (to opacity when the picture has transparent pixels),
    `invert` for light shapes on dark; x and y in pixels, y up. A sample picks a pixel by its
    weight and a uniform point inside it, so samples are continuous."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # Pillow comes with matplotlib

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise GananimError(f"target {name} is {width}×{height} pixels; pictures of at most "
                                   f"{MAX_PIXELS / 1e6:.1f} million pixels can be learned (scale it down)")
            image = ImageOps.exif_transpose(image)  # photos upright, as a viewer shows them
            grey = np.asarray(image.convert("L"), dtype=np.float32)
            alpha = None
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                alpha = np.asarray(image.convert("RGBA").getchannel("A"), dtype=np.float32)
                if alpha.min() == 255:  # saved with an alpha channel that hides nothing: darkness counts
                    alpha = None
    except GananimError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, SyntaxError) as exc:
        raise GananimError(f"target {name} is not a picture Pillow can read ({exc})") from None
    weight = alpha / 255 if alpha is not None else 1 - grey / 255
    if invert:
        weight = 1 - weight
    height, width = weight.shape
    flat = weight.reshape(-1).astype(np.float64)
    where = np.flatnonzero(flat > 0)
    if len(where) == 0:
        light = "opaque" if alpha is not None else "dark"
        hint = "" if invert else " (for light shapes on a dark background set target.invert=true)"
        raise GananimError(f"target {name} has no {light} pixels: nothing to learn{hint}")
    cumulative = torch.from_numpy(np.cumsum(flat[where]))
    pixels = torch.from_numpy(where)
    total = float(cumulative[-1])

    def sample(n: int, generator: torch.Generator) -> torch.Tensor:
        pick = torch.searchsorted(cumulative, torch.rand(n, generator=generator, dtype=torch.float64) * total,
                                  right=True).clamp_(max=len(pixels) - 1)
        index = pixels[pick]
        jitter = torch.rand(n, 2, generator=generator, dtype=torch.float64)
        x = (index % width) + jitter[:, 0]
        y = (height - 1 - index // width) + jitter[:, 1]
        return torch.stack([x, y], dim=1)

    reference = sample(REFERENCE, torch.Generator().manual_seed(0)).numpy()
    kind = ("transparency" if invert else "opacity") if alpha is not None else ("lightness" if invert else "darkness")
    return RawData(name, f"the picture {name} ({width}×{height} px, density by {kind})", sample, digest,
                   reference, unit="px")


# Words --------------------------------------------------------------------------------------

def words(text: str, font: str) -> RawData:
    """Points spread uniformly inside the glyphs of `text`, drawn in `font` (a fontconfig
    pattern such as "DejaVu Serif:bold"). Drawn once from a fixed seed into a pool of
    GLYPH_POOL points, by rejection inside the outline; training samples the pool's rows."""
    if not text.strip():
        raise GananimError("target text: draws no glyph; write the words after the colon, e.g. text:GAN")
    if len(text) > MAX_TEXT_CHARS:
        raise GananimError(f"target text: is {len(text)} characters long; at most {MAX_TEXT_CHARS} can be learned")
    with open(_font_file(font)[1], "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return _glyphs(text, font, digest)


@functools.lru_cache(maxsize=4)
def _font_file(font: str):
    from matplotlib import font_manager
    from matplotlib.font_manager import FontProperties

    try:
        prop = FontProperties(font)
        found = font_manager.findfont(prop, fallback_to_default=False)
    except ValueError:
        families = sorted({f.name for f in font_manager.fontManager.ttflist})
        raise GananimError(f"unknown font {font!r} for target.font; fonts matplotlib finds: "
                           f"{', '.join(families[:12])}{', …' if len(families) > 12 else ''}") from None
    return prop, found


def _glyph_fill(outline):
    """A test of whether points lie inside an outline by the nonzero winding rule, as fonts are
    filled: a contour counts +1 or -1 by its direction, so a letter's holes (inner contours
    turning the other way) stay empty and overlapping strokes stay filled. (matplotlib's own
    contains_points fills every contour.) The outline is in units of 1/1000 em, where its
    curves flatten to within a thousandth of an em."""
    from matplotlib.path import Path as MplPath

    contours = [MplPath(p) for p in outline.to_polygons(closed_only=True)]
    turns = [np.sign(np.sum(p.vertices[:-1, 0] * p.vertices[1:, 1] - p.vertices[1:, 0] * p.vertices[:-1, 1]))
             for p in contours]

    def inside(points: np.ndarray) -> np.ndarray:
        winding = np.zeros(len(points))
        for contour, turn in zip(contours, turns):
            winding += turn * contour.contains_points(points)
        return winding != 0

    return inside


@functools.lru_cache(maxsize=4)
def _glyphs(text: str, font: str, digest: str) -> RawData:
    from matplotlib.font_manager import get_font
    from matplotlib.path import Path as MplPath
    from matplotlib.textpath import text_to_path

    prop, font_file = _font_file(font)
    face = get_font(font_file)
    missing = sorted({c for c in text if not c.isspace() and face.get_char_index(ord(c)) == 0})
    if missing:
        raise GananimError(f"font {face.family_name} has no glyph for {' '.join(missing)}; pick a font that has "
                           "them with target.font")
    vertices, codes = text_to_path.get_text_path(prop, text)  # literal text: no mathtext for $ or ^
    if not len(vertices):
        raise GananimError(f"target text:{text} draws no glyph")
    inside = _glyph_fill(MplPath(np.asarray(vertices, dtype=np.float64) * 10, codes))
    box = MplPath(np.asarray(vertices, dtype=np.float64) * 10).get_extents()
    low, high = np.array([box.x0, box.y0]), np.array([box.x1, box.y1])
    rng = np.random.default_rng(0)
    found, drawn = [], 0
    while sum(map(len, found)) < GLYPH_POOL:
        candidates = rng.uniform(low, high, size=(1_000_000, 2))
        found.append(candidates[inside(candidates)])
        drawn += len(candidates)
        if drawn >= 5_000_000 and sum(map(len, found)) < drawn * 1e-3:
            raise GananimError(f"target text:{text} draws no glyph with an area to fill")
    pool = np.concatenate(found)[:GLYPH_POOL] / (10 * text_to_path.FONT_SCALE)  # in ems: the font's size is 1
    table = torch.from_numpy(pool)

    def sample(n: int, generator: torch.Generator) -> torch.Tensor:
        return table[torch.randint(len(table), (n,), generator=generator)]

    about = f"the text “{text}” in {face.family_name} {face.style_name}"
    return RawData(f"text:{text}", about, sample, digest, pool, unit="em")
