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
    from gananim import scenefile
    from gananim.train import train

    folder = tmp_path_factory.mktemp("trace")
    scene = scenefile.load(str(write_scene(folder)))
    path = folder / "tiny.trace"
    train(scene, path, show_progress=False)
    return path
