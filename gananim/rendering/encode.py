"""Frames -> files: MP4 (H.264), GIF (ffmpeg palettegen/paletteuse), WebP (animated, lossless
through the GIF's palette, or lossy), WebM (VP9) and PNG, written atomically.

Every output goes to a temporary file beside the target and is renamed into place only when
complete, so a failure never leaves a half-written file or damages an earlier one. ffmpeg is
the binary imageio-ffmpeg ships, fed raw RGBA frames over a pipe. Frames are encoded into one
or more parts (one per rendering process), then joined: H.264 parts by copying, lossless
parts of the other formats re-encoded once, whole (a GIF or WebP through one palette for the
whole clip: palettegen, then paletteuse).

Which format where (README, "Web formats"): WebM VP9 4:4:4 is the smallest at the GIF's
quality and keeps red and blue dots apart (4:2:0 chroma blurs them into purple); WebP is a GIF
that is smaller and plays wherever images do; MP4 stays H.264 4:2:0 for PowerPoint and phones.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np

from gananim.errors import GananimError

SUFFIXES = (".mp4", ".gif", ".webp", ".webm", ".png")
VIDEO_SUFFIXES = SUFFIXES[:-1]
CHROMAS = ("444", "420")
# VP9's constant quality and effort: at 4:4:4, crf 16 and cpu-used 2 give a higher PSNR than
# the GIF in about 0.65× its bytes (bench/run.py; crf 15 at cpu-used 4 needed 0.88×).
WEBM_CRF = 16
WEBP_EFFORT = 1  # libwebp's lossless effort (0-6): on 100 wing frames 1 takes a third of 4's time for 0.4% more bytes


@contextmanager
def atomic_output(path: Path):
    """Yield a temporary path beside `path`; move it onto `path` only if the block succeeds."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _ffmpeg(args: list[str], stdin=None) -> subprocess.Popen:
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    return subprocess.Popen([exe, "-hide_banner", "-loglevel", "error", "-y", *args],
                            stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def last_frame_png(video: Path, out: Path) -> None:
    """The last frame of `video` as a PNG (decoding only its last second)."""
    _finish(_ffmpeg(["-sseof", "-1", "-i", str(video), "-update", "1", "-frames:v", "100000", str(out)]),
            f"reading the last frame of {video.name}")


def _finish(proc: subprocess.Popen, what: str) -> None:
    _, err = proc.communicate()
    if proc.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        raise GananimError(f"ffmpeg failed while {what}: {lines[-1] if lines else f'exit status {proc.returncode}'}")


def _raw_input(width: int, height: int, fps: int) -> list[str]:
    return ["-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}", "-r", str(fps), "-i", "pipe:0"]


class _Pipe:
    """Feeds frames to one ffmpeg process; `close` waits for it and reports its error."""

    def __init__(self, args: list[str], what: str) -> None:
        self.proc, self.what = _ffmpeg(args, stdin=subprocess.PIPE), what

    def write(self, frame) -> None:
        try:
            self.proc.stdin.write(frame)
        except (BrokenPipeError, ValueError):  # ffmpeg died: report what it said
            self.close()
            raise GananimError(f"ffmpeg stopped reading frames while {self.what}") from None

    def close(self) -> None:
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
            self.proc.stdin = None
        if self.proc.returncode is None:
            _finish(self.proc, self.what)

    def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            self.proc.wait()


def part_suffix(out: Path) -> str:
    """Parts of an MP4 are H.264 (joined by copying); parts of a GIF are lossless UtVideo."""
    return ".mp4" if Path(out).suffix == ".mp4" else ".mkv"


@contextmanager
def part_writer(part: Path, width: int, height: int, fps: int, threads: int = 0):
    """A writer with `write(rgba_frame)` encoding H×W×4 frames into one part file."""
    if part.suffix == ".mp4":
        # yuv420p, even sizes and H.264 High: plays in browsers, PowerPoint and Keynote.
        codec = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-tune", "animation",
                 "-pix_fmt", "yuv420p", "-profile:v", "high"]
    else:  # lossless and fast: the palette pass reads it twice
        codec = ["-c:v", "utvideo"]
    pipe = _Pipe([*_raw_input(width, height, fps), *codec, *(["-threads", str(threads)] if threads else []),
                  str(part)], f"encoding {part.name}")
    try:
        yield pipe
    except BaseException:
        pipe.kill()
        raise
    pipe.close()


# Smaller and smaller GIFs, tried in turn for --max-size: (keep every k-th frame, scale, colours).
# The last is the smallest acceptable: a third of the frames, 40% of the size, 48 colours.
GIF_LADDER = ((1, 1.0, 256), (1, 1.0, 128), (2, 1.0, 128), (2, 0.8, 128), (2, 0.7, 96), (3, 0.6, 96),
              (3, 0.5, 64), (3, 0.4, 48))


