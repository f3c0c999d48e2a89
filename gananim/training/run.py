"""A run before its first step: the scene resolved (target, networks, objective), the
networks initialised and the random streams where training starts, its fingerprint, and how
many threads its steps use. Training (loop.py) and replay (replay.py) both begin here."""
from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from gananim.config.scene import Scene
from gananim.data import targets
from gananim.data.latents import sample_latent
from gananim.model import objectives
from gananim.model.networks import build_network
from gananim.trace import FORMAT_VERSION
from gananim.training.step import Runs, Step
from gananim.version import __version__


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
    target = targets.resolve(scene.target, targets.box_for(scene.g))
    data_dim = targets.draw(target, 2, torch.Generator().manual_seed(0)).shape[1]
    g = build_network(scene.g, scene.latent.dim, data_dim)
    d = build_network(scene.d, data_dim * scene.tricks.pack, 1)  # PacGAN: D reads m samples at once
    return Setup(scene, target, data_dim, g, d, objectives.get(scene.loss))


# Below this much matrix work per step, one intra-op thread beats splitting each small operation
# across cores (measured on 2 cores: one sine-scene run is ~15% faster on one thread, 16 runs
# together ~20% faster on two).
SMALL_STEP_FLOPS = 40e6


def step_flops(setup: Setup, runs: int) -> float:
    """A rough count of one training step's arithmetic: each parameter meets each sample about
    six times (forward and backward, D on real and fake, G's pass through D)."""
    return 2.0 * 6 * runs * setup.scene.batch * (setup.g.n_params + setup.scene.d_steps * setup.d.n_params)


@contextmanager
def threads(count: int):
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def fingerprint(scene: Scene) -> str:
    """Identifies a run: the same fingerprint means training would write the same trace. It
    covers what changes training — the training settings and the scene's own networks and
    sampler (Scene.custom_source), and the bytes of a user's data file (or of the font that
    draws a `text:` target) — and not its presentation (title, render settings, phase
    thresholds) nor where the data file lies, so changing those never retrains; nor whether the
    trace keeps keyframes or full rows (gananim pack and unpack convert a run between them)."""
    settings = scene.training_settings()
    settings["record"] = {k: v for k, v in settings["record"].items() if k not in ("mode", "keyframe_every")}
    text = json.dumps(settings, sort_keys=True, default=str)
    custom = (scene.custom_source() or "").encode()
    data = targets.resolve(scene.target, targets.box_for(scene.g)).digest.encode()
    return hashlib.sha256(b"%d|%s|" % (FORMAT_VERSION, __version__.encode()) + text.encode() + custom
                          + b"|" + data).hexdigest()


def training_threads(setup: Setup, runs: int) -> int:
    """One intra-op thread for small steps, all of them for large ones (see SMALL_STEP_FLOPS)."""
    return 1 if step_flops(setup, runs) < SMALL_STEP_FLOPS else torch.get_num_threads()


def fresh_run(scene: Scene, where: torch.device = torch.device("cpu")) -> tuple[Setup, Step, dict[str, np.ndarray]]:
    """A run at step 0: its setup, its training step (networks initialised, random streams
    where training starts) and the arrays the trace keeps for drawing."""
    setup = prepare(scene)
    runs = Runs(scene.run_seeds, where)
    # Every run draws its bank, like a single run would; the trace keeps run 0's (the
    # distribution is the same) and every run's VBN reference (it shapes that run's G).
    bank = runs.draw("bank", lambda g: targets.draw(setup.target, scene.record.bank, g))[0].cpu()
    latents = runs.draw("bank", lambda g: sample_latent(scene.latent, scene.record.latents, g))[0].cpu()
    arrays = {"real": bank.numpy(), "latents": latents.numpy()}
    if getattr(setup.g.spec, "vbn", 0):
        reference = runs.draw("bank", lambda g: sample_latent(scene.latent, setup.g.spec.vbn, g))
        arrays["vbn_reference"] = reference.cpu().numpy()
        setup.g.reference = reference[0] if len(runs.seeds) == 1 else reference  # a single run trains without a run axis
    return setup, Step(setup, runs), arrays
