"""The Scene: one experiment — target, networks, objective, optimizers, schedule, recording, look.

A scene file is plain Python that builds a Scene; every leaf setting has a dotted key
(`opt_d.lr`, `g.widths`, `render.fps`) that `--set key=value` can change.
"""
from __future__ import annotations

import hashlib
import inspect
import math
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import PurePath
from typing import Callable, Optional

from torch import nn

from gananim.config.networks import DCGAN, MLP
from gananim.config.settings import check_types, flatten
from gananim.errors import GananimError, did_you_mean
from gananim.trace import RECORD_MODES

LATENTS = ("uniform", "normal")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
LAYOUTS = ("classic", "1d", "wide", "square", "digits")
THEMES = ("light", "dark", "print")
TIMELINES = ("linear", "log", "adaptive")  # which steps frames show (gananim/rendering/timeline.py)
# The objectives gananim.model.objectives implements, by name (a test keeps the two in step).
LOSSES = ("nonsaturating", "minimax", "lsgan", "hinge", "wgan", "wgan-gp", "fgan-kl", "fgan-rkl", "fgan-pearson",
          "fgan-hellinger", "fgan-js", "fgan-gan")


@dataclass
class Latent:
    """The generator's input: U[-1, 1]^dim ("uniform") or N(0, 1)^dim ("normal")."""

    kind: str = "uniform"
    dim: int = 2


@dataclass
class Optim:
    """One network's optimizer. `beta1`, `beta2` are Adam's; `alpha` is RMSprop's smoothing
    constant, `momentum` SGD's."""

    name: str = "adam"
    lr: float = 1e-3
    beta1: float = 0.5
    beta2: float = 0.999
    eps: float = 1e-8
    alpha: float = 0.99
    momentum: float = 0.0
    weight_decay: float = 0.0

    @property
    def betas(self) -> tuple[float, float]:
        return self.beta1, self.beta2


def adam(lr: float, betas: tuple[float, float] = (0.5, 0.999), **kw) -> Optim:
    return Optim("adam", lr, *betas, **kw)


def rmsprop(lr: float, alpha: float = 0.99, **kw) -> Optim:
    return Optim("rmsprop", lr, alpha=alpha, **kw)


def sgd(lr: float, momentum: float = 0.0, **kw) -> Optim:
    return Optim("sgd", lr, momentum=momentum, **kw)


@dataclass
class Tricks:
    """Stabilisation tricks; each is off at its default and they combine freely.

    real_label, fake_label   D's targets (BCE and LSGAN): real 0.9 is one-sided label
                             smoothing (Improved GAN); 0.9 / 0.1 is PointGAN's two-sided easing
    real_weight, fake_weight weights of D's loss on real and on generated samples (PointGAN)
    instance_noise           std of Gaussian noise added to everything D sees; with
                             instance_noise_anneal it falls linearly to 0 over the run
    param_noise              std of Gaussian noise on G's parameters while D trains, averaged
                             over param_noise_batch draws (PointGAN's NOISE_SCALE, §3)
    feature_matching         k > 0: G matches the mean of D's hidden layer k on real and
                             generated samples, ‖E f(x) − E f(G(z))‖², instead of fooling D
    grad_clip                largest gradient norm of each network's update (0: off)
    gp_lambda                weight of WGAN-GP's gradient penalty
    weight_clip              WGAN's clipping range for D's parameters
    pack                     m > 1: PacGAN (Lin et al. 2018): D judges m samples at once,
                             concatenated, all real or all generated
    unroll                   k > 0: unrolled GAN (Metz et al. 2016): G's update looks k steps
                             of D ahead, with gradients through the unrolled steps (Adam or SGD)
    """

    real_label: float = 1.0
    fake_label: float = 0.0
    real_weight: float = 1.0
    fake_weight: float = 1.0
    instance_noise: float = 0.0
    instance_noise_anneal: bool = True
    param_noise: float = 0.0
    param_noise_batch: int = 1
    feature_matching: int = 0
    grad_clip: float = 0.0
    gp_lambda: float = 10.0
    weight_clip: float = 0.01
    pack: int = 1
    unroll: int = 0


