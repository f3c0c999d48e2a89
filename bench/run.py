"""gananim against the naive way, side by side in one run: `python bench/run.py [--long]`.

Prints a table of absolute figures and ratios (gananim / naive) for rendering, training with
recording (eager and compiled), `gananim render wing` end to end, wide networks (3×512) at
400×400 grids with FLOP/s against this machine's matmul peaks and peak memory, seeds trained
together, GIF and web formats, own data, and, with --long, a 60,000-step run rendered
into 600 frames (peak memory). Timings on shared machines drift, so each comparison
alternates the two sides several times and reports the median of the ratios of neighbouring
runs; absolute figures are medians too. Benchmarks are not tests: nothing here asserts.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from naive import naive_fields, naive_render, naive_train  # noqa: E402

from gananim.config import scene_files, settings  # noqa: E402
from gananim.rendering.renderer import Renderer, RenderOptions, frame_steps, render, step_range  # noqa: E402
from gananim.trace import Trace  # noqa: E402
from gananim.training.loop import train  # noqa: E402

ROWS: list[tuple] = []


def paired(naive, ours, repeats: int) -> tuple[float, float, float]:
    """Alternate the two (each returns a rate); median naive rate, median ours, median pair ratio."""
    rates_n, rates_o, ratios = [], [], []
    for _ in range(repeats):
        n, o = naive(), ours()
        rates_n.append(n)
        rates_o.append(o)
        ratios.append(o / n)
    return statistics.median(rates_n), statistics.median(rates_o), statistics.median(ratios)


def report(name: str, unit: str, naive: float, ours: float, ratio: float, target: str, met: bool) -> None:
    ROWS.append((name, f"{naive:,.1f} {unit}", f"{ours:,.1f} {unit}", f"{ratio:.2f}×", target, "yes" if met else "NO"))
    print(f"  {name}: naive {naive:,.2f}, gananim {ours:,.2f} {unit}, ratio {ratio:.2f} ({target})", flush=True)


def sine(steps: int, *sets: str):
    """The sine scene, recorded full (parameter rows in the trace), as the naive loop keeps them."""
    return settings.apply(scene_files.load("sine"), [f"steps={steps}", "record.mode=full", *sets])


def bench_render(work: Path) -> None:
    """720×720, four panels, 100×100 D grids, D fields included, from a saved trace."""
    trace_path = work / "render.trace"
    train(sine(3000, "record.every=1", "record.budget_mb=100000"), trace_path, show_progress=False)
    trace = Trace(trace_path)
    frames_naive, frames_ours = 40, 240
    steps_naive = frame_steps(trace, frames_naive, *step_range(trace, None, None))

    def naive():
        start = time.perf_counter()
        naive_render(str(trace_path), str(work / "naive.mp4"), steps_naive)
        return frames_naive / (time.perf_counter() - start)

    def ours():
        start = time.perf_counter()
        render(trace, work / "ours.mp4", RenderOptions(frames=frames_ours, size=(720, 720), grid=100),
               show_progress=False)
        return frames_ours / (time.perf_counter() - start)

    n, o, ratio = paired(naive, ours, 3)
    report("render 720×720 (frames/s)", "fps", n, o, ratio, "≥ 10×", ratio >= 10)


def bench_train() -> None:
    """Steps/s with every step's parameters recorded, against the plain loop (nothing recorded)."""
    scene = sine(800, "record.every=1", "record.budget_mb=100000")
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "t.trace"
        train(sine(50), path, show_progress=False)
        naive_train(scene, 50)

        def ours():
            start = time.perf_counter()
            train(scene, path, show_progress=False)
            return scene.steps / (time.perf_counter() - start)

        n, o, ratio = paired(lambda: naive_train(scene, scene.steps), ours, 7)
        # gananim trains networks this small on one intra-op thread; the naive loop keeps torch's
        # default (all cores). For transparency: the naive loop, given one thread too.
        previous = torch.get_num_threads()
        torch.set_num_threads(1)
        n1, _, ratio1 = paired(lambda: naive_train(scene, scene.steps), ours, 5)
        torch.set_num_threads(previous)
    report("train, every step recorded (steps/s)", "steps/s", n, o, ratio, "≥ 1.2×", ratio >= 1.2)
    print(f"  (the naive loop on one thread, as gananim runs this size: {n1:,.0f} steps/s; ratio {ratio1:.2f})")


