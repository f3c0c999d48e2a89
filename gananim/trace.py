"""The trace file: one self-describing, append-only record of a training run.

Layout (all integers little-endian):

    b"GANTRACE" u32 format-version
    record*   where record = tag[4] u32 json_len u64 payload_len u32 head_crc u32 json_crc, json, payload

`head_crc` is the CRC-32 of the header's first 16 bytes and `json_crc` that of the JSON, so a
record cut short by a killed process (intact header, data missing) is told apart from a
damaged one. Tags:

    META  run metadata: versions, resolved scene settings, parameter layout, scalar names
    ARRY  a named array (the bank of real samples, the fixed latent codes); JSON gives
          dtype, shape and the payload's CRC-32
    CHNK  a block of steps: scalars [n, runs, k] for steps scalar_start.. and the parameter
          rows [m, runs, P] of the recorded steps `param_steps`; JSON holds the scalars'
          CRC-32 and one CRC-32 per parameter row, so a frame reads and checks only its rows
    DONE  how training ended: complete, stopped on NaN/inf, or interrupted

Writing streams chunks to NAME.partial and renames it to NAME when training ends, so a
finished trace is never half-written; a killed run leaves NAME.partial readable up to its
last chunk. Nothing is pickled: JSON and raw float32 only.
"""
from __future__ import annotations

import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gananim.errors import GananimError

MAGIC = b"GANTRACE"
FORMAT_VERSION = 1
RECORD = struct.Struct("<4sIQII")
MAX_JSON = 64 << 20
DTYPES = ("<f4", "<i8")
SIGNATURES = {b"\x89PNG": "a PNG image", b"PK\x03\x04": "a zip or .npz archive", b"GIF8": "a GIF image",
              b"\x93NUMPY": "a .npy array", b"\x1aE\xdf\xa3": "a Matroska/WebM video"}


def _crc(data: bytes | memoryview) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def _json_bytes(obj: dict) -> bytes:
    # Sorted keys and no timestamps: the same run always writes the same bytes.
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


class TraceWriter:
    """Streams a trace to PATH.partial; `finish` renames it to PATH."""

    def __init__(self, path: Path, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.file = open(self.partial, "wb")
        self.file.write(MAGIC + struct.pack("<I", FORMAT_VERSION))
        self._record(b"META", meta)
        for name, array in arrays.items():
            data = np.ascontiguousarray(array, dtype="<f4").tobytes()
            self._record(b"ARRY", {"name": name, "dtype": "<f4", "shape": list(array.shape), "crc": _crc(data)}, data)
        self.file.flush()

    def _record(self, tag: bytes, info: dict, payload: bytes = b"") -> None:
        body = _json_bytes(info)
        head = RECORD.pack(tag, len(body), len(payload), 0, 0)[:16]
        self.file.write(head + struct.pack("<II", _crc(head), _crc(body)) + body)
        self.file.write(payload)

    def chunk(self, scalar_start: int, scalars: np.ndarray, param_steps: list[int], params: np.ndarray) -> None:
        """Append steps scalar_start.. (scalars [n, runs, k]) and parameter rows [m, runs, P]."""
        scalars = np.ascontiguousarray(scalars, dtype="<f4")
        params = np.ascontiguousarray(params, dtype="<f4")
        s_bytes = scalars.tobytes()
        info = {"scalar_start": int(scalar_start), "scalar_rows": int(scalars.shape[0]),
                "param_steps": [int(s) for s in param_steps], "scalars_crc": _crc(s_bytes),
                "row_crcs": [_crc(row.tobytes()) for row in params]}
        self._record(b"CHNK", info, s_bytes + params.tobytes())
        self.file.flush()  # in the OS's hands: a killed process loses nothing written so far

    def finish(self, status: str, steps: int, message: str = "") -> Path:
        """Write how training ended, then move the finished trace into place."""
        self._record(b"DONE", {"status": status, "steps": int(steps), "message": message})
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.partial, self.path)
        return self.path

    def discard(self) -> None:
        self.file.close()
        self.partial.unlink(missing_ok=True)


@dataclass
class _Chunk:
    offset: int  # of the payload in the file
    scalar_start: int
    scalar_rows: int
    param_steps: list[int]
    scalars_crc: int
    row_crcs: list[int]