# A target source naming a file of the user's own data, by its suffix (README, "Your own data").
POINTS_SUFFIXES = (".csv", ".tsv", ".txt", ".npy")
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg")
TEXT_PREFIX = "text:"
SCALES = ("fit", "raw")


def is_data_file(source) -> bool:
    """Whether a target source names a points file or a picture."""
    return isinstance(source, str) and source.lower().endswith(POINTS_SUFFIXES + PICTURE_SUFFIXES)


@dataclass
class TargetSpec:
    """The distribution G learns. `source` is a built-in name (`sine`, `ring8`, …), a points
    file (.csv .tsv .txt .npy), a picture (.png .jpg), `text:WORDS`, or a callable sampler.
    `invert` learns a picture's light pixels instead of its dark ones; `font` is the
    fontconfig pattern `text:` draws with; `scale` is "fit" (the data's robust extent mapped
    into the box G can reach; axes keep the data's units) or "raw" (values used as they are).
    `target="x.csv"` in a scene, or `--set target=x.csv`, sets `source`."""

    source: "str | Callable" = "sine"
    invert: bool = False
    font: str = "DejaVu Sans:bold"
    scale: str = "fit"

    def describe(self):
        """The source as a trace keeps it: a file by its name only (never where it lay), a
        sampler by its function's name."""
        if callable(self.source):
            return f"sampler:{getattr(self.source, '__name__', type(self.source).__name__)}"
        return PurePath(self.source).name if is_data_file(self.source) else self.source


@dataclass
class Detect:
    """Thresholds of the phase and failure labels drawn on frames (README, "Phase labels")."""

    window: float = 0.02
    d_wins: float = 0.9
    oscillation: float = 0.3
    collapse: float = 0.25


@dataclass
class Record:
    """What the trace keeps. `mode` "keyframes" keeps every step's scalars and the whole
    training state every `keyframe_every` steps (0: automatically, about a fiftieth of the full
    trace's bytes), and replays the steps between; "full" keeps parameter rows too. `every` =
    0 records parameters at every step unless that would pass `budget_mb`; then the finest
    cadence that fits (in keyframe mode: the steps a render shows and the cache keeps). `bank`
    real samples and `latents` fixed latent codes are stored for drawing."""

    every: int = 0
    budget_mb: float = 300.0
    bank: int = 1000
    latents: int = 1000
    mode: str = "keyframes"
    keyframe_every: int = 0


@dataclass
class Render:
    """Render defaults; the CLI's options override them. Limits of None come from the data.
    `panels`, when given, replaces the layout's panels (names as in `--panels`)."""

    layout: str = "classic"
    panels: tuple[str, ...] = ()
    theme: str = "light"
    frames: int = 200
    fps: int = 20
    size: tuple[int, int] = (720, 720)
    dpi: float = 0.0
    grid: int = 100
    xlim: Optional[tuple[float, float]] = None
    ylim: Optional[tuple[float, float]] = None
    zlim: Optional[tuple[float, float]] = None
    timeline: str = "adaptive"
    captions: tuple[str, ...] = ()


def _source_of(obj) -> str:
    """Source text of a function or class; for a class from a scene file (which inspect cannot
    find by module), that of its methods; its name when there is no source at all."""
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        pass
    if isinstance(obj, type):
        methods = [_source_of(f) for f in vars(obj).values() if inspect.isfunction(f)]
        if methods:
            return f"class {obj.__qualname__}:\n" + "\n".join(methods)
    return f"<{getattr(obj, '__qualname__', type(obj).__name__)}>"


# The ranges of every count a scene sets (README, "Limits"): beyond them a request is a mistake
# or would not fit in memory, and it is refused before any work starts.
COUNTS = {"steps": (1, 10 ** 9), "batch": (1, 65_536), "d_steps": (1, 100), "g_steps": (0, 100),
          "latent.dim": (1, 4096), "record.every": (0, 10 ** 9), "record.keyframe_every": (0, 10 ** 9), "record.bank": (1, 100_000),
          "record.latents": (1, 100_000), "tricks.param_noise_batch": (1, 1024), "tricks.feature_matching": (0, 64),
          "tricks.pack": (1, 16), "tricks.unroll": (0, 20)}
