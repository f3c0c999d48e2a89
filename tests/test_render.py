"""Rendering: fields equal direct evaluation, frame selection, repeatable frames, notebooks."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.animation import FuncAnimation

import gananim
from gananim import GananimError
from gananim.analysis.frames import FrameBlock, View
from gananim.rendering.renderer import Renderer, RenderOptions, frame_steps, step_range
from gananim.trace import Trace


def test_d_fields_equal_a_direct_evaluation(tiny_trace):
    """Oracle: D on the grid at a recorded step = a plain nn.Sequential loaded with that step's parameters."""
    with Trace(tiny_trace) as trace:
        view = View(trace, (0, 40), grid=9)
        block = FrameBlock(view, [7, 33])
        for k, step in enumerate([7, 33]):
            flat = torch.from_numpy(trace.params([step])[0, 0])
            G = view.g.to_module(flat[:view.n_g])
            D = view.d.to_module(flat[view.n_g:])
            with torch.no_grad():
                direct = torch.sigmoid(D(view.sample_grid))[:, 0].reshape(9, 9).numpy()
                np.testing.assert_allclose(block.sample_field[k], direct, rtol=1e-5, atol=1e-6)
                latent = torch.sigmoid(D(G(view.latent_grid)))[:, 0].reshape(9, 9).numpy()
                np.testing.assert_allclose(block.latent_field[k], latent, rtol=1e-5, atol=1e-6)
                np.testing.assert_allclose(block.fake[k], G(view.latents).numpy(), rtol=1e-5, atol=1e-6)
        # Row 0 of the field is the bottom edge of the sample space (imshow origin="lower").
        assert view.sample_grid[0, 1] == pytest.approx(view.ylim[0])
        assert view.sample_grid[8, 0] == pytest.approx(view.xlim[1])


def test_frames_snap_to_recorded_steps_and_ranges_are_checked(tiny_trace):
    with Trace(tiny_trace) as trace:
        steps = frame_steps(trace, 5, 0, 40)
        assert steps.tolist() == [0, 10, 20, 30, 40]
        assert frame_steps(trace, 81, 0, 40).tolist().count(40) >= 1  # more frames than steps: repeats
        assert step_range(trace, None, None) == (0, 40)
        with pytest.raises(GananimError, match="--from \\(30\\) must come before --to \\(10\\)"):
            step_range(trace, 30, 10)
        with pytest.raises(GananimError, match="past the trace's last recorded step"):
            step_range(trace, 0, 99)


def test_rendering_twice_gives_identical_frames(tiny_trace):
    with Trace(tiny_trace) as trace:
        opts = RenderOptions().resolved(trace)
        runs = []
        for _ in range(2):
            renderer = Renderer(trace, np.array([0, 20, 40]), (0, 40), opts)
            runs.append([np.array(frame) for frame in renderer.frames()])
        assert runs[0][0].shape == (240, 320, 4)
        for a, b in zip(*runs):
            np.testing.assert_array_equal(a, b)
        assert not np.array_equal(runs[0][0], runs[0][2])  # frames do change over training


def test_blitted_frame_equals_a_full_redraw(tiny_trace):
    """The fast path (background restored, changing artists redrawn) draws what a full draw would."""
    with Trace(tiny_trace) as trace:
        renderer = Renderer(trace, np.array([10, 30]), (0, 40), RenderOptions().resolved(trace))
        frames = [np.array(f) for f in renderer.frames()]
        renderer.update(1)
        for artist in renderer.animated:
            artist.set_animated(False)
        renderer.fig.canvas.draw()
        full = np.asarray(renderer.fig.canvas.buffer_rgba())
        differing = np.mean(np.any(frames[1] != full, axis=-1))
        assert differing < 0.002  # antialiased edges may differ by a shade; the picture does not


def test_animate_returns_a_funcanimation_from_the_same_panels(tiny_trace):
    anim = gananim.animate(str(tiny_trace), frames=3)
    assert isinstance(anim, FuncAnimation)
    html = anim.to_jshtml()
    assert html.count("data:image/png;base64") == 3


def test_classic_layout_refuses_1d_data(tmp_path):
    from conftest import TINY_SCENE, write_scene

    from gananim.config import scene_files
    from gananim.training.loop import train
    scene = scene_files.load(str(write_scene(tmp_path, TINY_SCENE.replace('"sine"', '"point"').replace(
        'Latent("uniform", 2)', 'Latent("uniform", 1)'))))
    train(scene, tmp_path / "p.trace", show_progress=False)
    with Trace(tmp_path / "p.trace") as trace:
        with pytest.raises(GananimError, match="use --layout 1d"):
            Renderer(trace, np.array([0]), (0, 40), RenderOptions().resolved(trace))
        opts = RenderOptions(layout="1d").resolved(trace)
        frame = next(Renderer(trace, np.array([40]), (0, 40), opts).frames())
        assert np.asarray(frame).shape == (240, 320, 4)
