"""The command line: argparse subcommands wired to the library. No logic of its own lives here."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from gananim import report
from gananim.config import scene_files, settings
from gananim.errors import GananimError
from gananim.progress import console
from gananim.trace import MAGIC, Trace
from gananim.version import __version__

METRIC_NAMES = ("sliced_w1", "js", "kl", "modes", "dense_modes", "near_modes", "high_quality", "reverse_kl", "fid",
                "classes")

# torch and matplotlib load inside the commands that need them, so `list`, `info` and
# `--help` answer at once.

EXAMPLES = {
    "render": """examples:
  gananim render scenes/wing.py -o outputs/wing.mp4          train, keep outputs/wing.trace, render
  gananim render outputs/wing.trace -o outputs/wing.gif --fps 20 --size 480x480
                                                             re-render a saved trace, no retraining
  gananim render wing --step 15000 -o outputs/wing.png       one still (bundled scenes by name)
  gananim render sine --set steps=2000 --set opt_d.lr=5e-4 -o outputs/sine.mp4""",
    "train": """examples:
  gananim train scenes/wing.py -o outputs/wing.trace
  gananim train point --set seed=3 -o outputs/point3.trace""",
    "show": """examples:
  gananim show wing
  gananim show scenes/sine.py --set opt_g.beta1=0.7 --json""",
    "info": """examples:
  gananim info outputs/wing.trace
  gananim info outputs/wing.trace --json""",
}


class _Parser(argparse.ArgumentParser):
    """argparse, but usage mistakes are one line on stderr and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"gananim: error: {message} (see {self.prog} --help)\n")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 720x720, got {text!r}") from None
    return w, h


PANEL_NAMES = ("curves", "samples", "latent_field", "sample_field", "manifold", "gradients", "features", "metrics",
               "line1d", "weight_bias", "d_means", "digit_grid", "interpolation", "classes", "fid")


def _names(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in PANEL_NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown panel {', '.join(unknown) or text!r}; "
                                         f"choose from {', '.join(PANEL_NAMES)}")
    return names


UNITS = {"": 1, "B": 1, "KB": 1e3, "K": 1e3, "MB": 1e6, "M": 1e6, "GB": 1e9, "G": 1e9}