MAX_SEED = 2 ** 62
MAX_RUNS = 4096


PRESENTATION = ("name", "title", "about", "render", "detect")  # drawing only: changing them never retrains


@dataclass
class Scene:
    """A whole GAN experiment. See README.md, "Scene files", for every setting."""

    name: str = "scene"
    title: str = ""
    about: str = ""
    target: TargetSpec = field(default_factory=TargetSpec)
    latent: Latent = field(default_factory=Latent)
    g: "MLP | DCGAN | nn.Module" = field(default_factory=MLP)
    d: "MLP | DCGAN | nn.Module" = field(default_factory=MLP)
    loss: str = "nonsaturating"
    opt_g: Optim = field(default_factory=lambda: adam(1e-4))
    opt_d: Optim = field(default_factory=lambda: adam(1e-3))
    tricks: Tricks = field(default_factory=Tricks)
    d_steps: int = 1
    g_steps: int = 1
    batch: int = 100
    steps: int = 10000
    seed: int = 0
    seeds: tuple[int, ...] = ()
    record: Record = field(default_factory=Record)
    render: Render = field(default_factory=Render)
    detect: Detect = field(default_factory=Detect)

    # `target=X` is short for `target.source=X`, in scene files and on the command line.
    SHORT_KEYS = {"target": "target.source"}

    def __post_init__(self) -> None:
        if not isinstance(self.target, TargetSpec):
            self.target = TargetSpec(self.target)

    def validate(self) -> "Scene":
        """Check every setting's type and range; raise GananimError naming the first bad one."""
        check_types(self)
        source = self.target.source
        if not ((isinstance(source, str) and source.strip()) or callable(source)):
            raise GananimError("target must be a built-in name, a points file, a picture, text:WORDS or a callable "
                               f"sampler, got {source!r}")
        if self.target.scale not in SCALES:
            raise GananimError(f"target.scale must be one of {', '.join(SCALES)}, got {self.target.scale!r}")
        if self.loss not in LOSSES:
            raise GananimError(f"unknown loss {self.loss!r}; {did_you_mean(self.loss, LOSSES)}choose from {', '.join(LOSSES)}")
        for key, value in flatten(self).items():  # NaN and infinities anywhere are refused by name
            numbers = value if isinstance(value, tuple) else (value,)
            if any(isinstance(v, float) and not math.isfinite(v) for v in numbers):
                raise GananimError(f"{key} must be a finite number, got {value}")
        for key, (low, high) in COUNTS.items():
            value = self._get(key)
            if value < low:
                raise GananimError(f"{key} must be at least {low}, got {value}")
            if value > high:
                raise GananimError(f"{key} must be at most {high:,}, got {value:,}")
        if self.seed < 0 or any(s < 0 for s in self.seeds) or max((self.seed, *self.seeds)) > MAX_SEED:
            raise GananimError(f"seeds must be integers from 0 to {MAX_SEED}, got {self.seeds or self.seed}")
        if len(set(self.seeds)) != len(self.seeds):
            raise GananimError(f"seeds must be distinct, got {list(self.seeds)}")
        if len(self.seeds) > MAX_RUNS:
            raise GananimError(f"seeds lists {len(self.seeds):,} runs; at most {MAX_RUNS:,} train together")
        t = self.tricks
        for key in ("real_weight", "fake_weight", "instance_noise", "param_noise", "grad_clip", "gp_lambda",
                    "weight_clip"):
            if getattr(t, key) < 0:
                raise GananimError(f"tricks.{key} must be ≥ 0, got {getattr(t, key)}")
        depth = len(self.d.widths) if isinstance(self.d, MLP) else 0
        if t.feature_matching > depth:
            raise GananimError(f"tricks.feature_matching names D's hidden layer {t.feature_matching}, "
                               f"but D has {depth} hidden layers")
        if t.unroll and self.opt_d.name == "rmsprop":
            raise GananimError("tricks.unroll unrolls D's Adam or SGD updates; opt_d is rmsprop")
        if t.unroll and self.loss in ("wgan-gp", "wgan"):
            raise GananimError(f"tricks.unroll is not supported with loss {self.loss} (its penalty or clipping "
                               "would have to be unrolled too)")
        if self.record.every < 0:
            raise GananimError(f"record.every must be 0 (automatic) or a positive cadence, got {self.record.every}")
        if self.record.budget_mb <= 0:
            raise GananimError(f"record.budget_mb must be positive, got {self.record.budget_mb}")
        if self.record.mode not in RECORD_MODES:
            raise GananimError(f"record.mode must be one of {', '.join(RECORD_MODES)}, got {self.record.mode!r}")
        if self.latent.kind not in LATENTS:
            raise GananimError(f"latent.kind must be one of {', '.join(LATENTS)}, got {self.latent.kind!r}")
        for key, opt in (("opt_g", self.opt_g), ("opt_d", self.opt_d)):
            if opt.name not in OPTIMIZERS:
                raise GananimError(f"{key}.name must be one of {', '.join(OPTIMIZERS)}, got {opt.name!r}")
            if not opt.lr > 0:
                raise GananimError(f"{key}.lr must be positive, got {opt.lr}")
            if not all(0 <= b < 1 for b in opt.betas):
                raise GananimError(f"{key}.beta1 and {key}.beta2 must lie in [0, 1), got {list(opt.betas)}")
            if opt.eps <= 0 or not 0 <= opt.alpha < 1 or opt.momentum < 0 or opt.weight_decay < 0:
                raise GananimError(f"{key}: eps must be positive, alpha in [0, 1), momentum and weight_decay ≥ 0")
        for key, net in (("g", self.g), ("d", self.d)):
            if isinstance(net, (MLP, DCGAN)):
                net.validate(key)
            elif not isinstance(net, nn.Module):
                raise GananimError(f"{key} must be an mlp(...), a dcgan(...) or an nn.Module, got {type(net).__name__}")
        r = self.render
        if r.layout not in LAYOUTS:
            raise GananimError(f"render.layout must be one of {', '.join(LAYOUTS)}, got {r.layout!r}")
        if r.timeline not in TIMELINES:
            raise GananimError(f"render.timeline must be one of {', '.join(TIMELINES)}, got {r.timeline!r}")
        if r.theme not in THEMES:
            raise GananimError(f"render.theme must be one of {', '.join(THEMES)}, got {r.theme!r}")
        check_size(r.size)
        check_render_counts(r.frames, r.fps, r.grid, prefix="render.")
        if r.dpi < 0:
            raise GananimError(f"render.dpi must be positive (or 0 for automatic), got {r.dpi}")
        for key in ("xlim", "ylim", "zlim"):
            lim = getattr(r, key)
            if lim is not None and not lim[0] < lim[1]:
                raise GananimError(f"render.{key} must be (low, high) with low < high, got {list(lim)}")
        return self

    @property
    def run_seeds(self) -> tuple[int, ...]:
        """The seeds trained: `seeds` when given (one run each, trained together), else (`seed`,)."""
        return tuple(self.seeds) or (self.seed,)

    def derive(self, changes: dict | None = None, **top) -> "Scene":
        """A copy with some settings changed, by dotted key: scene.derive({"opt_d.lr": 1e-4}, name="x")."""
        from gananim.config.settings import update
        return update(self, {**top, **(changes or {})})

    def _get(self, key: str):
        value = self
        for part in key.split("."):
            value = getattr(value, part)
        return value

    def training_settings(self) -> dict:
        """The settings that change what training writes: all but the presentation ones."""
        return {key: value for key, value in self.settings().items() if key not in PRESENTATION}

    def custom_source(self) -> str | None:
        """What defines the scene's own networks and sampler, which change training as much as
        settings do: a module's structure (its repr) and the source of its classes outside torch,
        a sampler's source; None when the scene has none."""
        parts = []
        for value in (self.g, self.d, self.target.source):
            if isinstance(value, nn.Module):
                parts.append(repr(value))
                classes = dict.fromkeys(type(m) for m in value.modules())
                parts += [_source_of(c) for c in classes if not c.__module__.startswith("torch.")]
            elif callable(value) and not isinstance(value, str):
                parts.append(_source_of(value))
        return "\n".join(parts) if parts else None

    def custom_source_hash(self) -> str | None:
        """What a trace records of the scene's own code: the SHA-256 of its source, never the code."""
        custom = self.custom_source()
        return hashlib.sha256(custom.encode()).hexdigest() if custom else None

    def settings(self) -> dict:
        """The resolved settings as JSON-ready nested dicts (custom objects by name)."""
        out = {}
        for key, value in vars(self).items():
            if isinstance(value, TargetSpec):
                out[key] = {**asdict(value), "source": value.describe()}
            elif is_dataclass(value):
                out[key] = asdict(value)
            elif isinstance(value, nn.Module):
                out[key] = {"module": type(value).__name__,
                            "parameters": sum(p.numel() for p in value.parameters())}
            elif callable(value):
                out[key] = {"sampler": getattr(value, "__name__", type(value).__name__)}
            else:
                out[key] = value
        return out


