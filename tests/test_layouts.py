"""Layouts, free panel lists, themes and contact sheets, rendered and read back."""
from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest
from conftest import TINY_SCENE, write_scene

from gananim.cli import PANEL_NAMES, main

FEATURES_SCENE = TINY_SCENE.replace('d=mlp([8], "leaky_relu")', 'd=mlp([8, 2], ("leaky_relu", "linear"))')


@pytest.fixture(scope="module")
def trace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layouts")
    scene = write_scene(folder, FEATURES_SCENE)
    assert main(["train", str(scene), "-o", str(folder / "f.trace"), "-q"]) == 0
    return folder / "f.trace"


@pytest.mark.parametrize("layout, size", [("classic", (320, 240)), ("wide", (1280, 720)), ("square", (320, 240))])
def test_named_layouts(tmp_path, trace, layout, size):
    out = tmp_path / f"{layout}.png"
    assert main(["render", str(trace), "--layout", layout, "-o", str(out)]) == 0
    assert iio.imread(out).shape[:2] == (size[1], size[0])


IMAGE_PANELS = ["digit_grid", "interpolation", "classes", "fid"]
TWO_D_PANELS = [p for p in PANEL_NAMES if p not in ("line1d", "weight_bias", *IMAGE_PANELS)]


@pytest.mark.parametrize("panel, source, last, changed", [(p, "trace", 40, 0.005) for p in TWO_D_PANELS] +
                         [(p, "image_trace", 12, 0.0005) for p in IMAGE_PANELS])  # a 12-step G changes little
def test_every_panel_renders_a_changing_picture(tmp_path, request, panel, source, last, changed):
    """Each panel draws something, and something different at the start and the end of training."""
    trace, frames = request.getfixturevalue(source), []
    for step in (0, last):
        out = tmp_path / f"{panel}{step}.png"
        assert main(["render", str(trace), "--panels", panel, "--step", str(step), "--size", "480x480",
                     "-o", str(out)]) == 0
        frames.append(iio.imread(out))
    assert frames[0].shape == (480, 480, 3)
    assert frames[0].std() > 10  # not a blank frame
    assert np.mean(np.any(frames[0] != frames[1], axis=-1)) > changed


def test_panel_lists_and_their_errors(tmp_path, trace, capsys):
    out = tmp_path / "p.png"
    assert main(["render", str(trace), "--panels", "samples,manifold,metrics", "-o", str(out)]) == 0
    assert main(["render", str(trace), "--panels", "line1d", "-o", str(out)]) == 2
    assert "panel 'line1d' needs 1-D data" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["render", str(trace), "--panels", "sparkles", "-o", str(out)])
    assert exit_.value.code == 2 and "unknown panel 'sparkles'" in capsys.readouterr().err
    tiny = write_scene(tmp_path, TINY_SCENE, "plain.py")
    assert main(["render", str(tiny), "--panels", "features", "-o", str(out)]) == 2
    assert "needs a D with a 2-unit hidden layer" in capsys.readouterr().err


def test_themes(tmp_path, trace):
    corners = {}
    for theme in ("light", "dark", "print"):
        out = tmp_path / f"{theme}.png"
        assert main(["render", str(trace), "--theme", theme, "-o", str(out)]) == 0
        corners[theme] = iio.imread(out)[2, 2]
    assert tuple(corners["light"]) == (255, 255, 255) and tuple(corners["dark"]) == (0x14, 0x16, 0x1A)


def test_contact_sheet(tmp_path, trace, capsys):
    out = tmp_path / "sheet.png"
    assert main(["still", str(trace), "--steps", "0,10,20,40,30", "-o", str(out)]) == 0
    sheet = iio.imread(out)
    from gananim.rendering.layout import sheet_size
    width, height = sheet_size("sample_field", 4, 2)  # two rows of 4 columns, tiles of 380 px, one colour bar
    assert sheet.shape[:2] == (height, width) and 4 * 300 < width < 4 * 380 and height > 2 * 300
    assert main(["still", str(trace), "--steps", "0,99", "-o", str(out)]) == 2
    assert "--steps 99 is outside the trace" in capsys.readouterr().err
    assert main(["still", str(trace), "--steps", "0,40", "--panel", "manifold", "--size", "800x400",
                 "-o", str(out)]) == 0
    shape = iio.imread(out).shape[:2]  # the largest tiles within 800x400, the sheet trimmed to them
    assert shape[0] <= 400 and shape[1] <= 800 and (shape[0] >= 398 or shape[1] >= 798)
