"""Scores a target brings, recorded while training, behind one small interface.

The trainer knows no data set: it asks `scorer_for` whether the scene's target brings a
scorer, records the scorer's `names` as per-step scalars, evaluates it at up to `points`
recorded steps, and holds each evaluation until the next one.
"""
from __future__ import annotations

from typing import Protocol

import torch


class Scorer(Protocol):
    names: tuple[str, ...]  # the per-step scalars it records
    points: int  # the most evaluations in one run (each may cost a fraction of a second)

    def __call__(self, g, flat_g: torch.Tensor) -> torch.Tensor:
        """Scores of G's parameters of every run, [runs, len(names)]."""


def scorer_for(target, latent) -> Scorer | None:
    """The scorer of a target: image targets (the digits) bring the digit classifier's scores."""
    if target.image:
        from gananim.analysis.digit_scores import DigitScores  # loads the classifier only when needed
        return DigitScores(target.image, latent)
    return None
