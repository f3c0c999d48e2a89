"""Which torch device trains and draws: `--device auto|cpu|cuda|mps`.

Random numbers are always drawn on the CPU from each run's own generators and then moved, so a
seed means the same batches on every device; traces hold CPU float32 arrays whatever the device.
"""
from __future__ import annotations

import torch

from gananim.errors import GananimError

DEVICES = ("auto", "cpu", "cuda", "mps")


def _mps() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def resolve(name: str = "cpu") -> torch.device:
    """The device for `name`; auto picks a CUDA GPU, then Apple's MPS, then the CPU. Asking for a
    device torch cannot see is an error that says why."""
    if name not in DEVICES:
        raise GananimError(f"device must be one of {', '.join(DEVICES)}, got {name!r}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if _mps() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        build = "a CPU-only build" if torch.version.cuda is None else f"built for CUDA {torch.version.cuda}"
        raise GananimError(f"--device cuda: torch {torch.__version__} ({build}) sees no CUDA GPU here; "
                           "use --device cpu or auto")
    if name == "mps" and not _mps():
        raise GananimError("--device mps: torch sees no Apple GPU (MPS) here; use --device cpu or auto")
    return torch.device(name)
