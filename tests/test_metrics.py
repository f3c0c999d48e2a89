"""Sample-quality metrics against hand-computed values."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from gananim.analysis import metrics
from gananim.data import targets


def test_true_mixture_data_cover_every_mode_at_98_9_percent_quality():
    for name, k in (("ring8", 8), ("grid25", 25)):
        target = targets.BUILTIN[name]
        samples = targets.draw(target, 25000, torch.Generator().manual_seed(0)).numpy()
        stats = metrics.mode_stats(samples, *target.modes)
        assert stats["modes"] == k
        assert stats["high_quality"] == pytest.approx(1 - np.exp(-4.5), abs=0.003)  # 98.89% within 3σ in 2-D
        assert stats["reverse_kl"] == pytest.approx(0.0, abs=0.01)


def test_mode_statistics_by_hand():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    one_mode = np.zeros((100, 2))
    stats = metrics.mode_stats(one_mode, centers, 1.0)
    assert stats == {"modes": 1.0, "dense_modes": 1.0, "near_modes": 1.0, "high_quality": 1.0,
                     "reverse_kl": pytest.approx(np.log(4)), "collapse": 1.0}
    half = np.concatenate([np.tile([[10.0, 0.0]], (30, 1)), np.tile([[0.0, 10.0]], (10, 1)), np.full((40, 2), 5.0)])
    stats = metrics.mode_stats(half, centers, 1.0)  # (5, 5) is 7.07σ from every mode: low quality
    assert stats["modes"] == 2 and stats["high_quality"] == 0.5
    assert stats["reverse_kl"] == pytest.approx(0.75 * np.log(0.75 / 0.25) + 0.25 * np.log(0.25 / 0.25))


def test_histogram_divergences():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(2000, 2))
    same = metrics.histogram_divergences(real, real.copy())
    assert same["kl"] == pytest.approx(0.0, abs=1e-12) and same["js"] == pytest.approx(0.0, abs=1e-12)
    far = metrics.histogram_divergences(real, real + 100.0)
    assert far["js"] == pytest.approx(np.log(2), rel=1e-6)  # disjoint supports: JS is log 2
    p, q = metrics.histograms(real, real + 0.5, bins=10)
    assert p.sum() == pytest.approx(1.0) and q.sum() == pytest.approx(1.0)


def test_sliced_wasserstein_by_hand():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(4000, 2))
    assert metrics.sliced_wasserstein(real, real.copy()) == pytest.approx(0.0, abs=1e-12)
    # A shift by (1, 0) moves the projection on direction θ by |cos θ|: the mean over θ is 2/π.
    shifted = metrics.sliced_wasserstein(real, real + np.array([1.0, 0.0]), directions=256)
    assert shifted == pytest.approx(2 / np.pi, abs=0.01)
    assert metrics.sliced_wasserstein(real[:, :1], real[:, :1] + 3.0) == pytest.approx(3.0, abs=1e-9)