MIN_SIZE, MAX_SIZE = 64, 7680
MAX_GRID = 2000  # heat-map cells per side: 4 million points a field, evaluated in bounded chunks
MAX_FRAMES = 100_000  # about an hour and a half at 20 fps
MAX_FPS = 240


def check_render_counts(frames: int, fps: int, grid: int, prefix: str = "--") -> None:
    """The limits on counts that set how much rendering work a request is (README, "Limits")."""
    for key, value, high in (("frames", frames, MAX_FRAMES), ("fps", fps, MAX_FPS), ("grid", grid, MAX_GRID)):
        if not 1 <= value <= high:
            raise GananimError(f"{prefix}{key} must be between 1 and {high:,}, got {value:,}")


def check_size(size: tuple[int, int]) -> None:
    w, h = size
    if not (MIN_SIZE <= w <= MAX_SIZE and MIN_SIZE <= h <= MAX_SIZE):
        raise GananimError(f"size must be between {MIN_SIZE} and {MAX_SIZE} pixels per side, got {w}x{h}")


def _optim(stored: dict) -> Optim:
    stored = dict(stored)
    if "betas" in stored:  # traces written before beta1 and beta2 were separate settings
        stored["beta1"], stored["beta2"] = stored.pop("betas")
    return Optim(**stored)


