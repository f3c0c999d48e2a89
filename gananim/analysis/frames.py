"""Batched evaluation of G and D from recorded parameters, for blocks of frames at once.

A View holds what every frame shares (networks, fixed latents, real samples, axis limits,
grids); a FrameBlock evaluates the networks for several recorded steps in one batched call
per quantity, at whatever grid resolution the render asks for.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np
import torch

from gananim.analysis import metrics
from gananim.config.networks import DCGAN, MLP
from gananim.config.scene import from_settings
from gananim.data import targets
from gananim.data.latents import sample_latent
from gananim.errors import GananimError
from gananim.model import objectives
from gananim.model.networks import build_network
from gananim.trace import Trace

GRID_SIDE = 8  # the sample grid shows 8×8 images
INTERPOLATIONS, INTERPOLATION_STEPS = 3, 10  # strips between pairs of fixed codes, 10 images each
IMAGE_CODES = GRID_SIDE ** 2 + 2 * INTERPOLATIONS  # fixed codes the image panels need


def image_codes(latents: torch.Tensor) -> torch.Tensor:
    """The grid's codes, then each interpolation strip's: the trace's first fixed codes, in pairs."""
    grid = latents[:GRID_SIDE ** 2]
    pairs = latents[GRID_SIDE ** 2:IMAGE_CODES].reshape(INTERPOLATIONS, 2, -1)
    t = torch.linspace(0, 1, INTERPOLATION_STEPS)[:, None]
    return torch.cat([grid, *[(1 - t) * z1 + t * z2 for z1, z2 in pairs]])


MANIFOLD_CELLS = 28  # the manifold panel's latent grid: cells per side

# The heat maps' arithmetic. bfloat16 rounds every hidden layer's output to 8 significant bits
# and torch on CPU has no bfloat16 product with float32 results, so on trained networks it
# moves colours by up to about 4 levels in 256 (bench/precision.py): opt-in, for wide networks
# where it pays, never the default. Training, traces, samples and metrics stay float32.
PRECISIONS = {"fp32": torch.float32, "bf16": torch.bfloat16}


def field_dtype(precision: str) -> torch.dtype:
    if precision not in PRECISIONS:
        raise GananimError(f"unknown precision {precision!r}; choose from {', '.join(PRECISIONS)}")
    return PRECISIONS[precision]


def _networks(trace: Trace, scene, networks):
    """G and D for a trace: rebuilt from its stored MLP or DCGAN specs, or, for a scene's own
    nn.Modules, from `networks` — modules the caller took from a scene file the user named.
    Nothing a trace names is ever imported or run."""
    nets = trace.meta["nets"]
    specs = {"g": scene.g, "d": scene.d}
    if not all(isinstance(s, (MLP, DCGAN)) for s in specs.values()):
        if networks is None:
            name = trace.meta.get("scene_file") or "its scene file"
            raise GananimError(f"trace {trace.path} uses the scene's own nn.Module networks; drawing it needs their "
                               f"code: add --scene-file PATH (the {name} it was trained from). A trace never runs code "
                               "by itself")
        specs = dict(zip(("g", "d"), networks))
    built = {k: build_network(specs[k], nets[k]["n_in"], nets[k]["n_out"]) for k in ("g", "d")}
    for k in ("g", "d"):
        if built[k].n_params != nets[k]["n"]:
            raise GananimError(f"trace {trace.path}: the {k.upper()} network has {built[k].n_params} parameters "
                               f"but the trace records {nets[k]['n']}")
    return built["g"], built["d"]


def _padded(low: float, high: float, pad: float = 0.08) -> tuple[float, float]:
    span = (high - low) or max(abs(high), 1.0)
    return low - pad * span, high + pad * span


