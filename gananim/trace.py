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
    STAT  the whole training state after a chunk that ends on a regular boundary: parameters,
          optimizer state, every random generator's state, held scores; `--resume` continues
          from the last one. In a keyframe trace (META's "record" mode "keyframes") they are
          the keyframes: its chunks hold every step's scalars and no parameter rows, and the
          parameters of any other step come from replaying training from the keyframe
          before it (gananim/training/replay.py), which `Trace.params` asks for
    DONE  how training ended: complete, stopped on NaN/inf, or interrupted
    LOCK  first, a fixed size: while training, who writes (host, pid, start); when training
          ends it is overwritten with a fixed text, so finished traces name no machine

Version 3 payloads are compressed losslessly (`"codec"` in the JSON): each array's bytes are
regrouped by byte position (the exponent bytes of float32 values together) and deflated;
a chunk's parameter rows are first XORed with the row before, so that slowly changing
parameters leave runs of zero bits. CRCs are of the raw arrays, checked after inflating, and
no record inflates to more than its JSON's shapes say.

Writing streams chunks to NAME.partial and renames it to NAME when training ends, so a
finished trace is never half-written; a killed run leaves NAME.partial readable up to its
last chunk. The .partial is also the lock: it is created exclusively, and a second writer
is refused while its holder lives (see `claim`). Nothing is pickled: JSON and raw arrays only.
"""
from __future__ import annotations

import errno
import json
import math
import os
import socket
import struct
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gananim.errors import GananimError

MAGIC = b"GANTRACE"
FORMAT_VERSION = 3  # 2 added LOCK and STAT records, 3 keyframe traces; older traces still read
RECORD_MODES = ("keyframes", "full")
RECORD = struct.Struct("<4sIQII")
MAX_JSON = 64 << 20
DTYPES = ("<f4", "<i8", "|u1")
CODEC = "xor-shuffle-zlib"  # see the top; version 2 payloads are raw
LEVEL = 1  # zlib's fastest: levels up to 9 gain about 3% more on parameter rows
MAX_CHUNK_ROWS = 4096  # a compressed chunk's steps (the writer's are at most 1,024)
LOCK_BYTES = 256  # the LOCK record's JSON, padded with spaces, so it can be rewritten in place
RELEASED = {"released": True}
STALE_AFTER_S = 600  # a lock not written to for this long is abandoned, wherever its holder runs
SIGNATURES = {b"\x89PNG": "a PNG image", b"PK\x03\x04": "a zip or .npz archive", b"GIF8": "a GIF image",
              b"\x93NUMPY": "a .npy array", b"\x1aE\xdf\xa3": "a Matroska/WebM video"}


def _crc(data: bytes | memoryview) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def _shuffle(array: np.ndarray) -> bytes:
    """The array's bytes grouped by position within each element (all first bytes, then all
    second bytes, …): floats' sign and exponent bytes repeat, and deflate finds them."""
    width = array.dtype.itemsize
    return np.ascontiguousarray(array).view(np.uint8).reshape(-1, width).T.tobytes()


def _unshuffle(data: bytes, width: int) -> bytes:
    return np.frombuffer(data, np.uint8).reshape(width, -1).T.tobytes()


def _deflate(array: np.ndarray) -> bytes:
    return zlib.compress(_shuffle(array), LEVEL)


def deflate_rows(rows: np.ndarray) -> bytes:
    """Parameter rows [m, ...], each XORed with the one before it, then as `_deflate`."""
    bits = np.ascontiguousarray(rows, dtype="<f4").view("<u4").reshape(len(rows), -1)
    if len(bits) > 1:
        bits = np.concatenate([bits[:1], bits[1:] ^ bits[:-1]])
    return _deflate(bits)


def _json_bytes(obj: dict) -> bytes:
    # Sorted keys and no timestamps: the same run always writes the same bytes.
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def _padded_json(obj: dict) -> bytes:
    body = _json_bytes(obj)
    if len(body) > LOCK_BYTES:
        body = _json_bytes({k: obj[k] for k in ("pid", "started") if k in obj})
    return body + b" " * (LOCK_BYTES - len(body))


def _record_bytes(tag: bytes, body: bytes, n_payload: int = 0) -> bytes:
    head = RECORD.pack(tag, len(body), n_payload, 0, 0)[:16]
    return head + struct.pack("<II", _crc(head), _crc(body)) + body


