"""Batched evaluation of G and D from recorded parameters, for blocks of frames at once.

A View holds what every frame shares (networks, fixed latents, real samples, axis limits,
grids); a FrameBlock evaluates the networks for several recorded steps in one batched call
per quantity, at whatever grid resolution the render asks for.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import torch

from . import objectives, scenefile
from .errors import GananimError
from .nets import MLP, build_network
from .scene import from_settings
from .trace import Trace



def _networks(trace: Trace, scene):
    """G and D for a trace: rebuilt from stored MLP specs, or from the scene file for custom modules."""
    nets = trace.meta["nets"]
    specs = {"g": scene.g, "d": scene.d}
    if not all(isinstance(s, MLP) for s in specs.values()):
        source = trace.meta.get("scene_file")
        if not source or not Path(source).exists():
            raise GananimError(f"trace {trace.path} uses custom nn.Module networks; re-rendering it needs its "
                               f"scene file ({source or 'unknown'}), which is missing")
        original = scenefile.load(source, trace.meta.get("scene_var"))
        specs = {"g": original.g, "d": original.d}
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
    """A trace prepared for drawing: networks, fixed samples, limits and grids."""

    def __init__(self, trace: Trace, span: tuple[int, int], grid: int) -> None:
        """`span` is the range of steps the animation covers: curves and limits follow it."""
        self.trace, self.span, self.grid = trace, span, grid
        self.scene = from_settings(trace.settings)
        self.g, self.d = _networks(trace, self.scene)
        self.objective = objectives.get(self.scene.loss)
        self.n_g = trace.meta["nets"]["g"]["n"]
        self.real = trace.array("real")
        self.latents = torch.from_numpy(trace.array("latents"))
        self.data_dim, self.latent_dim = self.real.shape[1], self.latents.shape[1]
        self.status = trace.status
        r = self.scene.render
        self.zlim = tuple(r.zlim) if r.zlim else ((-3.0, 3.0) if self.scene.latent.kind == "normal" else (-1.0, 1.0))
        self.xlim, self.ylim = self._limits(tuple(r.xlim) if r.xlim else None, tuple(r.ylim) if r.ylim else None)

    def _limits(self, xlim, ylim):
        """Fixed for the whole animation: the real data, widened to where most fakes go (at most 2×)."""
        if xlim and (ylim or self.data_dim == 1):
            return xlim, ylim
        recorded = self.trace.param_steps
        recorded = recorded[(recorded >= self.span[0]) & (recorded <= self.span[1])]
        picks = recorded[np.linspace(0, len(recorded) - 1, min(len(recorded), 24)).astype(int)]
        fakes = np.concatenate(list(FrameBlock(self, picks).fake))
        lims = []
        for axis in range(min(self.data_dim, 2)):
            lo, hi = float(self.real[:, axis].min()), float(self.real[:, axis].max())
            span = max(hi - lo, 1e-3 * max(abs(hi), 1.0), 1e-6)
            f_lo, f_hi = np.nanquantile(fakes[:, axis], [0.02, 0.98]) if np.isfinite(fakes).any() else (lo, hi)
            lims.append(_padded(max(min(lo, f_lo), lo - span), min(max(hi, f_hi), hi + span)))
        if self.data_dim == 1:
            return xlim or lims[0], None
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
        """Grid over the first two latent coordinates; any others are held at 0."""
        pts = self._grid_points(self.zlim, self.zlim, self.grid)
        out = torch.zeros(len(pts), self.latent_dim)
        out[:, :2] = pts
        return out

    def line(self, n: int = 400) -> torch.Tensor:
        return torch.linspace(*self.xlim, n)[:, None]


class FrameBlock:
    """Network outputs for a block of recorded steps, each quantity computed in one batched call."""

    def __init__(self, view: View, steps) -> None:
        self.view, self.steps = view, np.asarray(steps)
        params = torch.from_numpy(view.trace.params(self.steps)[:, 0])
        self.g_params, self.d_params = params[:, :view.n_g], params[:, view.n_g:]

    def __len__(self) -> int:
        return len(self.steps)

    def _d(self, x: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            return self.view.objective.display(self.view.d.forward(self.d_params, x))[..., 0].numpy()

    @cached_property
    def fake(self) -> np.ndarray:
        """G at the fixed latent codes: [frames, n, data_dim]."""
        with torch.no_grad():
            return self.view.g.forward(self.g_params, self.view.latents).numpy()

    @cached_property
    def sample_field(self) -> np.ndarray:
        """D over the sample-space grid: [frames, grid, grid] (row 0 at the bottom)."""
        n = self.view.grid
        return self._d(self.view.sample_grid).reshape(len(self), n, n)

    @cached_property
    def latent_field(self) -> np.ndarray:
        """D(G(z)) over the latent grid: [frames, grid, grid]."""
        n = self.view.grid
        with torch.no_grad():
            fake = self.view.g.forward(self.g_params, self.view.latent_grid)
        return self._d(fake).reshape(len(self), n, n)

    @cached_property
    def d_curve(self) -> np.ndarray:
        """D along the 1-D data axis: [frames, points] at View.line()."""
        return self._d(self.view.line())

    @cached_property
    def g_line(self) -> np.ndarray:
        """G over its 1-D input range: [frames, points] at the latent line."""
        z = torch.linspace(*self.view.zlim, 200)[:, None]
        with torch.no_grad():
            return self.view.g.forward(self.g_params, z)[..., 0].numpy()
