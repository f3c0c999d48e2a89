"""The digits data set, its classifier and the Fréchet distance built on the classifier's features."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from gananim.analysis import classifier as classifier_module
from gananim.analysis.classifier import classifier
from gananim.analysis.frechet import feature_distance, frechet_distance, gaussian
from gananim.data import cache as cache_module
from gananim.data import digits
from gananim.data.digits import SIZES, load_digits, make_digits
from gananim.errors import GananimError


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory):
    """A fresh cache folder for this module, so tests neither read nor fill the user's cache."""
    folder = tmp_path_factory.mktemp("gananim-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GANANIM_CACHE", str(folder))
        # Forget what earlier tests loaded, so these train and draw into this folder. What they
        # leave in memory is the same whichever folder it came from, so later tests may reuse it.
        digits._stored_or_drawn.cache_clear()
        classifier_module._stored_or_trained.cache_clear()
        yield folder


@pytest.fixture(scope="module")
def held_out():
    """Digits drawn with a seed the classifier never trained on, per size."""
    return {size: load_digits(2000, size, seed=2) for size in SIZES}


def _fail(*args, **kwargs):
    raise AssertionError("the cache should have answered")


# The data set

def test_same_seed_gives_the_same_digits_and_another_seed_others():
    images, labels = make_digits(300, 28, seed=5)
    again_images, again_labels = make_digits(300, 28, seed=5)
    other_images, other_labels = make_digits(300, 28, seed=6)
    assert np.array_equal(images, again_images) and np.array_equal(labels, again_labels)
    assert not np.array_equal(images, other_images) and not np.array_equal(labels, other_labels)


@pytest.mark.parametrize("size", SIZES)
def test_images_are_white_anti_aliased_digits_on_black_inside_the_frame(size):
    images, labels = make_digits(1000, size, seed=0)
    assert images.shape == (1000, size, size) and images.dtype == np.float32
    assert labels.shape == (1000,) and labels.dtype == np.int64
    assert images.min() == -1.0 and images.max() == pytest.approx(1.0, abs=1e-6)
    grey = (images > -0.9) & (images < 0.9)
    assert 0.02 < grey.mean() < 0.2  # edges are anti-aliased, not binary
    ink = (images > 0).mean(axis=(1, 2))
    assert ink.min() > 0.02 and ink.max() < 0.45 and 0.08 < ink.mean() < 0.25  # MNIST's mean is ~0.13
    border = np.concatenate([images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]], axis=1)
    assert (border.max(axis=1) > 0).mean() < 0.02  # the nominal box leaves a margin, like MNIST's


def test_labels_are_balanced_and_shuffled():
    _, labels = make_digits(205, 16, seed=3)
    assert sorted(np.bincount(labels, minlength=10)) == [20] * 5 + [21] * 5
    assert not np.array_equal(labels, np.arange(205) % 10)


@pytest.mark.parametrize("draw", [make_digits, load_digits])
def test_bad_arguments_are_user_errors(draw):
    with pytest.raises(GananimError, match="^digits size must be 16 or 28, got 20$"):
        draw(10, 20)
    with pytest.raises(GananimError, match="at least 1"):
        draw(0, 28)
    with pytest.raises(GananimError, match="non-negative"):
        draw(10, 28, seed=-1)


def test_load_digits_equals_make_digits_and_reads_the_disk_cache(cache, monkeypatch):
    images, labels = load_digits(300, 16, seed=7)
    expected_images, expected_labels = make_digits(300, 16, seed=7)
    assert np.array_equal(images, expected_images) and np.array_equal(labels, expected_labels)
    assert len(list(cache.glob("digits-16px-300-seed7-*.npz"))) == 1
    assert not list(cache.glob("*.tmp"))
    digits._stored_or_drawn.cache_clear()
    monkeypatch.setattr(digits, "make_digits", _fail)
    stored_images, stored_labels = load_digits(300, 16, seed=7)
    assert np.array_equal(stored_images, images) and np.array_equal(stored_labels, labels)


def test_load_digits_returns_copies_the_caller_may_change():
    images, _ = load_digits(50, 16, seed=8)
    images[:] = 0
    assert load_digits(50, 16, seed=8)[0].min() == -1.0


def test_a_damaged_cache_file_is_drawn_again(cache):
    expected_images, _ = load_digits(100, 16, seed=9)
    (path,) = cache.glob("digits-16px-100-seed9-*.npz")
    path.write_bytes(path.read_bytes()[:1000])
    digits._stored_or_drawn.cache_clear()
    assert np.array_equal(load_digits(100, 16, seed=9)[0], expected_images)
    expected = {"images": ((100, 16, 16), np.dtype(np.float32)), "labels": ((100,), np.dtype(np.int64))}
    assert cache_module.read_arrays(path, expected) is not None  # rewritten whole