class Trace:
    """A trace opened for reading. Arrays are read lazily: a frame reads only its rows."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise GananimError(f"trace {path} does not exist; check the path (`gananim train SCENE -o TRACE` makes one)"
                               if not self.path.exists() else f"{path} is not a file")
        self.file = open(self.path, "rb")
        self.size = os.fstat(self.file.fileno()).st_size
        self.arrays: dict[str, tuple[int, tuple[int, ...], str, int]] = {}
        self.chunks: list[_Chunk] = []
        self.done: dict | None = None
        self.truncated = False
        try:
            self._index()
            self._check_meta()
        except GananimError:
            self.file.close()
            raise
        except (KeyError, TypeError, ValueError, IndexError, OverflowError, AttributeError, struct.error) as exc:
            self.file.close()
            raise GananimError(f"trace {path} is corrupted ({type(exc).__name__}: {exc})") from None
        self._scalars: np.ndarray | None = None

    # -- reading the file's structure -------------------------------------------------
    def _corrupt(self, what: str) -> GananimError:
        return GananimError(f"trace {self.path} is corrupted: {what}")

    def _index(self) -> None:
        head = self.file.read(12)
        if head[:8] != MAGIC:
            kind = next((v for k, v in SIGNATURES.items() if head.startswith(k)), None)
            raise GananimError(f"{self.path} is not a gananim trace" + (f" (it is {kind})" if kind else "") +
                               "; give a .trace written by `gananim train` or `gananim render`")
        if len(head) < 12:
            raise self._corrupt("the header is cut short")
        (version,) = struct.unpack("<I", head[8:])
        if version > FORMAT_VERSION:
            raise GananimError(f"trace {self.path} has format version {version}, newer than this gananim reads "
                               f"({FORMAT_VERSION}); upgrade gananim")
        self.version, pos, self.meta = version, 12, None
        while pos < self.size:
            if self.size - pos < RECORD.size:
                self.truncated = True
                break
            self.file.seek(pos)
            raw = self.file.read(RECORD.size)
            tag, n_json, n_payload, head_crc, json_crc = RECORD.unpack(raw)
            if _crc(raw[:16]) != head_crc or n_json > MAX_JSON:
                raise self._corrupt(f"record header at byte {pos} fails its checksum")
            body_end = pos + RECORD.size + n_json
            if body_end + n_payload > self.size:
                self.truncated = True  # the record was cut off while being written
                break
            body = self.file.read(n_json)
            if _crc(body) != json_crc:
                raise self._corrupt(f"record at byte {pos} fails its checksum")
            self._take(tag, json.loads(body), body_end, n_payload)
            pos = body_end + n_payload
        if self.meta is None:
            raise self._corrupt("it has no metadata record")

    def _take(self, tag: bytes, info: dict, offset: int, n_payload: int) -> None:
        if tag == b"META":
            if self.meta is not None:
                raise self._corrupt("two metadata records")
            self.meta = info
            return
        if self.meta is None:
            raise self._corrupt("the metadata record is not first")
        if tag == b"ARRY":
            shape, dtype = tuple(int(s) for s in info["shape"]), info["dtype"]
            if dtype not in DTYPES or any(s < 0 for s in shape) or \
                    int(np.prod(shape)) * np.dtype(dtype).itemsize != n_payload:
                raise self._corrupt(f"array {info['name']!r} does not match its size")
            self.arrays[str(info["name"])] = (offset, shape, dtype, int(info["crc"]))
        elif tag == b"CHNK":
            chunk = _Chunk(offset, int(info["scalar_start"]), int(info["scalar_rows"]),
                           [int(s) for s in info["param_steps"]], int(info["scalars_crc"]),
                           [int(c) for c in info["row_crcs"]])
            runs, k, p = self.meta["runs"], len(self.meta["scalars"]), self.meta["n_params"]
            expected = 4 * runs * (chunk.scalar_rows * k + len(chunk.param_steps) * p)
            previous_end = self.chunks[-1].scalar_start + self.chunks[-1].scalar_rows if self.chunks else 1
            previous_step = self._last_param_step()
            if expected != n_payload or len(chunk.row_crcs) != len(chunk.param_steps) \
                    or chunk.scalar_start != previous_end or chunk.scalar_rows < 0 \
                    or any(b <= a for a, b in zip([previous_step, *chunk.param_steps], chunk.param_steps)):
                raise self._corrupt(f"chunk at byte {offset} is inconsistent")
            self.chunks.append(chunk)
        elif tag == b"DONE":
            self.done = info
        else:
            raise self._corrupt(f"unknown record {tag!r}")

    def _last_param_step(self) -> int:
        for chunk in reversed(self.chunks):
            if chunk.param_steps:
                return chunk.param_steps[-1]
        return -1

    def _check_meta(self) -> None:
        meta = self.meta
        for key in ("gananim", "settings", "runs", "scalars", "n_params", "nets", "data_dim"):
            if key not in meta:
                raise self._corrupt(f"metadata lacks {key!r}")
        if not (isinstance(meta["runs"], int) and meta["runs"] >= 1 and isinstance(meta["n_params"], int)):
            raise self._corrupt("bad run or parameter counts")
        steps = [s for c in self.chunks for s in c.param_steps]
        self.param_steps = np.asarray(steps, dtype=np.int64)
        self._rows = [(ci, ri) for ci, c in enumerate(self.chunks) for ri in range(len(c.param_steps))]

    # -- what callers use ---------------------------------------------------------------
    @property
    def settings(self) -> dict:
        return self.meta["settings"]

    @property
    def steps(self) -> int:
        """The number of training steps with recorded scalars."""
        return sum(c.scalar_rows for c in self.chunks)

    @property
    def status(self) -> str:
        if self.done is not None:
            return str(self.done.get("status", "complete"))
        return "partial"

    @property
    def scalar_names(self) -> list[str]:
        return list(self.meta["scalars"])

    def _read(self, offset: int, n: int) -> bytes:
        data = os.pread(self.file.fileno(), n, offset)
        if len(data) != n:
            raise self._corrupt("it ends early")
        return data

    def array(self, name: str) -> np.ndarray:
        if name not in self.arrays:
            raise self._corrupt(f"it has no {name!r} array")
        offset, shape, dtype, crc = self.arrays[name]
        data = self._read(offset, int(np.prod(shape)) * np.dtype(dtype).itemsize)
        if _crc(data) != crc:
            raise self._corrupt(f"array {name!r} fails its checksum")
        return np.frombuffer(data, dtype=dtype).reshape(shape).astype(np.float32)

    def scalars(self) -> np.ndarray:
        """All recorded scalars, [steps, runs, k]; row i is step i + 1."""
        if self._scalars is None:
            runs, k = self.meta["runs"], len(self.meta["scalars"])
            blocks = []
            for c in self.chunks:
                data = self._read(c.offset, 4 * runs * k * c.scalar_rows)
                if _crc(data) != c.scalars_crc:
                    raise self._corrupt(f"scalars at byte {c.offset} fail their checksum")
                blocks.append(np.frombuffer(data, dtype="<f4").reshape(c.scalar_rows, runs, k))
            self._scalars = np.concatenate(blocks) if blocks else np.zeros((0, runs, k), np.float32)
        return self._scalars

    def scalar(self, name: str) -> np.ndarray:
        """One scalar over steps 1..steps, [steps, runs]."""
        return self.scalars()[:, :, self.scalar_names.index(name)]

    def params(self, steps) -> np.ndarray:
        """Parameter rows [len(steps), runs, n_params] for recorded steps."""
        runs, p = self.meta["runs"], self.meta["n_params"]
        row_bytes = 4 * runs * p
        out = np.empty((len(steps), runs, p), np.float32)
        for i, step in enumerate(steps):
            j = int(np.searchsorted(self.param_steps, step))
            if j >= len(self.param_steps) or self.param_steps[j] != step:
                raise GananimError(f"step {step} is not recorded in {self.path}")
            ci, ri = self._rows[j]
            chunk = self.chunks[ci]
            offset = chunk.offset + 4 * runs * len(self.meta["scalars"]) * chunk.scalar_rows + ri * row_bytes
            data = self._read(offset, row_bytes)
            if _crc(data) != chunk.row_crcs[ri]:
                raise self._corrupt(f"parameters of step {step} fail their checksum")
            out[i] = np.frombuffer(data, dtype="<f4").reshape(runs, p)
        return out

    def nearest_recorded(self, step: int) -> int:
        if len(self.param_steps) == 0:
            raise GananimError(f"trace {self.path} holds no recorded parameters")
        j = int(np.argmin(np.abs(self.param_steps - step)))
        return int(self.param_steps[j])

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> "Trace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
