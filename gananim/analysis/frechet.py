"""The Fréchet distance between two sets of feature vectors, each summarised as a Gaussian.

With the features of the small digit classifier (classifier.py) this is an FID for the
digits data set: lower means generated digits are closer to real ones. It is not the FID of
the literature, which uses Inception features of natural images, so its numbers are not
comparable to published FIDs; compare them only with each other.
"""
from __future__ import annotations

import numpy as np


def gaussian(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean [F] and covariance [F, F] of features [N, F], in float64."""
    rows = np.asarray(features, dtype=np.float64)
    return rows.mean(axis=0), np.atleast_2d(np.cov(rows, rowvar=False))


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(mu1: np.ndarray, cov1: np.ndarray, mu2: np.ndarray, cov2: np.ndarray) -> float:
    """||mu1 − mu2||² + tr(cov1) + tr(cov2) − 2 tr(√(cov1 cov2)), at least 0."""
    root1 = _psd_sqrt(cov1)
    # cov1 cov2 has the eigenvalues of the symmetric PSD √cov1 cov2 √cov1, so no scipy sqrtm is needed.
    middle = root1 @ cov2 @ root1
    cross = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    distance = np.sum((mu1 - mu2) ** 2) + np.trace(cov1) + np.trace(cov2) - 2 * cross
    return max(float(distance), 0.0)  # rounding can leave a tiny negative for equal sets


def feature_distance(a: np.ndarray, b: np.ndarray) -> float:
    """The Fréchet distance between two feature sets [N, F] and [M, F]."""
    return frechet_distance(*gaussian(a), *gaussian(b))