def lock_holder(partial: Path) -> dict:
    """Who holds a .partial (host, pid, started), read from its LOCK record; {} if unreadable."""
    try:
        with open(partial, "rb") as f:
            head = f.read(12 + RECORD.size + LOCK_BYTES)
        tag, n_json = RECORD.unpack(head[12:12 + RECORD.size])[:2]
        if head[:8] != MAGIC or tag != b"LOCK" or n_json != LOCK_BYTES:
            return {}
        info = json.loads(head[12 + RECORD.size:])
        return info if isinstance(info, dict) else {}
    except (OSError, ValueError, struct.error):
        return {}


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def stale(partial: Path) -> bool:
    """A .partial whose writer is gone: its pid is dead on this host, or nobody wrote to it
    for STALE_AFTER_S (a holder on another machine, or one that hangs)."""
    try:
        idle = time.time() - partial.stat().st_mtime
    except FileNotFoundError:
        return True
    holder = lock_holder(partial)
    if idle > STALE_AFTER_S:
        return True
    return bool(holder) and holder.get("host") == socket.gethostname() and not _alive(holder.get("pid"))


def busy_message(partial: Path) -> str:
    holder = lock_holder(partial)
    who = f"process {holder.get('pid', '?')} on {holder.get('host', '?')}"
    if isinstance(holder.get("started"), (int, float)):
        who += f" (started {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(holder['started']))})"
    return (f"{partial} is being written by {who}; wait for it to finish or stop it "
            f"(a killed writer's lock lapses at once on this machine, after {STALE_AFTER_S // 60} minutes elsewhere)")


def _set_aside(partial: Path) -> Path | None:
    """Move an abandoned .partial out of the way (atomically, so only one writer takes it over)."""
    before = partial.stat()
    aside = partial.with_name(f"{partial.name}.{os.getpid()}.abandoned")
    try:
        os.rename(partial, aside)
    except FileNotFoundError:
        return None
    if os.stat(aside).st_ino != before.st_ino:  # another writer replaced it meanwhile: give it back
        try:
            os.link(aside, partial)
        except FileExistsError:
            pass
        os.unlink(aside)
        raise GananimError(busy_message(partial))
    return aside


def claim(path: Path) -> tuple[int, Path | None]:
    """Create PATH.partial exclusively, taking over an abandoned one: (descriptor, the abandoned
    file moved aside, or None). A live writer's .partial is refused with one line naming it."""
    partial = path.with_name(path.name + ".partial")
    abandoned = None
    for _ in range(5):
        try:
            return os.open(partial, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o666), abandoned
        except FileExistsError:
            if not stale(partial):
                raise GananimError(busy_message(partial)) from None
            moved = _set_aside(partial)
            if moved is not None:
                if abandoned is not None:
                    abandoned.unlink(missing_ok=True)
                abandoned = moved
    raise GananimError(busy_message(partial))


DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class DiskFull(GananimError):
    """The file system ran out of room while a trace was written."""