def from_settings(settings: dict) -> Scene:
    """Rebuild the parts of a Scene that rendering needs from a trace's stored settings, checked
    like any scene's (a trace is input: its settings get the same types and ranges)."""
    try:
        scene = _rebuilt(dict(settings))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GananimError(f"its settings are damaged ({type(exc).__name__}: {exc})") from None
    return scene.validate()


class StoredModule(nn.Module):
    """What a trace keeps of a scene's own network: its class name, never its code."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


def _rebuilt(s: dict) -> Scene:
    scene = Scene(
        name=s["name"], title=s["title"], about=s.get("about", ""),
        target=TargetSpec(**s["target"]) if isinstance(s["target"], dict) else TargetSpec(str(s["target"])),
        latent=Latent(**s["latent"]), loss=s["loss"],
        opt_g=_optim(s["opt_g"]), opt_d=_optim(s["opt_d"]),
        tricks=Tricks(**s.get("tricks", {})), d_steps=s["d_steps"], g_steps=s.get("g_steps", 1),
        batch=s["batch"], steps=s["steps"], seed=s["seed"], seeds=tuple(s.get("seeds", ())),
        record=Record(**{"mode": "full", **s["record"]}),  # traces before keyframes are full detect=Detect(**s.get("detect", {})),
        render=Render(**{k: tuple(v) if isinstance(v, list) else v for k, v in s["render"].items()}),
    )
    for key in ("g", "d"):
        spec = s[key]
        if "widths" in spec:
            spec = MLP(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()})
        elif "hidden" in spec:
            spec = DCGAN(**spec)
        else:
            spec = StoredModule(str(spec["module"]))
        setattr(scene, key, spec)
    return scene
