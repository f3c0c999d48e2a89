"""Helpers over recorded series of scalars, shared by the phase labels and the curves panels."""
from __future__ import annotations

import numpy as np


def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average that keeps the length (edges average what they have)."""
    if window <= 1 or len(values) < 3:
        return values
    kernel = np.ones(window)
    sums = np.convolve(values, kernel, mode="same")
    counts = np.convolve(np.ones_like(values), kernel, mode="same")
    return sums / counts