def _train_seconds(scene, path: Path, compile_mode: str) -> float:
    start = time.perf_counter()
    train(scene, path, show_progress=False, compile=compile_mode)
    return time.perf_counter() - start


def bench_train_compiled() -> None:
    """Steady-state steps/s of the compiled step, every step recorded, against the plain loop:
    two run lengths, so that compiling (paid once per run) drops out of the difference."""
    short, long = 2000, 6000
    every = ("record.every=1", "record.budget_mb=100000")
    with tempfile.TemporaryDirectory() as work:
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(Path(work) / "compiled")  # start cold
        path = Path(work) / "c.trace"
        cold = _train_seconds(sine(short, *every), path, "on") - _train_seconds(sine(short, *every), path, "off")

        def rate(mode: str) -> float:
            return (long - short) / (_train_seconds(sine(long, *every), path, mode)
                                     - _train_seconds(sine(short, *every), path, mode))

        n, o, ratio = paired(lambda: naive_train(sine(long), long), lambda: rate("on"), 3)
        eager = rate("off")
        warm = _train_seconds(sine(short, *every), path, "on") - _train_seconds(sine(short, *every), path, "off")
    report("train compiled, every step recorded (steps/s)", "steps/s", n, o, ratio, "≥ 3×", ratio >= 3)
    print(f"  the eager step, every step recorded: {eager:,.0f} steps/s (compiled {o / eager:.2f}×); a "
          f"{short:,}-step run took {cold:.0f} s longer compiled than eager the first time (cold cache), "
          f"{warm:.0f} s once cached")


def bench_wing_end_to_end(work: Path) -> None:
    """`gananim render wing --retrain` as a user runs it: eager (the path before compiling)
    against compiled with an empty cache (first run) and with it filled (second run)."""
    env = {**os.environ, "GANANIM_CACHE": str(work / "cache")}
    env.pop("TORCHINDUCTOR_CACHE_DIR", None)

    def seconds(*extra: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gananim", "render", "wing", "-o", str(work / "wing.mp4"), "--retrain",
                        "-q", *extra], check=True, env=env, capture_output=True)
        return time.perf_counter() - start

    eager = seconds("--compile", "off")
    first, second = seconds(), seconds()
    report("render wing end to end, second run (s)", "s", eager, second, eager / second, "≥ 2×", eager / second >= 2)
    print(f"  eager {eager:.1f} s; compiled: first run {first:.1f} s (compiling, cold cache), second {second:.1f} s")


WIDE = ["g.widths=512,512,512", "d.widths=512,512,512", "batch=512"]


