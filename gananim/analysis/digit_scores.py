"""Scores of a digit generator, recorded while it trains: which classes it draws and its FID.

At up to SCORE_POINTS of the steps whose parameters the trace keeps (evenly spaced; each
evaluation costs about 0.6 s on 2 cores), G draws 2,000 images from fixed latent codes;
the small digit classifier (gananim/analysis/classifier.py) labels them and gives their features. The
trace stores, as per-step scalars holding the latest evaluation:
- `share_0` … `share_9`: the share of images in each class (Zhang, ANN lab report 4 counted 50 by hand);
- `classes`: how many classes hold at least VANISHED of the images;
- `fid`: the Fréchet distance between the features of these images and of 2,000 real digits
  (an FID for this data set; not comparable to published FIDs, which use Inception features).
"""
from __future__ import annotations

import numpy as np
import torch

from gananim.analysis.classifier import classifier
from gananim.analysis.frechet import frechet_distance, gaussian
from gananim.data.digits import load_digits
from gananim.data.latents import sample_latent

SCORE_SAMPLES = 2000
SCORE_POINTS = 80
REAL_SEED = 3  # the real reference: a draw of the data set that neither G nor the classifier trains on
LATENT_SEED = 20160610
VANISHED = 0.02  # under a fifth of a class's fair share: the generator has all but stopped drawing it
SHARES = tuple(f"share_{d}" for d in range(10))
SCORE_NAMES = ("fid", "classes", *SHARES)
IMAGE_METRICS = ("fid", "classes")  # what a sweep's summary strip can plot for images


def class_shares(predictions: np.ndarray) -> np.ndarray:
    return np.bincount(predictions, minlength=10) / max(len(predictions), 1)


class DigitScores:
    """Evaluates G's parameters of every run: [runs, len(SCORE_NAMES)] (a gananim.analysis.scorers.Scorer)."""

    names, points = SCORE_NAMES, SCORE_POINTS

    def __init__(self, side: int, latent) -> None:
        self.classifier = classifier(side)
        real, _ = load_digits(SCORE_SAMPLES, side, seed=REAL_SEED)
        self.real_stats = gaussian(self.classifier.features(real))
        self.latents = sample_latent(latent, SCORE_SAMPLES, torch.Generator().manual_seed(LATENT_SEED))

    def of_images(self, images: np.ndarray) -> np.ndarray:
        """The scores of one set of images [n, side²]."""
        features, predictions = self.classifier.features_and_predictions(images)
        shares = class_shares(predictions)
        fid = frechet_distance(*gaussian(features), *self.real_stats)
        return np.array([fid, float((shares >= VANISHED).sum()), *shares], dtype=np.float32)

    def __call__(self, g, flat_g: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            images = g.forward(flat_g.detach(), self.latents.to(flat_g.device)).cpu().numpy()
        return torch.from_numpy(np.stack([self.of_images(run) for run in images]))
