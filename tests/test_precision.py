"""The heat maps' arithmetic: exact float32 by default, bfloat16 on request, bounded difference."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import TINY_SCENE, write_scene

from gananim import GananimError
from gananim.analysis.frames import FrameBlock, View
from gananim.cli import main
from gananim.config import scene_files
from gananim.trace import Trace
from gananim.training.loop import train

DEEP = TINY_SCENE.replace('d=mlp([8], "leaky_relu")', 'd=mlp([32, 32, 32], "leaky_relu")') \
    .replace('g=mlp([8], "leaky_relu", output="tanh")', 'g=mlp([32, 32], "leaky_relu", output="tanh")')


@pytest.fixture(scope="module")
def deep_trace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deep")
    path = folder / "deep.trace"
    train(scene_files.load(str(write_scene(folder, DEEP))), path, show_progress=False)
    return path


def test_fast_path_in_float32_equals_the_plain_forward():
    """Oracle: the mixed-precision path given float32 copies computes exactly what forward() does."""
    from gananim.config.networks import MLP
    from gananim.model.networks import build_network
    net = build_network(MLP(widths=(16, 16, 16), activation="leaky_relu"), 2, 1)
    params = torch.stack([net.init(torch.Generator().manual_seed(s)) for s in range(3)])
    x = torch.randn(50, 2)
    with torch.no_grad():
        np.testing.assert_array_equal(net.forward(params, x, fast=params.clone()).numpy(),
                                      net.forward(params, x).numpy())


def test_bf16_fields_stay_close_to_float32_and_fp32_is_the_default(deep_trace):
    with Trace(deep_trace) as trace:
        steps = trace.param_steps[[0, len(trace.param_steps) // 2, -1]]
        exact = FrameBlock(View(trace, (0, 40), 24), steps)
        default = FrameBlock(View(trace, (0, 40), 24, precision="fp32"), steps)
        fast_view = View(trace, (0, 40), 24, precision="bf16")
        fast = FrameBlock(fast_view, steps)
        np.testing.assert_array_equal(default.sample_field, exact.sample_field)
        lo, hi = fast_view.shown_range
        for a, b in ((fast.sample_field, exact.sample_field), (fast.latent_field, exact.latent_field)):
            levels = np.abs(a - b).max() / (hi - lo) * 256
            assert 0 < levels < 16  # bfloat16 was used, and moved no colour far
        np.testing.assert_array_equal(fast.fake, exact.fake)  # samples and metrics stay float32


def test_unknown_precision_is_refused(deep_trace, capsys):
    with Trace(deep_trace) as trace, pytest.raises(GananimError, match="unknown precision 'fp16'"):
        View(trace, (0, 40), 8, precision="fp16")
    with pytest.raises(SystemExit) as exit_:
        main(["render", str(deep_trace), "--precision", "fp16", "-o", "x.png"])
    assert exit_.value.code == 2
    assert "invalid choice: 'fp16'" in capsys.readouterr().err


def test_cli_renders_a_still_in_bf16(deep_trace, tmp_path, capsys):
    out = tmp_path / "still.png"
    assert main(["render", str(deep_trace), "--precision", "bf16", "-o", str(out)]) == 0
    assert out.stat().st_size > 1000


def test_a_grid_finer_than_the_pixels_is_drawn_at_the_pixels(tiny_trace):
    """--grid 2000 on a 320×240 frame: no more cells than the heat maps have pixels, and the
    frame equals the one drawn at that capped grid."""
    from gananim.rendering.renderer import Renderer, RenderOptions
    with Trace(tiny_trace) as trace:
        fine = Renderer(trace, np.array([40]), (0, 40), RenderOptions(grid=2000).resolved(trace))
        assert 20 < fine.view.grid < 240
        capped = Renderer(trace, np.array([40]), (0, 40), RenderOptions(grid=fine.view.grid).resolved(trace))
        np.testing.assert_array_equal(np.array(next(iter(fine.frames()))), np.array(next(iter(capped.frames()))))
        coarse = Renderer(trace, np.array([40]), (0, 40), RenderOptions(grid=12).resolved(trace))
        assert coarse.view.grid == 12  # coarser grids are drawn as asked
