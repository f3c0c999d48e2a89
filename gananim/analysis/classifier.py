"""A small CNN that reads the digits data set, to judge the digits a GAN draws.

Trained once per image size on 20,000 digits (seed 1) with a fixed torch seed, then kept in
memory and as an .npz of float32 weights in the digits cache folder; from there it loads in
milliseconds. Its penultimate layer (64 ReLU features) feeds the Fréchet distance in
frechet.py. Images are [N, side²] rows or [N, side, side] squares in [-1, 1], numpy or torch.
"""
from __future__ import annotations

import functools

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gananim.data.cache import cache_folder, cache_key, read_arrays, write_arrays
from gananim.data.digits import check_size, dataset_key, load_digits
from gananim.errors import GananimError

CLASSIFIER_VERSION = 1  # bump when the network or its training changes, so old weights go unread
TRAIN_IMAGES = 20_000
TRAIN_SEED = 1  # of the training digits; held-out checks use other seeds
TORCH_SEED = 0
EPOCHS = 3
BATCH = 128
LEARNING_RATE = 2e-3
FEATURES = 64
CHUNK = 1000  # images per forward pass at inference, to bound memory


class DigitClassifier(nn.Module):
    """Two 3×3 conv + max-pool stages, a 64-feature layer and a 10-way linear head."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * (size // 4) ** 2, FEATURES), nn.ReLU())
        self.head = nn.Linear(FEATURES, 10)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Logits [N, 10] of images [N, 1, size, size]."""
        return self.head(self.body(images))

    def _squares(self, images) -> torch.Tensor:
        batch = torch.as_tensor(images, dtype=torch.float32)
        side = self.size
        if not (batch.ndim == 2 and batch.shape[1] == side * side or batch.ndim == 3 and batch.shape[1:] == (side, side)):
            raise GananimError(f"the {side}×{side} digit classifier needs images of shape [N, {side * side}] "
                               f"or [N, {side}, {side}], got {list(batch.shape)}")
        return batch.reshape(-1, 1, side, side)

    def _features(self, images) -> torch.Tensor:
        squares = self._squares(images)
        self.eval()
        with torch.no_grad():
            return torch.cat([self.body(chunk) for chunk in squares.split(CHUNK)])

    def features_and_predictions(self, images) -> tuple[np.ndarray, np.ndarray]:
        """Features float32 [N, 64] and predicted digits int64 [N], from one pass over the images."""
        features = self._features(images)
        with torch.no_grad():
            predictions = self.head(features).argmax(dim=1)
        return features.numpy(), predictions.numpy()

    def predict(self, images) -> np.ndarray:
        """The digit each image shows, int64 [N]."""
        return self.features_and_predictions(images)[1]

    def features(self, images) -> np.ndarray:
        """The penultimate layer's activations, float32 [N, 64]: what the Fréchet distance compares."""
        return self._features(images).numpy()

    def accuracy(self, images, labels) -> float:
        """The share of images whose predicted digit is their label."""
        return float(np.mean(self.predict(images) == np.asarray(labels)))


def _train(size: int) -> DigitClassifier:
    images, labels = load_digits(TRAIN_IMAGES, size, seed=TRAIN_SEED)
    squares, targets = torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels)
    with torch.random.fork_rng(devices=[]):  # the caller's torch RNG stays where it was
        torch.manual_seed(TORCH_SEED)
        net = DigitClassifier(size)
        optimizer = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
        for _ in range(EPOCHS):
            for batch in torch.randperm(len(squares)).split(BATCH):
                loss = F.cross_entropy(net(squares[batch]), targets[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    return net.eval()


def classifier(size: int = 28) -> DigitClassifier:
    """The trained classifier for size×size digits: from memory, else the disk cache, else trained."""
    check_size(size)
    return _stored_or_trained(size)


@functools.lru_cache(maxsize=None)
def _stored_or_trained(size: int) -> DigitClassifier:
    net = DigitClassifier(size)
    key = cache_key(CLASSIFIER_VERSION, size, torch.__version__, dataset_key(TRAIN_IMAGES, size, TRAIN_SEED))
    path = cache_folder() / f"classifier-{size}px-{key}.npz"
    expected = {name: (tuple(value.shape), np.dtype(np.float32)) for name, value in net.state_dict().items()}
    stored = read_arrays(path, expected)
    if stored is None:
        net = _train(size)
        write_arrays(path, {name: value.numpy() for name, value in net.state_dict().items()})
    else:
        net.load_state_dict({name: torch.from_numpy(value) for name, value in stored.items()})
    return net.eval()
