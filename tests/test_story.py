"""Telling the story: pacing (timelines, holds, plans), captions, compare, WebP and WebM."""
from __future__ import annotations

import json
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest
from conftest import TINY_SCENE, write_scene
from PIL import Image

from gananim.analysis.frames import View
from gananim.cli import main
from gananim.config import scene_files
from gananim.rendering import captions, timeline
from gananim.rendering.layout import legible_pt
from gananim.rendering.renderer import Renderer, RenderOptions, step_range
from gananim.trace import Trace
from gananim.training.loop import train


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """A 300-step tiny sine run, every step recorded, and a second with another D learning rate."""
    folder = tmp_path_factory.mktemp("story")
    paths = []
    for name, lr in (("a", "1e-3"), ("b", "5e-3")):
        scene = scene_files.load(str(write_scene(folder, TINY_SCENE.replace("steps=40", "steps=300").replace(
            "opt_d=adam(1e-3)", f"opt_d=adam({lr})"), f"{name}.py")))
        train(scene, folder / f"{name}.trace", show_progress=False)
        paths.append(folder / f"{name}.trace")
    return folder, paths


def movement(view: View, steps: np.ndarray) -> np.ndarray:
    """How far G's samples move between consecutive frames."""
    g = view.block(steps).fake
    return np.sqrt(((g[1:] - g[:-1]) ** 2).sum(-1)).mean(-1)


@pytest.mark.parametrize("name", ["linear", "log", "adaptive"])
def test_every_timeline_draws_the_frames_asked_distinct_with_the_first_and_last_step(story, name):
    with Trace(story[1][0]) as trace:
        view = View(trace, (0, 300), 8)
        steps = timeline.frame_steps(trace, 30, 0, 300, name, view)
        assert len(steps) == 30 and len(set(steps)) == 30 and steps[0] == 0 and steps[-1] == 300
        assert (np.diff(steps) > 0).all()


def test_log_and_adaptive_timelines_spend_frames_where_the_picture_changes(story):
    with Trace(story[1][0]) as trace:
        view = View(trace, (0, 300), 8)
        linear, log, adaptive = (timeline.frame_steps(trace, 30, 0, 300, name, view)
                                 for name in ("linear", "log", "adaptive"))
        assert (log < 30).sum() > 3 * (linear < 30).sum()  # log: the first tenth gets many more frames
        # adaptive evens out how far G moves from frame to frame: its largest jump is smaller
        assert movement(view, adaptive).max() < 0.8 * movement(view, linear).max()
        every = trace.param_steps
        moves = movement(view, every)
        busiest = every[1:][moves > np.quantile(moves, 0.75)]  # the quarter of steps where G moved most
        share = lambda steps: np.isin(steps, busiest).mean()  # noqa: E731
        assert share(adaptive) > share(linear)


def test_pick_caps_each_step_at_one_frame_and_shares_the_rest():
    recorded = np.arange(100)
    weights = np.ones(100)
    weights[10:15] = 1000.0  # five steps want almost every frame
    steps = timeline.pick(recorded, weights, 20)
    assert len(steps) == 20 and len(set(steps)) == 20
    assert set(range(10, 15)) <= set(steps)  # each busy step once, the rest spread over the others
    assert steps[0] == 0 and steps[-1] == 99


def test_plan_prints_the_steps_the_render_draws_and_an_estimate_and_writes_nothing(story, capsys):
    folder, (a, _) = story
    out = folder / "plan.mp4"
    code, printed, err = run(capsys, "render", a, "-o", out, "--frames", "25", "--timeline", "log", "--hold", "2",
                             "--plan", "--json")
    assert code == 0, err
    plan = json.loads(printed)
    assert plan["frames"] == 25 and plan["timeline"] == "log" and plan["seconds"] == pytest.approx((25 + 12) / 6, abs=0.01)
    with Trace(a) as trace:
        assert plan["steps"] == timeline.frame_steps(trace, 25, 0, 300, "log").tolist()
    assert plan["estimated_render_seconds"] > 0 and "drawing one frame" in plan["how"]
    assert not out.exists()
    code, printed, _ = run(capsys, "render", a, "-o", out, "--frames", "25", "--plan")
    assert code == 0 and "25 frames (adaptive timeline)" in " ".join(printed.split()) and not out.exists()
    page = folder / "plan.html"  # a page plans the video it embeds
    code, printed, _ = run(capsys, "render", a, "-o", page, "--frames", "25", "--plan")
    assert code == 0 and "25 frames" in " ".join(printed.split()) and not page.exists()


def test_holds_add_display_time_not_frames(story, capsys):
    folder, (a, _) = story
    code, _, err = run(capsys, "render", a, "-o", folder / "h.mp4", "--frames", "10", "--fps", "10", "--hold", "1.5",
                       "--hold-start", "0.5", "-q")
    assert code == 0, err
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(folder / "h.mp4"))
    assert frames == 10 + 15 + 5
    assert "10 frames" in err and "3.0 s at 10 fps" in err
    code, _, err = run(capsys, "render", a, "-o", folder / "h.gif", "--hold", "-1")
    assert code == 2 and "--hold must be between 0 and 600 seconds, got -1" in err