def bench_wide(work: Path) -> None:
    """A well-known GAN visualiser's settings (G and D of three hidden layers of 512, batch
    512) on the wing: whole 720×720 frames with 400×400 grids asked for, against the naive
    way (both fields by nn.Sequential in float32 at the full grid, nothing drawn); and the
    training step, eager against compiled."""
    wide = settings.apply(scene_files.load("wing"), [*WIDE, "steps=200", "record.every=20"])
    path = work / "wide.trace"
    per_step = {mode: _train_seconds(wide, path, mode) for mode in ("off", "on")}  # "on" includes compiling
    steady = {mode: _train_seconds(wide, path, mode) - _train_seconds(settings.apply(wide, ["steps=100"]), path, mode)
              for mode in ("off", "on")}
    print(f"  wide training step: eager {steady['off'] * 10:.1f} ms, compiled {steady['on'] * 10:.1f} ms "
          f"({steady['off'] / steady['on']:.2f}×; the first compiled run spent {per_step['on'] - per_step['off']:.0f} s "
          "more, compiling)")
    with Trace(path) as trace:
        def frame_seconds(precision: str) -> float:
            def seconds(frames: int) -> float:
                start = time.perf_counter()
                render(trace, work / "wide.mp4", RenderOptions(frames=frames, size=(720, 720), grid=400,
                                                               precision=precision, workers=1), show_progress=False)
                return time.perf_counter() - start
            return (seconds(3) - seconds(1)) / 2  # fixed costs drop out

        steps = trace.param_steps[-3:]

        def naive() -> float:
            start = time.perf_counter()
            naive_fields(trace, steps, 400)
            return len(steps) / (time.perf_counter() - start)

        fp32 = frame_seconds("fp32")
        n, o, ratio = paired(naive, lambda: 1 / frame_seconds("bf16"), 2)
        cells = Renderer(trace, steps, step_range(trace, None, None), RenderOptions(size=(720, 720), grid=400).resolved(
            trace)).view.grid
    subprocess.run([sys.executable, "-m", "gananim", "render", str(path), "-o", str(work / "wide.mp4"), "--frames",
                    "3", "--grid", "400", "--size", "720x720", "--workers", "1", "-q"], check=True, capture_output=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6  # GB: the largest child so far
    report("wide 3×512, 720×720 frame, grid 400 (frames/s)", "fps", n, o, ratio, "≥ 10×", ratio >= 10)
    print(f"  peak memory of a whole render at grid 400: at most {peak:.2f} GB (the largest process this run started)")
    flops = 3 * cells ** 2 * 2 * sum(a * b for a, b in zip([2, 512, 512, 512], [512, 512, 512, 1]))
    print(f"  float32 whole frame {fp32:.2f} s ({1 / n / fp32:.2f}× naive), bfloat16 {1 / o:.2f} s; the heat maps "
          f"are {cells}×{cells} cells (the pixels they have), {flops / 1e9:.0f} GFLOP a frame: "
          f"{flops / fp32 / 1e9:.0f} GFLOP/s in float32 (peak {_matmul_gflops():.0f}), "
          f"{flops * o / 1e9:.0f} GFLOP/s in bfloat16 (peak {_matmul_gflops(torch.bfloat16):.0f}), drawing included")


def bench_seeds() -> None:
    """16 seeds trained together against 16 sequential runs, at the sine scene's sizes."""
    steps = 300
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "s.trace"

        def sequential():
            start = time.perf_counter()
            for seed in range(16):
                train(sine(steps, f"seed={seed}", "record.every=1000"), path, show_progress=False)
            return 16 * steps / (time.perf_counter() - start)

        def together(runs: int = 16):
            start = time.perf_counter()
            train(sine(steps, f"seeds=0-{runs - 1}", "record.every=1000"), path, show_progress=False)
            return runs * steps / (time.perf_counter() - start)

        n, o, ratio = paired(sequential, together, 2)
        report("16 seeds together (run-steps/s)", "steps/s", n, o, ratio, "≥ 4×", ratio >= 4)
        scaling = {runs: together(runs) for runs in (1, 2, 4, 8, 16, 32)}
    flops_per_run_step = _flops_per_step(sine(1))
    peak = _matmul_gflops()
    print("  scaling, run-steps/s: " + ", ".join(f"{r} runs {v:,.0f}" for r, v in scaling.items()))
    print(f"  at 32 runs: {scaling[32] * flops_per_run_step / 1e9:.1f} GFLOP/s of matrix work; this machine's "
          f"large float32 matmul: {peak:.0f} GFLOP/s")


def _flops_per_step(scene) -> float:
    """Multiply-adds ×2 of one training step's matrix products (forward ×3 for backward)."""
    widths = [2, *scene.g.widths, 2]
    g = sum(a * b for a, b in zip(widths[:-1], widths[1:]))
    widths = [2, *scene.d.widths, 1]
    d = sum(a * b for a, b in zip(widths[:-1], widths[1:]))
    b = scene.batch
    # D step: G forward (b), D on 2b forward+backward; G step: G and D forward+backward on b.
    return 2 * (b * g + 3 * 2 * b * d + 3 * b * (g + d))


def _matmul_gflops(dtype: torch.dtype = torch.float32) -> float:
    a, b = torch.randn(1024, 1024, dtype=dtype), torch.randn(1024, 1024, dtype=dtype)
    a @ b
    start = time.perf_counter()
    for _ in range(10):
        a @ b
    return 10 * 2 * 1024 ** 3 / (time.perf_counter() - start) / 1e9


def bench_gif(work: Path) -> None:
    """The same frames through imageio's default GIF writer and through gananim's."""
    import imageio.v3 as iio

    from gananim.rendering import encode

    trace = Trace(work / "render.trace")
    opts = RenderOptions(frames=100, size=(480, 480)).resolved(trace)
    span = step_range(trace, None, None)
    renderer = Renderer(trace, frame_steps(trace, 100, *span), span, opts)
    rgba = [np.array(f) for f in renderer.frames()]  # what the renderer hands to gananim's encoder
    frames = [f[..., :3] for f in rgba]
    sizes, times = {}, {}
    start = time.perf_counter()
    iio.imwrite(work / "imageio.gif", frames, extension=".gif", loop=0, duration=50)
    times["naive"] = time.perf_counter() - start
    start = time.perf_counter()
    with encode.video_writer(work / "ours.gif", 480, 480, 20) as writer:
        for frame in rgba:
            writer.write(frame)
    times["ours"] = time.perf_counter() - start
    for side, name in (("naive", "imageio.gif"), ("ours", "ours.gif")):
        sizes[side] = (work / name).stat().st_size
        decoded = iio.imread(work / name, index=None)[..., :3].astype(float)
        mse = np.mean((decoded - np.array(frames, float)) ** 2)
        sizes[side + "_psnr"] = 10 * np.log10(255 ** 2 / mse)
    byte_ratio, time_ratio = sizes["ours"] / sizes["naive"], times["ours"] / times["naive"]
    report("GIF bytes (MB)", "MB", sizes["naive"] / 1e6, sizes["ours"] / 1e6, byte_ratio, "≤ 0.33×",
           byte_ratio <= 1 / 3)
    report("GIF time (s)", "s", times["naive"], times["ours"], time_ratio, "≤ 0.5×", time_ratio <= 0.5)
    print(f"  GIF quality, PSNR against the frames: imageio {sizes['naive_psnr']:.1f} dB, "
          f"gananim {sizes['ours_psnr']:.1f} dB")


def bench_long(work: Path) -> None:
    """A 60,000-step run rendered into 600 frames, in a child process: total time, peak memory."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gananim", "render", "sine", "--set", "steps=60000", "--frames", "600",
                    "-o", str(work / "long.mp4"), "-q"], check=True)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    ROWS.append(("60,000 steps → 600 frames", "", f"{elapsed:,.0f} s, peak {peak_mb:,.0f} MB", "",
                 "< 1 GB", "yes" if peak_mb < 1024 else "NO"))
    print(f"  long run: {elapsed:.0f} s, peak resident memory {peak_mb:.0f} MB", flush=True)


def _psnr(decoded: np.ndarray, frames: np.ndarray) -> float:
    mse = np.mean((decoded.astype(float) - frames.astype(float)) ** 2)
    return float(10 * np.log10(255 ** 2 / mse)) if mse > 0 else float("inf")


def _decoded(path: Path) -> np.ndarray:
    """Every frame of an animation as RGB: Pillow for GIF and WebP, ffmpeg for videos."""
    import imageio_ffmpeg
    from PIL import Image, ImageSequence

    if path.suffix in (".gif", ".webp"):
        return np.array([np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(Image.open(path))])
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return np.array([np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader])


def bench_web_formats(work: Path) -> None:
    """The same 100 frames (sine, 480×480) as our GIF, WebP (lossless through the palette, and
    lossy), WebM (VP9 4:4:4 and 4:2:0) and MP4: bytes against the GIF, PSNR against the
    rendered frames, encoding time."""
    from gananim.rendering import encode

    trace = Trace(work / "render.trace")
    opts = RenderOptions(frames=100, size=(480, 480)).resolved(trace)
    span = step_range(trace, None, None)
    renderer = Renderer(trace, frame_steps(trace, 100, *span), span, opts)
    rgba = [np.array(f) for f in renderer.frames()]
    frames = np.array([f[..., :3] for f in rgba])
    results = {}
    for name, suffix, quality, chroma in (("GIF", ".gif", None, "444"), ("WebP lossless", ".webp", None, "444"),
                                          ("WebP lossy q90", ".webp", 90, "444"), ("WebM VP9 4:4:4", ".webm", None, "444"),
                                          ("WebM VP9 4:2:0", ".webm", None, "420"), ("MP4 H.264", ".mp4", None, "444")):
        out = work / f"web_{len(results)}{suffix}"
        start = time.perf_counter()
        with tempfile.TemporaryDirectory(dir=work) as parts:
            part = Path(parts) / f"part0{encode.part_suffix(out)}"
            with encode.part_writer(part, 480, 480, 20) as writer:
                for frame in rgba:
                    writer.write(frame)
            encode.join([part], out, 20, len(rgba), quality=quality, chroma=chroma)
        seconds = time.perf_counter() - start
        decoded = _decoded(out)
        results[name] = (out.stat().st_size, _psnr(decoded[:len(frames)], frames), seconds, len(decoded))
    gif_bytes, gif_psnr = results["GIF"][:2]
    for name, (size, psnr, seconds, count) in results.items():
        print(f"  {name}: {size / 1e6:.2f} MB ({size / gif_bytes:.2f}× the GIF), PSNR {psnr:.1f} dB, "
              f"{seconds:.1f} s, {count} frames", flush=True)
    webp, webm = results["WebP lossless"], results["WebM VP9 4:4:4"]
    report("WebP bytes vs GIF, PSNR ≥ GIF's", "MB", gif_bytes / 1e6, webp[0] / 1e6, webp[0] / gif_bytes, "≤ 0.8×",
           webp[0] <= 0.8 * gif_bytes and webp[1] >= gif_psnr - 0.05)
    report("WebM bytes vs GIF, PSNR ≥ GIF's", "MB", gif_bytes / 1e6, webm[0] / 1e6, webm[0] / gif_bytes, "≤ 0.7×",
           webm[0] <= 0.7 * gif_bytes and webm[1] >= gif_psnr)


def bench_own_data(work: Path) -> None:
    """A 1,000,000-row two-column CSV read by gananim (NumPy's C reader, checked) against
    Python's csv module row by row; then training on it against the built-in sampler of the
    same distribution (sampling a million rows costs the loop nothing)."""
    import csv

    from gananim.data import own_data, targets
    points = targets.draw(targets.resolve("sine"), 1_000_000, torch.Generator().manual_seed(0)).numpy()
    path = work / "points.csv"
    np.savetxt(path, points, delimiter=",", fmt="%.6f", header="x,y", comments="")

    def naive():
        start = time.perf_counter()
        with open(path, newline="") as f:
            reader = csv.reader(f)
            next(reader)
            table = np.array([[float(a), float(b)] for a, b in reader])
        assert len(table) == 1_000_000
        return 1 / (time.perf_counter() - start)

    def ours():
        own_data._load_file.cache_clear()
        start = time.perf_counter()
        own_data.load(str(path))
        return 1 / (time.perf_counter() - start)

    n, o, ratio = paired(naive, ours, 3)
    report("read 1M-row CSV (s)", "s", 1 / n, 1 / o, n / o, "≤ 3 s", 1 / o <= 3)
    builtin, from_file = sine(800), sine(800, f"target={path}")

    def steps_per_second(scene):
        def run():
            start = time.perf_counter()
            train(scene, work / "own.trace", show_progress=False)
            return scene.steps / (time.perf_counter() - start)
        return run

    steps_per_second(from_file)()  # the file is read (and cached) once, outside the timing
    n, o, ratio = paired(steps_per_second(builtin), steps_per_second(from_file), 5)
    report("train on a 1M-row CSV vs built-in sampler (steps/s)", "steps/s", n, o, ratio, "≥ 0.95×", ratio >= 0.95)


def bench_keyframes(work: Path) -> None:
    """The wing scene's trace (20,000 steps, trained compiled) kept full and as keyframes: bytes,
    and rendering the keyframe trace — first with an empty replay cache (every segment
    replayed, in parallel), then again (from the cache) — against rendering the full trace.
    torch's compiled code is cached in both cases, as on any machine that has compiled once."""
    full, keyed = work / "wing-full.trace", work / "wing-keyframes.trace"
    env = {**os.environ, "GANANIM_CACHE": str(work / "trained"), "TORCHINDUCTOR_CACHE_DIR": str(work / "inductor")}

    def gananim(*args: str, cache: str = "trained") -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gananim", *args], check=True, capture_output=True,
                       env={**env, "GANANIM_CACHE": str(work / cache)})
        return time.perf_counter() - start

    gananim("train", "wing", "--record", "full", "-o", str(full), "-q")
    gananim("pack", str(full), "-o", str(keyed), "-q")
    before, after = full.stat().st_size, keyed.stat().st_size
    report("wing trace: keyframes vs full (MB)", "MB", before / 1e6, after / 1e6, before / after, "≥ 50×",
           before / after >= 50)
    out = str(work / "wing.mp4")
    seconds_full = gananim("render", str(full), "-o", out, "-q", cache="empty")
    first = gananim("render", str(keyed), "-o", out, "-q", cache="replayed")
    second = gananim("render", str(keyed), "-o", out, "-q", cache="replayed")
    report("render wing from keyframes, first (s)", "s", seconds_full, first, first / seconds_full, "≤ 1.5×",
           first <= 1.5 * seconds_full)
    report("render wing from keyframes, second (s)", "s", seconds_full, second, second / seconds_full, "≤ 1.1×",
           second <= 1.1 * seconds_full)


def bench_compression(work: Path) -> None:
    """Parameter rows as a full trace stores them (XOR with the row before, bytes grouped by
    position, deflate) against plain zlib of the same rows: 1,000 recorded steps of the sine
    scene, chunk by chunk as the trace keeps them."""
    import zlib  # the baseline

    from gananim.trace import deflate_rows

    path = work / "compress.trace"
    train(sine(1000, "record.every=1", "record.budget_mb=100000"), path, show_progress=False)
    with Trace(path) as trace:
        rows = trace.params(trace.param_steps)
    blocks = np.array_split(rows, max(1, len(rows) // 233))  # the wing's and sine's rows per chunk

    def size_and_seconds(pack) -> tuple[int, float]:
        start = time.perf_counter()
        size = sum(len(pack(block)) for block in blocks)
        return size, time.perf_counter() - start

    plain, plain_s = size_and_seconds(lambda block: zlib.compress(block.tobytes(), 6))
    ours, ours_s = size_and_seconds(deflate_rows)
    report("parameter rows stored, vs plain zlib (MB)", "MB", plain / 1e6, ours / 1e6, plain / ours, "smaller",
           ours < plain)
    print(f"  raw {rows.nbytes / 1e6:.1f} MB: plain zlib {rows.nbytes / plain:.2f}x in {plain_s:.2f} s, gananim's "
          f"{rows.nbytes / ours:.2f}x in {ours_s:.2f} s")


def bench_cluster(work: Path) -> None:
    """A 16-point sweep (4 × 4 learning rates of the sine scene, 1,000 steps each, training
    only), trained by the local process pool and as Dask tasks on a LocalCluster of as many
    worker processes (`--cluster local:N`, started by the command): the Dask path's overhead."""
    grid = ["sweep", "sine", "--grid", "opt_d.lr=1e-3,5e-4,2e-4,1e-4", "--grid", "opt_g.lr=1e-3,5e-4,2e-4,1e-4",
            "--set", "steps=1000", "--shard", "1/1", "-q"]
    workers = str(os.cpu_count() or 1)

    def seconds(name: str, *extra: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gananim", *grid, "-o", str(work / f"{name}.mp4"), *extra], check=True,
                       capture_output=True, env={**os.environ, "GANANIM_CACHE": str(work / "cluster-cache")})
        return time.perf_counter() - start

    local = seconds("pool", "--workers", workers)
    dask = seconds("dask", "--cluster", f"local:{workers}")
    report("16-point sweep: Dask LocalCluster vs the local pool (s)", "s", local, dask, dask / local,
           "overhead", True)


def bench_page(work: Path) -> None:
    """A 600-frame 720×720 page of the sine scene: its bytes against the WebM of the same frames
    (goal ≤ 1.4× + 200 kB), and the time Chromium takes from opening it to playing (goal < 1 s;
    skipped where Playwright or Chromium is missing)."""
    import shutil

    from gananim.rendering.webpage import write_page

    path = work / "page.trace"
    train(sine(3000, "record.every=1", "record.budget_mb=100000"), path, show_progress=False)
    opts = dict(frames=600, size=(720, 720), timeline="linear")
    with Trace(path) as trace:
        render(trace, work / "page.webm", RenderOptions(**opts), show_progress=False)
        done = write_page(trace, work / "page.html", RenderOptions(**opts), show_progress=False)
    webm, page = (work / "page.webm").stat().st_size, done["bytes"]
    report("600-frame page vs its WebM (MB)", "MB", webm / 1e6, page / 1e6, page / webm, "≤ 1.4× + 0.2 MB",
           page <= 1.4 * webm + 200_000)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        print("  (no Playwright or Chromium here: open-and-play time not measured)")
        return
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        times = []
        for _ in range(3):
            tab = browser.new_page()
            start = time.perf_counter()
            tab.goto((work / "page.html").as_uri())
            tab.evaluate("""() => new Promise(done => { const v = document.getElementById('gananim-video');
                v.addEventListener('playing', done, {once: true}); window.gananim.play(); })""")
            times.append(time.perf_counter() - start)
            tab.close()
        browser.close()
    seconds = statistics.median(times)
    report("open the 600-frame page and play (s)", "s", 1.0, seconds, seconds, "< 1 s", seconds < 1.0)


BENCHES = {
    "render": bench_render, "train": lambda work: bench_train(), "train_compiled": lambda work: bench_train_compiled(),
    "wing_end_to_end": bench_wing_end_to_end, "wide": bench_wide, "seeds": lambda work: bench_seeds(),
    "gif": bench_gif, "web_formats": bench_web_formats, "own_data": bench_own_data, "keyframes": bench_keyframes,
    "compression": bench_compression, "cluster": bench_cluster,
    "page": bench_page,
    "long": bench_long,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long", action="store_true", help="also the 60,000-step run (about 5 minutes more)")
    parser.add_argument("--only", type=lambda text: text.split(","), default=None, metavar="NAME,...",
                        help=f"only these benchmarks, of: {', '.join(BENCHES)}")
    args = parser.parse_args()
    chosen = args.only or [name for name in BENCHES if name != "long" or args.long]
    unknown = sorted(set(chosen) - set(BENCHES))
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    print(f"gananim benchmarks on {os.cpu_count()} cores, torch {torch.__version__}", flush=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name in chosen:
            BENCHES[name](work)
    from rich.console import Console
    from rich.table import Table
    table = Table(title=f"gananim / naive ({time.perf_counter() - start:.0f} s)")
    for column in ("benchmark", "naive", "gananim", "ratio", "target", "met"):
        table.add_column(column)
    for row in ROWS:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
