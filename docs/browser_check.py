"""Check that gananim's WebM and WebP play in a real browser: `python docs/browser_check.py`.

Renders a short run of the sine scene as .webm (VP9 4:4:4) and .webp, loads them in
headless Chromium through Playwright (`pip install playwright`; Debian's `apt-get install
chromium`, whose path CHROMIUM overrides), served over HTTP, and screenshots each one twice,
1.5 s apart: the frames on screen must advance. Prints one line per format and
exits 1 if either does not play.
"""
from __future__ import annotations

import functools
import http.server
import io
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
from PIL import Image

PAGE = """<!doctype html><meta charset="utf-8"><title>gananim formats</title>
<video id="webm" src="run.webm" autoplay muted loop playsinline></video>
<img id="webp" src="run.webp" width="320" height="320" style="display:inline-block">
"""


def main() -> int:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for suffix in (".webm", ".webp"):
            subprocess.run([sys.executable, "-m", "gananim", "render", "sine", "--set", "steps=300", "--frames", "40",
                            "--fps", "10", "--size", "320x320", "-o", str(work / f"run{suffix}"), "-q"], check=True)
        (work / "page.html").write_text(PAGE)
        # Served over HTTP, as a blog serves them.
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(work))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        failed = False
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--autoplay-policy=no-user-gesture-required"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/page.html")
            page.wait_for_function("document.getElementById('webm').readyState >= 2 && "
                                   "document.getElementById('webp').complete", timeout=20_000)
            for name in ("webm", "webp"):
                # What a reader sees: the element's pixels on screen, twice, 1.5 s apart.
                element = page.locator(f"#{name}")
                first = np.asarray(Image.open(io.BytesIO(element.screenshot())).convert("RGB"), dtype=int)
                page.wait_for_timeout(1500)
                second = np.asarray(Image.open(io.BytesIO(element.screenshot())).convert("RGB"), dtype=int)
                changed = int((first != second).any(-1).sum())
                playing = changed > 0 and first.std() > 0
                if name == "webm":
                    playing &= page.evaluate("document.getElementById('webm').currentTime") > 0
                print(f"{name}: {'plays' if playing else 'DOES NOT PLAY'} in Chromium {browser.version} "
                      f"({changed} of {first.shape[0] * first.shape[1]} pixels changed in 1.5 s)")
                failed |= not playing
            browser.close()
        server.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