class TraceWriter:
    """Streams a trace to PATH.partial, which it holds as a lock; `finish` renames it to PATH.

    `resume_from` (a Trace and its resume point) continues a run: its bytes up to the end of
    its last state record are copied, and writing goes on from there."""

    def __init__(self, path: Path, meta: dict | None = None, arrays: dict[str, np.ndarray] | None = None,
                 resume_from: "tuple[Trace, ResumePoint] | None" = None, compress_rows: bool = False) -> None:
        self.path = Path(path)
        # Compressing a full trace's rows while training costs about a fifth of a small eager
        # step on 2 cores (bench/run.py, compression), so training writes them raw; `gananim
        # unpack` compresses them.
        self.compress_rows = compress_rows
        self.partial = self.path.with_name(self.path.name + ".partial")
        fd, abandoned = claim(self.path)
        self.file = os.fdopen(fd, "r+b")
        self.written = 0
        try:
            if resume_from is not None:
                source, point = resume_from
                self._copy(source, point.end)
            else:
                self._write(MAGIC + struct.pack("<I", FORMAT_VERSION))
                self._write(_record_bytes(b"LOCK", _padded_json(self._holder())))
                self._record(b"META", meta or {})
                for name, array in (arrays or {}).items():
                    data = np.ascontiguousarray(array, dtype="<f4").tobytes()
                    self._record(b"ARRY", {"name": name, "dtype": "<f4", "shape": list(array.shape),
                                           "crc": _crc(data)}, data)
            self.file.flush()
        except BaseException:
            self.discard()
            raise
        finally:
            if abandoned is not None:
                abandoned.unlink(missing_ok=True)

    @staticmethod
    def _holder() -> dict:
        return {"host": socket.gethostname(), "pid": os.getpid(), "started": round(time.time(), 3)}

    @contextmanager
    def _room(self):
        """The file system running out of room, as one DiskFull saying how much was written."""
        try:
            yield
        except OSError as exc:
            if exc.errno in DISK_FULL:
                raise DiskFull(f"the disk is full: {self.written / 1e6:,.1f} MB written to {self.partial}") from None
            raise

    def _write(self, data: bytes) -> None:
        with self._room():
            self.file.write(data)
        self.written += len(data)

    def _copy(self, source: "Trace", end: int) -> None:
        """The first `end` bytes of `source`, with this writer's LOCK record."""
        if source.version < 2:
            raise GananimError(f"trace {source.path} has format version {source.version}, which keeps no "
                               "training state; it cannot be resumed")
        done = 0
        while done < end:
            block = source._read(done, min(8 << 20, end - done))
            self._write(block)
            done += len(block)
        self.file.seek(12)
        self.file.write(_record_bytes(b"LOCK", _padded_json(self._holder())))
        self.file.seek(0, os.SEEK_END)

    def _record(self, tag: bytes, info: dict, payload: bytes = b"") -> None:
        self._write(_record_bytes(tag, _json_bytes(info), len(payload)))
        self._write(payload)

    def chunk(self, scalar_start: int, scalars: np.ndarray, param_steps: list[int], params: np.ndarray) -> None:
        """Append steps scalar_start.. (scalars [n, runs, k]) and parameter rows [m, runs, P]."""
        scalars = np.ascontiguousarray(scalars, dtype="<f4")
        params = np.ascontiguousarray(params, dtype="<f4")
        stored = _deflate(scalars)
        rows = deflate_rows(params) if len(params) and self.compress_rows else params.tobytes()
        info = {"scalar_start": int(scalar_start), "scalar_rows": int(scalars.shape[0]),
                "param_steps": [int(s) for s in param_steps], "scalars_crc": _crc(scalars.tobytes()),
                "row_crcs": [_crc(row.tobytes()) for row in params], "codec": CODEC, "scalars_stored": len(stored),
                "rows": CODEC if len(params) and self.compress_rows else "raw"}
        self._record(b"CHNK", info, stored + rows)
        self._flush()

    def state(self, step: int, arrays: dict[str, np.ndarray], info: dict | None = None) -> dict:
        """Append the whole training state after `step`: named arrays (float32, int64 or bytes).
        Returns the record's JSON (which names every array's CRC)."""
        specs, payload = [], []
        for name, array in arrays.items():
            array = np.ascontiguousarray(array)
            dtype = array.dtype.newbyteorder("<").str if array.dtype.itemsize > 1 else "|u1"
            if dtype not in DTYPES:
                raise ValueError(f"state array {name} has dtype {array.dtype}")
            array = array.astype(dtype)
            data = _deflate(array)
            specs.append({"name": name, "dtype": dtype, "shape": list(array.shape), "crc": _crc(array.tobytes()),
                          "stored": len(data)})
            payload.append(data)
        specs = [{**spec, "codec": CODEC} for spec in specs]
        record = {"step": int(step), "arrays": specs, **(info or {})}
        self._record(b"STAT", record, b"".join(payload))
        self._flush()
        return record

    def _flush(self) -> None:
        with self._room():
            self.file.flush()  # in the OS's hands: a killed process loses nothing written so far

    def finish(self, status: str, steps: int, message: str = "") -> Path:
        """Write how training ended, release the lock, then move the finished trace into place."""
        self._record(b"DONE", {"status": status, "steps": int(steps), "message": message})
        self._flush()
        self.file.seek(12)
        self.file.write(_record_bytes(b"LOCK", _padded_json(RELEASED)))
        self._flush()
        with self._room():
            os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.partial, self.path)
        return self.path

    def discard(self) -> None:
        """Close and remove the .partial."""
        self.close()
        self.partial.unlink(missing_ok=True)

    def close(self) -> None:
        """Close, keeping the .partial as it is (readable up to its last complete record)."""
        try:
            self.file.close()
        except OSError:  # a full disk can fail the final flush; what reached the file stays readable
            pass


