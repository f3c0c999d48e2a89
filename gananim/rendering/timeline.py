"""Which recorded step each frame shows: the pacing of an animation (README, "Pacing").

- linear: frames evenly spaced over the steps.
- log: geometrically spaced: as many frames for steps 10–100 as for 1,000–10,000.
- adaptive: frames where the picture changes. Before drawing, G's samples for a fixed set of
  latent codes are computed at about a third as many recorded steps as there are frames, and
  each stretch between them is weighted by how far the samples moved across it (relative to
  the data's spread). Measured across stretches of about three frames of a linear timeline,
  the movement is G's drift — what a viewer sees as progress — rather than its step-to-step
  jitter, which is about as large early as late (measured on the wing scene: probed at every
  recorded step, adaptive put frames almost evenly; at 66 probes, half the frames before step
  670 of 3,000). A floor of a fifth of the average weight keeps slow stretches moving.

Every timeline draws each recorded step at most once: a step's share of frames is capped at
one and the excess goes to the others, so asking for N frames gives N distinct steps when the
range holds that many.
"""
from __future__ import annotations

import numpy as np

from gananim.config.scene import TIMELINES
from gananim.errors import GananimError

MIN_PROBES = 20  # recorded steps at least at which G's movement is measured
ADAPTIVE_CODES = 256  # latent codes whose samples are followed
FLOOR = 0.2  # of the mean weight: slow stretches still advance


def frame_steps(trace, frames: int, lo: int, hi: int, timeline: str = "linear", view=None) -> np.ndarray:
    """The recorded steps the frames show, in order. `view` (an analysis View over the trace)
    is needed by the adaptive timeline only."""
    recorded = trace.param_steps[(trace.param_steps >= lo) & (trace.param_steps <= hi)]
    if timeline == "linear":
        wanted = np.linspace(lo, hi, frames)
        idx = np.clip(np.searchsorted(recorded, wanted), 1, len(recorded) - 1)
        nearer_left = (wanted - recorded[idx - 1]) <= (recorded[idx] - wanted)
        return np.unique(np.where(nearer_left, recorded[idx - 1], recorded[idx]))  # never a frame twice
    if timeline == "log":
        weights = _span_weights(recorded) / (recorded - lo + 1.0)
    elif timeline == "adaptive":
        if view is None:
            raise GananimError("the adaptive timeline needs the trace's networks")
        weights = change_weights(view, recorded, max(MIN_PROBES, frames // 3))
    else:
        raise GananimError(f"unknown timeline {timeline!r}; choose from {', '.join(TIMELINES)}")
    return pick(recorded, weights, frames)


def _span_weights(recorded: np.ndarray) -> np.ndarray:
    """The steps each recorded step stands for: half the gaps to its neighbours."""
    edges = np.concatenate([[recorded[0]], (recorded[1:] + recorded[:-1]) / 2, [recorded[-1]]])
    return np.maximum(np.diff(edges), 1e-9)


def pick(recorded: np.ndarray, weights: np.ndarray, frames: int) -> np.ndarray:
    """`frames` distinct recorded steps (the first and last always) placed by `weights`: each
    gets frames ∝ its weight, capped at one, the excess shared among the rest (water-filling),
    then frames are laid where the cumulative share crosses k + ½."""
    n = len(recorded)
    if frames >= n:
        return recorded.copy()
    if frames <= 2:
        return recorded[[0, -1]][:max(frames, 1)]
    inner = np.asarray(weights[1:-1], dtype=np.float64)
    budget = frames - 2
    share = np.zeros(len(inner))
    free = np.ones(len(inner), dtype=bool)
    for _ in range(len(inner)):  # each round caps at least one step, or finishes
        left = budget - share[~free].sum()
        total = inner[free].sum()
        share[free] = left * inner[free] / total if total > 0 else left / free.sum()
        over = free & (share > 1)
        if not over.any():
            break
        share[over] = 1.0
        free &= ~over
    crossings = np.searchsorted(np.cumsum(share), np.arange(budget) + 0.5)
    chosen = np.unique(np.clip(crossings, 0, len(inner) - 1))
    if len(chosen) < budget:  # rounding left a few out: the heaviest unchosen steps fill in
        rest = np.setdiff1d(np.arange(len(inner)), chosen)
        chosen = np.sort(np.concatenate([chosen, rest[np.argsort(-share[rest])[:budget - len(chosen)]]]))
    return np.concatenate([recorded[:1], recorded[1:-1][chosen], recorded[-1:]])


def change_weights(view, recorded: np.ndarray, probes: int) -> np.ndarray:
    """How much the picture changes at each recorded step: the mean movement of G's samples
    (for fixed latent codes) since the previous measured step, over the data's spread; steps
    between measured ones share their interval's movement. Never below FLOOR × the mean."""
    probes = recorded[np.unique(np.linspace(0, len(recorded) - 1, min(len(recorded), probes)).astype(int))]
    codes = view.latents[:ADAPTIVE_CODES]
    scale = float(np.std(view.real)) or 1.0
    samples = []
    for start in range(0, len(probes), 64):
        samples.append(view.block(probes[start:start + 64]).samples_for(codes))
    g = np.concatenate(samples).reshape(len(probes), len(codes), -1)
    moved = np.sqrt(((g[1:] - g[:-1]) ** 2).sum(-1)).mean(-1) / scale  # per probe interval
    moved = np.nan_to_num(moved, nan=0.0, posinf=0.0)
    # Spread each interval's movement over the recorded steps inside it.
    where = np.clip(np.searchsorted(probes, recorded, side="left"), 1, len(probes) - 1)
    counts = np.bincount(where, minlength=len(probes))
    weights = moved[where - 1] / np.maximum(counts[where], 1)
    weights[0] = weights[1] if len(weights) > 1 else 1.0
    return np.maximum(weights, FLOOR * weights.mean() if weights.mean() > 0 else 1.0)