def test_an_unwritable_cache_folder_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("GANANIM_CACHE", str(blocker / "cache"))  # a folder cannot be made inside a file
    images, _ = load_digits(20, 16, seed=10)
    assert np.array_equal(images, make_digits(20, 16, seed=10)[0])


# The classifier

@pytest.fixture(scope="module")
def trained():
    """Both classifiers, trained once into the module's cache folder."""
    return {size: classifier(size) for size in SIZES}


@pytest.mark.parametrize("size", SIZES)
def test_classifier_reads_held_out_digits(trained, held_out, size):
    images, labels = held_out[size]
    assert trained[size].accuracy(images, labels) >= 0.97


def test_classifier_takes_rows_or_squares_numpy_or_torch(trained, held_out):
    net, (images, _) = trained[16], held_out[16]
    rows = images[:300].reshape(300, -1)
    assert np.array_equal(net.predict(rows), net.predict(images[:300]))
    assert np.array_equal(net.predict(torch.from_numpy(rows)), net.predict(images[:300]))
    features = net.features(images[:300])
    assert features.shape == (300, 64) and features.dtype == np.float32
    assert np.array_equal(features, net.features(rows))
    both = net.features_and_predictions(rows)
    assert np.array_equal(both[0], features) and np.array_equal(both[1], net.predict(images[:300]))
    with pytest.raises(GananimError, match=r"\[N, 256\] or \[N, 16, 16\]"):
        net.predict(np.zeros((3, 28, 28), np.float32))


def test_classifier_loads_from_the_disk_cache(trained, held_out, cache, monkeypatch):
    assert len(list(cache.glob("classifier-16px-*.npz"))) == 1
    classifier_module._stored_or_trained.cache_clear()
    monkeypatch.setattr(classifier_module, "_train", _fail)
    loaded = classifier(16)
    assert loaded is not trained[16]
    images, _ = held_out[16]
    assert np.array_equal(loaded.predict(images), trained[16].predict(images))
    assert np.array_equal(loaded.features(images), trained[16].features(images))


# The Fréchet distance

def test_frechet_distance_is_zero_for_identical_sets():
    features = np.random.default_rng(0).normal(size=(500, 8))
    assert feature_distance(features, features) < 1e-6
    dead = np.concatenate([features, np.zeros((500, 3))], axis=1)  # dead ReLUs: a singular covariance
    assert feature_distance(dead, dead) < 1e-6


def test_frechet_distance_matches_the_closed_form_for_isotropic_gaussians():
    d, m, s = 6, np.full(6, 0.5), 1.7
    exact = frechet_distance(np.zeros(d), np.eye(d), m, s**2 * np.eye(d))
    assert exact == pytest.approx(np.sum(m**2) + d * (1 - s) ** 2, rel=1e-12)
    rng = np.random.default_rng(1)
    sampled = feature_distance(rng.normal(size=(40000, d)), m + s * rng.normal(size=(40000, d)))
    assert sampled == pytest.approx(np.sum(m**2) + d * (1 - s) ** 2, rel=0.05)


def test_frechet_distance_matches_the_eigenvalues_of_cov1_cov2():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    cov1, cov2 = a @ a.T, b @ b.T
    mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
    cross = np.sqrt(np.linalg.eigvals(cov1 @ cov2).real).sum()  # an independent route to tr √(cov1 cov2)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(cov1) + np.trace(cov2) - 2 * cross
    assert frechet_distance(mu1, cov1, mu2, cov2) == pytest.approx(expected, rel=1e-9)
    assert frechet_distance(mu2, cov2, mu1, cov1) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_grows_with_the_shift_is_symmetric_and_non_negative():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(2000, 4))
    other = rng.normal(size=(2000, 4))
    distances = [feature_distance(base, other + shift) for shift in (0.0, 0.25, 0.5, 1.0, 2.0)]
    assert distances == sorted(distances) and distances[0] >= 0
    assert feature_distance(other + 1, base) == pytest.approx(distances[3], rel=1e-9)
    mu, cov = gaussian(base)
    assert mu.dtype == cov.dtype == np.float64 and cov.shape == (4, 4)


@pytest.mark.parametrize("size", SIZES)
def test_classifier_features_tell_real_digits_from_shifted_or_blurred_ones(trained, held_out, size):
    real, _ = held_out[size]
    other, _ = load_digits(2000, size, seed=3)
    features = trained[size].features
    same = feature_distance(features(real), features(other))
    shifted = feature_distance(features(real), features(np.roll(other, 3, axis=2)))
    padded = np.pad(other, ((0, 0), (1, 1), (1, 1)), constant_values=-1)
    blurred = sum(padded[:, i:i + size, j:j + size] for i in range(3) for j in range(3)) / 9
    assert shifted > 20 * same and feature_distance(features(real), features(blurred)) > 20 * same
