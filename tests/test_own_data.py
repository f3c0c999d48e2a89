"""A user's own data as the target: points files, pictures and words — read, sampled, scaled,
fingerprinted, kept in the trace, and refused with one line when they are bad."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import TINY_SCENE, write_scene
from PIL import Image

from gananim.cli import main
from gananim.config import scene_files, settings
from gananim.config.scene import Scene, TargetSpec
from gananim.data import own_data, targets
from gananim.errors import GananimError
from gananim.rendering.panels.base import UnitsFormatter, UnitsLocator
from gananim.trace import Trace
from gananim.training.loop import fingerprint

ROWS = np.array([[170.0, 65.0], [160.0, 55.5], [180.0, 80.0], [175.0, 72.25], [165.0, 60.0]])


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(path: Path) -> np.ndarray:
    raw = own_data.load(str(path))
    return np.unique(raw.sample(4000, torch.Generator().manual_seed(1)).numpy(), axis=0)


@pytest.mark.parametrize("name, text", [
    ("comma.csv", "# a comment line\nheight,weight\n170,65\n160,55.5\n180,80  # trailing comment\n\n175,72.25\n165,60\n"),
    ("tabs.tsv", "h\tw\n170\t65\n160\t55.5\n180\t80\n175\t72.25\n165\t60\n"),
    ("spaces.txt", "170 65\n160   55.5\n180 80\n 175 72.25\n165 60\n"),
    ("semicolons.csv", "170;65\n160;55.5\n180;80\n175;72.25\n165;60\n"),
])
def test_points_text_files_round_trip_and_are_sampled_uniformly_from_their_rows(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    assert np.array_equal(rows_of(path), np.unique(ROWS, axis=0))
    draws = own_data.load(str(path)).sample(50_000, torch.Generator().manual_seed(0)).numpy()
    counts = np.unique(draws, axis=0, return_counts=True)[1]
    assert counts.min() > 9_500 and counts.max() < 10_500  # uniform over the 5 rows
    if name == "comma.csv":
        assert own_data.load(str(path)).labels == ("height", "weight")


def test_npy_files_round_trip_in_one_and_two_columns(tmp_path):
    np.save(tmp_path / "two.npy", ROWS.astype(np.float32))
    np.save(tmp_path / "one.npy", np.arange(5, dtype=np.int64))
    assert np.array_equal(rows_of(tmp_path / "two.npy"), np.unique(ROWS, axis=0))
    assert np.array_equal(rows_of(tmp_path / "one.npy"), np.arange(5.0)[:, None])


def _ink(text: str, per_em: int = 400):
    """The text drawn by matplotlib's Agg renderer (an independent filling of the outlines, by
    the nonzero rule fonts use): ink per pixel, and the map from em units to pixels."""
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import PathPatch
    from matplotlib.textpath import TextPath

    outline = TextPath((0, 0), text, size=1, prop=FontProperties("DejaVu Sans:bold"))
    box = outline.get_extents()
    width, height = int(np.ceil(box.width * per_em)), int(np.ceil(box.height * per_em))
    fig = plt.figure(figsize=(width / 100, height / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(box.x0, box.x0 + width / per_em)
    ax.set_ylim(box.y0, box.y0 + height / per_em)
    ax.add_patch(PathPatch(outline, facecolor="black", edgecolor="none"))
    fig.canvas.draw()
    ink = 1 - np.asarray(fig.canvas.buffer_rgba())[..., 0] / 255
    plt.close(fig)

    def pixels(points):
        col = np.clip(((points[:, 0] - box.x0) * per_em).astype(int), 0, width - 1)
        row = np.clip(height - 1 - ((points[:, 1] - box.y0) * per_em).astype(int), 0, height - 1)
        return row, col
    return ink, pixels


def test_text_targets_lie_inside_the_glyphs_and_not_in_their_holes():
    samples = own_data.load("text:GOA").sample(50_000, torch.Generator().manual_seed(0)).numpy()
    ink, pixels = _ink("GOA")
    row, col = pixels(samples)
    on_ink = ink[row, col]
    assert (on_ink > 0).mean() > 0.999  # inside the glyphs (edge pixels are partly inked)
    assert (on_ink > 0.99).mean() > 0.97
    o_only = own_data.load("text:O").sample(20_000, torch.Generator().manual_seed(0)).numpy()
    ink_o, pixels_o = _ink("O")
    r, c = pixels_o(o_only)
    hole = (slice(ink_o.shape[0] // 2 - 5, ink_o.shape[0] // 2 + 5), slice(ink_o.shape[1] // 2 - 5, ink_o.shape[1] // 2 + 5))
    assert ink_o[hole].max() == 0  # the O's hole is empty in the drawing...
    in_hole = (abs(r - ink_o.shape[0] // 2) < 5) & (abs(c - ink_o.shape[1] // 2) < 5)
    assert not in_hole.any()  # ...and of samples
    # Uniform: the share of samples in each tenth of the text's width matches the ink there.
    tenth = np.minimum(col * 10 // ink.shape[1], 9)
    ink_share = np.array([ink[:, i * ink.shape[1] // 10:(i + 1) * ink.shape[1] // 10].sum() for i in range(10)])
    assert np.abs(np.bincount(tenth, minlength=10) / len(samples) - ink_share / ink_share.sum()).max() < 0.01


def test_a_pictures_samples_follow_its_darkness(tmp_path):
    darkness = np.array([[0, 40, 80, 120], [160, 200, 240, 255], [255, 0, 0, 100]], dtype=np.float64)
    Image.fromarray((255 - darkness).astype(np.uint8), "L").save(tmp_path / "p.png")
    raw = own_data.load(str(tmp_path / "p.png"))
    samples = raw.sample(200_000, torch.Generator().manual_seed(0)).numpy()
    height, width = darkness.shape
    col, row = np.floor(samples[:, 0]).astype(int), height - 1 - np.floor(samples[:, 1]).astype(int)
    observed = np.bincount(row * width + col, minlength=darkness.size)
    expected = darkness.reshape(-1) / darkness.sum() * len(samples)
    assert observed[expected == 0].sum() == 0
    chi2 = (((observed - expected) ** 2)[expected > 0] / expected[expected > 0]).sum()
    assert chi2 < 31.3  # the 0.001 critical value for 10 degrees of freedom (11 dark pixels - 1)
    fraction = samples - np.floor(samples)  # continuous within pixels, not pixel centres
    assert fraction.std() > 0.25 and len(np.unique(samples[:, 0])) == len(samples)


def test_transparency_sets_the_density_when_the_picture_has_it_and_invert_flips_it(tmp_path):
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[..., 3] = [[255, 0], [0, 0]]  # only the top-left pixel is opaque (its colour is black everywhere)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    samples = own_data.load(str(tmp_path / "a.png")).sample(1000, torch.Generator().manual_seed(0)).numpy()
    assert (samples[:, 0] < 1).all() and (samples[:, 1] >= 1).all()  # y up: row 0 is the top
    opaque = rgba.copy()
    opaque[..., 3] = 255  # an alpha channel that hides nothing: darkness counts (all black: uniform)
    Image.fromarray(opaque, "RGBA").save(tmp_path / "b.png")
    samples = own_data.load(str(tmp_path / "b.png")).sample(4000, torch.Generator().manual_seed(0)).numpy()
    assert (samples[:, 0] > 1).mean() == pytest.approx(0.5, abs=0.05)
    grey = np.full((2, 2), 255, dtype=np.uint8)
    grey[1, 1] = 0
    Image.fromarray(grey, "L").save(tmp_path / "c.jpg", quality=100)
    light = own_data.load(str(tmp_path / "c.jpg"), invert=True).sample(1000, torch.Generator().manual_seed(0)).numpy()
    assert ((light[:, 0] >= 1) & (light[:, 1] < 1)).mean() < 0.05  # the one dark pixel is now the empty one


def test_scaling_fits_the_robust_extent_into_gs_box_keeping_aspect_and_units_map_back(tmp_path):
    rng = np.random.default_rng(0)
    data = np.column_stack([rng.uniform(100, 300, 20_000), rng.uniform(-5, 45, 20_000)])
    np.save(tmp_path / "d.npy", data)
    target = targets.resolve(TargetSpec(str(tmp_path / "d.npy")), (-0.9, 0.9))
    scaled = targets.draw(target, 20_000, torch.Generator().manual_seed(0)).numpy().astype(np.float64)
    low, high = np.percentile(scaled, (0.5, 99.5), axis=0)
    assert low[0] == pytest.approx(-0.9, abs=0.01) and high[0] == pytest.approx(0.9, abs=0.01)
    assert (high[1] - low[1]) / (high[0] - low[0]) == pytest.approx(50 / 200, rel=0.02)  # aspect kept
    units = target.units
    raw = scaled * units.scale + np.array(units.offset)
    column = np.sort(data[:, 0])
    nearest = column[np.clip(np.searchsorted(column, raw[:, 0]), 0, len(column) - 1)]
    below = column[np.clip(np.searchsorted(column, raw[:, 0]) - 1, 0, len(column) - 1)]
    assert np.minimum(abs(nearest - raw[:, 0]), abs(below - raw[:, 0])).max() < 1e-4  # float32 of values near 300
    same = targets.resolve(TargetSpec(str(tmp_path / "d.npy"), scale="raw"))
    assert same.units is None
    assert np.isin(targets.draw(same, 100, torch.Generator()).numpy(), data.astype(np.float32)).all()
    assert targets.box_for(Scene(g=settings.update(Scene(), {}).g).g) == (-1.0, 1.0)


def test_ticks_are_round_numbers_of_the_datas_units():
    locator, formatter = UnitsLocator(50.0, 200.0, nbins=5, steps=[1, 2, 2.5, 5, 10]), UnitsFormatter(50.0, 200.0)
    ticks = locator.tick_values(-1, 1)  # raw 150 .. 250
    raw = ticks * 50 + 200
    assert np.allclose(raw, np.round(raw / 20) * 20) and raw.min() >= 140 and raw.max() <= 260
    assert formatter.format_ticks(ticks[(raw >= 150) & (raw <= 250)]) == ["160", "180", "200", "220", "240"]


def test_target_is_short_for_target_source_and_its_settings_sit_beside_it():
    scene = settings.apply(Scene(), ["target=text:Hi", "target.font=DejaVu Serif", "target.invert=yes"])
    assert scene.target == TargetSpec("text:Hi", invert=True, font="DejaVu Serif")
    assert Scene(target="circle").target.source == "circle"
    assert scene.derive({"target": "wing"}).target.source == "wing"
    with pytest.raises(GananimError, match="target.scale must be one of fit, raw"):
        settings.apply(Scene(), ["target.scale=log"]).validate()


def test_fingerprint_covers_the_datas_bytes_not_its_path_nor_presentation(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "pts.csv").write_text("1,2\n3,4\n5,7\n")
    a = Scene(target=str(tmp_path / "a" / "pts.csv"))
    b = Scene(target=str(tmp_path / "b" / "pts.csv"), title="another title")
    assert fingerprint(a) == fingerprint(b)
    (tmp_path / "b" / "pts.csv").write_text("1,2\n3,4\n5,8\n")
    os.utime(tmp_path / "b" / "pts.csv", ns=(1, 1))  # a new mtime, as an edit makes, even on a coarse clock
    assert fingerprint(a) != fingerprint(b)
    assert fingerprint(Scene(target="text:GAN")) != fingerprint(Scene(target="text:GAN", **{}).derive(
        {"target.font": "DejaVu Serif:bold"}))


def test_a_scene_files_relative_path_is_relative_to_the_scene_file(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "pts.csv").write_text("1,2\n3,4\n")
    scene_file = write_scene(tmp_path, TINY_SCENE.replace('target="sine"', 'target="data/pts.csv"'))
    monkeypatch.chdir("/")
    scene = scene_files.load(str(scene_file))
    assert Path(scene.target.source) == tmp_path / "data" / "pts.csv"
    assert scene.settings()["target"]["source"] == "pts.csv"  # what a trace keeps: the name, never the path


def test_render_a_csv_and_rerender_the_trace_without_the_file(tmp_path, capsys):
    data = tmp_path / "class.csv"
    rng = np.random.default_rng(0)
    data.write_text("height_cm,weight_kg\n" + "\n".join(f"{h:.1f},{w:.1f}" for h, w in
                                                        zip(rng.normal(172, 8, 300), rng.normal(68, 9, 300))))
    scene = write_scene(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run(capsys, "render", "--set", f"target={data}", scene, "-o", out / "a.png", "-q")
    assert code == 0, err
    trace = Trace(out / "a.trace")
    assert trace.settings["target"]["source"] == "class.csv"
    assert str(tmp_path) not in json.dumps(trace.meta)
    units = trace.meta["data_units"]
    assert units["labels"] == ["height_cm", "weight_kg"] and units["scale"] > 1
    real = trace.array("real") * units["scale"] + np.array(units["offset"])
    assert real[:, 0].mean() == pytest.approx(172, abs=3)
    data.unlink()
    code, _, err = run(capsys, "render", out / "a.trace", "--size", "480x480", "-o", out / "b.png", "-q")
    assert code == 0, err
    assert Image.open(out / "b.png").size == (480, 480)


def _bad_inputs(folder: Path) -> list[tuple[str, str]]:
    (folder / "cell.csv").write_text("x,y\n1,2\n3,abc\n")
    (folder / "nan.csv").write_text("1,2\n3,nan\n")
    (folder / "inf.txt").write_text("1 2\ninf 3\n")
    (folder / "three.csv").write_text("1,2,3\n4,5,6\n")
    (folder / "ragged.csv").write_text("1,2\n3\n")
    (folder / "empty.csv").write_text("")
    (folder / "header.csv").write_text("# only a header\nx,y\n")
    Image.fromarray(np.full((8, 8), 255, dtype=np.uint8), "L").save(folder / "white.png")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    np.save(folder / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(folder / "cube.npy", np.zeros((2, 2, 2)))
    return [
        ("missing.csv", f"cannot read target {folder / 'missing.csv'}: No such file or directory"),
        ("cell.csv", "target cell.csv: line 3, column 2: 'abc' is not a number"),
        ("nan.csv", "target nan.csv: line 2 holds [3.0, nan]; every value must be finite"),
        ("inf.txt", "target inf.txt: line 2 holds [inf, 3.0]; every value must be finite"),
        ("three.csv", "target three.csv has 3 columns; gananim learns 1-D or 2-D data"),
        ("ragged.csv", "target ragged.csv: line 2 has 1 value where the rows above have 2"),
        ("empty.csv", "target empty.csv is empty: it has no data rows"),
        ("header.csv", "target header.csv has a header but no data rows"),
        ("white.png", "target white.png has no dark pixels: nothing to learn (for light shapes on a dark "
                      "background set target.invert=true)"),
        ("broken.png", "target broken.png is not a picture Pillow can read"),
        ("objects.npy", "target objects.npy holds object values; gananim learns numbers"),
        ("cube.npy", "target cube.npy is a 3-D array; give one row per point, with 1 or 2 columns"),
        ("text:   ", "target text: draws no glyph"),
        ("text:G字", "font DejaVu Sans has no glyph for 字; pick a font that has them with target.font"),
    ]


def test_bad_data_is_refused_with_one_line_and_status_2_creating_nothing(tmp_path, capsys):
    scene = write_scene(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    for source, message in _bad_inputs(tmp_path):
        target = source if source.startswith("text:") else str(tmp_path / source)
        code, _, err = run(capsys, "render", "--set", f"target={target}", scene, "-o", out / "x.mp4")
        assert code == 2, (source, err)
        assert err.count("\n") == 1 and message in err, (source, err)
        assert "Traceback" not in err
        assert not any(out.iterdir()), source
    code, _, err = run(capsys, "render", "--set", "target=text:GAN", "--set", "target.font=No Such Font", scene,
                       "-o", out / "x.mp4")
    assert code == 2 and "unknown font 'No Such Font' for target.font; fonts matplotlib finds: DejaVu" in err


def test_a_column_count_the_scene_cannot_draw_is_refused_before_training(tmp_path, capsys):
    (tmp_path / "one.csv").write_text("1\n2\n3\n")
    scene = write_scene(tmp_path)
    code, _, err = run(capsys, "render", "--set", f"target={tmp_path / 'one.csv'}", scene, "-o", tmp_path / "x.png")
    assert code == 2 and "target one.csv holds 1-D data, which the tiny scene cannot learn" in err
    assert not (tmp_path / "x.trace").exists()
    code, _, err = run(capsys, "render", "--set", f"target={tmp_path / 'one.csv'}", "--set", "steps=20",
                       "--set", "latent.dim=1", "--set", "render.layout=1d", scene, "-o", tmp_path / "y.png", "-q")
    assert code == 0, err


def test_a_file_too_large_and_a_npy_header_that_lies_are_refused_before_allocating(tmp_path, monkeypatch):
    np.save(tmp_path / "ok.npy", np.zeros((4, 2)))
    data = (tmp_path / "ok.npy").read_bytes()
    end = data.index(b"\n") + 1
    (tmp_path / "lie.npy").write_bytes(data[:end].replace(b"'shape': (4, 2)", b"'shape': (9, 2)") + data[end:])
    with pytest.raises(GananimError, match="lie.npy is cut short: its header promises more values than it holds"):
        own_data.load(str(tmp_path / "lie.npy"))
    monkeypatch.setattr(own_data, "MAX_FILE_BYTES", 64)
    with pytest.raises(GananimError, match=r"ok.npy is 0 MB; data files of at most 0 MB can be learned"):
        own_data.load(str(tmp_path / "ok.npy"))


def test_a_million_row_csv_loads(tmp_path):
    """Correctness at size (speed is measured in bench/run.py): every row read, none invented."""
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(1_000_000, 2)).round(4)
    np.savetxt(tmp_path / "m.csv", rows, delimiter=",", fmt="%.4f", header="a,b", comments="")
    raw = own_data.load(str(tmp_path / "m.csv"))
    assert np.array_equal(raw.reference, rows)


@pytest.mark.parametrize("name", ["text_gan", "heart"])
def test_the_bundled_own_data_scenes_load_and_find_their_data(name):
    scene = scene_files.load(name)
    target = targets.resolve(scene.target, targets.box_for(scene.g))
    assert target.units is not None and target.digest
    assert "§" not in scene.about or "et al." in scene.about


def test_bundled_pictures_ship_in_the_wheel_and_are_found_from_an_install(tmp_path):
    root = Path(__file__).resolve().parents[1]
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            "-w", str(tmp_path / "dist"), str(root)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("gananim-*.whl"))
    assert "gananim/scenes/heart.png" in zipfile.ZipFile(wheel).namelist()
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "env")], check=True)
    installed = subprocess.run([str(tmp_path / "env" / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                                "--no-index", str(wheel)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    found = subprocess.run([str(tmp_path / "env" / "bin" / "python"), "-c",
                            "import importlib.resources as r; p = r.files('gananim.scenes') / 'heart.png'; "
                            "print(p.is_file(), len(p.read_bytes()))"], capture_output=True, text=True,
                           cwd=tmp_path)  # not the source tree, which Python would import first
    assert found.stdout.split()[0] == "True", found.stderr
    assert int(found.stdout.split()[1]) == len((root / "scenes" / "heart.png").read_bytes())
