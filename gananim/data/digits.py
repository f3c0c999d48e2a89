"""A digits data set drawn on the fly: a stand-in for MNIST that needs no download.

The digits 0–9 come from the TrueType fonts matplotlib ships (DejaVu, STIX and Computer
Modern faces, upright and slanted, regular and bold). Each (font, digit) glyph is turned once
into a 64×64 signed distance field: distance to the outline in pixels, positive inside. An
image resamples its field through a random affine (rotation, scale, aspect, shear, shift) at
twice the output resolution, offsets the outline to a random pen width, and averages 2×2
down, which anti-aliases the grey edges. The glyph's nominal box is 20/28 of the image side,
MNIST's 20×20 box in 28×28. Images are white on black in [-1, 1], tanh's range.

Every random draw comes from numpy's PCG64 seeded with `seed`, so a set is the same bit for
bit for a seed on a machine. `load_digits` keeps sets in memory and as .npz files in a cache
folder, keyed by everything the pixels depend on; the cache only ever saves time.
"""
from __future__ import annotations

import functools
from pathlib import Path

import matplotlib
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path as Outline
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from gananim.data.cache import cache_folder, cache_key, read_arrays, write_arrays
from gananim.errors import GananimError

DATASET_VERSION = 1  # bump when a change alters the pixels, so old cache files go unread
SIZES = (16, 28)

# Faces whose digits are proper lining figures; the symbol fonts, the Display subsets and
# LastResort have none. Sorted, so a set never depends on the order of a directory listing.
FONT_FILES = tuple(sorted(
    [f"DejaVuSans{style}.ttf" for style in ("", "-Bold", "-Oblique", "-BoldOblique")]
    + [f"DejaVuSansMono{style}.ttf" for style in ("", "-Bold", "-Oblique", "-BoldOblique")]
    + [f"DejaVuSerif{style}.ttf" for style in ("", "-Bold", "-Italic", "-BoldItalic")]
    + [f"STIXGeneral{style}.ttf" for style in ("", "Bol", "Italic", "BolIta")]
    + ["cmb10.ttf", "cmr10.ttf", "cmss10.ttf", "cmti10.ttf", "cmtt10.ttf"]))

FIELD = 64  # side of a glyph's distance field, in pixels
GLYPH = 44  # the glyph's longer side inside its field; the margin keeps the outside distances
BOX = 20 / 28  # the nominal glyph height as a share of the image side
ROTATION = 12.0  # degrees either way
SCALE = (0.8, 1.05)  # of the nominal box; the top end leaves room for the shift and a bold pen
ASPECT = (0.85, 1.05)  # width over height, on top of the font's own
SHEAR = 0.2  # horizontal shift per unit of height, either way
SHIFT = 2 / 28  # of the image side, either way: ±2 px at 28
PEN = (0.09, 0.2)  # stroke width as a share of the glyph's height, drawn per image
KEEP = 0.8  # thinning never takes a font's strokes below this share: its hairlines survive
CHUNK = 2048  # images resampled at once, to bound memory
MEMORY_SETS = 4  # data sets load_digits keeps in memory


def check_size(size: int) -> None:
    """Raise GananimError unless `size` is a side the data set is drawn at."""
    if size not in SIZES:
        raise GananimError(f"digits size must be {' or '.join(map(str, SIZES))}, got {size}")


def _check_arguments(n: int, size: int, seed: int) -> None:
    check_size(size)
    if n < 1:
        raise GananimError(f"the number of digits must be at least 1, got {n}")
    if seed < 0:
        raise GananimError(f"the digits seed must be non-negative, got {seed}")


def _font_paths() -> list[Path]:
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return [folder / name for name in FONT_FILES]


def _outline(font: Path, digit: str) -> Outline:
    """The glyph's outline in field pixels: centred, its longer side GLYPH, y pointing down."""
    path = TextPath((0, 0), digit, size=100, prop=FontProperties(fname=font))
    box = path.get_extents()
    scale = GLYPH / max(box.width, box.height)
    to_field = (Affine2D().translate(-(box.x0 + box.x1) / 2, -(box.y0 + box.y1) / 2)
                .scale(scale, -scale).translate(FIELD / 2, FIELD / 2))
    return to_field.transform_path(path)


def _distance_field(outline: Outline) -> tuple[np.ndarray, float]:
    """Signed distance from each field pixel's centre to the outline, and the mean stroke width."""
    centres = (np.stack(np.meshgrid(np.arange(FIELD), np.arange(FIELD)), -1).reshape(-1, 2) + 0.5)
    inside = np.zeros(len(centres), bool)
    points, perimeter = [], 0.0
    for polygon in outline.to_polygons(closed_only=True):
        # These fonts' contours never overlap, so even-odd gives the counters of 0, 4, 6, 8 and 9.
        inside ^= Outline(polygon).contains_points(centres)
        start, end = polygon, np.roll(polygon, -1, axis=0)
        lengths = np.hypot(*(end - start).T)
        perimeter += lengths.sum()
        steps = np.maximum(1, np.ceil(lengths / 0.5)).astype(int)  # a point every half pixel
        fraction = (np.arange(steps.sum()) - np.repeat(np.cumsum(steps) - steps, steps)) / np.repeat(steps, steps)
        points.append(np.repeat(start, steps, 0) + np.repeat(end - start, steps, 0) * fraction[:, None])
    distance = torch.cdist(torch.from_numpy(centres).float(),
                           torch.from_numpy(np.concatenate(points)).float()).min(dim=1).values.numpy()
    field = np.where(inside, distance, -distance).reshape(FIELD, FIELD)
    # A stroke of width w and length L has area wL and perimeter about 2L.
    return field, 2 * inside.sum() / perimeter