def test_web_formats_loop_and_hold_every_frame(story, capsys):
    folder, (a, _) = story
    for name, extra in (("w.webp", []), ("q.webp", ["--quality", "80"]), ("v.webm", []), ("c.webm", ["--chroma", "420"])):
        code, _, err = run(capsys, "render", a, "-o", folder / name, "--frames", "12", "--fps", "6", "--hold", "1",
                           "-q", *extra)
        assert code == 0, (name, err)
    for name in ("w.webp", "q.webp"):
        image = Image.open(folder / name)
        durations = []
        for i in range(image.n_frames):
            image.seek(i)
            image.load()
            durations.append(image.info["duration"])
        assert image.info["loop"] == 0  # loops forever
        assert sum(durations) == pytest.approx((12 + 6) * 1000 / 6, abs=20)  # the hold is display time
        assert 12 <= image.n_frames <= 18  # identical held frames may merge into one longer frame
    for name, pixels in (("v.webm", "yuv444p"), ("c.webm", "yuv420p")):
        frames, _ = imageio_ffmpeg.count_frames_and_secs(str(folder / name))
        assert frames == 18
        probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(folder / name)],
                               capture_output=True, text=True).stderr
        assert "vp9" in probe and pixels in probe
    code, _, err = run(capsys, "render", a, "-o", folder / "x.mp4", "--quality", "80")
    assert code == 2 and "--quality applies to .webp outputs" in err


def _renderer(trace_path, texts, size=(480, 480), frames=12):
    trace = Trace(trace_path)
    opts = RenderOptions(frames=frames, size=size, captions=tuple(texts)).resolved(trace)
    span = step_range(trace, None, None)
    return Renderer(trace, timeline.frame_steps(trace, frames, *span), span, opts)


def test_captions_show_on_the_frames_of_their_range_literally(story):
    texts = ["0-100=D learns first: $5, 50%, {x}, a^2", "200=G settles"]
    renderer = _renderer(story[1][0], texts)
    shown = {}
    for i, step in enumerate(renderer.steps):
        renderer.update(i)
        shown[int(step)] = renderer.caption.get_text()
    for step, text in shown.items():
        if step <= 100:
            assert text == "D learns first: $5, 50%, {x}, a^2"
        elif step >= 200:
            assert text == "G settles"
        else:
            assert "D learns first" not in text and "G settles" not in text
    renderer.fig.canvas.draw()  # mathtext would raise on the unbalanced $ here; drawn literally instead


def test_a_long_caption_stays_legible_and_inside_a_480_px_frame(story):
    renderer = _renderer(story[1][0], ["0=" + "a very long remark about what the discriminator is doing " * 4])
    renderer.update(0)
    fig = renderer.fig
    box = renderer.caption.get_window_extent(fig.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width
    assert renderer.caption.get_fontsize() >= legible_pt(fig) - 0.01
    assert renderer.caption.get_text().endswith("…")


def test_caption_mistakes_and_missing_glyphs_are_one_line_before_training(tmp_path, capsys, monkeypatch):
    scene = write_scene(tmp_path)
    code, _, err = run(capsys, "render", scene, "-o", tmp_path / "a.mp4", "--caption", "soon=hello")
    assert code == 2 and "must read STEP=TEXT or FROM-TO=TEXT" in err
    code, _, err = run(capsys, "render", scene, "-o", tmp_path / "a.mp4", "--caption", "50-10=backwards")
    assert code == 2 and "its range runs backwards" in err
    monkeypatch.setattr(captions, "_covering", lambda chars: None)  # as on a machine without a CJK font
    code, _, err = run(capsys, "render", scene, "-o", tmp_path / "a.mp4", "--caption", "0=判别器先学")
    assert code == 2 and "no installed font has the caption's characters 判 别 器 先 学" in err
    assert not (tmp_path / "a.trace").exists() and err.count("\n") == 1


def test_captions_with_characters_the_theme_font_lacks_use_a_font_that_has_them(monkeypatch):
    monkeypatch.setattr(captions, "_covering", lambda chars: "DejaVu Serif")
    assert captions.families_for("abc", "DejaVu Sans") == ("DejaVu Sans",)
    assert captions.families_for("ab☃", "STIXGeneral") in (("STIXGeneral",), ("STIXGeneral", "DejaVu Serif"))


def test_compare_tiles_two_traces_labelled_by_what_differs(story, capsys):
    folder, (a, b) = story
    out = folder / "cmp.mp4"
    code, _, err = run(capsys, "compare", a, b, "-o", out, "--frames", "6", "-q")
    assert code == 0, err
    assert "2 tiles, 6 frames, 1280x720" in err
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(out))
    assert frames == 6
    code, _, err = run(capsys, "compare", a, b, "-o", folder / "slide.png", "-q")
    assert code == 0 and Image.open(folder / "slide.png").size == (1280, 720)
    from gananim import sweep
    with Trace(a) as ta, Trace(b) as tb:
        labels = sweep.differing_labels([ta.settings, tb.settings], ["tiny (a)", "tiny (b)"])
    assert labels == ["tiny (a) · opt_d.lr 0.001", "tiny (b) · opt_d.lr 0.005"]