def _bytes(text: str) -> int:
    """A file size like 3MB, 500kB or 2.5M (powers of ten, as file browsers count)."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", text)
    if not match or match.group(2).upper() not in UNITS or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"size must look like 3MB or 500kB, got {text!r}")
    return int(float(match.group(1)) * UNITS[match.group(2).upper()])


def _steps(text: str) -> list[int]:
    try:
        return [int(float(s)) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"steps must be a comma-separated list like 0,1000,5000, got {text!r}") \
            from None


def _add_scene_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scene", metavar="NAME", help="which Scene in the file, by variable name")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override a setting (repeatable); `gananim show SCENE` lists the keys")
    p.add_argument("--seeds", metavar="LIST", help="train one run per seed, together, into one trace: "
                   "0-19, 0,3,7 or 0-4,10 (the same as --set seeds=LIST)")


def _add_training_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--compile", choices=("auto", "on", "off"), default="auto",
                   help="train through one compiled graph per step: about 3x faster for a few seconds of "
                   "compiling (cached for later runs); auto (default) compiles runs of 5,000 steps or more, "
                   "off trains eagerly")
    p.add_argument("--record", choices=("keyframes", "full"),
                   help="what the trace keeps: keyframes (every step's scalars and the training state at "
                   "keyframes; any step's parameters are replayed, about 1/50 of the bytes) or full (parameter "
                   "rows too); the same as --set record.mode=…")
    _add_device_arg(p)


def _add_device_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", choices=("auto", "cpu", "cuda", "mps"), default="cpu",
                   help="where training and the heat maps run: cpu (default), cuda or mps (a GPU torch can see), "
                   "auto (a GPU when there is one); traces are the same format either way")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gananim", description="Train small GANs on toy problems and animate their training.",
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="examples:\n  gananim list\n  gananim render wing -o outputs/wing.mp4\n"
                            "  gananim render outputs/wing.trace -o outputs/wing.gif --size 480x480\n"
                            "run `gananim COMMAND --help` for each command's options")
    parser.add_argument("--version", action="version", version=f"gananim {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES.get(name),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for errors")
        return p

    p = command("list", "list the bundled scenes")
    p.set_defaults(handler=cmd_list)

    p = command("show", "print a scene's resolved settings")
    p.add_argument("source", metavar="SCENE", help="scene file or bundled scene name")
    _add_scene_args(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_show)

    p = command("train", "train a scene and write its trace")
    p.add_argument("source", metavar="SCENE", help="scene file or bundled scene name")
    p.add_argument("-o", "--output", metavar="TRACE", help="trace to write (default outputs/NAME.trace)")
    _add_scene_args(p)
    _add_training_args(p)
    p.add_argument("--resume", action="store_true", help="continue an interrupted or killed run of this trace "
                   "from its last saved state (the result equals an uninterrupted run)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_train)

    p = command("render", "render a scene (training it first) or a saved trace to MP4, GIF or PNG")
    p.add_argument("source", metavar="SOURCE", help="scene file, bundled scene name, or .trace file")
    p.add_argument("-o", "--output", metavar="FILE", help="output .mp4, .gif or .png (default outputs/NAME.mp4)")
    _add_scene_args(p)
    _add_training_args(p)
    p.add_argument("--trace", metavar="PATH", help="where to keep the trace when training (default: beside -o)")
    p.add_argument("--retrain", action="store_true", help="train again even if an identical trace exists")
    p.add_argument("--resume", action="store_true", help="continue an interrupted or killed training run first")
    p.add_argument("--scene-file", metavar="PATH", help="for a trace of a scene's own nn.Module networks: the "
                   "scene file with their code (checked against the trace; a trace never runs code by itself)")
    p.add_argument("--step", type=int, help="for .png: the step to show (default: the last)")
    p.add_argument("--frames", type=int, help="number of frames")
    p.add_argument("--fps", type=int, help="frames per second")
    p.add_argument("--size", type=_size, metavar="WxH", help="frame size in pixels, e.g. 1280x720")
    p.add_argument("--dpi", type=float, help="dots per inch: larger makes text and lines larger")
    p.add_argument("--grid", type=int, help="resolution of the D heat maps (cells per side; at most one "
                   "cell per pixel: a finer grid is drawn at the heat map's size in pixels)")
    p.add_argument("--from", dest="start", type=int, metavar="STEP", help="first step shown")
    p.add_argument("--to", dest="stop", type=int, metavar="STEP", help="last step shown")
    p.add_argument("--layout", choices=("classic", "1d", "wide", "square", "digits"),
                   help="panel layout: classic (Wang et al. 2020's 2×2), 1d (PointGAN), wide (16:9 slides), square (blogs), digits (image scenes)")
    p.add_argument("--panels", type=_names, metavar="A,B,…", help="your own panels, in rows: " + ", ".join(PANEL_NAMES))
    p.add_argument("--theme", choices=("light", "dark", "print"), help="colours: light, dark (slides), print")
    p.add_argument("--run", type=int, metavar="INDEX", help="which run of a multi-seed trace to draw (classic layout)")
    p.add_argument("--workers", type=int, metavar="N", help="rendering processes (default: one per core when "
                   "there are at least 60 frames for each)")
    p.add_argument("--max-size", type=_bytes, metavar="SIZE", help="for .gif: the largest file, e.g. 3MB; "
                   "frames, colours and scale are reduced until it fits, and a note says how")
    _add_story_args(p)
    p.add_argument("--caption", dest="captions", action="append", default=[], metavar="STEP=TEXT",
                   help="words on the frames from STEP (until the next caption), or FROM-TO=TEXT on that range; "
                   "repeatable")
    p.add_argument("--plan", action="store_true", help="print which step each frame shows and how long rendering "
                   "will take (timed by drawing one frame), and draw nothing else")
    p.add_argument("--json", action="store_true", help="with --plan: print the plan as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(handler=cmd_render)

    p = command("compare", "traces of different scenes or settings side by side, synchronised, in one animation")
    p.add_argument("traces", nargs="+", metavar="TRACE", help="two or more .trace files")
    p.add_argument("-o", "--output", metavar="FILE", help="output .mp4, .gif, .webp or .webm (default "
                   "outputs/compare.mp4), or .png for the last frame alone (a slide)")
    p.add_argument("--sync", choices=("step", "fraction"), default="step", help="show every trace at the same step "
                   "(a shorter run holds its last frame), or at the same share of its own training")
    p.add_argument("--run", type=int, default=0, metavar="INDEX", help="which run of multi-seed traces (default 0)")
    p.add_argument("--frames", type=int, help="number of frames")
    p.add_argument("--fps", type=int, help="frames per second")
    p.add_argument("--size", type=_size, metavar="WxH", help="frame size in pixels (default 1280x720)")
    p.add_argument("--dpi", type=float, help="dots per inch: larger makes text and lines larger")
    p.add_argument("--theme", choices=("light", "dark", "print"), help="colours: light, dark (slides), print")
    p.add_argument("--metric", choices=METRIC_NAMES, help="the metric plotted for every trace under the tiles")
    p.add_argument("--title", help="the title over the tiles")
    p.add_argument("--workers", type=int, metavar="N", help="rendering processes")
    p.add_argument("--max-size", type=_bytes, metavar="SIZE", help="for .gif: the largest file, e.g. 3MB")
    _add_story_args(p)
    _add_device_arg(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(handler=cmd_compare)

    p = command("still", "a contact sheet: one panel at several steps side by side, as a PNG")
    p.add_argument("source", metavar="SOURCE", help="scene file, bundled scene name, or .trace file")
    p.add_argument("--steps", type=_steps, required=True, metavar="S1,S2,…", help="the steps to show")
    p.add_argument("-o", "--output", metavar="FILE", help="output .png (default outputs/NAME_sheet.png)")
    p.add_argument("--panel", choices=PANEL_NAMES, help="the panel to repeat (default: D over the sample space)")
    _add_scene_args(p)
    _add_training_args(p)
    p.add_argument("--trace", metavar="PATH", help="where to keep the trace when training (default: beside -o)")
    p.add_argument("--retrain", action="store_true", help="train again even if an identical trace exists")
    p.add_argument("--resume", action="store_true", help="continue an interrupted or killed training run first")
    p.add_argument("--scene-file", metavar="PATH", help="for a trace of a scene's own nn.Module networks: the "
                   "scene file with their code (checked against the trace)")
    p.add_argument("--size", type=_size, metavar="WxH", help="sheet size in pixels (default 380 px a tile)")
    p.add_argument("--dpi", type=float, help="dots per inch: larger makes text and lines larger")
    p.add_argument("--grid", type=int, help="resolution of the D heat maps (cells per side; at most one "
                   "cell per pixel: a finer grid is drawn at the heat map's size in pixels)")
    p.add_argument("--theme", choices=("light", "dark", "print"), help="colours: light, dark (slides), print")
    p.add_argument("--run", type=int, metavar="INDEX", help="which run of a multi-seed trace to draw")
    _add_precision_arg(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(handler=cmd_still)

    p = command("sweep", "train a scene over a grid of settings (and seeds) and render the runs side by side")
    p.add_argument("source", metavar="SCENE", help="scene file or bundled scene name (a sweep file may carry a grid)")
    p.add_argument("--grid", dest="axes", action="append", default=[], metavar="KEY=V1,V2",
                   help="an axis of the grid (repeatable; KEY1,KEY2=V1,V2 sets both keys; tuple values: V1;V2)")
    p.add_argument("-o", "--output", metavar="FILE", help="output .mp4 or .gif (default outputs/NAME_sweep.mp4); "
                   "the traces go in a folder of the same name")
    _add_scene_args(p)
    _add_training_args(p)
    p.add_argument("--shard", metavar="I/N", help="train only the I-th of N shares of the grid, and do not render")
    p.add_argument("--render-only", action="store_true", help="render the traces a sweep already trained")
    p.add_argument("--cluster", metavar="local[:N]|tcp://HOST:PORT",
                   help="train the grid points as Dask tasks: on N local worker processes, or on the cluster of a "
                   "running Dask scheduler (the sweep folder must be on storage every worker sees); rendering "
                   "stays here. Needs pip install 'gananim[dask]'")
    p.add_argument("--metric", choices=METRIC_NAMES,
                   help="the summary strip's metric (default: FID for images, modes covered for mixtures, "
                        "else sliced W1)")
    p.add_argument("--frames", type=int, help="number of frames")
    p.add_argument("--fps", type=int, help="frames per second")
    p.add_argument("--size", type=_size, metavar="WxH", help="frame size in pixels (default 1280x720)")
    p.add_argument("--dpi", type=float, help="dots per inch: larger makes text and lines larger")
    p.add_argument("--theme", choices=("light", "dark", "print"), help="colours: light, dark (slides), print")
    p.add_argument("--workers", type=int, metavar="N", help="processes for training and rendering (default: cores)")
    p.add_argument("--max-size", type=_bytes, metavar="SIZE", help="for .gif: the largest file, e.g. 3MB")
    _add_story_args(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(handler=cmd_sweep)

    p = command("info", "summarise a trace: steps, parameters, settings, versions, last values")
    p.add_argument("trace", metavar="TRACE")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_info)

    for name, text in (("pack", "convert a full trace into a keyframe trace (about 1/50 of the bytes; any step's "
                                "parameters are replayed when drawn)"),
                       ("unpack", "convert a keyframe trace into a full trace (replays the run once, keeps every "
                                  "parameter row a full trace would)")):
        p = command(name, text)
        p.add_argument("trace", metavar="TRACE")
        p.add_argument("-o", "--output", metavar="PATH", help=f"the new trace (default: TRACE's name with "
                       f"-{'keyframes' if name == 'pack' else 'full'} added); TRACE is kept")
        p.add_argument("--scene-file", metavar="PATH", help="the scene file TRACE was trained from, for a scene's "
                       "own networks or sampler")
        p.add_argument("--scene", metavar="NAME", help="which Scene in --scene-file, by variable name")
        if name == "pack":
            p.add_argument("--keyframe-every", type=int, default=0, metavar="STEPS",
                           help="the fewest steps between keyframes (default: as many as fit 1/50 of TRACE's bytes)")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
        p.set_defaults(handler=cmd_convert)
    return parser


def is_trace(source: str) -> bool:
    path = Path(source)
    if path.suffix in (".trace", ".partial"):
        return True
    if path.is_file() and path.suffix != ".py":
        with open(path, "rb") as f:
            if f.read(len(MAGIC)) == MAGIC:
                return True
        raise GananimError(f"{source} is neither a scene file (.py) nor a gananim trace (.trace)")
    return False


def checked(scene, args):
    """The scene with the command line's --set and --seeds applied, every setting checked."""
    from gananim.data import targets

    sets = args.sets + ([f"seeds={args.seeds}"] if args.seeds else []) + \
        ([f"record.mode={args.record}"] if getattr(args, "record", None) else [])
    original = scene.target.source
    scene = settings.apply(scene, sets).validate()
    target = targets.resolve(scene.target, targets.box_for(scene.g))  # targets and their data are the data layer's to check
    if scene.target.source != original:
        # A scene's limits and title were made for its own target: a new one brings its own,
        # unless the command line sets them too.
        keys = {s.partition("=")[0].strip() for s in sets}
        scene = scene.derive({key: None for key in ("render.xlim", "render.ylim") if key not in keys})
        if "title" not in keys:
            scene = scene.derive(title=f"{target.name}, learned with the {scene.name} scene's GAN")
    if target.digest:  # a user's own data: refuse a scene that cannot draw it before training
        _check_data_fits(scene, target, getattr(args, "layout", None) or scene.render.layout)
    return scene


