"""Multi-seed runs: trained together, each identical to its single run, drawn by the 1-D layout."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import write_scene

from gananim.cli import main
from gananim.config import scene_files, settings
from gananim.trace import Trace
from gananim.training.loop import train


def test_each_run_of_a_multi_seed_trace_is_that_seeds_single_run(tmp_path):
    scene = settings.apply(scene_files.load(str(write_scene(tmp_path))), ["steps=15"])
    train(settings.apply(scene, ["seeds=3,1,4"]), tmp_path / "many.trace", show_progress=False)
    with Trace(tmp_path / "many.trace") as many:
        assert many.meta["runs"] == 3 and many.meta["seeds"] == [3, 1, 4]
        for r, seed in enumerate((3, 1, 4)):
            train(settings.apply(scene, [f"seed={seed}"]), tmp_path / "one.trace", show_progress=False)
            with Trace(tmp_path / "one.trace") as one:
                np.testing.assert_allclose(many.params([15])[0, r], one.params([15])[0, 0], rtol=1e-4, atol=1e-6)
                np.testing.assert_allclose(many.scalars()[:, r], one.scalars()[:, 0], rtol=1e-4, atol=1e-6)


def test_seed_lists_parse_ranges():
    scene = settings.apply(scene_files.load("point"), ["seeds=0-4,10,12-13"])
    assert scene.seeds == (0, 1, 2, 3, 4, 10, 12, 13) and scene.run_seeds == scene.seeds
    with pytest.raises(Exception, match="runs backwards"):
        settings.apply(scene, ["seeds=5-2"])
    with pytest.raises(Exception, match="seeds must be distinct"):
        settings.apply(scene, ["seeds=1,1"]).validate()


def test_layouts_and_runs(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    scene = write_scene(tmp_path)
    assert main(["train", str(scene), "--seeds", "0-2", "--set", "steps=10", "-o", str(out / "s.trace"), "-q"]) == 0
    assert main(["render", str(out / "s.trace"), "-o", str(out / "s.png")]) == 2
    assert "this trace holds 3 runs (seeds 0, 1, 2); the classic layout draws one: pick it with --run 0..2" in \
        capsys.readouterr().err
    assert main(["render", str(out / "s.trace"), "--run", "2", "-o", str(out / "s.png")]) == 0
    assert main(["render", str(out / "s.trace"), "--run", "7", "-o", str(out / "s.png")]) == 2
    assert "--run 7 is out of range" in capsys.readouterr().err


def test_point_1d_layout_draws_every_run(tmp_path, capsys):
    out = tmp_path / "p.png"
    assert main(["render", "point", "--seeds", "0-4", "--set", "steps=40", "-o", str(out)]) == 0
    assert main(["render", str(tmp_path / "p.trace"), "--frames", "3", "-o", str(tmp_path / "p.gif"), "-q"]) == 0


def test_pointgan_final_version_converges_on_every_seed(tmp_path):
    """PointGAN article §3: parameter noise and weight decay make PointGAN robust (the baseline fails on
    7 of 50 seeds at these settings; see scenes/point_final.py)."""
    train(scene_files.load("point_final"), tmp_path / "f.trace", show_progress=False)
    with Trace(tmp_path / "f.trace") as trace:
        last = trace.param_steps[trace.param_steps >= 0.9 * trace.param_steps[-1]]
        w, b = trace.params(last)[:, :, 0].mean(0), trace.params(last)[:, :, 1].mean(0)
    assert len(w) == 20
    assert np.all(np.abs(w) < 0.1) and np.all(np.abs(b - 1) < 0.1), (w, b)