def test_compare_refuses_traces_of_different_kinds_and_syncs_by_fraction(story, tmp_path, capsys):
    folder, (a, b) = story
    one_d = tmp_path / "p.trace"
    scene = scene_files.load("point").derive({"steps": 30})
    train(scene, one_d, show_progress=False)
    code, _, err = run(capsys, "compare", a, one_d, "-o", tmp_path / "x.mp4")
    assert code == 2 and "a.trace draws 2-D data and p.trace 1-D data: compare traces of the same kind" in err
    assert not (tmp_path / "x.mp4").exists()
    from gananim.rendering.tiles import Tile, TiledRenderer
    long = Trace(a)
    short_path = tmp_path / "short.trace"
    train(scene_files.load(str(write_scene(tmp_path, TINY_SCENE.replace("steps=40", "steps=100")))), short_path,
          show_progress=False)
    short = Trace(short_path)
    opts = RenderOptions(frames=4, size=(640, 360)).resolved(long)
    by_share = TiledRenderer([Tile(long, 0, "a"), Tile(short, 0, "short")], np.array([0, 150, 300]), (0, 300), opts,
                             "t", None, sync="fraction")
    by_share.update(1)
    assert by_share.counter.get_text() == "50% of training"
    assert by_share.views[1].frame_steps.tolist() == [0, 50, 100]  # halfway through its own 100 steps
    by_step = TiledRenderer([Tile(long, 0, "a"), Tile(short, 0, "short")], np.array([0, 150, 300]), (0, 300), opts,
                            "t", None)
    assert by_step.views[1].frame_steps.tolist() == [0, 100, 100]  # the shorter run holds its last frame


def test_a_scenes_own_captions_and_timeline_come_with_its_trace(tmp_path, capsys):
    scene = write_scene(tmp_path)
    code, _, err = run(capsys, "train", scene, "-o", tmp_path / "t.trace", "--set", "render.captions=0-10=first words",
                       "--set", "render.timeline=log", "-q")
    assert code == 0, err
    trace = Trace(tmp_path / "t.trace")
    opts = RenderOptions(frames=6, size=(320, 240)).resolved(trace)
    assert opts.timeline == "log" and opts.captions == ("0-10=first words",)
    span = step_range(trace, None, None)
    renderer = Renderer(trace, timeline.frame_steps(trace, 6, *span, "log"), span, opts)
    renderer.update(0)
    assert renderer.caption.get_text() == "first words"
    code, _, err = run(capsys, "show", scene, "--set", "render.timeline=sideways")
    assert code == 2 and "render.timeline must be one of linear, log, adaptive" in err


def test_compare_of_different_objectives_keeps_each_colour_range_and_names_the_verdict(story, tmp_path):
    """A probability and a critic's score do not share one colour scale: each tile keeps its
    own, and the one colour bar says fake / unsure / real instead of numbers. Different scenes
    differing in many settings are labelled by their names."""
    from gananim import sweep
    from gananim.rendering.tiles import Tile, TiledRenderer
    folder, (a, _) = story
    critic_path = tmp_path / "w.trace"
    critic_scene = TINY_SCENE.replace('name="tiny"', 'name="critic"').replace("batch=16", 'batch=32, loss="wgan-gp"') \
        .replace("opt_g=adam(1e-3)", "opt_g=adam(5e-4)").replace("opt_d=adam(1e-3)", "opt_d=adam(2e-4)")
    train(scene_files.load(str(write_scene(tmp_path, critic_scene))), critic_path, show_progress=False)
    with Trace(a) as probability, Trace(critic_path) as critic:
        opts = RenderOptions(frames=3, size=(640, 360)).resolved(probability)
        tiled = TiledRenderer([Tile(probability, 0, "p"), Tile(critic, 0, "c")], np.array([0, 20, 40]), (0, 40),
                              opts, "t", None)
        assert tiled.own_colour_ranges
        assert tiled.views[0].shown_range != tiled.views[1].shown_range
        bar = next(child for panel in tiled.panels[-1] for child in panel.ax.child_axes)
        assert [t.get_text() for t in bar.get_yticklabels()] == ["fake", "unsure", "real"]
        same = TiledRenderer([Tile(probability, 0, "p"), Tile(probability, 0, "q")], np.array([0, 40]), (0, 40), opts,
                             "t", None)
        assert not same.own_colour_ranges and same.views[0].shown_range == same.views[1].shown_range
        labels = sweep.differing_labels([probability.settings, critic.settings], ["tiny", "critic"])
    assert labels == ["tiny", "critic"]
