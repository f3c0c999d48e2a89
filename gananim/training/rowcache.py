"""The local cache of a keyframe trace's replayed parameter rows, one file per segment.

A segment is named by the run and the keyframe it starts from, so training (which fills the
cache as it goes) and replay (gananim/training/replay.py) find the same files. The cache only
saves time: a missing, damaged or unwritable file means replaying again, never an error.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from gananim.data.cache import cache_folder

CACHE_LIMIT_BYTES = 4 << 30  # the replay cache is trimmed, oldest first, past this size


def segment_key(meta: dict, keyframe: dict) -> str:
    """Names a segment's rows in the cache: the run (fingerprint), how it trained, and the
    keyframe it starts from (its record names every array's CRC)."""
    text = json.dumps([meta["fingerprint"], meta["execution"], keyframe], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


MAGIC = b"GANROWS1"  # then u64 step count m, u64 row length, m int64 steps, the float32 rows, u32 CRC


def cache_path(key: str) -> Path:
    return cache_folder() / "replay" / f"{key}.rows"


def store_rows(key: str, steps, rows) -> bool:
    """Keep a segment's rows in the cache (atomically); False where it cannot be written."""
    path = cache_path(key)
    steps = np.asarray(steps, dtype="<i8")
    rows = np.ascontiguousarray(np.stack(rows) if len(rows) else np.zeros((0, 0)), dtype="<f4")
    body = struct.pack("<QQ", len(steps), rows[0].size if len(rows) else 0) + steps.tobytes() + rows.tobytes()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(MAGIC + body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF))
        os.replace(temporary, path)
        return True
    except OSError:  # a full disk or a read-only cache costs only the cache
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        return False


def load_rows(key: str, runs: int, n_params: int) -> dict[int, np.ndarray] | None:
    """A segment's cached rows by step, or None when missing, damaged or of another shape."""
    try:
        data = cache_path(key).read_bytes()
    except OSError:
        return None
    if len(data) < len(MAGIC) + 20 or not data.startswith(MAGIC):
        return None
    body, (crc,) = data[len(MAGIC):-4], struct.unpack("<I", data[-4:])
    count, width = struct.unpack("<QQ", body[:16])
    if zlib.crc32(body) & 0xFFFFFFFF != crc or (count and width != runs * n_params) \
            or len(body) != 16 + 8 * count + 4 * count * width:
        return None
    steps = np.frombuffer(body, "<i8", count, 16)
    rows = np.frombuffer(body, "<f4", count * width, 16 + 8 * count).reshape(count, runs, n_params)
    return {int(s): r for s, r in zip(steps, rows)}


def trim_cache(limit: int = CACHE_LIMIT_BYTES) -> None:
    """Remove the least recently written segments until the replay cache is within `limit`."""
    folder = cache_folder() / "replay"
    try:
        files = sorted((p.stat().st_mtime, p.stat().st_size, p) for p in folder.glob("*.rows"))
    except OSError:
        return
    total = sum(size for _, size, _ in files)
    for _, size, path in files:
        if total <= limit:
            break
        path.unlink(missing_ok=True)
        total -= size
