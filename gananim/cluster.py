"""Sweeps on a Dask cluster: each grid point (with its seeds) is one task that trains into the
sweep folder (`gananim sweep … --cluster local[:N] | tcp://HOST:PORT`).

Dask is an optional extra (`pip install 'gananim[dask]'`); nothing else imports this module.
The folder must be on storage every worker sees: the client writes a marker there first, and
a task that cannot find it fails at once, naming the worker and the folder. A task trains
into the worker's own temporary storage and moves the finished trace into place, so a task
retried after its worker died never meets that worker's lock or half-written file. Tasks
whose worker dies are rescheduled by Dask (up to its `allowed-failures`); a task's attempts
are logged beside the traces and the sweep reports retried points. Traces already in the
folder are reused by fingerprint, as in a local sweep.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path

from gananim.errors import GananimError
from gananim.progress import console, training_bar
from gananim.sweep import Point
from gananim.version import __version__

MARKER = ".gananim-sweep"  # written by the client: a worker that cannot see it cannot see the folder
ATTEMPTS = ".gananim-attempts"  # one line per start of a point's task
CONNECT_TIMEOUT_S = 5
INSTALL = "pip install 'gananim[dask]'"


def require_dask():
    try:
        import distributed
    except ImportError:
        raise GananimError(f"--cluster runs sweeps with Dask, which is not installed: {INSTALL}") from None
    return distributed


def train_point(point: Point, scene_file: str, compile_mode: str, version: str) -> tuple[int, str, str]:
    """A Dask task: train one grid point into the sweep folder. Returns (index, status, message)."""
    from gananim.training.loop import train

    host = socket.gethostname()
    if __version__ != version:
        raise GananimError(f"worker {host} runs gananim {__version__}, the sweep gananim {version}: install the same "
                           "version everywhere")
    folder = point.trace.parent
    if not (folder / MARKER).is_file():
        raise GananimError(f"worker {host} cannot see the sweep folder {folder}: put it on storage every worker "
                           "sees (the same path on each), or run the sweep where the workers are")
    with open(folder / ATTEMPTS / f"{point.index:04d}", "a") as log:
        log.write(f"{host} {os.getpid()} {time.time():.0f}\n")
    with tempfile.TemporaryDirectory(prefix="gananim-") as local:
        trace = Path(local) / point.trace.name
        result = train(point.scene, trace, scene_file=scene_file, show_progress=False, compile=compile_mode)
        if trace.exists():  # into place atomically, even across file systems
            staged = point.trace.with_name(f".{point.trace.name}.{host}.{os.getpid()}")
            shutil.copyfile(trace, staged)
            os.replace(staged, point.trace)
    return point.index, result.status, result.message


def parse(spec: str) -> tuple[str, int | str]:
    """`local` or `local:N` (N worker processes; default: one per core) or `tcp://HOST:PORT`."""
    match = re.fullmatch(r"local(?::(\d+))?", spec)
    if match:
        workers = int(match[1] or os.cpu_count() or 1)
        if not 1 <= workers <= 1024:
            raise GananimError(f"--cluster local:N takes 1 to 1024 workers, got {workers}")
        return "local", workers
    if re.fullmatch(r"(tcp|tls)://[^\s/:]+:\d+", spec):
        return "address", spec
    raise GananimError(f"--cluster takes local, local:N or tcp://HOST:PORT (a running Dask scheduler), got {spec!r}")


def _connect(spec: str):
    """A Dask client for the --cluster spec (a LocalCluster started here, or a running scheduler)."""
    distributed = require_dask()
    kind, value = parse(spec)
    if kind == "local":
        cluster = distributed.LocalCluster(n_workers=value, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
        return distributed.Client(cluster), cluster
    try:
        client = distributed.Client(value, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError) as exc:
        raise GananimError(f"cannot reach the Dask scheduler at {value} within {CONNECT_TIMEOUT_S} s "
                           f"({type(exc).__name__}); is `dask scheduler` running there?") from None
    return client, None


def check_versions(found: dict[str, str], version: str = __version__) -> None:
    """Refuse workers that run another gananim (`found`: worker address → its version)."""
    other = {address: v for address, v in found.items() if v != version}
    if other:
        address, theirs = next(iter(other.items()))
        raise GananimError(f"{len(other)} of {len(found)} Dask workers run another gananim ({address}: {theirs}; "
                           f"here: {version}); install the same version everywhere")


def _worker_version() -> str:
    try:
        from gananim.version import __version__ as theirs
    except ImportError:
        return "none (gananim is not installed)"
    return theirs


def train_points(points: list[Point], scene_file: str, spec: str, show_progress: bool,
                 compile_mode: str = "auto") -> int:
    """Train the points whose traces are missing or stale as Dask tasks; returns how many."""
    from gananim.training.loop import reusable

    todo = [p for p in points if not reusable(p.trace, p.scene)]
    if len(todo) < len(points):
        console.print(f"reusing {len(points) - len(todo)} of {len(points)} traces (same scene and settings)")
    if not todo:
        return 0
    distributed = require_dask()
    client, cluster = _connect(spec)
    results, futures = [], []
    try:
        if cluster is None:
            check_versions(client.run(_worker_version))
        folder = todo[0].trace.parent
        (folder / MARKER).write_text("a gananim sweep folder: Dask workers check that they see it\n")
        attempts = folder / ATTEMPTS
        shutil.rmtree(attempts, ignore_errors=True)
        attempts.mkdir()
        futures = [client.submit(train_point, p, scene_file, compile_mode, __version__, key=f"gananim-{p.index}-"
                                 f"{p.trace.name}", pure=False) for p in todo]
        with training_bar(f"sweep on {spec}: {len(todo)} runs", len(todo), show_progress, unit="runs") as bar:
            for done, future in enumerate(distributed.as_completed(futures), 1):
                try:
                    results.append(future.result())
                except GananimError:
                    raise
                except Exception as exc:  # a worker's failure, e.g. KilledWorker after repeated deaths
                    raise GananimError(f"a sweep task failed on the cluster: {type(exc).__name__}: "
                                       f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
                bar.advance(done)
    except KeyboardInterrupt:
        client.cancel(futures)
        finished = len(points) - len(todo) + sum(status == "complete" for _, status, _ in results)
        console.print(f"sweep interrupted: pending tasks cancelled; {finished} of {len(points)} runs are complete; "
                      "run the same command again to train the rest")
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    retried = {int(f.name): len(f.read_text().splitlines()) - 1 for f in attempts.iterdir()}
    for index, again in sorted(retried.items()):
        if again:
            console.print(f"[yellow]note:[/] grid point {index} was retried {again} time(s): its worker died")
    for index, status, message in results:
        if status != "complete":
            console.print(f"[yellow]warning:[/] grid point {index}: {message}")
    return len(todo)