def join(parts: list[Path], out: Path, fps: int = 20, frames: int = 0, max_bytes: int = 0,
         quality: int | None = None, chroma: str = "444") -> str:
    """Join encoded parts into the output, atomically: MP4 parts are concatenated without
    re-encoding (index moved to the front); GIF parts get one palette for the whole clip, and
    so does a WebP unless `quality` (1–100) asks for a lossy one; WebM is VP9 in `chroma`
    4:4:4 or 4:2:0. With `max_bytes`, a GIF is encoded ever smaller (GIF_LADDER) until it
    fits; returns what was given up to fit, in words ("" when nothing was)."""
    out = Path(out)
    listing = parts[0].parent / "parts.txt"
    listing.write_text("".join(f"file '{p.name}'\n" for p in parts))
    source = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    with atomic_output(out) as tmp:
        if out.suffix == ".mp4":
            _finish(_ffmpeg([*source, "-c", "copy", "-movflags", "+faststart", "-f", "mp4", str(tmp)]),
                    f"joining {out.name}")
            return ""
        if out.suffix == ".webm":
            _webm(source, tmp, chroma)
            return ""
        if out.suffix == ".webp":
            _webp(source, tmp, parts[0].parent / "palette.png", quality)
            return ""
        if out.suffix != ".gif":
            raise GananimError(f"cannot write {out.name}: choose an output ending in {', '.join(VIDEO_SUFFIXES)}")
        smallest = 0
        for every, scale, colours in GIF_LADDER if max_bytes else GIF_LADDER[:1]:
            _gif(source, tmp, parts[0].parent / "palette.png", fps, frames, every, scale, colours)
            size = tmp.stat().st_size
            if not max_bytes or size <= max_bytes:
                changes = [f"one frame in {every} kept ({fps / every:g} fps, the last one too)"] * \
                    (every > 1) + [f"{scale:.0%} of the size"] * (scale < 1) + [f"{colours} colours"] * (colours < 256)
                return ", ".join(changes)
            smallest = size
        raise GananimError(f"{out.name} cannot fit {max_bytes / 1e6:g} MB: even a third of the frames at 40% of "
                           f"the size in 48 colours takes {smallest / 1e6:.1f} MB; allow more, or draw fewer "
                           "--frames or a smaller --size")


def _gif(source: list[str], out: Path, palette: Path, fps: int, frames: int, every: int, scale: float,
         colours: int) -> None:
    """One GIF from the lossless parts: every `every`-th frame and the last, scaled, in `colours`."""
    steps = []
    if every > 1:
        steps += [f"select='not(mod(n\\,{every}))+eq(n\\,{max(frames - 1, 0)})'", f"setpts=N/({fps / every}*TB)"]
    if scale < 1:
        steps.append(f"scale=trunc(iw*{scale}/2)*2:-2:flags=area")
    chain = ",".join(steps) + "," if steps else ""
    rate = ["-r", f"{fps / every:g}"] if every > 1 else []
    _finish(_ffmpeg([*source, "-vf", f"{chain}palettegen=max_colors={colours}:stats_mode=diff", str(palette)]),
            f"building the palette of {out.name}")
    # No dithering: on flat-coloured figures it only adds noise, which costs bytes and
    # sharpness; only the rectangle that changed is re-encoded, unchanged pixels transparent.
    _finish(_ffmpeg([*source, "-i", str(palette), "-lavfi", f"[0:v]{chain.rstrip(',') or 'null'}[v];"
                     "[v][1:v]paletteuse=dither=none:diff_mode=rectangle", *rate, "-loop", "0", "-f", "gif",
                     str(out)]), f"encoding {out.name}")


def _webm(source: list[str], out: Path, chroma: str) -> None:
    """VP9 at constant quality; 4:4:4 keeps thin coloured marks their colour. A keyframe at
    least every 100 frames keeps seeking in a browser quick."""
    _finish(_ffmpeg([*source, "-c:v", "libvpx-vp9", "-pix_fmt", f"yuv{chroma}p", "-crf", str(WEBM_CRF), "-b:v", "0",
                     "-deadline", "good", "-cpu-used", "2", "-row-mt", "1", "-g", "100", "-f", "webm", str(out)]),
            f"encoding {out.name}")


def _webp(source: list[str], out: Path, palette: Path, quality: int | None) -> None:
    """An animated WebP that loops: lossless through one palette for the clip (the GIF's
    colours, so its pictures exactly, in fewer bytes), or lossy at `quality`."""
    codec = ["-c:v", "libwebp_anim", "-loop", "0"]
    if quality is not None:
        _finish(_ffmpeg([*source, *codec, "-lossless", "0", "-quality", str(quality), "-pix_fmt", "yuva420p",
                         "-f", "webp", str(out)]), f"encoding {out.name}")
        return
    _finish(_ffmpeg([*source, "-vf", "palettegen=stats_mode=diff", str(palette)]),
            f"building the palette of {out.name}")
    _finish(_ffmpeg([*source, "-i", str(palette), "-lavfi", "[0:v][1:v]paletteuse=dither=none,format=bgra",
                     *codec, "-lossless", "1", "-compression_level", str(WEBP_EFFORT), "-f", "webp", str(out)]),
            f"encoding {out.name}")


@contextmanager
def video_writer(path: Path, width: int, height: int, fps: int):
    """A writer with `write(rgba_frame)` for one process: frames go to one part, then the output."""
    path = Path(path)
    if path.suffix not in VIDEO_SUFFIXES:
        raise GananimError(f"cannot write {path.name}: choose an output ending in {', '.join(VIDEO_SUFFIXES)}")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as work:
        part = Path(work) / f"part0{part_suffix(path)}"
        with part_writer(part, width, height, fps) as pipe:
            yield pipe
        join([part], path)


def write_png(path: Path, rgba: np.ndarray) -> None:
    """One still, written atomically."""
    with atomic_output(Path(path)) as tmp:
        iio.imwrite(tmp, np.asarray(rgba)[..., :3], extension=".png")
