"""gananim's cache of derived data (digit sets, classifier weights): .npz files, written atomically.

The folder is $GANANIM_CACHE, else $XDG_CACHE_HOME/gananim, else ~/.cache/gananim (documented
in the README). The cache only ever saves time: a missing, damaged or unwritable cache means
recomputing, never an error.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np


def cache_folder() -> Path:
    """Where gananim caches data: $GANANIM_CACHE, else $XDG_CACHE_HOME/gananim, else ~/.cache/gananim."""
    if os.environ.get("GANANIM_CACHE"):
        return Path(os.environ["GANANIM_CACHE"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "gananim"
    return Path.home() / ".cache" / "gananim"


def cache_key(*parts) -> str:
    """A short hash of everything a cached result depends on."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def read_arrays(path: Path, expected: dict[str, tuple[tuple[int, ...], np.dtype]]) -> dict[str, np.ndarray] | None:
    """The arrays of a cached .npz, or None when it is missing, damaged or not what is expected."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in expected}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    for name, (shape, dtype) in expected.items():
        if arrays[name].shape != shape or arrays[name].dtype != dtype:
            return None
    return arrays


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Save arrays as an .npz atomically; where the folder is not writable, skip silently."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide a shared cache from its other users
        os.replace(temporary, path)
    except OSError:
        pass  # a full disk costs only the cache
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # still there only when writing failed
