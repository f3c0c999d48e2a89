"""Sweeps: grids planned and labelled, traces cached and resumed, shards, tiled output decoded."""
from __future__ import annotations

import imageio_ffmpeg
import pytest
from conftest import write_scene

from gananim import GananimError, Scene, sweep
from gananim.cli import main


def test_axes_parse_and_plan(tmp_path):
    axes = [sweep.parse_axis("opt_g.beta1,opt_d.beta1=0.5,0.7"), sweep.parse_axis("g.widths=16,16;64,64")]
    assert axes[0] == (("opt_g.beta1", "opt_d.beta1"), ["0.5", "0.7"])
    assert axes[1] == (("g.widths",), ["16,16", "64,64"])
    points = sweep.plan(Scene(name="s"), axes, tmp_path)
    assert len(points) == 4
    assert points[3].scene.opt_g.beta1 == points[3].scene.opt_d.beta1 == 0.7
    assert points[3].scene.g.widths == (64, 64)
    assert points[1].label == "opt_*.beta1 0.5, g.widths 64,64"
    assert len({p.trace for p in points}) == 4 and all(p.trace.parent == tmp_path for p in points)
    variants = sweep.axes_from_file({"variants": [{"opt_g.lr": 1e-4, "opt_d.lr": 1e-3}, {"opt_g.lr": 5e-4,
                                                                                         "opt_d.lr": 0.05}]})
    assert [p.scene.opt_d.lr for p in sweep.plan(Scene(), variants, tmp_path)] == [1e-3, 0.05]


@pytest.mark.parametrize("spec, message", [("lr", "--grid takes KEY=V1,V2"), ("steps=many", "steps takes an integer"),
                                           ("nope=1,2", "unknown setting 'nope'")])
def test_bad_axes(tmp_path, spec, message):
    with pytest.raises(GananimError, match=message):
        sweep.plan(Scene(), [sweep.parse_axis(spec)], tmp_path)


def test_shards_split_the_grid():
    points = list(range(7))
    assert sweep.shard(points, "1/3") == [0, 3, 6] and sweep.shard(points, "3/3") == [2, 5]
    with pytest.raises(GananimError, match="--shard takes i/n"):
        sweep.shard(points, "4/3")


def frames_of(path) -> tuple[int, tuple[int, int]]:
    count, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    reader = imageio_ffmpeg.read_frames(str(path))
    size = next(reader)["size"]
    reader.close()
    return count, tuple(size)


def test_sweep_end_to_end_caches_resumes_and_shards(tmp_path, capsys):
    scene = write_scene(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    args = ["sweep", str(scene), "--grid", "opt_d.lr=1e-3,5e-3", "--grid", "batch=8,16", "--set", "steps=12",
            "--frames", "4", "--size", "640x360", "-o", str(out / "s.mp4"), "--workers", "2", "-q"]
    assert main(args) == 0
    assert frames_of(out / "s.mp4") == (4, (640, 360))
    traces = sorted((out / "s").glob("*.trace"))
    assert len(traces) == 4 and (out / "s" / "sweep.json").exists()
    stamps = {t: t.stat().st_mtime_ns for t in traces}
    capsys.readouterr()
    assert main(args) == 0  # nothing to train again
    assert "reusing 4 of 4 traces" in capsys.readouterr().err
    assert all(t.stat().st_mtime_ns == stamps[t] for t in traces)
    traces[2].unlink()  # an interrupted sweep: one run missing
    assert main(args) == 0
    assert "trained 1 of 4 runs" in capsys.readouterr().err
    assert all(t.stat().st_mtime_ns == stamps[t] for t in traces if t != traces[2])

    shard_args = [a.replace("s.mp4", "t.mp4") for a in args]
    assert main(shard_args + ["--shard", "1/2"]) == 0
    assert len(list((out / "t").glob("*.trace"))) == 2 and not (out / "t.mp4").exists()
    assert main(shard_args + ["--render-only"]) == 2
    assert "lacks 2 of 4 traces" in capsys.readouterr().err
    assert main(shard_args + ["--shard", "2/2"]) == 0
    assert main(shard_args + ["--render-only"]) == 0
    assert frames_of(out / "t.mp4")[0] == 4


def test_seed_sweep_draws_a_tile_per_seed(tmp_path, capsys):
    scene = write_scene(tmp_path)
    out = tmp_path / "seeds.gif"
    assert main(["sweep", str(scene), "--seeds", "0-2", "--set", "steps=10", "--frames", "3", "--size", "640x360",
                 "-o", str(out), "-q"]) == 0
    assert "3 tiles" in capsys.readouterr().err
    assert main(["sweep", str(scene), "-o", str(tmp_path / "x.mp4")]) == 2
    assert "a sweep needs --grid" in capsys.readouterr().err
