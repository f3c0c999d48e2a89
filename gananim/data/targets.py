"""Target distributions: the built-ins by name, a user's own data (gananim/data/own_data.py),
or any callable sampler a scene supplies.

A sampler is called as `sampler(n, generator)` with a torch.Generator and returns n samples
as an [n, dim] tensor or array (a 1-D result is read as dim 1).

Wang et al. 2020 §3 builds its targets as transforms f of (x, y) ~ U[-1, 1]². Its extracted formulas
are partly garbled; where a literal reading cannot give the shape the report describes and
shows, the reading used here is noted beside the target.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from gananim.config.scene import TEXT_PREFIX, TargetSpec, is_data_file
from gananim.data import own_data
from gananim.errors import GananimError, did_you_mean

Sampler = Callable[[int, torch.Generator], "torch.Tensor | np.ndarray"]


@dataclass(frozen=True)
class Units:
    """How trained-on values map back to the data's own: raw = value · scale + offset."""

    offset: tuple[float, ...]
    scale: float
    unit: str = ""  # one unit of the data ("px", "em"), or "" for plain numbers
    labels: tuple[str, ...] = ()  # the columns' names, when the file has them

    def to_meta(self) -> dict:
        return {"offset": list(self.offset), "scale": self.scale, "unit": self.unit, "labels": list(self.labels)}


@dataclass(frozen=True)
class Target:
    name: str
    about: str
    sample: Sampler
    modes: tuple | None = None  # (centres [k, dim], σ) for mixtures of Gaussians: mode metrics apply
    image: int = 0  # the side of square grey images, flattened row by row into each sample
    units: Units | None = None  # own data: its units, when it was scaled to fit
    digest: str = ""  # own data: SHA-256 of the bytes that define it (the file, or text's font)


DIGIT_IMAGES = 60_000  # as many as MNIST's training set


@functools.lru_cache(maxsize=2)
def _digit_rows(side: int) -> torch.Tensor:
    from gananim.data.digits import load_digits  # drawn (or read from its cache) on first use only
    images, _ = load_digits(DIGIT_IMAGES, side, seed=0)
    return torch.from_numpy(images).flatten(1)


def digit_sampler(side: int) -> Sampler:
    """Draws from the on-the-fly digits data set (gananim/data/digits.py), uniformly with replacement."""
    def sample(n: int, generator: torch.Generator) -> torch.Tensor:
        rows = _digit_rows(side)
        return rows[torch.randint(len(rows), (n,), generator=generator)]
    return sample


def _square(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    u = torch.empty(n, 2).uniform_(-1, 1, generator=generator)
    return u[:, 0], u[:, 1]


def point(n: int, generator: torch.Generator) -> torch.Tensor:
    # PointGAN article §1: every real sample is the value 1.
    return torch.ones(n, 1)


def sine(n: int, generator: torch.Generator) -> torch.Tensor:
    # Wang et al. 2020 reads f = (x, sin(x) + y/4); sin(x) is monotone on [-1, 1] and has no crest.
    # The report's figures show a band with two crests, so the wave is sin(2πx), scaled by
    # 3/4 so the band stays inside [-1, 1]² where the tanh generator can reach it.
    x, y = _square(n, generator)
    return torch.stack([x, 0.75 * torch.sin(2 * math.pi * x) + y / 4], dim=1)


def circle(n: int, generator: torch.Generator) -> torch.Tensor:
    # Wang et al. 2020 reads f = (x/2, y·π): the polar map with radius (x + 1)/2 and angle πy.
    # The radius is uniform, so the unit disc is denser at its centre, as the report says.
    x, y = _square(n, generator)
    r, theta = (x + 1) / 2, math.pi * y
    return torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1)


def wing(n: int, generator: torch.Generator) -> torch.Tensor:
    # Wang et al. 2020's formula as written: f = (x/2·cos 3πx, x/2·sin 3πx). The signed radius x/2
    # traces two spiral arms joined at the centre (the "wing"); y is not used, so the
    # distribution lies on the curve itself.
    x, _ = _square(n, generator)
    r, theta = x / 2, 3 * math.pi * x
    return torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1)


def quadratic(n: int, generator: torch.Generator) -> torch.Tensor:
    # The quadratic-GAN tutorial: x ~ U[-50, 50], y = 10 + x².
    x = (torch.rand(n, generator=generator) - 0.5) * 100
    return torch.stack([x, 10 + x * x], dim=1)


# The WGAN-GP toy data sets (Gulrajani et al. 2017, gan_toy.py), with their published scales.
RING8_CENTERS = 2.0 * torch.tensor([[1, 0], [-1, 0], [0, 1], [0, -1], [0.5 ** 0.5, 0.5 ** 0.5],
                                    [0.5 ** 0.5, -(0.5 ** 0.5)], [-(0.5 ** 0.5), 0.5 ** 0.5],
                                    [-(0.5 ** 0.5), -(0.5 ** 0.5)]])
GRID25_CENTERS = 2.0 * torch.tensor([[x, y] for x in range(-2, 3) for y in range(-2, 3)], dtype=torch.float32)


def ring8(n: int, generator: torch.Generator) -> torch.Tensor:
    # 8 Gaussians (σ 0.02) on a circle of radius 2, divided by 1.414.
    centers = RING8_CENTERS[torch.randint(0, 8, (n,), generator=generator)]
    return (centers + 0.02 * torch.randn(n, 2, generator=generator)) / 1.414


