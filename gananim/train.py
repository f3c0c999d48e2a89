"""Scene -> trace: one training loop that records every step's scalars and the parameters of G and D."""
from __future__ import annotations

import hashlib
import json
import math
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import __version__, objectives, targets
from .errors import GananimError
from .nets import build_network
from .progress import console, training_bar
from .scene import Latent, Optim, Scene
from .trace import FORMAT_VERSION, TraceWriter

SCALARS = ("d_loss", "g_loss", "d_acc_real", "d_acc_fake", "d_real", "d_fake", "d_grad_norm", "g_grad_norm")
CHUNK_BYTES = 8 << 20  # parameter rows per chunk: a killed run loses at most one chunk


@dataclass
class Setup:
    """What a scene resolves to before training: sampler, networks, objective."""

    scene: Scene
    target: targets.Target
    data_dim: int
    g: object
    d: object
    objective: objectives.Objective

    @property
    def n_params(self) -> int:
        return self.g.n_params + self.d.n_params


def prepare(scene: Scene) -> Setup:
    scene.validate()
    target = targets.resolve(scene.target)
    data_dim = targets.draw(target, 2, torch.Generator().manual_seed(0)).shape[1]
    g = build_network(scene.g, scene.latent.dim, data_dim)
    d = build_network(scene.d, data_dim, 1)
    return Setup(scene, target, data_dim, g, d, objectives.get(scene.loss))


def sample_latent(latent: Latent, n: int, generator: torch.Generator) -> torch.Tensor:
    if latent.kind == "normal":
        return torch.randn(n, latent.dim, generator=generator)
    return torch.rand(n, latent.dim, generator=generator) * 2 - 1


def make_optimizer(flat: torch.Tensor, opt: Optim) -> torch.optim.Optimizer:
    if opt.name == "adam":
        return torch.optim.Adam([flat], lr=opt.lr, betas=opt.betas, eps=opt.eps, weight_decay=opt.weight_decay)
    if opt.name == "rmsprop":
        return torch.optim.RMSprop([flat], lr=opt.lr, alpha=opt.alpha, eps=opt.eps,
                                   momentum=opt.momentum, weight_decay=opt.weight_decay)
    return torch.optim.SGD([flat], lr=opt.lr, momentum=opt.momentum, weight_decay=opt.weight_decay)


def cadence(scene: Scene, n_params: int, runs: int = 1) -> int:
    """Record every step unless that passes the size budget; then the finest cadence that fits."""
    if scene.record.every:
        return scene.record.every
    row = 4 * runs * n_params
    budget = scene.record.budget_mb * 1e6
    return max(1, math.ceil((scene.steps + 2) * row / budget))


def fingerprint(scene: Scene, source: bytes = b"") -> str:
    """Identifies a run: the same fingerprint means training would write the same trace."""
    text = json.dumps(scene.settings(), sort_keys=True, default=str)
    return hashlib.sha256(b"%d|%s|" % (FORMAT_VERSION, __version__.encode()) + text.encode() + source).hexdigest()


def _generators(seed: int) -> dict[str, torch.Generator]:
    # Independent streams, so changing the bank size does not change training.
    names = ("init_g", "init_d", "data", "bank")
    states = np.random.SeedSequence(seed).generate_state(len(names), dtype=np.uint64)
    return {n: torch.Generator().manual_seed(int(s) >> 1) for n, s in zip(names, states)}


@contextmanager
def _stop_flag():
    """Ctrl-C and SIGTERM set a flag the loop checks, so a step or chunk is never cut in half."""
    flag = {"stop": False}

    def handler(signum, frame):
        flag["stop"] = True

    previous = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread: no handlers, Ctrl-C raises as usual
        pass
    try:
        yield flag
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@dataclass
class TrainResult:
    path: Path
    status: str  # complete | nan | interrupted
    steps: int
    message: str