class View:
    """A trace prepared for drawing: networks, fixed samples, limits, grids and colour scale."""

    def __init__(self, trace: Trace, span: tuple[int, int], grid: int, run: int | None = 0,
                 networks: tuple | None = None, precision: str = "fp32",
                 device: torch.device = torch.device("cpu")) -> None:
        """`span` is the range of steps the animation covers: curves and limits follow it.
        `run` picks one run of a multi-seed trace; None draws all runs at once. `networks`
        are G's and D's modules for a trace of a scene's own nn.Modules (see `_networks`).
        `precision` is the heat maps' (see `field_dtype`); `device` computes them (and G's
        samples on grids), everything else stays on the CPU."""
        self.trace, self.span, self.grid, self.device = trace, span, grid, device
        self.field_dtype = field_dtype(precision)
        try:
            self.scene = from_settings(trace.settings)
        except GananimError as exc:
            raise GananimError(f"trace {trace.path} has bad settings: {exc}") from None
        self.g, self.d = _networks(trace, self.scene, networks)
        self.objective = objectives.get(self.scene.loss)
        self.n_g = trace.meta["nets"]["g"]["n"]
        self.runs, self.seeds = trace.meta["runs"], trace.meta.get("seeds", [self.scene.seed])
        if run is not None and not 0 <= run < self.runs:
            raise GananimError(f"--run {run} is out of range: this trace holds runs 0 to {self.runs - 1}")
        self.run = run
        if "vbn_reference" in trace.arrays:
            reference = torch.from_numpy(trace.array("vbn_reference"))
            self.g.reference = reference if run is None else reference[run]
        self.real = trace.array("real")
        self.latents = torch.from_numpy(trace.array("latents"))
        self.data_dim, self.latent_dim = self.real.shape[1], self.latents.shape[1]
        self.image = tuple(trace.meta["image"]) if "image" in trace.meta else None  # (height, width)
        if self.data_dim > 2 and not self.image:
            raise GananimError(f"gananim draws 1-D and 2-D data and images; this trace's data has "
                               f"{self.data_dim} dimensions")
        self.status = trace.status
        units = trace.meta.get("data_units")
        self.units = targets.Units(tuple(units["offset"]), units["scale"], units["unit"],
                                   tuple(units.get("labels", ()))) if units else None
        r = self.scene.render
        self.zlim = tuple(r.zlim) if r.zlim else ((-3.0, 3.0) if self.scene.latent.kind == "normal" else (-1.0, 1.0))
        if self.image:  # no planes to bound: image panels show pixels and recorded scores
            self.xlim = self.ylim = None
            self.shown_range = self.objective.bounds or (-1.0, 1.0)
        else:
            self.xlim, self.ylim = self._limits(tuple(r.xlim) if r.xlim else None, tuple(r.ylim) if r.ylim else None)
            self.shown_range = self._shown_range()
        source = self.scene.target.source
        self.modes = targets.BUILTIN[source].modes if source in targets.BUILTIN else None
        self.frame_steps = np.asarray(trace.param_steps)  # the steps being drawn; the renderer narrows this

    def device_for(self, net) -> torch.device:
        """Where `net`'s grid evaluations run: the view's device for plain MLPs; the CPU for
        networks with state of their own (VBN references, modules' buffers)."""
        return self.device if _plain_mlp(net) else torch.device("cpu")

    @cached_property
    def metric_latents(self) -> torch.Tensor:
        """2,500 latent codes, the same for every frame and every render (a fixed seed)."""
        return sample_latent(self.scene.latent, metrics.METRIC_SAMPLES, torch.Generator().manual_seed(20160610))

    @cached_property
    def image_latents(self) -> torch.Tensor:
        return image_codes(self.latents)

    @cached_property
    def feature_layer(self) -> int | None:
        """D's last hidden layer with 2 units (1-based), whose outputs can be plotted as they are."""
        widths = getattr(self.d.spec, "widths", ())
        hits = [i + 1 for i, w in enumerate(widths) if w == 2]
        return hits[-1] if hits else None

    def spread_steps(self, n: int) -> np.ndarray:
        """Up to n recorded steps spread evenly over the span."""
        recorded = self.trace.param_steps
        recorded = recorded[(recorded >= self.span[0]) & (recorded <= self.span[1])]
        return recorded[np.unique(np.linspace(0, len(recorded) - 1, min(len(recorded), n)).astype(int))]

    def _picks(self) -> np.ndarray:
        """Up to 24 recorded steps spread over the span, to size limits and colour scales."""
        return self.spread_steps(24)

    def _shown_range(self) -> tuple[float, float]:
        """The colour range of D's fields: fixed for probabilities; for critics, symmetric about
        the centre, as wide as a typical frame's 98th percentile (a critic's scale drifts over
        training; the few frames beyond it saturate rather than wash out all the others)."""
        if self.objective.bounds:
            return self.objective.bounds
        block = FrameBlock(self, self._picks(), grid=24)
        values = [block.sample_field] if self.data_dim == 2 else [block.d_curve]
        if self.data_dim == 2 and self.latent_dim >= 2:
            values.append(block.latent_field)
        center = self.objective.center or 0.0
        per_frame = np.concatenate([np.abs(v - center).reshape(len(block), -1) for v in values], axis=1)
        spread = float(np.nanmedian(np.nanquantile(per_frame, 0.98, axis=1))) or 1.0
        return center - spread, center + spread

    @cached_property
    def events(self) -> list:
        """Phase and failure labels over the span (gananim/analysis/phases.py)."""
        from gananim.analysis.phases import detect  # phases evaluates FrameBlocks of this module
        return detect(self)

    def block(self, steps, grid: int | None = None) -> "FrameBlock":
        """Network outputs at these recorded steps."""
        return FrameBlock(self, steps, grid)

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A recorded scalar over steps 1.. for the chosen run, or its mean and std across runs."""
        values = self.trace.scalar(name)
        if self.run is not None:
            return values[:, self.run], np.zeros(len(values))
        return values.mean(axis=1), values.std(axis=1)

    @property
    def shown_label(self) -> str:
        if self.objective.center is None:
            return f"{self.objective.display_label} − midpoint"
        return self.objective.display_label

    def _limits(self, xlim, ylim):
        """Fixed for the whole animation: the real data, widened to where most fakes go (at most 2×)."""
        if xlim and (ylim or self.data_dim == 1):
            return xlim, ylim
        fakes = FrameBlock(self, self._picks()).fake.reshape(-1, self.data_dim)
        lims = []
        for axis in range(min(self.data_dim, 2)):
            lo, hi = float(self.real[:, axis].min()), float(self.real[:, axis].max())
            span = max(hi - lo, 1e-3 * max(abs(hi), 1.0), 1e-6)
            f_lo, f_hi = np.nanquantile(fakes[:, axis], [0.02, 0.98]) if np.isfinite(fakes).any() else (lo, hi)
            lims.append(_padded(max(min(lo, f_lo), lo - span), min(max(hi, f_hi), hi + span)))
        if self.data_dim == 1:
            return xlim or lims[0], None
        if self.units and not (xlim or ylim):  # own data keeps its aspect: a word or a picture is not squashed
            half = max(hi - lo for lo, hi in lims) / 2
            lims = [(sum(lim) / 2 - half, sum(lim) / 2 + half) for lim in lims]
        return xlim or lims[0], ylim or lims[1]

    @staticmethod
    def _grid_points(xlim, ylim, n: int) -> torch.Tensor:
        xs = torch.linspace(*xlim, n)
        ys = torch.linspace(*ylim, n)
        yy, xx = torch.meshgrid(ys, xs, indexing="ij")
        return torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)

    @cached_property
    def sample_grid(self) -> torch.Tensor:
        return self._grid_points(self.xlim, self.ylim, self.grid)

    @cached_property
    def latent_grid(self) -> torch.Tensor:
        return self.latent_points(self.grid)

    def latent_points(self, n: int) -> torch.Tensor:
        """An n×n grid over the first two latent coordinates; any others are held at 0."""
        pts = self._grid_points(self.zlim, self.zlim, n)
        out = torch.zeros(len(pts), self.latent_dim)
        out[:, :2] = pts
        return out

    def line(self, n: int = 400) -> torch.Tensor:
        return torch.linspace(*self.xlim, n)[:, None]


MINIBATCH_FLOATS = 8_000_000  # pairwise distances held at once for a minibatch-discrimination D
# Hidden activations held at once while a field is evaluated (64 MB of float32): any grid the
# CLI accepts is computed in chunks of points, so memory stays bounded however fine it is.
FIELD_FLOATS = 1 << 24


def _widest(net) -> int:
    widths = getattr(net.spec, "widths", ())
    return max((*widths, net.n_in, net.n_out, 1))


def _plain_mlp(net) -> bool:
    """An MLP whose output depends on each point alone: one that reduced precision can evaluate."""
    spec = getattr(net, "spec", None)
    return isinstance(spec, MLP) and not spec.vbn and not spec.minibatch


def in_chunks(fn, x: torch.Tensor, sets: int, net, device: torch.device = torch.device("cpu")) -> torch.Tensor:
    """fn(x) for points x [..., N, dim], N split so that `sets` parameter sets times the widest
    layer of `net` stay within FIELD_FLOATS (a network that mixes its batch gets x whole); each
    part computed on `device`, the result on the CPU."""
    chunk = max(1, FIELD_FLOATS // max(1, sets * _widest(net)))
    if x.shape[-2] <= chunk or net.mixes_batch:
        return fn(x.to(device)).cpu()
    return torch.cat([fn(x[..., i:i + chunk, :].to(device)).cpu() for i in range(0, x.shape[-2], chunk)], dim=-2)


class FrameBlock:
    """Network outputs for a block of recorded steps, each quantity computed in one batched call.

    With one run selected, arrays are [frames, ...]; with all runs, [frames, runs, ...].
    Fields show D's output as the objective draws it; for a critic without a fixed centre
    they are shifted so that 0 lies midway between its means on real and generated samples.
    """

    def __init__(self, view: View, steps, grid: int | None = None) -> None:
        self.view, self.steps, self.grid = view, np.asarray(steps), grid or view.grid
        params = torch.from_numpy(view.trace.params(self.steps))
        params = params[:, view.run] if view.run is not None else params
        self.g_params, self.d_params = params[..., :view.n_g], params[..., view.n_g:]
        self._pushes: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def _sets(self) -> int:
        """Parameter sets evaluated at once: frames, times runs when all runs are drawn."""
        return int(np.prod(self.d_params.shape[:-1]))

    def _shown(self, x: torch.Tensor, fast: bool = False) -> torch.Tensor:
        """D's output as drawn, at x [..., N, dim] (generated samples give minibatch D its context);
        `fast`: in the heat maps' precision where that applies (see `_d_fast`).
        A PacGAN D, which reads m samples at once, is drawn at m copies of the point: what it
        says of a pack made of that point alone."""
        view = self.view
        pack = view.scene.tricks.pack
        x = self._tiled(x)
        with torch.no_grad():
            if not getattr(view.d.spec, "minibatch", 0):
                low = self._d_fast if fast else None
                out = in_chunks(lambda part: view.d.forward(self._d_on_device, part, fast=low), x, self._sets, view.d,
                                view.device_for(view.d))
                return view.objective.display(out)[..., 0]
            context = self._fake_tensor[..., :view.scene.batch * pack, :]
            if pack > 1:
                context = context.reshape(*context.shape[:-2], view.scene.batch, pack * context.shape[-1])
            kernels = view.d.spec.minibatch * view.d.spec.minibatch_dims
            chunk = max(1, MINIBATCH_FLOATS // (len(self) * context.shape[-2] * kernels))
            parts = [view.d.forward(self.d_params, x[..., i:i + chunk, :], context=context)
                     for i in range(0, x.shape[-2], chunk)]
            return view.objective.display(torch.cat(parts, dim=-2))[..., 0]

    def _low_precision(self, net, params: torch.Tensor) -> torch.Tensor | None:
        """`params` cast to the heat maps' reduced precision (for forward's `fast`), or None
        where the heat maps are float32 or the network is not a plain MLP."""
        dtype = self.view.field_dtype
        return params.to(dtype) if dtype != torch.float32 and _plain_mlp(net) else None

    @cached_property
    def _d_on_device(self) -> torch.Tensor:
        return self.d_params.to(self.view.device_for(self.view.d))  # moved once per block

    @cached_property
    def _g_on_device(self) -> torch.Tensor:
        return self.g_params.to(self.view.device_for(self.view.g))

    @cached_property
    def _d_fast(self) -> torch.Tensor | None:
        return self._low_precision(self.view.d, self._d_on_device)  # cast once per block

    @cached_property
    def _g_fast(self) -> torch.Tensor | None:
        return self._low_precision(self.view.g, self._g_on_device)

    @cached_property
    def _fake_tensor(self) -> torch.Tensor:
        with torch.no_grad():
            return self.view.g.forward(self.g_params, self.view.latents)

    @cached_property
    def fake(self) -> np.ndarray:
        """G at the fixed latent codes: [frames, (runs,) n, data_dim]."""
        return self._fake_tensor.numpy()

    def samples_for(self, codes: torch.Tensor) -> np.ndarray:
        """G at the given latent codes: [frames, (runs,) n, data_dim]."""
        with torch.no_grad():
            return in_chunks(lambda part: self.view.g.forward(self._g_on_device, part), codes, self._sets,
                             self.view.g, self.view.device_for(self.view.g)).numpy()

    @cached_property
    def midpoint(self) -> torch.Tensor:
        """Where "real" and "fake" meet, per frame: the objective's centre, or for a critic
        without one, midway between its means on the real bank and the generated samples."""
        if self.view.objective.center is not None:
            return torch.zeros(self._fake_tensor.shape[:-2])
        real = torch.from_numpy(self.view.real)
        return 0.5 * (self._shown(real).mean(-1) + self._shown(self._fake_tensor).mean(-1))

    def _field(self, x: torch.Tensor) -> np.ndarray:
        n = self.grid
        shown = self._shown(x, fast=True) - self.midpoint[..., None]
        return shown.reshape(*shown.shape[:-1], n, n).numpy()

    @cached_property
    def sample_field(self) -> np.ndarray:
        """D over the sample-space grid: [frames, grid, grid] (row 0 at the bottom)."""
        return self._field(View._grid_points(self.view.xlim, self.view.ylim, self.grid)
                           if self.grid != self.view.grid else self.view.sample_grid)

    @cached_property
    def latent_field(self) -> np.ndarray:
        """D(G(z)) over the latent grid: [frames, grid, grid]."""
        grid = self.view.latent_grid if self.grid == self.view.grid else self.view.latent_points(self.grid)
        with torch.no_grad():
            fake = in_chunks(lambda part: self.view.g.forward(self._g_on_device, part, fast=self._g_fast), grid,
                             self._sets, self.view.g, self.view.device_for(self.view.g))
        return self._field(fake)

    @cached_property
    def previous_g_params(self) -> torch.Tensor:
        """G's parameters at the recorded step before each frame's: G before that step's update."""
        recorded = self.view.trace.param_steps
        previous = recorded[np.clip(np.searchsorted(recorded, self.steps) - 1, 0, None)]
        params = torch.from_numpy(self.view.trace.params(previous))
        params = params[:, self.view.run] if self.view.run is not None else params
        return params[..., :self.view.n_g]

    def _tiled(self, x: torch.Tensor) -> torch.Tensor:
        """x as a PacGAN D reads a point: m copies side by side (x itself when D is not packed)."""
        pack = self.view.scene.tricks.pack
        return x if pack == 1 else torch.cat([x] * pack, dim=-1)

    def features(self, x: torch.Tensor) -> np.ndarray:
        """D's 2-unit layer at x, [frames, n, 2]."""
        with torch.no_grad():
            return self.view.d.forward(self.d_params, self._tiled(x), upto=self.view.feature_layer).numpy()

    @cached_property
    def real_features(self) -> np.ndarray:
        return self.features(torch.from_numpy(self.view.real))

    @cached_property
    def fake_features(self) -> np.ndarray:
        return self.features(self._fake_tensor)

    @cached_property
    def fake_features_before(self) -> np.ndarray:
        """Features of G's samples before the step's G update (G one recorded step earlier, D as now)."""
        with torch.no_grad():
            before = self.view.g.forward(self.previous_g_params, self.view.latents)
        return self.features(before)

    @cached_property
    def manifold_vertices(self) -> np.ndarray:
        """G at the vertices of the manifold panel's latent grid: [frames, vertices, 2]."""
        with torch.no_grad():
            return self.view.g.forward(self.g_params, self.view.latent_points(MANIFOLD_CELLS + 1)).numpy()

    def g_push(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Where D pushes the first n generated samples: −∇ₓ of G's per-sample loss, and the samples
        (computed once per block)."""
        if n not in self._pushes:
            x = self._fake_tensor[..., :n, :].clone().requires_grad_(True)
            with torch.enable_grad():
                loss = self.view.objective.g_term(self.view.d.forward(self.d_params, self._tiled(x)))
                (grad,) = torch.autograd.grad(loss.sum(), x)
            self._pushes[n] = (x.detach().numpy(), (-grad * n).numpy())
        return self._pushes[n]

    @cached_property
    def metric_fakes(self) -> np.ndarray:
        """G's samples at the 2,500 metric latents, [frames, n, dim] (runs pooled)."""
        with torch.no_grad():
            fakes = self.view.g.forward(self.g_params, self.view.metric_latents).numpy()
        return fakes.reshape(len(self), -1, fakes.shape[-1])

    @cached_property
    def metric_values(self) -> list[dict[str, float]]:
        """Every metric that applies, per frame."""
        return [metrics.all_metrics(self.view.real, f, self.view.modes) for f in self.metric_fakes]

    @cached_property
    def images(self) -> np.ndarray:
        """G's images at the image panels' fixed codes (gananim/rendering/panels/images.py), drawn as one
        batch so BatchNorm sees the same statistics in every panel: [frames, n, height, width]."""
        with torch.no_grad():
            rows = self.view.g.forward(self.g_params, self.view.image_latents)
        return rows.reshape(*rows.shape[:-1], *self.view.image).numpy()

    @cached_property
    def d_curve(self) -> np.ndarray:
        """D along the 1-D data axis: [frames, (runs,) points] at View.line()."""
        return (self._shown(self.view.line()) - self.midpoint[..., None]).numpy()

    @cached_property
    def g_line(self) -> np.ndarray:
        """G over its 1-D input range: [frames, (runs,) points] at the latent line."""
        z = torch.linspace(*self.view.zlim, 200)[:, None]
        with torch.no_grad():
            return self.view.g.forward(self.g_params, z)[..., 0].numpy()