@dataclass
class ResumePoint:
    """A STAT record: the training state after `step`, ending at byte `end` of the file."""

    step: int
    offset: int  # of its payload
    end: int
    arrays: list[dict]
    info: dict


@dataclass
class _Chunk:
    offset: int  # of the payload in the file
    scalar_start: int
    scalar_rows: int
    param_steps: list[int]
    scalars_crc: int
    row_crcs: list[int]
    scalars_stored: int = -1  # compressed: the scalars' deflated bytes (the rows' follow); -1: raw
    stored: int = 0  # the whole payload's bytes
    rows_raw: bool = True  # the parameter rows as they are (else XORed, shuffled, deflated)


def missing_message(path: Path) -> str:
    """Why a trace is not there, and what to do: a killed run leaves PATH.partial."""
    partial = path.with_name(path.name + ".partial")
    if not partial.is_file():
        return f"trace {path} does not exist; check the path (`gananim train SCENE -o TRACE` makes one)"
    if not stale(partial):
        return f"trace {path} is still being trained: {busy_message(partial)}"
    return (f"trace {path} does not exist, but {partial} does: its run was killed. Render what it holds "
            f"(`gananim render {partial}`) or continue it (`gananim train SCENE -o {path} --resume`)")


MAX_RUNS, MAX_PARAMS, MAX_SCALARS, MAX_DIM = 4096, 1 << 31, 1024, 1 << 20


