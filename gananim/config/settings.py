"""Dotted setting keys over a Scene: list them, read them, and set them from text (`--set`)."""
from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from gananim.errors import GananimError, did_you_mean

TRUE, FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}


def _leaves(obj: Any, prefix: str = "") -> dict[str, tuple[Any, Any]]:
    """key -> (value, type annotation) for every leaf field under a dataclass."""
    hints = typing.get_type_hints(type(obj), localns={"Callable": typing.Callable})
    out = {}
    for f in dataclasses.fields(obj):
        value, key = getattr(obj, f.name), prefix + f.name
        if dataclasses.is_dataclass(value):
            out.update(_leaves(value, key + "."))
        else:
            out[key] = (value, hints.get(f.name, Any))
    return out


def _fits(value: Any, hint: Any) -> bool:
    """Whether a value has the type a setting's annotation asks for (ints pass as floats)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if hint is type(None):
        return value is None
    if origin is tuple:
        if not isinstance(value, (tuple, list)):  # a scene file may well write [1280, 720]
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_fits(v, args[0]) for v in value)
        return len(value) == len(args) and all(_fits(v, a) for v, a in zip(value, args))
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True  # callables, modules: checked where they are used


def check_types(scene: Any) -> None:
    """Refuse a setting whose value has the wrong type, naming the key and the type it takes."""
    for key, (value, hint) in _leaves(scene).items():
        if not _fits(value, hint):
            raise GananimError(f"{key} must be {_describe(hint)}, got {value!r}")


_plural = {int: "integers", float: "numbers", str: "names"}


def _describe(hint: Any) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"a list of {_plural.get(args[0], _describe(args[0]))}"
        return f"{len(args)} numbers"
    return {int: "an integer", float: "a number", str: "text", bool: "true or false",
            type(None): "none"}.get(hint, getattr(hint, "__name__", str(hint)))


def flatten(scene: Any) -> dict[str, Any]:
    """Every leaf setting by dotted key, in declaration order."""
    return {key: value for key, (value, _) in _leaves(scene).items()}


def _parse(text: str, hint: Any, key: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if type(None) in args and text.strip().lower() in ("none", "null", ""):
            return None
        for arg in args:
            if arg is not type(None) and arg in (str, int, float, bool) or typing.get_origin(arg) is tuple:
                return _parse(text, arg, key)
        raise GananimError(f"{key} cannot be set from the command line; change it in the scene file")
    if origin is tuple:
        words = args[:1] == (str,)  # names and captions keep their inner spaces
        parts = [p.strip() if words else p.replace(" ", "") for p in text.split(",")]
        parts = [p for p in parts if p != ""]
        if len(args) == 2 and args[1] is Ellipsis:
            if args[0] is int:  # integer lists also take ranges: seeds=0-19
                return tuple(v for p in parts for v in _int_range(p, key))
            return tuple(_parse(p, args[0], key) for p in parts)
        if len(parts) != len(args):
            raise GananimError(f"{key} takes {len(args)} comma-separated values, got {text!r}")
        return tuple(_parse(p, a, key) for p, a in zip(parts, args))
    if hint is bool:
        if text.lower() in TRUE | FALSE:
            return text.lower() in TRUE
        raise GananimError(f"{key} takes true or false, got {text!r}")
    if hint is int:
        try:
            number = float(text)
        except ValueError:
            raise GananimError(f"{key} takes an integer, got {text!r}") from None
        if number != int(number):
            raise GananimError(f"{key} takes an integer, got {text!r}")
        return int(number)
    if hint is float:
        try:
            return float(text)
        except ValueError:
            raise GananimError(f"{key} takes a number, got {text!r}") from None
    if hint is str:
        return text
    raise GananimError(f"{key} cannot be set from the command line; change it in the scene file")


def _int_range(part: str, key: str) -> range | tuple[int]:
    low, dash, high = part.partition("-")
    if not dash or not low:
        return (_parse(part, int, key),)
    low, high = _parse(low, int, key), _parse(high, int, key)
    if high < low:
        raise GananimError(f"{key}: the range {part} runs backwards")
    return range(low, high + 1)


def _replace(obj: Any, path: list[str], value: Any) -> Any:
    head, rest = path[0], path[1:]
    new = value if not rest else _replace(getattr(obj, head), rest, value)
    return dataclasses.replace(obj, **{head: new})


def update(scene: Any, changes: dict[str, Any]) -> Any:
    """A copy of `scene` with typed values set by dotted key (what scene files use)."""
    leaves = _leaves(scene)
    for key, value in changes.items():
        if not dataclasses.is_dataclass(value):
            key = getattr(scene, "SHORT_KEYS", {}).get(key, key)
        if key not in leaves and key.split(".")[0] not in {f.name for f in dataclasses.fields(scene)}:
            raise GananimError(f"unknown setting {key!r}; valid keys: {', '.join(leaves)}")
        scene = _replace(scene, key.split("."), value)
    return scene


def apply(scene: Any, assignments: list[str]) -> Any:
    """A copy of `scene` with each "key=value" applied, typed by the key's annotation."""
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        key = getattr(scene, "SHORT_KEYS", {}).get(key.strip(), key.strip())
        leaves = _leaves(scene)
        if not sep or not key:
            raise GananimError(f"--set takes key=value, got {assignment!r}")
        if key not in leaves:
            raise GananimError(f"unknown setting {key!r}; {did_you_mean(key, leaves)}valid keys: {', '.join(leaves)}")
        scene = _replace(scene, key.split("."), _parse(text.strip(), leaves[key][1], key))
    return scene