@functools.lru_cache(maxsize=1)
def _glyphs() -> tuple[torch.Tensor, np.ndarray]:
    """Distance fields [fonts × 10, FIELD, FIELD] (font-major) and their stroke widths in pixels."""
    fields, widths = zip(*(_distance_field(_outline(font, str(digit)))
                           for font in _font_paths() for digit in range(10)))
    return torch.from_numpy(np.stack(fields).astype(np.float32)), np.array(widths)


def _forward_maps(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Random glyph-to-image affines in normalised coordinates: [n, 2, 2] matrices and scales."""
    angle = np.deg2rad(rng.uniform(-ROTATION, ROTATION, n))
    scale = rng.uniform(*SCALE, n)
    aspect = rng.uniform(*ASPECT, n)
    shear = rng.uniform(-SHEAR, SHEAR, n)
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    slant = np.zeros((n, 2, 2))
    slant[:, 0, 0], slant[:, 0, 1], slant[:, 1, 1] = aspect, shear, 1
    zoom = BOX * scale * FIELD / GLYPH  # image units per field unit: the glyph fills its box
    return zoom[:, None, None] * rotation @ slant, scale


def _sampling_grids(theta: torch.Tensor, side: int) -> torch.Tensor:
    """affine_grid's result (align_corners=False), computed by broadcasting: twice as fast."""
    centres = (torch.arange(side) + 0.5) / side * 2 - 1
    x, y = centres.view(1, 1, side), centres.view(1, side, 1)
    rows = [theta[:, i, 0, None, None] * x + theta[:, i, 1, None, None] * y + theta[:, i, 2, None, None]
            for i in range(2)]
    return torch.stack(rows, dim=-1)


def make_digits(n: int, size: int = 28, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Draw n digit images, float32 [n, size, size] in [-1, 1], and their labels, int64 [n].

    The labels are balanced: image k shows digit k % 10 before a seeded shuffle.
    """
    _check_arguments(n, size, seed)
    fields, widths = _glyphs()
    rng = np.random.Generator(np.random.PCG64(seed))
    labels = rng.permutation(np.arange(n) % 10)
    glyph = rng.integers(0, len(fields) // 10, n) * 10 + labels
    forward, scale = _forward_maps(rng, n)
    shift = rng.uniform(-SHIFT, SHIFT, (n, 2)) * 2  # the image spans 2 normalised units
    pen = rng.uniform(*PEN, n) * GLYPH
    # Offsetting the outline by d pixels widens each stroke by 2d.
    offset = np.maximum((pen - widths[glyph]) / 2, -(1 - KEEP) * widths[glyph] / 2)
    # One supersampled pixel in field pixels: the width of the soft edge.
    edge = GLYPH / (BOX * size * scale) / 2
    inverse = np.linalg.inv(forward)
    theta = np.concatenate([inverse, -inverse @ shift[:, :, None]], axis=2)

    theta, offset, edge = (torch.from_numpy(a.astype(np.float32)) for a in (theta, offset, edge))
    glyph = torch.from_numpy(glyph)
    images = torch.empty(n, size, size)
    for start in range(0, n, CHUNK):
        part = slice(start, start + CHUNK)
        grid = _sampling_grids(theta[part], 2 * size)
        # 'border' repeats the field's edge, which lies well outside every outline.
        distance = F.grid_sample(fields[glyph[part], None], grid, mode="bilinear",
                                 padding_mode="border", align_corners=False)
        ink = ((distance + offset[part, None, None, None]) / edge[part, None, None, None] + 0.5).clamp_(0, 1)
        images[part] = F.avg_pool2d(ink, 2)[:, 0]
    return (images * 2 - 1).numpy(), labels


def dataset_key(n: int, size: int, seed: int) -> str:
    """The cache key of a data set: its arguments and everything its pixels depend on."""
    return cache_key(DATASET_VERSION, n, size, seed, matplotlib.__version__, torch.__version__, FONT_FILES)


@functools.lru_cache(maxsize=MEMORY_SETS)
def _stored_or_drawn(n: int, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    path = cache_folder() / f"digits-{size}px-{n}-seed{seed}-{dataset_key(n, size, seed)}.npz"
    expected = {"images": ((n, size, size), np.dtype(np.float32)), "labels": ((n,), np.dtype(np.int64))}
    stored = read_arrays(path, expected)
    if stored is not None:
        return stored["images"], stored["labels"]
    images, labels = make_digits(n, size, seed)
    write_arrays(path, {"images": images, "labels": labels})
    return images, labels


def load_digits(n: int, size: int = 28, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """make_digits(n, size, seed), from the memory or disk cache when it holds the set."""
    _check_arguments(n, size, seed)
    images, labels = _stored_or_drawn(n, size, seed)
    return images.copy(), labels.copy()  # copies, so a caller's edits never reach the cache
