"""The web page (`render -o run.html`) in a real browser: Chromium driven by Playwright."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import TINY_SCENE, write_scene

from gananim.trace import Trace

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install playwright "
                                 "(a test extra)")
CHROMIUM = next((path for path in map(shutil.which, ("chromium", "chromium-browser")) if path), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here: apt-get install chromium (CI installs it)")

PAGE_SCENE = TINY_SCENE.replace("steps=40", "steps=60").replace("frames=6", "frames=12")


def _gananim(*args, cwd):
    done = subprocess.run([sys.executable, "-m", "gananim", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300, env={**os.environ, "GANANIM_CACHE": str(cwd / "cache")})
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def page_files(tmp_path_factory):
    """A tiny run's trace, its page, its WebM and a still of every frame's step."""
    folder = tmp_path_factory.mktemp("page")
    scene = write_scene(folder, PAGE_SCENE, "tiny.py")
    _gananim("render", scene, "-o", folder / "run.html", "--timeline", "linear", "--caption", "10-30=warming up",
             cwd=folder)
    _gananim("render", folder / "run.trace", "-o", folder / "run.webm", "--timeline", "linear", "--caption",
             "10-30=warming up", cwd=folder)
    return folder


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def _open(browser, path, fragment=""):
    page = browser.new_page(viewport={"width": 800, "height": 900}, device_scale_factor=1)
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri() + fragment)
    page.wait_for_function("window.gananim && document.getElementById('gananim-video').readyState >= 2")
    return page, requests, errors


def _settled(page):
    page.wait_for_function("(() => { const v = document.getElementById('gananim-video'); "
                           "return !v.seeking && v.readyState >= 2; })()")
    page.wait_for_timeout(100)


def test_the_page_is_self_contained_and_small(page_files, browser):
    page, requests, errors = _open(browser, page_files / "run.html")
    assert errors == [] and requests and all(re.match(r"(file|data|blob):", url) for url in requests), requests
    webm = (page_files / "run.webm").stat().st_size
    assert (page_files / "run.html").stat().st_size <= 1.4 * webm + 200_000
    assert page.title() == "Tiny test scene"
    assert page.evaluate("window.gananim.frames.length") == 12


def test_seeking_shows_exactly_the_frame_of_that_step(page_files, browser):
    page, _, _ = _open(browser, page_files / "run.html")
    frames = page.evaluate("window.gananim.frames")
    index = 7
    page.evaluate(f"window.gananim.seek({frames[index]})")
    _settled(page)
    shown = page.locator("#gananim-video").screenshot()
    import io

    from PIL import Image

    drawn = np.asarray(Image.open(io.BytesIO(shown)).convert("RGB"), dtype=float)
    distances = {}
    for i in (index - 1, index, index + 1):
        still = page_files / f"still{i}.png"
        _gananim("render", page_files / "run.trace", "-o", still, "--step", frames[i], cwd=page_files)
        reference = np.asarray(Image.open(still).convert("RGB"), dtype=float)
        distances[i] = np.abs(drawn - reference).mean()
    assert distances[index] < min(distances[index - 1], distances[index + 1]), distances


def test_keyboard_deep_links_and_the_address(page_files, browser):
    page, _, _ = _open(browser, page_files / "run.html", "#step=31")
    frames = page.evaluate("window.gananim.frames")
    nearest = min(frames, key=lambda s: abs(s - 31))
    assert page.evaluate("window.gananim.step") == nearest
    page.keyboard.press("ArrowRight")
    assert page.evaluate("window.gananim.step") == frames[frames.index(nearest) + 1]
    assert page.url.endswith(f"#step={frames[frames.index(nearest) + 1]}")
    page.keyboard.press("Home")
    assert page.evaluate("window.gananim.step") == frames[0]
    page.keyboard.press("End")
    assert page.evaluate("window.gananim.step") == frames[-1] and page.url.endswith(f"#step={frames[-1]}")
    page.keyboard.press("Home")
    page.keyboard.press(" ")  # plays, then pauses: the address follows
    page.wait_for_timeout(300)
    page.keyboard.press(" ")
    paused_at = page.evaluate("window.gananim.step")
    assert paused_at > frames[0] and page.url.endswith(f"#step={paused_at}")


def test_hover_reads_the_traces_values_and_a_click_jumps(page_files, browser):
    page, _, _ = _open(browser, page_files / "run.html")
    box = page.locator("#gananim-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] / 2)
    lines = page.locator("#gananim-hover").text_content().splitlines()
    step = int(lines[0].split()[1])
    with Trace(page_files / "run.trace") as trace:
        expected = {"D loss": trace.scalar("d_loss")[step - 1, 0], "G loss": trace.scalar("g_loss")[step - 1, 0],
                    "D(x)": trace.scalar("d_real")[step - 1, 0], "D(G(z))": trace.scalar("d_fake")[step - 1, 0]}
    shown = {line.rsplit("  ", 1)[0]: float(line.rsplit("  ", 1)[1]) for line in lines[1:5]}
    for name, value in expected.items():
        assert shown[name] == pytest.approx(float(value), rel=5e-4), (name, shown, expected)
    assert (10 <= step <= 30) == ("warming up" in lines), lines  # captions are marks on the timeline
    page.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + box["height"] / 2)
    frames = page.evaluate("window.gananim.frames")
    assert page.evaluate("window.gananim.step") == min(frames, key=lambda s: abs(s - step))


HOSTILE = "</script><script>window.pwned=1</script><b>bold</b> " + "x" * 5000


@pytest.mark.parametrize("case", ["nan", "one frame", "hostile title"])
def test_pages_for_awkward_traces_are_valid_and_show_text_as_text(tmp_path, browser, case):
    from test_train import NAN_SCENE

    if case == "nan":
        scene = write_scene(tmp_path, NAN_SCENE, "nan.py")
        args = ["render", scene, "-o", tmp_path / "p.html"]
    else:
        scene = write_scene(tmp_path, TINY_SCENE)
        args = ["render", scene, "-o", tmp_path / "p.html"]
        args += ["--frames", "1"] if case == "one frame" else ["--set", f"title={HOSTILE}"]
    _gananim(*args, cwd=tmp_path)
    page, requests, errors = _open(browser, tmp_path / "p.html")
    assert errors == [] and all(re.match(r"(file|data|blob):", url) for url in requests)
    assert page.evaluate("window.pwned === undefined") and page.locator("b").count() == 0
    if case == "hostile title":
        assert page.title() == HOSTILE
    if case == "one frame":
        assert page.evaluate("window.gananim.frames.length") == 1
        page.keyboard.press("ArrowRight")
        assert page.evaluate("window.gananim.step") == page.evaluate("window.gananim.frames[0]")


def test_a_sweep_page_has_one_slider_for_every_tile(tmp_path, browser):
    _gananim("sweep", "sine", "--grid", "opt_d.lr=1e-3,1e-4", "--set", "steps=30", "--set", "g.widths=8", "--set",
             "d.widths=8", "--set", "record.bank=64", "--set", "record.latents=64", "--frames", "5", "--size", "640x360",
             "-o", tmp_path / "grid.html", cwd=tmp_path)
    page, requests, errors = _open(browser, tmp_path / "grid.html")
    assert errors == [] and all(re.match(r"(file|data|blob):", url) for url in requests)
    assert page.evaluate("window.gananim.frames.length") == 5
    page.keyboard.press("End")
    assert page.evaluate("window.gananim.step") == 30


def test_a_page_of_20000_frames_reaches_each_one(tmp_path, browser):
    """The player with 20,000 frames (a synthetic 32×32 video at 1,000 fps stands in for a run
    that long, which would take minutes to draw)."""
    from types import SimpleNamespace

    import imageio_ffmpeg

    from gananim.rendering.webpage import assemble

    video = tmp_path / "many.webm"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=s=32x32:r=1000:d=20", "-c:v", "libvpx-vp9", "-pix_fmt", "yuv444p", "-deadline", "realtime",
                    "-cpu-used", "8", "-g", "100", str(video)], check=True, timeout=120)
    steps = list(range(0, 40_000, 2))
    done = {"size": (32, 32), "steps": steps, "options": SimpleNamespace(fps=1000)}
    assemble(tmp_path / "many.html", video, done, "many frames", "a long run",
             {"series": [], "curve_first": 1, "curve_stride": 1, "marks": [], "title": "many frames"})
    page, _, errors = _open(browser, tmp_path / "many.html", "#step=30001")
    assert errors == [] and page.evaluate("window.gananim.frames.length") == 20_000
    assert page.evaluate("window.gananim.step") in (30_000, 30_002)
    page.keyboard.press("End")
    assert page.evaluate("window.gananim.step") == 39_998
    page.evaluate("window.gananim.seek(12345)")
    _settled(page)
    step = page.evaluate("window.gananim.step")
    assert step in (12_344, 12_346)
    assert abs(page.evaluate("document.getElementById('gananim-video').currentTime") - (step / 2 + 0.5) / 1000) < 0.002
