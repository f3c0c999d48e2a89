"""The command line end to end: real files decoded, bad input refused with one line and status 2."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest
from conftest import write_scene

from gananim.cli import main
from gananim.trace import Trace


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def mp4_info(path: Path) -> tuple[int, tuple[int, int]]:
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    reader.close()
    return frames, tuple(meta["size"])


def test_render_scene_to_mp4_gif_png_and_rerender_without_the_scene(tmp_path, capsys):
    scene = write_scene(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run(capsys, "render", scene, "-o", out / "t.mp4", "-q")
    assert code == 0, err
    assert (out / "t.trace").exists() and "wrote" in err
    frames, size = mp4_info(out / "t.mp4")
    assert frames == 6 and size == (320, 240)
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(out / "t.mp4")],
                           capture_output=True, text=True).stderr
    assert "h264" in probe and "yuv420p" in probe

    code, _, err = run(capsys, "render", scene, "--step", 25, "-o", out / "t.png")
    assert code == 0 and "reusing" in err  # same scene and settings: no retraining
    assert iio.imread(out / "t.png").shape == (240, 320, 3)

    scene.unlink()  # the trace alone is enough to re-render
    code, _, err = run(capsys, "render", out / "t.trace", "-o", out / "t.gif", "--fps", 10, "--size", "330x250",
                       "--frames", 4, "-q")
    assert code == 0, err
    gif = iio.imread(out / "t.gif", index=None)
    assert gif.shape[0] == 4 and gif.shape[1:3] == (250, 330)

    code, _, err = run(capsys, "render", out / "t.trace", "-o", out / "odd.mp4", "--size", "321x241", "--frames", 3,
                       "--from", 10, "--to", 30, "-q")
    assert code == 0 and "rounded up to 322x242" in err
    assert mp4_info(out / "odd.mp4") == (3, (322, 242))


def test_list_show_info(tmp_path, capsys, tiny_trace):
    from test_scene import BUNDLED
    code, out, _ = run(capsys, "list")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == BUNDLED
    code, out, _ = run(capsys, "show", "wing", "--set", "opt_d.lr=5e-4", "--json")
    assert code == 0 and json.loads(out)["opt_d"]["lr"] == 5e-4
    code, out, _ = run(capsys, "show", "point")
    assert "opt_g.lr" in out and "0.01" in out
    code, out, _ = run(capsys, "info", tiny_trace, "--json")
    info = json.loads(out)
    assert code == 0 and info["steps"] == 40 and info["recorded_steps"] == 41 and info["status"] == "complete"
    assert info["parameters"] == {"g": 2 * 8 + 8 + 8 * 2 + 2, "d": 2 * 8 + 8 + 8 + 1}
    assert set(info["last"]) >= {"d_loss", "g_loss", "d_acc_real", "d_acc_fake", "d_real", "d_fake"}
    assert set(info["metrics"]) == {"kl", "js", "sliced_w1"} and 0 <= info["metrics"]["js"] <= np.log(2)
    code, out, _ = run(capsys, "info", tiny_trace)
    assert code == 0 and "complete" in out


def test_train_command_writes_a_trace(tmp_path, capsys):
    scene = write_scene(tmp_path)
    code, _, err = run(capsys, "train", scene, "-o", tmp_path / "x.trace", "--set", "steps=12", "-q")
    assert code == 0 and "12 steps" in err
    code, out, _ = run(capsys, "info", tmp_path / "x.trace", "--json")
    assert json.loads(out)["steps"] == 12


BAD_INPUT = [
    (["render", "{tmp}/missing.py", "-o", "{tmp}/o.mp4"], "scene file {tmp}/missing.py does not exist"),
    (["render", "{tmp}/syntax.py", "-o", "{tmp}/o.mp4"], "is not valid Python"),
    (["render", "{tmp}/raises.py", "-o", "{tmp}/o.mp4"], "raised ZeroDivisionError (line 1)"),
    (["render", "{tmp}/empty.py", "-o", "{tmp}/o.mp4"], "defines no Scene"),
    (["render", "{tmp}/tiny.py", "--set", "stepz=2", "-o", "{tmp}/o.mp4"], "unknown setting 'stepz'"),
    (["render", "{tmp}/tiny.py", "--set", "steps=lots", "-o", "{tmp}/o.mp4"], "steps takes an integer"),
    (["render", "{tmp}/tiny.py", "--set", "batch=0", "-o", "{tmp}/o.mp4"], "batch must be at least 1"),
    (["render", "{tmp}/tiny.py", "--set", "opt_d.lr=0", "-o", "{tmp}/o.mp4"], "opt_d.lr must be positive"),
    (["render", "{tmp}/tiny.py", "-o", "{tmp}/o.avi"], "unknown type '.avi'"),
    (["render", "{tmp}/tiny.py", "-o", "{tmp}/nowhere/o.mp4"], "output folder {tmp}/nowhere does not exist"),
    (["render", "{trace}", "-o", "{trace}"], "unknown type '.trace'"),
    (["render", "{tmp}/t.trace", "-o", "{tmp}/o.mp4", "--trace", "{tmp}/t.trace"], "--resume and --record apply to scene"),
    (["render", "{tmp}/missing.trace", "-o", "{tmp}/o.mp4"], "trace {tmp}/missing.trace does not exist"),
    (["render", "{tmp}/foreign.trace", "-o", "{tmp}/o.mp4"], "is not a gananim trace (it is a PNG image)"),
    (["render", "{tmp}/photo.png", "-o", "{tmp}/o.mp4"], "neither a scene file (.py) nor a gananim trace"),
    (["render", "{trace}", "-o", "{tmp}/o.mp4", "--frames", "0"], "--frames must be between 1 and 100,000, got 0"),
    (["render", "{trace}", "-o", "{tmp}/o.mp4", "--fps", "0"], "--fps must be between 1 and 240, got 0"),
    (["render", "{trace}", "-o", "{tmp}/o.mp4", "--size", "3x3"], "size must be between 64 and 7680"),
    (["render", "{trace}", "-o", "{tmp}/o.mp4", "--size", "big"], "size must look like 720x720"),
    (["render", "{trace}", "-o", "{tmp}/o.png", "--step", "999"], "--step 999 is outside the trace"),
    (["render", "{trace}", "-o", "{tmp}/o.mp4", "--from", "30", "--to", "10"], "--from (30) must come before"),
    (["render", "{trace}", "-o", "{tmp}/o.mp4", "--step", "5"], "--step picks the still for a .png output"),
    (["render", "nosuchscene", "-o", "{tmp}/o.mp4"], "no scene file or bundled scene named 'nosuchscene'"),
    (["render", "{trace}", "-o", "{tmp}/o.mp4", "--layout", "fancy"], "invalid choice: 'fancy'"),
    (["train", "{trace}"], "is a trace"),
    (["info", "{tmp}/tiny.py"], "is not a gananim trace"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
]


@pytest.mark.parametrize("args, message", BAD_INPUT, ids=[" ".join(a[:1] + a[-2:]) for a, _ in BAD_INPUT])
def test_bad_input_is_one_line_and_status_2(tmp_path, tiny_trace, capsys, monkeypatch, args, message):
    write_scene(tmp_path)
    write_scene(tmp_path, "x = (", "syntax.py")
    write_scene(tmp_path, "1 / 0", "raises.py")
    write_scene(tmp_path, "x = 1", "empty.py")
    (tmp_path / "foreign.trace").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (tmp_path / "t.trace").write_bytes(tiny_trace.read_bytes())
    before = sorted(p.name for p in tmp_path.iterdir())
    fill = {"tmp": str(tmp_path), "trace": str(tmp_path / "t.trace")}
    monkeypatch.chdir(tmp_path)
    try:
        code = main([a.format(**fill) for a in args])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gananim: error: "), err
    assert message.format(**fill) in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, nothing damaged


def test_errors_have_no_traceback_unless_debug(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "gananim", "info", str(tmp_path / "x.trace")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(f"gananim: error: trace {tmp_path / 'x.trace'} does not exist; check the path")
    proc = subprocess.run([sys.executable, "-m", "gananim", "--debug", "info", str(tmp_path / "x.trace")],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" in proc.stderr and "GananimError" in proc.stderr


def test_help_shows_examples():
    proc = subprocess.run([sys.executable, "-m", "gananim", "render", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "examples:" in proc.stdout and "gananim render outputs/wing.trace" in proc.stdout


def test_console_script_is_installed():
    exe = Path(sys.executable).parent / "gananim"
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 0 and proc.stdout.startswith("gananim ")


CUSTOM_SCENE = '''
import torch
from torch import nn
from gananim import Latent, Record, Render, Scene, adam

class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 2))
    def forward(self, z):
        return self.body(z)

custom = Scene(name="custom", target="circle", latent=Latent("uniform", 2), g=Generator(),
               d=nn.Sequential(nn.Linear(2, 6), nn.ReLU(), nn.Linear(6, 1)), opt_g=adam(1e-3), opt_d=adam(1e-3),
               batch=16, steps=20, record=Record(bank=32, latents=32), render=Render(frames=3, size=(320, 240), grid=8))
other = Scene(name="other")
'''


def test_custom_modules_train_and_render_from_their_scene_file(tmp_path, capsys):
    scene = write_scene(tmp_path, CUSTOM_SCENE, "custom.py")
    code, _, err = run(capsys, "render", scene, "--scene", "custom", "-o", tmp_path / "c.png")
    assert code == 0, err
    assert iio.imread(tmp_path / "c.png").shape == (240, 320, 3)
    code, out, _ = run(capsys, "info", tmp_path / "c.trace", "--json")
    assert json.loads(out)["parameters"] == {"g": 2 * 6 + 6 + 6 * 2 + 2, "d": 2 * 6 + 6 + 6 + 1}
    with Trace(tmp_path / "c.trace") as trace:  # a file name and a hash; no path, no code
        assert trace.meta["scene_file"] == "custom.py" and len(trace.meta["custom_source"]) == 64
        assert str(tmp_path) not in (tmp_path / "c.trace").read_bytes().decode("latin-1")
    code, _, err = run(capsys, "render", tmp_path / "c.trace", "-o", tmp_path / "again.png")
    assert code == 2 and "add --scene-file PATH (the custom.py it was trained from)" in err
    code, _, err = run(capsys, "render", tmp_path / "c.trace", "--scene-file", scene, "-o", tmp_path / "again.png")
    assert code == 0, err
    changed = write_scene(tmp_path, CUSTOM_SCENE.replace("nn.Tanh()", "nn.ReLU()"), "changed.py")
    code, _, err = run(capsys, "render", tmp_path / "c.trace", "--scene-file", changed, "-o", tmp_path / "x.png")
    assert code == 2 and "are not those" in err and not (tmp_path / "x.png").exists()
    retitled = write_scene(tmp_path, CUSTOM_SCENE.replace('name="custom"', 'name="custom", title="New"'), "t.py")
    code, _, err = run(capsys, "still", tmp_path / "c.trace", "--scene-file", retitled, "--steps", "0,20",
                       "-o", tmp_path / "sheet.png")
    assert code == 0, err  # presentation is not code: a retitled scene file still draws the trace
