"""Finding and running scene files: a path, or the name of a bundled scene."""
from __future__ import annotations

import importlib.resources
import runpy
import traceback
from pathlib import Path

from gananim.errors import GananimError, did_you_mean


def bundled_dir() -> Path:
    """Where the bundled scenes live (the repository's scenes/, packaged as gananim.scenes)."""
    return Path(str(importlib.resources.files("gananim.scenes")))


def bundled() -> dict[str, Path]:
    return {p.stem: p for p in sorted(bundled_dir().glob("*.py")) if not p.name.startswith("_")}


def locate(source: str) -> Path:
    """The scene file for SOURCE: an existing path, or a bundled scene's name."""
    path = Path(source)
    if path.suffix == ".py" or path.exists():
        if not path.exists():
            raise GananimError(f"scene file {source} does not exist")
        if path.is_dir():
            raise GananimError(f"{source} is a folder; give a scene file (.py) or a trace (.trace)")
        return path
    scenes = bundled()
    if source in scenes:
        return scenes[source]
    raise GananimError(f"no scene file or bundled scene named {source!r}; {did_you_mean(source, scenes)}"
                       f"bundled scenes: {', '.join(scenes)}")


def _where(exc: BaseException, path: Path) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path.resolve()]
    return f" (line {frames[-1].lineno})" if frames else ""


def load(source: str, name: str | None = None):
    """Run a scene file and return its Scene: `name` picks one by variable name, else the one
    bound to `scene`, else the only one."""
    return pick(run(source), source, name)


def run(source: str) -> dict:
    """Run a scene file and return its namespace (its Scenes, and a sweep file's `grid`)."""
    path = locate(source)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GananimError(f"cannot read scene file {path}: {exc}") from None
    try:
        compile(text, str(path), "exec")
    except SyntaxError as exc:
        raise GananimError(f"scene file {path} is not valid Python: {exc.msg} (line {exc.lineno})") from None
    try:
        namespace = runpy.run_path(str(path.resolve()), run_name="__gananim_scene__")
    except GananimError as exc:
        raise GananimError(f"scene file {path}: {exc}") from None
    except Exception as exc:
        raise GananimError(
            f"scene file {path} raised {type(exc).__name__}{_where(exc, path)}: {exc}") from None
    return namespace


def pick(namespace: dict, source: str, name: str | None = None):
    """The Scene a namespace offers: by variable name, else `scene`, else the only one."""
    from gananim.config.scene import Scene, is_data_file  # torch loads here, not for `gananim list`

    path = locate(source)
    found = {key: value for key, value in namespace.items() if isinstance(value, Scene)}
    if not found:
        raise GananimError(f"scene file {path} defines no Scene (bind one to a variable named `scene`)")
    if name is not None:
        if name not in found:
            raise GananimError(f"scene file {path} has no Scene named {name!r}; it has: {', '.join(found)}")
        scene = found[name]
    elif "scene" in found:
        scene = found["scene"]
    elif len(found) == 1:
        scene = next(iter(found.values()))
    else:
        raise GananimError(f"scene file {path} defines several Scenes; pick one with --scene: {', '.join(found)}")
    if scene.name == "scene":
        scene.name = path.stem
    source = scene.target.source
    if is_data_file(source) and not Path(source).expanduser().is_absolute():  # relative to the scene file
        scene = scene.derive({"target.source": str(path.resolve().parent / source)})
    return scene
