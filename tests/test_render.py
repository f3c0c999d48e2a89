"""Rendering: fields equal direct evaluation, frame selection, repeatable frames, notebooks."""
from __future__ import annotations

import imageio.v3 as iio
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
    anim = gananim.animate(str(tiny_trace), frames=3).animation
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


def test_max_size_fits_a_gif_and_says_how(tmp_path, tiny_trace, capsys):
    from gananim.cli import main

    full = tmp_path / "full.gif"
    assert main(["render", str(tiny_trace), "-o", str(full), "--frames", "12", "-q"]) == 0
    limit = int(full.stat().st_size * 0.6)
    small = tmp_path / "small.gif"
    capsys.readouterr()
    assert main(["render", str(tiny_trace), "-o", str(small), "--frames", "12", "-q", "--max-size", f"{limit}B"]) == 0
    err = capsys.readouterr().err
    assert small.stat().st_size <= limit and f"to fit {limit / 1e6:g} MB, small.gif has" in err
    frames = list(iio.imiter(small))
    assert 2 <= len(frames) <= 12
    code = main(["render", str(tiny_trace), "-o", str(tmp_path / "tiny.gif"), "--max-size", "1kB", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot fit 0.001 MB" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "tiny.gif").exists()
    code = main(["render", str(tiny_trace), "-o", str(tmp_path / "x.mp4"), "--max-size", "3MB"])
    assert code == 2 and "--max-size applies to .gif outputs" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["render", str(tiny_trace), "-o", str(tmp_path / "x.gif"), "--max-size", "3XB"])
    assert "size must look like 3MB or 500kB, got '3XB'" in capsys.readouterr().err


def test_animate_fits_the_notebook_embed_limit_and_says_so(tiny_trace, capsys, caplog):
    """Frames that would pass matplotlib's embed limit are spread over the run instead of the
    last ones (the trained result) being dropped in silence."""
    import matplotlib

    with matplotlib.rc_context({"animation.embed_limit": 0.2}):  # 200 kB: room for a few 320×240 frames
        anim = gananim.animate(str(tiny_trace), frames=30).animation
        err = capsys.readouterr().err
        shown = anim._save_count if hasattr(anim, "_save_count") else None
        html = anim.to_jshtml()
    frames = html.count("data:image/png;base64")
    assert "30 frames would pass matplotlib's embed limit of 0.2 MB" in err and "the last included" in err
    assert 2 <= frames < 30 and (shown is None or shown == frames)
    assert "exceeding the limit" not in caplog.text  # matplotlib dropped nothing
