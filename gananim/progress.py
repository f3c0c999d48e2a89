"""Progress bars and notes on stderr (rich), shared by training and rendering."""
from __future__ import annotations

import time
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

console = Console(stderr=True, highlight=False, soft_wrap=True)  # messages stay one line in logs
REFRESH_S = 0.2


def _progress(unit: str) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(bar_width=24), MofNCompleteColumn(),
                    TextColumn(f"{{task.fields[rate]}} {unit}/s"), TextColumn("ETA"), TimeRemainingColumn(),
                    TextColumn("{task.fields[extra]}"), console=console, transient=False)


class _Bar:
    """Updates the display at most every REFRESH_S, so the hot loop pays one clock read."""

    def __init__(self, progress: Progress | None, task, total: int) -> None:
        self.progress, self.task, self.total = progress, task, total
        self.start = self.last = time.perf_counter()

    def advance(self, done: int, scalars=None) -> None:
        """Show `done` and, for training, D's and G's loss (the mean over runs of a [runs, k]
        row, read only when the display refreshes)."""
        if self.progress is None:
            return
        now = time.perf_counter()
        if now - self.last < REFRESH_S and done != self.total:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        extra = "" if scalars is None else f"D {float(scalars[:, 0].mean()):.3f}  G {float(scalars[:, 1].mean()):.3f}"
        self.progress.update(self.task, completed=done, rate=f"{rate:,.0f}", extra=extra)


@contextmanager
def _bar(description: str, total: int, unit: str, show: bool):
    if not show:
        yield _Bar(None, None, total)
        return
    with _progress(unit) as progress:
        task = progress.add_task(description, total=total, rate="–", extra="")
        try:
            yield _Bar(progress, task, total)
        except BaseException:
            progress.live.transient = True  # a failed bar vanishes: the error is the one line left
            raise


def training_bar(name: str, total: int, show: bool = True, unit: str = "steps"):
    return _bar(f"training {name}", total, unit, show)


def render_bar(name: str, frames: int, show: bool = True):
    return _bar(f"rendering {name}", frames, "frames", show)


def replay_bar(name: str, steps: int, show: bool = True):
    return _bar(f"replaying {name}", steps, "steps", show)
