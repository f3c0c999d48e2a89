"""Image scenes: DCGAN networks, scores recorded while training, image panels and layouts."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from gananim import GananimError, dcgan
from gananim.analysis.digit_scores import SCORE_NAMES, SHARES, DigitScores
from gananim.analysis.frames import FrameBlock, View
from gananim.config.scene import Latent
from gananim.model.dcgan import ConvDiscriminator, ConvGenerator
from gananim.model.networks import build_network
from gananim.rendering.renderer import RenderOptions, render, still
from gananim.trace import Trace


@pytest.mark.parametrize("side", [16, 28])
def test_dcgan_shapes_and_range(side):
    g, d = build_network(dcgan(8), 10, side * side), build_network(dcgan(8), side * side, 1)
    assert isinstance(g.module, ConvGenerator) and isinstance(d.module, ConvDiscriminator)
    flat_g = g.init(torch.Generator().manual_seed(0))
    images = g.forward(flat_g, torch.randn(5, 10))
    assert images.shape == (5, side * side) and images.abs().max() <= 1
    assert d.forward(d.init(torch.Generator().manual_seed(1)), images).shape == (5, 1)


def test_dcgan_refuses_other_image_sizes():
    with pytest.raises(GananimError, match="square images of side 16 or 28; the data have 400 values"):
        build_network(dcgan(8), 10, 400)


def test_dcgan_init_is_seeded_and_follows_the_paper():
    g = build_network(dcgan(16), 10, 784)
    a, b = g.init(torch.Generator().manual_seed(0)), g.init(torch.Generator().manual_seed(0))
    assert torch.equal(a, b) and not torch.equal(a, g.init(torch.Generator().manual_seed(1)))
    conv = g.unflatten(a)["layers.0.weight"]
    assert abs(float(conv.std()) - 0.02) < 0.002 and abs(float(conv.mean())) < 0.002


def test_flat_forward_equals_the_module_with_loaded_parameters():
    """Oracle: the flat-vector path is the plain module; a stack of parameter sets is each set alone."""
    g = build_network(dcgan(8), 10, 256)
    sets = torch.stack([g.init(torch.Generator().manual_seed(s)) for s in range(3)])
    z = torch.randn(20, 10)
    stacked = g.forward(sets, z)
    for i in range(3):
        module = ConvGenerator(dcgan(8), 10, 16)
        torch.nn.utils.vector_to_parameters(sets[i], module.parameters())
        with torch.no_grad():
            torch.testing.assert_close(stacked[i], module(z))


def test_image_trace_keeps_parameters_at_the_frame_cadence_and_scores_every_step(image_trace):
    with Trace(image_trace) as trace:
        assert trace.meta["image"] == [16, 16]
        assert list(trace.param_steps) == [0, 3, 6, 9, 12]  # 12 steps, 4 frames
        assert set(SCORE_NAMES) <= set(trace.scalar_names)
        shares = np.stack([trace.scalar(name)[:, 0] for name in SHARES], axis=1)
        np.testing.assert_allclose(shares.sum(axis=1), 1.0, atol=1e-5)
        classes = trace.scalar("classes")[:, 0]
        np.testing.assert_array_equal(classes, (shares >= 0.02).sum(axis=1))
        assert trace.scalar("fid").shape == (12, 1)


def test_recorded_scores_equal_a_direct_evaluation(image_trace):
    """Oracle: the FID and class shares recorded at a step = the scores of G's images at that step."""
    with Trace(image_trace) as trace:
        view = View(trace, (0, 12), grid=8)
        scores = DigitScores(16, Latent("normal", 8))
        for step in (6, 12):
            flat_g = torch.from_numpy(trace.params([step])[0, 0, :view.n_g])
            with torch.no_grad():
                images = view.g.forward(flat_g, scores.latents).numpy()
            direct = scores.of_images(images)
            recorded = np.array([trace.scalar(name)[step - 1, 0] for name in SCORE_NAMES])
            np.testing.assert_allclose(recorded, direct, rtol=1e-4, atol=1e-4)


