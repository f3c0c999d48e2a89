"""The local cache of a keyframe trace's replayed parameter rows, one file per segment.

A segment is named by the run and the keyframe it starts from, so training (which fills the
cache as it goes) and replay (gananim/training/replay.py) find the same files. The cache only
saves time: a missing, damaged or unwritable file means replaying again, never an error.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from gananim.data.cache import cache_folder

CACHE_LIMIT_BYTES = 4 << 30  # the replay cache is trimmed, oldest first, past this size


def segment_key(meta: dict, keyframe: dict) -> str:
    """Names a segment's rows in the cache: the run (fingerprint), how it trained, and the
    keyframe it starts from (its record names every array's CRC)."""
    text = json.dumps([meta["fingerprint"], meta["execution"], keyframe], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cache_path(key: str) -> Path:
    return cache_folder() / "replay" / f"{key}.npz"


def store_rows(key: str, steps, rows) -> bool:
    """Keep a segment's rows in the cache (atomically); False where it cannot be written."""
    path = cache_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as file:
            np.savez(file, steps=np.asarray(steps, dtype=np.int64),
                     rows=np.stack(rows) if len(rows) else np.zeros((0,), np.float32))
        os.replace(temporary, path)
        return True
    except OSError:  # a full disk or a read-only cache costs only the cache
        try:
            temporary.unlink(missing_ok=True)
        except (OSError, UnboundLocalError):
            pass
        return False


def load_rows(key: str, runs: int, n_params: int) -> dict[int, np.ndarray] | None:
    """A segment's cached rows by step, or None when missing, damaged or of another shape."""
    try:
        with np.load(cache_path(key), allow_pickle=False) as stored:
            steps, rows = stored["steps"], stored["rows"]
    except (OSError, ValueError, KeyError, EOFError):
        return None
    if len(steps) and (steps.dtype != np.int64 or rows.dtype != np.float32
                       or rows.shape != (len(steps), runs, n_params)):
        return None
    return {int(s): r for s, r in zip(steps, rows)}


def trim_cache(limit: int = CACHE_LIMIT_BYTES) -> None:
    """Remove the least recently written segments until the replay cache is within `limit`."""
    folder = cache_folder() / "replay"
    try:
        files = sorted((p.stat().st_mtime, p.stat().st_size, p) for p in folder.glob("*.npz"))
    except OSError:
        return
    total = sum(size for _, size, _ in files)
    for _, size, path in files:
        if total <= limit:
            break
        path.unlink(missing_ok=True)
        total -= size