def grid25(n: int, generator: torch.Generator) -> torch.Tensor:
    # A 5×5 grid of Gaussians (σ 0.05) at spacing 2, divided by 2.828.
    centers = GRID25_CENTERS[torch.randint(0, 25, (n,), generator=generator)]
    return (centers + 0.05 * torch.randn(n, 2, generator=generator)) / 2.828


def swissroll(n: int, generator: torch.Generator) -> torch.Tensor:
    # scikit-learn's make_swiss_roll(n, noise=0.25), its (x, z) coordinates, divided by 7.5.
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=generator))
    height = 21 * torch.rand(n, generator=generator)
    roll = torch.stack([t * torch.cos(t), height, t * torch.sin(t)], dim=1)
    roll = roll + 0.25 * torch.randn(n, 3, generator=generator)
    return roll[:, [0, 2]] / 7.5


BUILTIN: dict[str, Target] = {
    t.name: t
    for t in (
        Target("point", "the single value 1 (PointGAN)", point),
        Target("sine", "a sine band with two crests in [-1, 1]²", sine),
        Target("circle", "the unit disc, denser at its centre", circle),
        Target("wing", "two spiral arms joined at the centre", wing),
        Target("quadratic", "(x, 10 + x²) for x ~ U[-50, 50]", quadratic),
        Target("ring8", "8 Gaussians on a circle (WGAN-GP toy)", ring8,
               ((RING8_CENTERS / 1.414).numpy(), 0.02 / 1.414)),
        Target("grid25", "a 5×5 grid of Gaussians (WGAN-GP toy)", grid25,
               ((GRID25_CENTERS / 2.828).numpy(), 0.05 / 2.828)),
        Target("swissroll", "the Swiss roll (WGAN-GP toy)", swissroll),
        Target("digits", "28×28 digits drawn from matplotlib's fonts (a stand-in for MNIST)", digit_sampler(28),
               image=28),
        Target("digits16", "16×16 digits drawn from matplotlib's fonts", digit_sampler(16), image=16),
    )
}


# Where own data is put, by G's output activation: inside the square G can reach (tanh
# reaches ±1 only at infinite inputs, so data at 0.9 stays learnable), else the usual [-1, 1].
BOXES = {"tanh": (-0.9, 0.9), "sigmoid": (0.05, 0.95)}
ROBUST = (0.5, 99.5)  # the percentiles whose extent is fitted into the box


def box_for(g_spec) -> tuple[float, float]:
    """The box own data is scaled into for a generator spec."""
    return BOXES.get(getattr(g_spec, "output", ""), (-1.0, 1.0))


def resolve(spec: "TargetSpec | str | Sampler", box: tuple[float, float] = (-1.0, 1.0)) -> Target:
    """The Target for a scene's `target`: a built-in name, a user's own data (scaled into `box`
    unless `spec.scale` is "raw"), or a callable sampler."""
    spec = spec if isinstance(spec, TargetSpec) else TargetSpec(spec)
    source = spec.source
    if callable(source):
        name = getattr(source, "__name__", type(source).__name__)
        return Target(name, (source.__doc__ or "custom sampler").strip().splitlines()[0], source)
    if is_data_file(source) or source.startswith(TEXT_PREFIX):
        return _own(own_data.load(source, spec.invert, spec.font), spec.scale, box)
    if source not in BUILTIN:
        raise GananimError(f"unknown target {source!r}; {did_you_mean(source, BUILTIN)}built-in targets: "
                           f"{', '.join(BUILTIN)}; or a points file (.csv .tsv .txt .npy), a picture (.png .jpg) "
                           "or text:WORDS")
    return BUILTIN[source]


def _own(raw: own_data.RawData, scale: str, box: tuple[float, float]) -> Target:
    """A user's data as a Target: the data's robust extent mapped, aspect kept, into `box`."""
    if scale == "raw":
        return Target(raw.name, raw.about, lambda n, g: raw.sample(n, g).float(), digest=raw.digest)
    low, high = np.percentile(raw.reference, ROBUST, axis=0)
    centre, half = (low + high) / 2, float(np.max(high - low)) / 2
    if half == 0:  # every point the same: any scale shows it
        half = max(float(np.max(np.abs(centre))), 1.0)
    factor = half / ((box[1] - box[0]) / 2)
    offset = centre - (box[0] + box[1]) / 2 * factor
    shift = torch.from_numpy(offset)

    def sample(n: int, generator: torch.Generator) -> torch.Tensor:
        return ((raw.sample(n, generator) - shift) / factor).float()

    units = Units(tuple(float(v) for v in offset), factor, raw.unit, raw.labels)
    return Target(raw.name, raw.about, sample, units=units, digest=raw.digest)


def draw(target: Target, n: int, generator: torch.Generator) -> torch.Tensor:
    """n samples as a float32 [n, dim] tensor, with a clear error when a sampler misbehaves."""
    try:
        out = target.sample(n, generator)
    except Exception as exc:  # a user's sampler: report it as a scene problem
        raise GananimError(f"target sampler {target.name!r} raised {type(exc).__name__}: {exc}") from exc
    out = torch.as_tensor(np.asarray(out) if not isinstance(out, torch.Tensor) else out, dtype=torch.float32)
    if out.dim() == 1:
        out = out[:, None]
    if out.dim() != 2 or out.shape[0] != n:
        raise GananimError(f"target sampler {target.name!r} must return {n} rows, got shape {tuple(out.shape)}")
    return out