def test_image_panels_draw_the_fixed_codes(image_trace):
    from gananim.analysis.frames import image_codes
    from gananim.rendering.panels.images import GRID_SIDE, INTERPOLATION_STEPS
    with Trace(image_trace) as trace:
        view = View(trace, (0, 12), grid=8)
        codes = image_codes(view.latents)
        assert len(codes) == GRID_SIDE ** 2 + 3 * INTERPOLATION_STEPS
        strip = codes[GRID_SIDE ** 2:GRID_SIDE ** 2 + INTERPOLATION_STEPS]
        torch.testing.assert_close(strip[0], view.latents[64])
        torch.testing.assert_close(strip[-1], view.latents[65])
        block = FrameBlock(view, [12])
        flat_g = torch.from_numpy(trace.params([12])[0, 0, :view.n_g])
        with torch.no_grad():
            direct = view.g.forward(flat_g, codes).reshape(-1, 16, 16).numpy()
        np.testing.assert_allclose(block.images[0], direct, atol=1e-6)


def test_digits_layout_renders_a_video_and_a_still(image_trace, tmp_path):
    import imageio_ffmpeg
    with Trace(image_trace) as trace:
        render(trace, tmp_path / "digits.mp4", RenderOptions(workers=1), show_progress=False)
        png = still(trace, tmp_path / "last.png", None, RenderOptions())
    assert imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "digits.mp4"))[0] == 4
    assert png["size"] == (640, 360) and (tmp_path / "last.png").stat().st_size > 5000


def test_layouts_and_panels_refuse_the_wrong_kind_of_trace(image_trace, tiny_trace):
    from gananim.rendering.layout import panel_names
    with Trace(image_trace) as trace:
        view = View(trace, (0, 12), grid=8)
        with pytest.raises(GananimError, match="layout 'classic' draws 2-D data; use --layout digits"):
            panel_names(view, "classic")
        assert panel_names(view, "digits")[0] == ["digit_grid", "curves", "fid"]
        assert panel_names(view, "digits", aspect=1.0) == [["digit_grid", "curves"], ["interpolation", "classes"]]
    with Trace(tiny_trace) as trace:
        view = View(trace, (0, 40), grid=8)
        with pytest.raises(GananimError, match="panel 'classes' needs an image scene"):
            panel_names(view, "classic", ("classes",))
        with pytest.raises(GananimError, match="layout 'digits' needs an image scene"):
            panel_names(view, "digits")


def test_class_panel_warns_of_the_classes_that_vanished(image_trace):
    from gananim.rendering.layout import build
    with Trace(image_trace) as trace:
        view = View(trace, (0, 12), grid=8)
        view.frame_steps = np.array([12])
        _, panels, _, _ = build(view, "digits", (640, 360), 0, "t")
        classes = next(p for p in panels if type(p).__name__ == "Classes")
        classes.update(FrameBlock(view, [12]), 0)
        shares = np.array([trace.scalar(name)[11, 0] for name in SHARES])
        missing = [str(d) for d in range(10) if shares[d] < 0.02]
        named = ", ".join(missing) if len(missing) <= 3 else f"{len(missing)} classes"
        expected = f"collapse: {named} missing" if 0 < len(missing) < 10 else ""
        assert classes.warning.get_text() == expected
        assert [round(b.get_height(), 4) for b in classes.bars] == [round(100 * v, 4) for v in shares]


def test_an_image_sweep_tiles_the_sample_grids_and_plots_the_fid(tmp_path):
    import imageio_ffmpeg
    from conftest import IMAGE_SCENE, write_scene

    from gananim.cli import main
    scene = write_scene(tmp_path, IMAGE_SCENE, "tiny_digits.py")
    out = tmp_path / "sizes.mp4"
    assert main(["sweep", str(scene), "--grid", "g.hidden,d.hidden=4,6", "--frames", "3", "--workers", "1",
                 "--size", "640x360", "--quiet", "-o", str(out)]) == 0
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == 3
    assert len(list((tmp_path / "sizes").glob("*.trace"))) == 2


def test_an_image_sweep_refuses_a_metric_of_2d_data(tmp_path, capsys):
    from conftest import IMAGE_SCENE, write_scene

    from gananim.cli import main
    scene = write_scene(tmp_path, IMAGE_SCENE, "tiny_digits.py")
    args = ["sweep", str(scene), "--grid", "g.hidden=4", "--frames", "3", "--quiet", "--metric", "modes",
            "-o", str(tmp_path / "m.mp4")]
    assert main(args) == 2
    assert "--metric modes does not apply to images; image sweeps take fid or classes" in capsys.readouterr().err
    assert not (tmp_path / "m.mp4").exists()