def train(scene: Scene, path: str | Path, *, source: bytes = b"", scene_file: str | None = None,
          scene_var: str | None = None, show_progress: bool = True, frames: int | None = None) -> TrainResult:
    """Train `scene` and stream its trace to `path`.

    `scene_file` and `scene_var` say where the scene came from (re-rendering a trace whose
    networks are custom modules reloads them from there); `frames` is the number of frames
    the caller will render, used only to warn when the recording cadence is coarser."""
    setup = prepare(scene)
    gens = _generators(scene.seed)
    g, d, obj = setup.g, setup.d, setup.objective
    flat_g = g.init(gens["init_g"]).requires_grad_(True)
    flat_d = d.init(gens["init_d"]).requires_grad_(True)
    opt_g, opt_d = make_optimizer(flat_g, scene.opt_g), make_optimizer(flat_d, scene.opt_d)

    every = cadence(scene, setup.n_params)
    frames = frames or scene.render.frames
    if every > 1 and not scene.record.every:
        note = f"recording parameters every {every} steps to stay within record.budget_mb = {scene.record.budget_mb:g}"
        if scene.steps // every < frames:
            note += f"; {frames} frames will share recorded steps"
        console.print(f"[yellow]note:[/] {note}")
    chunk_steps = int(min(1024, max(16, CHUNK_BYTES * every // (4 * setup.n_params))))

    bank = targets.draw(setup.target, scene.record.bank, gens["bank"]).numpy()
    latents = sample_latent(scene.latent, scene.record.latents, gens["bank"]).numpy()
    meta = {
        "format": FORMAT_VERSION, "gananim": __version__, "torch": torch.__version__, "numpy": np.__version__,
        "settings": scene.settings(), "runs": 1, "seeds": [scene.seed], "scalars": list(SCALARS),
        "nets": {"g": {"offset": 0, "n": g.n_params, "n_in": scene.latent.dim, "n_out": setup.data_dim,
                       "describe": g.describe()},
                 "d": {"offset": g.n_params, "n": d.n_params, "n_in": setup.data_dim, "n_out": 1,
                       "describe": d.describe()}},
        "n_params": setup.n_params, "data_dim": setup.data_dim, "record_every": every,
        "planned_steps": scene.steps, "scene_file": scene_file, "scene_var": scene_var,
        "fingerprint": fingerprint(scene, source),
        "target_about": setup.target.about,
    }
    path = Path(path)
    writer = TraceWriter(path, meta, {"real": bank, "latents": latents})
    sbuf = torch.empty(chunk_steps, len(SCALARS))
    pbuf = torch.empty(chunk_steps + 1, setup.n_params)
    recorded: list[int] = []

    def record_params(step: int) -> None:
        with torch.no_grad():
            pbuf[len(recorded), :g.n_params] = flat_g
            pbuf[len(recorded), g.n_params:] = flat_d
        recorded.append(step)

    def flush(first: int, last: int) -> int:
        """Write steps first..last; on NaN/inf keep what came before it and return that step."""
        n = last - first + 1
        rows_ok = torch.isfinite(sbuf[:n]).all(dim=1)
        bad = int((~rows_ok).nonzero()[0]) + first if not bool(rows_ok.all()) else 0
        steps_kept = [s for s in recorded if not bad or s < bad]
        params = pbuf[:len(recorded)].numpy()[:len(steps_kept)]
        if not np.isfinite(params).all():
            first_bad_row = int(np.nonzero(~np.isfinite(params).all(axis=1))[0][0])
            bad = min(bad or steps_kept[first_bad_row], steps_kept[first_bad_row])
            steps_kept = steps_kept[:first_bad_row]
            params = params[:first_bad_row]
        n_keep = (bad - first) if bad else n
        writer.chunk(first, sbuf[:n_keep].numpy()[:, None, :], steps_kept, params[:, None, :])
        recorded.clear()
        return bad

    x_gen = gens["data"]
    batch, status, message, bad_step = scene.batch, "complete", "", 0
    record_params(0)
    chunk_first, step = 1, 0
    try:
        with _stop_flag() as flag, training_bar(scene.name, scene.steps, show_progress) as bar:
            for step in range(1, scene.steps + 1):
                for _ in range(scene.d_steps):
                    real = targets.draw(setup.target, batch, x_gen)
                    z = sample_latent(scene.latent, batch, x_gen)
                    with torch.no_grad():
                        fake = g.forward(flat_g, z)
                    out = d.forward(flat_d, torch.cat([real, fake]))  # one D pass over both halves
                    out_real, out_fake = out[:batch], out[batch:]
                    d_loss = obj.d_loss(out_real, out_fake)
                    (grad_d,) = torch.autograd.grad(d_loss, flat_d)
                    flat_d.grad = grad_d
                    opt_d.step()
                z = sample_latent(scene.latent, batch, x_gen)
                g_loss = obj.g_loss(d.forward(flat_d, g.forward(flat_g, z)))
                (grad_g,) = torch.autograd.grad(g_loss, flat_g)
                flat_g.grad = grad_g
                opt_g.step()
                with torch.no_grad():
                    sbuf[step - chunk_first] = torch.stack([
                        d_loss, g_loss,
                        (out_real > obj.threshold).float().mean(), (out_fake <= obj.threshold).float().mean(),
                        obj.display(out_real).mean(), obj.display(out_fake).mean(),
                        grad_d.norm(), grad_g.norm()])
                if step % every == 0 or step == scene.steps:
                    record_params(step)
                if step - chunk_first + 1 == chunk_steps or step == scene.steps or flag["stop"]:
                    bad_step = flush(chunk_first, step)
                    if bad_step:
                        break
                    chunk_first = step + 1
                    if flag["stop"]:
                        break
                bar.advance(step, d_loss.detach(), g_loss.detach())
        if bad_step:
            status, kept = "nan", bad_step - 1
            message = (f"training produced NaN or inf at step {bad_step}; the trace keeps steps up to {kept}. "
                       f"Likely cause: learning rates too high for this loss (try lower opt_d.lr / opt_g.lr)")
        elif step < scene.steps:
            status, kept = "interrupted", step
            message = f"training interrupted at step {step} of {scene.steps}; the trace holds {step} steps"
        else:
            kept = scene.steps
        writer.finish(status, kept, message)
    except BaseException:
        writer.discard()
        raise
    return TrainResult(path, status, kept, message)


def reusable(path: Path, fp: str) -> bool:
    """True when `path` already holds the complete trace of exactly this run (same fingerprint)."""
    from .trace import Trace  # local: reading is only needed for this check

    if not Path(path).is_file():
        return False
    try:
        with Trace(path) as trace:
            return trace.status == "complete" and trace.meta.get("fingerprint") == fp
    except GananimError:
        return False