def _check_data_fits(scene, target, layout: str) -> None:
    import torch

    from gananim.config.networks import MLP
    from gananim.data import targets

    dim = targets.draw(target, 2, torch.Generator().manual_seed(0)).shape[1]
    problem = ""
    if not isinstance(scene.g, MLP) or not isinstance(scene.d, MLP):
        problem = "its networks are not MLPs over points"
    elif layout == "digits":
        problem = "it draws images (layout digits)"
    elif dim == 1 and layout != "1d":
        problem = f"it draws 2-D data (layout {layout}); for 1-D data use the point scene or --layout 1d"
    elif dim == 2 and layout == "1d":
        problem = "it draws 1-D data (layout 1d); for 2-D data use a 2-D scene such as ring8 or sine"
    elif dim == 2 and scene.latent.dim < 2:
        problem = "its latent space has 1 dimension; add --set latent.dim=2"
    if problem:
        raise GananimError(f"target {target.name} holds {dim}-D data, which the {scene.name} scene cannot learn: "
                           f"{problem}")


def load_scene(args):
    return checked(scene_files.load(args.source, args.scene), args)


def check_output(path: Path, suffixes: tuple[str, ...], inputs: list[Path]) -> Path:
    """Refuse outputs we could not write, or should not: unknown type, missing folder, the input."""
    if path.suffix.lower() not in suffixes:
        raise GananimError(f"output {path} has an unknown type {path.suffix or '(none)'!r}; "
                           f"use {', '.join(suffixes)}")
    folder = path.parent
    if not folder.is_dir():
        raise GananimError(f"output folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK):
        raise GananimError(f"cannot write to {folder}: permission denied")
    if any(path.resolve() == p.resolve() for p in inputs):
        raise GananimError(f"output {path} is the same file as the input; choose another name")
    if path.is_dir():
        raise GananimError(f"output {path} is a folder")
    return path


def _default_output(name: str, suffix: str) -> Path:
    folder = Path("outputs")
    folder.mkdir(exist_ok=True)
    return folder / f"{name}{suffix}"


def _train(scene, trace_path: Path, args, frames: int | None = None):
    from gananim.training.loop import train

    path = scene_files.locate(args.source)
    result = train(scene, trace_path, scene_file=path.name, scene_var=args.scene,
                   show_progress=not args.quiet, frames=frames, resume=args.resume,
                   compile=args.compile, device=args.device)
    size = trace_path.stat().st_size / 1e6
    if result.status == "complete":
        console.print(f"trained {scene.name}: {result.steps:,} steps → {trace_path} ({size:,.1f} MB)")
    else:
        console.print(f"[yellow]warning:[/] {result.message} → {trace_path}")
    return result


def cmd_list(args) -> None:
    report.list_scenes(scene_files.bundled())


def cmd_show(args) -> None:
    report.show_scene(load_scene(args), args.json)


def cmd_train(args) -> None:
    if is_trace(args.source):
        raise GananimError(f"{args.source} is a trace; `gananim train` takes a scene (render the trace instead)")
    scene = load_scene(args)
    out = Path(args.output) if args.output else _default_output(scene.name, ".trace")
    check_output(out, (".trace",), [scene_files.locate(args.source)])
    result = _train(scene, out, args)
    if result.status == "interrupted":
        raise SystemExit(130)


def _add_story_args(p) -> None:
    p.add_argument("--timeline", choices=("linear", "log", "adaptive"),
                   help="which steps the frames show: evenly spaced, geometrically spaced (early steps slowly), or "
                   "where the picture changes (default: the scene's, else adaptive)")
    p.add_argument("--hold", type=float, default=0.0, metavar="SECONDS", help="keep the last frame on screen this long")
    p.add_argument("--hold-start", type=float, default=0.0, metavar="SECONDS", help="keep the first frame this long")
    p.add_argument("--quality", type=int, metavar="1-100", help="for .webp: a lossy WebP of this quality (default: "
                   "lossless, through one palette like the GIF)")
    p.add_argument("--chroma", choices=("444", "420"), default="444", help="for .webm: 444 (default) keeps thin "
                   "coloured marks their colour; 420 for players that need it")
    _add_precision_arg(p)


def _add_precision_arg(p) -> None:
    p.add_argument("--precision", choices=("fp32", "bf16"), default="fp32", help="the D heat maps' arithmetic: "
                   "fp32 (default, exact) or bf16, faster for wide networks on CPUs with native bfloat16 "
                   "(AVX512-BF16, AMX) but a few colour levels off")


def render_options(args):
    from gananim.rendering.renderer import RenderOptions

    return RenderOptions(frames=args.frames, fps=args.fps, size=args.size, dpi=args.dpi, grid=args.grid,
                         start=args.start, stop=args.stop, layout=args.layout, panels=args.panels,
                         theme=args.theme, run=args.run, workers=args.workers, max_bytes=args.max_size or 0,
                         timeline=args.timeline, hold=args.hold, hold_start=args.hold_start,
                         captions=tuple(args.captions), quality=args.quality, chroma=args.chroma,
                         precision=args.precision, device=args.device)


def trace_for(args, out: Path, scene) -> tuple[Path, tuple | None]:
    """The trace to draw, and G's and D's specs or modules to draw it with when the scene has its
    own nn.Modules: SOURCE itself (modules only from --scene-file), or the trace of the scene
    SOURCE (`scene`, already loaded), trained unless an identical one already sits beside the
    output (or at --trace)."""
    from gananim.training.loop import reusable

    if scene is None:
        return Path(args.source), None
    inputs = [scene_files.locate(args.source)]
    trace_path = Path(args.trace) if args.trace else out.with_suffix(".trace")
    check_output(trace_path, (".trace",), inputs + [out])
    if not args.retrain and reusable(trace_path, scene):
        console.print(f"reusing {trace_path}: same scene and settings (--retrain to train again)")
    elif _train(scene, trace_path, args, getattr(args, "frames", None)).status == "interrupted":
        raise SystemExit(130)
    return trace_path, (scene.g, scene.d)


def open_for_drawing(trace_path: Path, scene, args):
    """The trace to draw; a keyframe trace replays with the scene it came from (`scene`, or the
    one --scene-file names) where the caller has it, else from its own settings."""
    from gananim.training.replay import open_trace

    if scene is None and getattr(args, "scene_file", None):
        with Trace(trace_path) as trace:
            if not trace.keyframes:
                return open_trace(trace_path)
            scene_file_networks(args, trace)  # the same networks, or refused
        scene = scene_files.load(args.scene_file, args.scene or trace.meta.get("scene_var"))
    return open_trace(trace_path, scene)


def scene_file_networks(args, trace) -> tuple | None:
    """G and D from --scene-file, refused unless their source is the one the trace was trained with."""
    if not args.scene_file:
        return None
    scene = scene_files.load(args.scene_file, args.scene or trace.meta.get("scene_var"))  # a name, not code
    if scene.custom_source_hash() != trace.meta.get("custom_source"):
        raise GananimError(f"the networks in {args.scene_file} are not those {trace.path} was trained with "
                           f"(their source differs); give the scene file the trace came from")
    return scene.g, scene.d


def _output_for(args, suffixes: tuple[str, ...], default_suffix: str):
    """The checked output path (the default is outputs/NAME<suffix>) and the scene SOURCE holds
    (None for a trace), so that a scene file runs once."""
    if is_trace(args.source):
        if args.sets or args.trace or args.retrain or args.seeds or args.resume or args.record or \
                (args.scene and not args.scene_file):
            raise GananimError("--set, --seeds, --scene, --trace, --retrain, --resume and --record apply to scene "
                               "files; a trace's settings are fixed (gananim pack and unpack convert its recording)")
        scene, name, inputs = None, Path(args.source).name.split(".")[0], [Path(args.source)]
    else:
        if args.scene_file:
            raise GananimError("--scene-file is for drawing a trace; a scene file is its own code")
        scene = load_scene(args)
        name, inputs = scene.name, [scene_files.locate(args.source)]
    out = Path(args.output) if args.output else _default_output(name, default_suffix)
    return check_output(out, suffixes, inputs), scene


def cmd_still(args) -> None:
    from gananim.rendering.renderer import RenderOptions, contact_sheet

    out, scene = _output_for(args, (".png",), "_sheet.png")
    trace_path, networks = trace_for(args, out, scene)
    with open_for_drawing(trace_path, scene, args) as trace:
        opts = RenderOptions(size=args.size, dpi=args.dpi, grid=args.grid, theme=args.theme, run=args.run,
                             networks=networks or scene_file_networks(args, trace), precision=args.precision,
                             device=args.device)
        done = contact_sheet(trace, out, args.steps, opts, args.panel)
    console.print(f"wrote {out}: steps {', '.join(f'{s:,}' for s in done['steps'])}, "
                  f"{done['size'][0]}x{done['size'][1]}")


def cmd_sweep(args) -> None:
    from gananim import sweep
    from gananim.rendering.encode import VIDEO_SUFFIXES
    from gananim.rendering.renderer import RenderOptions
    from gananim.rendering.tiles import Tile, render_sweep

    if is_trace(args.source):
        raise GananimError(f"{args.source} is a trace; `gananim sweep` takes a scene")
    if args.cluster:  # a bad spec or a missing extra is refused before any work
        from gananim import cluster
        cluster.parse(args.cluster)
        cluster.require_dask()
    namespace = scene_files.run(args.source)
    base = scene_files.pick(namespace, args.source, args.scene)
    base = checked(base, args)
    axes = [sweep.parse_axis(spec) for spec in args.axes] or sweep.axes_from_file(namespace.get("grid", {}))
    if not axes and len(base.run_seeds) < 2:
        raise GananimError("a sweep needs --grid KEY=V1,V2 (or a grid in the scene file) or --seeds")
    out = Path(args.output) if args.output else _default_output(f"{base.name}_sweep", ".mp4")
    check_output(out, VIDEO_SUFFIXES + (".html",), [scene_files.locate(args.source)])
    folder = out.with_suffix("")
    folder.mkdir(exist_ok=True)
    points = sweep.plan(base, axes, folder)
    sweep.write_manifest(folder, points, args.source)
    path = scene_files.locate(args.source)
    workers = args.workers or os.cpu_count() or 1
    if not args.render_only:
        mine = sweep.shard(points, args.shard) if args.shard else points
        if args.cluster:
            from gananim import cluster
            trained = cluster.train_points(mine, path.name, args.cluster, not args.quiet, args.compile)
        else:
            trained = sweep.train_points(mine, path.name, workers, not args.quiet, args.compile, args.device)
        console.print(f"trained {trained} of {len(mine)} runs → {folder}")
        if args.shard:
            return
    missing = [p.trace.name for p in points if not p.trace.is_file()]
    if missing:
        raise GananimError(f"{folder} lacks {len(missing)} of {len(points)} traces ({', '.join(missing[:3])}"
                           f"{'…' if len(missing) > 3 else ''}); train them first (without --render-only)")
    from gananim.training.replay import open_trace

    traces = [open_trace(p.trace, p.scene) for p in points]
    try:
        tiles = []
        for point, trace in zip(points, traces):
            seeds = trace.meta["seeds"]
            for run, seed in enumerate(seeds):
                parts = [point.label] * bool(point.label) + [f"seed {seed}"] * (len(seeds) > 1)
                tiles.append(Tile(trace, run, " · ".join(parts) or base.name))
        keys = ", ".join(sweep._collapsed({k: 0 for k, _ in [(k, 0) for axis in axes for k in axis[0]]}))
        title = f"{base.title or base.name}: " + (f"sweep over {keys}" if axes else f"{len(base.run_seeds)} seeds")
        opts = RenderOptions(frames=args.frames, fps=args.fps, size=args.size, dpi=args.dpi, theme=args.theme,
                             workers=args.workers, networks=(base.g, base.d), max_bytes=args.max_size or 0,
                             timeline=args.timeline, hold=args.hold, hold_start=args.hold_start, quality=args.quality,
                             chroma=args.chroma, precision=args.precision,
                             device=args.device)
        if out.suffix == ".html":
            from gananim.rendering.webpage import write_sweep_page
            done = write_sweep_page(tiles, out, opts, title, args.metric, not args.quiet)
        else:
            done = render_sweep(tiles, out, opts, title, args.metric, not args.quiet)
    finally:
        for trace in traces:
            trace.close()
    console.print(f"wrote {out}: {done['tiles']} tiles, {done['frames']} frames, {done['size'][0]}x{done['size'][1]}")


def cmd_compare(args) -> None:
    from contextlib import ExitStack

    from gananim import sweep
    from gananim.rendering.encode import VIDEO_SUFFIXES
    from gananim.rendering.renderer import RenderOptions
    from gananim.rendering.tiles import Tile, render_sweep

    if len(args.traces) < 2:
        raise GananimError("compare takes two or more traces")
    paths = [Path(p) for p in args.traces]
    for path in paths:
        if not is_trace(str(path)):
            raise GananimError(f"{path} is not a trace; compare draws traces (render a scene first to get one)")
    out = Path(args.output) if args.output else _default_output("compare", ".mp4")
    check_output(out, VIDEO_SUFFIXES + (".png", ".html"), paths)
    with ExitStack() as stack:
        from gananim.training.replay import open_trace

        traces = [stack.enter_context(open_trace(p)) for p in paths]
        kinds = [("images" if "image" in t.meta else f"{t.meta['data_dim']}-D data") for t in traces]
        other = next((i for i, kind in enumerate(kinds) if kind != kinds[0]), None)
        if other is not None:
            raise GananimError(f"{paths[0].name} draws {kinds[0]} and {paths[other].name} {kinds[other]}: compare "
                               "traces of the same kind")
        for path, trace in zip(paths, traces):
            if not 0 <= args.run < trace.meta["runs"]:
                raise GananimError(f"--run {args.run} is out of range for {path.name}, which holds "
                                   f"{trace.meta['runs']} run(s)")
        names = [t.settings["name"] for t in traces]
        if len(set(names)) < len(names):  # the same scene twice: tell them apart by file
            names = [f"{n} ({p.stem})" for n, p in zip(names, paths)]
        labels = sweep.differing_labels([t.settings for t in traces], names)
        # Scales are shared where the data agree: the same target, scaled the same way.
        same_data = len({json.dumps([t.settings["target"], t.meta.get("data_units")], sort_keys=True, default=str)
                         for t in traces}) == 1
        opts = RenderOptions(frames=args.frames, fps=args.fps, size=args.size, dpi=args.dpi, theme=args.theme,
                             workers=args.workers, max_bytes=args.max_size or 0, timeline=args.timeline,
                             hold=args.hold, hold_start=args.hold_start, quality=args.quality, chroma=args.chroma,
                             precision=args.precision, device=args.device)
        tiles = [Tile(trace, args.run, label) for trace, label in zip(traces, labels)]
        title = args.title or f"{len(traces)} runs compared, by {'step' if args.sync == 'step' else 'share of training'}"
        if out.suffix == ".html":
            from gananim.rendering.webpage import write_sweep_page
            done = write_sweep_page(tiles, out, opts, title, args.metric, not args.quiet, sync=args.sync,
                                    share=same_data)
        else:
            done = render_sweep(tiles, out, opts, title, args.metric, not args.quiet, sync=args.sync, share=same_data)
    console.print(f"wrote {out}: {done['tiles']} tiles, {done['frames']} frames, {done['size'][0]}x{done['size'][1]}")


def cmd_render(args) -> None:
    from gananim.rendering import captions
    from gananim.rendering.encode import SUFFIXES
    from gananim.rendering.renderer import plan, render, still
    from gananim.training.loop import reusable

    opts = render_options(args)
    out, scene = _output_for(args, SUFFIXES + (".html",), ".mp4")
    if args.step is not None and out.suffix.lower() != ".png":
        raise GananimError("--step picks the still for a .png output; for videos use --from and --to")
    if args.json and not args.plan:
        raise GananimError("--json goes with --plan")
    if scene is not None:  # words that cannot be drawn are refused before any training
        captions.parse(tuple(scene.render.captions) + tuple(args.captions))
    if args.plan:
        if scene is not None and not reusable(Path(args.trace) if args.trace else out.with_suffix(".trace"), scene):
            raise GananimError(f"--plan reads a trained trace, and {scene.name} has none beside {out} yet: "
                               "train it first (gananim train, or render once), or plan from its .trace")
        if out.suffix.lower() == ".png":
            raise GananimError("--plan is for animations; a .png is one frame")
    trace_path, networks = trace_for(args, out, scene)
    with open_for_drawing(trace_path, scene, args) as trace:
        opts.networks = networks or scene_file_networks(args, trace)
        if args.plan:
            # a page embeds a WebM of the same frames: plan that
            report.show_plan(plan(trace, opts, out.with_suffix(".webm") if out.suffix.lower() == ".html" else out),
                             args.json)
        elif out.suffix.lower() == ".png":
            done = still(trace, out, args.step, opts)
            console.print(f"wrote {out}: step {done['step']:,}, {done['size'][0]}x{done['size'][1]}")
        elif out.suffix.lower() == ".html":
            from gananim.rendering.webpage import write_page
            done = write_page(trace, out, opts, show_progress=not args.quiet)
            console.print(f"wrote {out}: a page of {done['frames']} frames, {done['size'][0]}x{done['size'][1]}, "
                          f"{done['bytes'] / 1e6:,.1f} MB (its video {done['webm_bytes'] / 1e6:,.1f} MB)")
        else:
            done = render(trace, out, opts, show_progress=not args.quiet)
            mb = out.stat().st_size / 1e6
            console.print(f"wrote {out}: {done['frames']} frames, {done['size'][0]}x{done['size'][1]}, "
                          f"{done['video_frames'] / done['fps']:.1f} s at {done['fps']} fps, {mb:,.1f} MB")


def cmd_convert(args) -> None:
    """gananim pack and gananim unpack."""
    from gananim.training import convert

    source = Path(args.trace)
    packing = args.command == "pack"
    out = Path(args.output) if args.output else source.with_name(
        f"{source.name.split('.')[0]}-{'keyframes' if packing else 'full'}.trace")
    check_output(out, (".trace",), [source])
    scene = None
    if args.scene_file:
        with Trace(source) as trace:
            scene_file_networks(args, trace)  # the same networks, or refused
            scene = scene_files.load(args.scene_file, args.scene or trace.meta.get("scene_var"))
    if packing:
        convert.pack(source, out, args.keyframe_every, scene)
    else:
        convert.unpack(source, out, scene, show=not args.quiet)
    before, after = source.stat().st_size, out.stat().st_size
    console.print(f"wrote {out}: {after / 1e6:,.2f} MB ({after / before:.3g}x {source.name}'s {before / 1e6:,.2f} MB)")


def cmd_info(args) -> None:
    with Trace(args.trace) as trace:
        report.show_trace(trace, args.json)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.handler(args)
    except GananimError as exc:
        if args.debug:
            raise
        print(f"gananim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gananim: interrupted", file=sys.stderr)
        return 130
    return 0
