"""--device: CPU everywhere; CUDA and MPS where torch sees them (skipped, with the reason, elsewhere)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from gananim import GananimError
from gananim.config import scene_files, settings
from gananim.devices import resolve
from gananim.trace import Trace
from gananim.training.loop import train

CUDA = torch.cuda.is_available()
MPS = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
SMALL = ["steps=20", "g.widths=16", "d.widths=16", "batch=32", "record.bank=64", "record.latents=64"]


def test_auto_picks_a_gpu_when_torch_sees_one_else_the_cpu():
    assert resolve("auto").type == ("cuda" if CUDA else "mps" if MPS else "cpu")
    assert resolve("cpu").type == "cpu"


@pytest.mark.skipif(CUDA, reason="this machine has a CUDA GPU: asking for one is no error here")
def test_asking_for_a_gpu_torch_cannot_see_is_one_line_exit_2(tmp_path):
    with pytest.raises(GananimError, match="sees no CUDA GPU"):
        resolve("cuda")
    done = subprocess.run([sys.executable, "-m", "gananim", "train", "sine", "--set", "steps=5", "--device", "cuda",
                           "-o", str(tmp_path / "x.trace")], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "sees no CUDA GPU" in done.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("device", [
    pytest.param("cuda", marks=pytest.mark.skipif(not CUDA, reason="no CUDA GPU on this machine")),
    pytest.param("mps", marks=pytest.mark.skipif(not MPS, reason="no Apple GPU (MPS) on this machine")),
])
@pytest.mark.parametrize("compile_mode", ["off", "on"])
def test_a_gpu_trains_the_cpus_run_within_float_tolerance(tmp_path, device, compile_mode):
    scene = settings.apply(scene_files.load("ring8"), [*SMALL, "seeds=0-1"])
    train(scene, tmp_path / "cpu.trace", show_progress=False, compile="off")
    train(scene, tmp_path / "gpu.trace", show_progress=False, compile=compile_mode, device=device)
    with Trace(tmp_path / "cpu.trace") as cpu, Trace(tmp_path / "gpu.trace") as gpu:
        assert gpu.meta["execution"]["device"] == device
        assert gpu.scalar_names == cpu.scalar_names and gpu.param_steps == cpu.param_steps
        np.testing.assert_array_equal(gpu.array("real"), cpu.array("real"))  # the same draws
        np.testing.assert_allclose(gpu.scalars()[0], cpu.scalars()[0], rtol=1e-3, atol=1e-4)
        assert np.abs(gpu.params(gpu.param_steps) - cpu.params(cpu.param_steps)).max() < 1e-2


@pytest.mark.parametrize("device", [
    pytest.param("cuda", marks=pytest.mark.skipif(not CUDA, reason="no CUDA GPU on this machine")),
    pytest.param("mps", marks=pytest.mark.skipif(not MPS, reason="no Apple GPU (MPS) on this machine")),
])
def test_a_gpu_draws_the_cpus_heat_maps(tiny_trace, device):
    from gananim.analysis.frames import FrameBlock, View
    with Trace(tiny_trace) as trace:
        steps = trace.param_steps[-3:]
        cpu = FrameBlock(View(trace, (0, trace.steps), 40), steps)
        gpu = FrameBlock(View(trace, (0, trace.steps), 40, device=torch.device(device)), steps)
        np.testing.assert_allclose(gpu.sample_field, cpu.sample_field, atol=1e-5)
        np.testing.assert_allclose(gpu.latent_field, cpu.latent_field, atol=1e-5)


def test_drawing_on_the_cpu_by_name_or_by_auto_writes_the_same_frame(tiny_trace, tmp_path):
    from gananim.rendering.renderer import RenderOptions, still
    frames = {}
    for device in ("cpu", "auto"):
        with Trace(tiny_trace) as trace:
            still(trace, tmp_path / f"{device}.png", None, RenderOptions(size=(320, 240), device=device))
        frames[device] = (tmp_path / f"{device}.png").read_bytes()
    if resolve("auto").type == "cpu":
        assert frames["cpu"] == frames["auto"]
