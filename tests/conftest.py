"""Shared fixtures: a tiny scene that trains in a fraction of a second, and its trace."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

TINY_SCENE = '''
from gananim import Latent, Record, Render, Scene, adam, mlp

scene = Scene(
    name="tiny",
    title="Tiny test scene",
    target="sine",
    latent=Latent("uniform", 2),
    g=mlp([8], "leaky_relu", output="tanh"),
    d=mlp([8], "leaky_relu"),
    opt_g=adam(1e-3),
    opt_d=adam(1e-3),
    batch=16,
    steps=40,
    seed=0,
    record=Record(bank=64, latents=64),
    render=Render(frames=6, fps=6, size=(320, 240), grid=12),
)
'''


def write_scene(folder: Path, text: str = TINY_SCENE, name: str = "tiny.py") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def tiny_scene_file(tmp_path: Path) -> Path:
    return write_scene(tmp_path)


@pytest.fixture(scope="session")
def tiny_trace(tmp_path_factory) -> Path:
    """One trained tiny trace shared by the tests that only read it."""
    from gananim.config import scene_files
    from gananim.training.loop import train

    folder = tmp_path_factory.mktemp("trace")
    scene = scene_files.load(str(write_scene(folder)))
    path = folder / "tiny.trace"
    train(scene, path, show_progress=False)
    return path


@pytest.fixture(scope="session", autouse=True)
def digits_cache(tmp_path_factory):
    """The digits data set and the classifier are cached in a folder of the test session's own:
    tests neither read nor fill the user's cache (the classifier trains once per session)."""
    import os
    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("GANANIM_CACHE")
    os.environ["GANANIM_CACHE"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("GANANIM_CACHE", None)
    else:
        os.environ["GANANIM_CACHE"] = previous


IMAGE_SCENE = '''
from gananim import Latent, Record, Render, Scene, adam, dcgan

scene = Scene(
    name="tiny_digits",
    title="Tiny digits",
    target="digits16",
    latent=Latent("normal", 8),
    g=dcgan(4),
    d=dcgan(4),
    opt_g=adam(2e-4),
    opt_d=adam(2e-4),
    batch=16,
    steps=12,
    record=Record(bank=32, latents=80),
    render=Render(layout="digits", frames=4, fps=4, size=(640, 360)),
)
'''


@pytest.fixture(scope="session")
def image_trace(tmp_path_factory) -> Path:
    """A tiny DCGAN trained for 12 steps on 16×16 digits, parameters kept every 3 steps."""
    from gananim.config import scene_files
    from gananim.training.loop import train

    folder = tmp_path_factory.mktemp("images")
    scene = scene_files.load(str(write_scene(folder, IMAGE_SCENE, "tiny_digits.py")))
    path = folder / "tiny_digits.trace"
    train(scene, path, show_progress=False)
    return path