def _count(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _units_ok(units, dim: int) -> bool:
    def number(v) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

    labels = units.get("labels", []) if isinstance(units, dict) else None
    return (isinstance(units, dict) and isinstance(units.get("offset"), list) and len(units["offset"]) == dim
            and all(number(v) for v in units["offset"]) and number(units.get("scale")) and units["scale"] > 0
            and isinstance(units.get("unit"), str) and len(units["unit"]) <= 16 and isinstance(labels, list)
            and len(labels) in (0, dim) and all(isinstance(v, str) and len(v) <= 200 for v in labels))


def check_meta(meta: dict) -> str:
    """The first metadata field whose type or range is wrong, described; "" when all are right."""
    if not isinstance(meta.get("gananim"), str) or not isinstance(meta.get("settings"), dict):
        return "'gananim' or 'settings' has the wrong type"
    if not _count(meta["runs"], 1, MAX_RUNS):
        return f"'runs' must be an integer from 1 to {MAX_RUNS}"
    if not _count(meta["n_params"], 1, MAX_PARAMS):
        return "'n_params' must be a positive integer"
    if not _count(meta["data_dim"], 1, MAX_DIM):
        return "'data_dim' must be a positive integer"
    scalars = meta["scalars"]
    if not (isinstance(scalars, list) and len(scalars) <= MAX_SCALARS and all(isinstance(s, str) for s in scalars)
            and len(set(scalars)) == len(scalars)):
        return "'scalars' must be a list of distinct names"
    nets = meta["nets"]
    if not isinstance(nets, dict):
        return "'nets' must be an object"
    if nets:  # a trace written by training describes both networks
        total = 0
        for key in ("g", "d"):
            net = nets.get(key)
            if not (isinstance(net, dict) and all(_count(net.get(k), 0, MAX_PARAMS) for k in ("offset", "n", "n_in", "n_out"))):
                return f"'nets.{key}' must give offset, n, n_in and n_out as counts"
            if net["offset"] != total:
                return f"'nets.{key}.offset' must be {total}"
            total += net["n"]
        packed = nets["d"]["n_in"] % meta["data_dim"] or nets["d"]["n_in"] // meta["data_dim"] > 16  # PacGAN: m ≤ 16
        if total != meta["n_params"] or packed or nets["g"]["n_out"] != meta["data_dim"]:
            return "'nets' does not match 'n_params' and 'data_dim'"
    seeds = meta.get("seeds", [0] * meta["runs"])
    if not (isinstance(seeds, list) and len(seeds) == meta["runs"] and all(_count(s, 0, 2 ** 63 - 1) for s in seeds)):
        return "'seeds' must list one non-negative integer per run"
    if "record_every" in meta and not _count(meta["record_every"], 1, 2 ** 62):
        return "'record_every' must be a positive integer"
    if "planned_steps" in meta and not _count(meta["planned_steps"], 1, 2 ** 62):
        return "'planned_steps' must be a positive integer"
    record = meta.get("record", {"mode": "full"})
    if not (isinstance(record, dict) and record.get("mode") in RECORD_MODES
            and (record["mode"] == "full" or _count(record.get("keyframe_every"), 1, 2 ** 62))):
        return "'record' must give a mode (keyframes or full) and, for keyframes, a positive keyframe_every"
    image = meta.get("image")
    if image is not None and not (isinstance(image, list) and len(image) == 2 and all(_count(v, 1, 4096) for v in image)
                                  and image[0] * image[1] == meta["data_dim"]):
        return "'image' must be [height, width] matching 'data_dim'"
    units = meta.get("data_units")
    if units is not None and not _units_ok(units, meta["data_dim"]):
        return "'data_units' must give a finite offset per data column, a positive finite scale and short text"
    for key in ("scene_file", "scene_var", "custom_source", "fingerprint", "target_about"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            return f"'{key}' must be text"
    return ""


class Trace:
    """A trace opened for reading. Arrays are read lazily: a frame reads only its rows."""

    # What replays a keyframe trace's steps: the training layer (gananim/training/replay.py)
    # sets it when it is imported, so this layer never imports training.
    replayer = None

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise GananimError(missing_message(self.path) if not self.path.exists() else f"{path} is not a file")
        self.file = open(self.path, "rb")
        self.size = os.fstat(self.file.fileno()).st_size
        self.arrays: dict[str, tuple[int, tuple[int, ...], str, int]] = {}
        self.chunks: list[_Chunk] = []
        self.states: list[ResumePoint] = []
        self.done: dict | None = None
        self.truncated = False
        # What makes the parameters of a keyframe trace's other steps (gananim/training/replay.py
        # attaches it): an object with rows(steps) -> [len(steps), runs, P] and ensure(lo, hi).
        self.replay = None
        self._inflated: dict[int, np.ndarray] = {}  # compressed chunks' rows, the last two read
        try:
            self._index()
            self._index_rows()
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
        if version < 1:
            raise self._corrupt(f"format version {version}")
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

    def _take(self, tag: bytes, info, offset: int, n_payload: int) -> None:
        if not isinstance(info, dict):
            raise self._corrupt(f"record at byte {offset} holds no JSON object")
        if tag == b"LOCK":
            if self.meta is not None or self.version < 2:
                raise self._corrupt("a lock record after the metadata")
            return
        if tag == b"META":
            if self.meta is not None:
                raise self._corrupt("two metadata records")
            for key in ("gananim", "settings", "runs", "scalars", "n_params", "nets", "data_dim"):
                if key not in info:
                    raise self._corrupt(f"metadata lacks {key!r}")
            problem = check_meta(info)  # before any record is read with it
            if problem:
                raise self._corrupt(f"metadata field {problem}")
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
                           [int(c) for c in info["row_crcs"]], stored=n_payload)
            runs, k, p = self.meta["runs"], len(self.meta["scalars"]), self.meta["n_params"]
            expected = 4 * runs * (chunk.scalar_rows * k + len(chunk.param_steps) * p)
            if "codec" in info:  # compressed: the sizes it inflates to are bounded, never trusted
                if info["codec"] != CODEC or not _count(info.get("scalars_stored"), 0, n_payload) \
                        or not 0 <= chunk.scalar_rows <= MAX_CHUNK_ROWS or len(chunk.param_steps) > chunk.scalar_rows + 1:
                    raise self._corrupt(f"chunk at byte {offset} is inconsistent")
                chunk.scalars_stored, expected = info["scalars_stored"], n_payload
                chunk.rows_raw = info.get("rows") == "raw"
                if chunk.rows_raw and n_payload != chunk.scalars_stored + 4 * runs * len(chunk.param_steps) * p:
                    raise self._corrupt(f"chunk at byte {offset} is inconsistent")
            previous_end = self.chunks[-1].scalar_start + self.chunks[-1].scalar_rows if self.chunks else 1
            previous_step = self._last_param_step()
            if expected != n_payload or len(chunk.row_crcs) != len(chunk.param_steps) \
                    or chunk.scalar_start != previous_end or chunk.scalar_rows < 0 \
                    or any(b <= a for a, b in zip([previous_step, *chunk.param_steps], chunk.param_steps)):
                raise self._corrupt(f"chunk at byte {offset} is inconsistent")
            self.chunks.append(chunk)
        elif tag == b"STAT":
            specs, size, stored = info["arrays"], 0, 0
            for spec in specs:
                shape = tuple(int(s) for s in spec["shape"])
                if spec["dtype"] not in DTYPES or any(s < 0 for s in shape) or spec.get("codec", CODEC) != CODEC:
                    raise self._corrupt(f"state at byte {offset} is inconsistent")
                size += int(np.prod(shape)) * np.dtype(spec["dtype"]).itemsize
                stored += int(spec["stored"]) if "codec" in spec else int(np.prod(shape)) * np.dtype(spec["dtype"]).itemsize
            # a state holds parameters, optimizer moments and random generators: never more than this
            runs = self.meta["runs"]
            limit = 64 * runs * self.meta["n_params"] + runs * (1 << 16) + (1 << 20)
            step = int(info["step"])
            if stored != n_payload or size > max(limit, n_payload) or step != self.steps or (self.states and step <= self.states[-1].step):
                raise self._corrupt(f"state at byte {offset} is inconsistent")
            self.states.append(ResumePoint(step, offset, offset + n_payload, specs, info))
        elif tag == b"DONE":
            self.done = info
        else:
            raise self._corrupt(f"unknown record {tag!r}")

    def _last_param_step(self) -> int:
        for chunk in reversed(self.chunks):
            if chunk.param_steps:
                return chunk.param_steps[-1]
        return -1

    def _index_rows(self) -> None:
        """The steps whose parameters can be had, in order: those the chunks hold or, in a
        keyframe trace, those a full trace would hold (step 0, every `record_every`-th and the
        last); any other step of a keyframe trace can be had too (`params`)."""
        self._rows = {s: (ci, ri) for ci, c in enumerate(self.chunks) for ri, s in enumerate(c.param_steps)}
        self._keyframes = {point.step: point for point in self.states} if self.keyframes else {}
        if self.keyframes:
            steps = list(range(0, self.steps + 1, self.meta.get("record_every", 1)))
            steps += [self.steps] if steps[-1] != self.steps else []
        else:
            steps = [s for c in self.chunks for s in c.param_steps]
        self.param_steps = np.asarray(steps, dtype=np.int64)

    @property
    def keyframes(self) -> bool:
        """A keyframe trace: every step's scalars, the training state at keyframes (see the top)."""
        return self.meta.get("record", {}).get("mode") == "keyframes"

    @property
    def keyframe_steps(self) -> list[int]:
        return list(self._keyframes)

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

    def _inflate(self, data: bytes, size: int, width: int, what: str) -> bytes:
        """Deflated, shuffled bytes back to `size` raw bytes; anything else is corruption (and
        never inflates past `size`)."""
        try:
            inflater = zlib.decompressobj()
            raw = inflater.decompress(data, size)
            complete = inflater.eof and not inflater.unconsumed_tail
        except zlib.error:
            complete, raw = False, b""
        if not complete or len(raw) != size or size % width:
            raise self._corrupt(f"{what} does not inflate to its size")
        return _unshuffle(raw, width) if size else raw

    def _chunk_rows(self, ci: int) -> np.ndarray:
        """A compressed chunk's parameter rows [m, runs, P], inflated once (the last few kept)."""
        if ci in self._inflated:
            return self._inflated[ci]
        chunk, runs, p = self.chunks[ci], self.meta["runs"], self.meta["n_params"]
        m = len(chunk.param_steps)
        data = self._read(chunk.offset + chunk.scalars_stored, chunk.stored - chunk.scalars_stored)
        what = f"parameters of steps {chunk.param_steps[0]}-{chunk.param_steps[-1]}" if m else "a chunk"
        bits = np.frombuffer(self._inflate(data, 4 * m * runs * p, 4, what), "<u4").reshape(m, -1)
        rows = np.bitwise_xor.accumulate(bits, axis=0).view("<f4").reshape(m, runs, p)
        if len(self._inflated) >= 2:
            self._inflated.pop(next(iter(self._inflated)))
        self._inflated[ci] = rows
        return rows

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
                size = 4 * runs * k * c.scalar_rows
                if c.scalars_stored < 0:
                    data = self._read(c.offset, size)
                else:
                    data = self._inflate(self._read(c.offset, c.scalars_stored), size, 4, f"scalars at byte {c.offset}")
                if _crc(data) != c.scalars_crc:
                    raise self._corrupt(f"scalars at byte {c.offset} fail their checksum")
                blocks.append(np.frombuffer(data, dtype="<f4").reshape(c.scalar_rows, runs, k))
            self._scalars = np.concatenate(blocks) if blocks else np.zeros((0, runs, k), np.float32)
        return self._scalars

    def scalar(self, name: str) -> np.ndarray:
        """One scalar over steps 1..steps, [steps, runs]."""
        return self.scalars()[:, :, self.scalar_names.index(name)]

    def params(self, steps) -> np.ndarray:
        """Parameter rows [len(steps), runs, n_params]: of recorded steps or, in a keyframe
        trace, of any step (keyframes are read, other steps replayed by `self.replay`)."""
        runs, p = self.meta["runs"], self.meta["n_params"]
        row_bytes = 4 * runs * p
        out = np.empty((len(steps), runs, p), np.float32)
        replayed = []
        for i, step in enumerate(steps):
            step = int(step)
            if step in self._keyframes:
                state = self.state(self._keyframes[step], ("params.g", "params.d"))
                row = np.concatenate([state.get("params.g", out[i, :, :0]), state.get("params.d", out[i, :, :0])], axis=-1)
                if row.shape != out[i].shape:
                    raise self._corrupt(f"the training state after step {step} does not fit its run "
                                        f"(parameters {row.shape}, expected {out[i].shape})")
                out[i] = row
                continue
            if step not in self._rows:
                if not (self.keyframes and 0 <= step <= self.steps):
                    raise GananimError(f"step {step} is not recorded in {self.path}")
                replayed.append(i)
                continue
            ci, ri = self._rows[step]
            chunk = self.chunks[ci]
            if not chunk.rows_raw:
                data = self._chunk_rows(ci)[ri].tobytes()
            else:
                scalars = chunk.scalars_stored if chunk.scalars_stored >= 0 else \
                    4 * runs * len(self.meta["scalars"]) * chunk.scalar_rows
                data = self._read(chunk.offset + scalars + ri * row_bytes, row_bytes)
            if _crc(data) != chunk.row_crcs[ri]:
                raise self._corrupt(f"parameters of step {step} fail their checksum")
            out[i] = np.frombuffer(data, dtype="<f4").reshape(runs, p)
        if replayed:
            if self.replay is None and Trace.replayer is not None:
                self.replay = Trace.replayer(self)
            if self.replay is None:
                raise GananimError(f"{self.path} keeps keyframes: the parameters of step {int(steps[replayed[0]])} "
                                   "come from replaying training, which gananim does when it opens the trace "
                                   "(gananim.load, or any gananim command)")
            out[replayed] = self.replay.rows([int(steps[i]) for i in replayed])
        return out

    def prefetch(self, first: int, last: int) -> None:
        """Make the parameters of steps first..last quick to read: a keyframe trace replays the
        segments between its keyframes that hold them (in parallel, cached); others hold them."""
        if self.keyframes and self.replay is None and Trace.replayer is not None:
            self.replay = Trace.replayer(self)
        if self.keyframes and self.replay is not None:
            self.replay.ensure(first, last)

    def resume_point(self) -> ResumePoint | None:
        """The last complete training state, or None."""
        return self.states[-1] if self.states else None

    def state(self, point: ResumePoint, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """The arrays of a state record (all, or those `names`), each checked against its CRC."""
        out, offset = {}, point.offset
        for spec in point.arrays:
            shape, dtype = tuple(int(s) for s in spec["shape"]), spec["dtype"]
            n = int(np.prod(shape)) * np.dtype(dtype).itemsize
            stored = int(spec["stored"]) if "codec" in spec else n
            if names is not None and spec["name"] not in names:
                offset += stored
                continue
            data = self._read(offset, stored)
            if "codec" in spec:
                data = self._inflate(data, n, np.dtype(dtype).itemsize, f"the training state after step {point.step}")
            if _crc(data) != int(spec["crc"]):
                raise self._corrupt(f"the training state after step {point.step} fails its checksum")
            out[str(spec["name"])] = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
            offset += stored
        return out

    def nearest_recorded(self, step: int) -> int:
        """`step` itself where its parameters can be had (any step of a keyframe trace), else
        the nearest recorded step."""
        if len(self.param_steps) == 0:
            raise GananimError(f"trace {self.path} holds no recorded parameters")
        if self.keyframes:
            return int(min(max(step, 0), self.steps))
        j = int(np.argmin(np.abs(self.param_steps - step)))
        return int(self.param_steps[j])

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> "Trace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
