"""Work split over forked processes, with one progress count and one-line failures.

Forking shares what the parent already built (open traces, a compiled training step) without
re-importing or pickling anything; each child gets one torch thread, since its siblings have
the other cores. Rendering and replay both use it.
"""
from __future__ import annotations

import multiprocessing
import time
from typing import Callable

import torch

from gananim.errors import GananimError

Job = Callable[[Callable[[int], None]], None]  # job(advance): advance(n) adds n units done


def run_forked(jobs: list[Job], bar, what: str) -> None:
    """Run each job in its own forked process, showing the units done on `bar`; the first
    failure is raised as one GananimError ("a `what` process failed" when it left no message)."""
    context = multiprocessing.get_context("fork")
    done, errors = context.Value("q", 0), context.Queue()

    def advance(units: int) -> None:
        with done.get_lock():
            done.value += units

    def child(job: Job) -> None:
        torch.set_num_threads(1)
        try:
            job(advance)
        except BaseException as exc:  # reported by the parent, which owns the terminal and the exit status
            errors.put(str(exc) if isinstance(exc, GananimError) else f"{type(exc).__name__}: {exc}")
            raise SystemExit(1) from None

    processes = [context.Process(target=child, args=(job,)) for job in jobs]
    try:
        for process in processes:
            process.start()
        while any(process.is_alive() for process in processes):
            time.sleep(0.1)
            bar.advance(done.value)
    except BaseException:
        for process in processes:
            process.terminate()
        raise
    finally:
        for process in processes:
            process.join()
    if any(process.exitcode != 0 for process in processes):
        raise GananimError(errors.get() if not errors.empty() else f"a {what} process failed")
    bar.advance(done.value)
