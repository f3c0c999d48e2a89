"""Phase and failure labels, detected from a trace (thresholds: scene.Detect, keys `detect.*`).

Each judgement looks at windows of `detect.window` of the run (at least 50 steps):
- D overpowering G: D's accuracy (mean of real and fake), smoothed over a window, stays above
  `detect.d_wins` while G's smoothed loss is higher than a window earlier.
- Oscillation: G's loss, lightly smoothed, swings up and down by more than `detect.oscillation`
  of its typical level at least 3 times within a window.
- Mode collapse: at up to 100 recorded steps, the spread (standard deviation, averaged over
  dimensions) of 2,500 generated samples drops below `detect.collapse` of the real data's
  after having been at least twice that; for mixtures of Gaussians, also when the modes
  covered drop below half after at least three quarters were covered; for images, when the
  classes G draws (recorded while training) do. A generator that has not yet spread out is
  not collapsing.
- Divergence: training stopped on NaN or inf (the trace's status).
Each label spans the steps where its condition holds; labels shorter than a window are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gananim.analysis.metrics import mode_stats
from gananim.analysis.series import smooth

KINDS = {"d_wins": ("D overpowering G", "#7b3294"), "oscillation": ("oscillation", "#e08214"),
         "collapse": ("mode collapse", "#b2182b"), "divergence": ("diverged", "#000000")}


@dataclass(frozen=True)
class Event:
    kind: str
    start: int
    stop: int
    text: str


def _runs(mask: np.ndarray, steps: np.ndarray, min_len: int) -> list[tuple[int, int]]:
    """[start, stop] step intervals where mask holds for at least min_len steps."""
    out, start = [], None
    for i, on in enumerate(np.append(mask, False)):
        if on and start is None:
            start = i
        elif not on and start is not None:
            if steps[i - 1] - steps[start] + 1 >= min_len:
                out.append((int(steps[start]), int(steps[i - 1])))
            start = None
    return out


def d_overpowers(acc: np.ndarray, g_loss: np.ndarray, window: int, threshold: float) -> np.ndarray:
    acc_s, loss_s = smooth(acc, window), smooth(g_loss, window)
    rising = np.zeros_like(loss_s, dtype=bool)
    rising[window:] = loss_s[window:] > loss_s[:-window]
    return (acc_s > threshold) & rising


def oscillating(g_loss: np.ndarray, window: int, threshold: float) -> np.ndarray:
    s = smooth(g_loss, max(1, window // 10))
    level = np.median(np.abs(s)) or 1.0
    turns = np.nonzero(np.diff(np.sign(np.diff(s))) != 0)[0] + 1
    mask = np.zeros(len(s), dtype=bool)
    if len(turns) < 2:
        return mask
    big = np.abs(np.diff(s[turns])) > threshold * level  # swing between successive turning points
    ends = turns[1:][big]
    for i in range(len(ends) - 2):
        if ends[i + 2] - ends[i] <= window:
            mask[ends[i]:ends[i + 2] + 1] = True
    return mask


def detect(view) -> list[Event]:
    """Every label for the trace behind `view`, over its span."""
    trace, d = view.trace, view.scene.detect
    events: list[Event] = []
    n = trace.steps
    if n:
        window = max(50, int(d.window * n))
        steps = np.arange(1, n + 1)
        acc = 0.5 * (view.series("d_acc_real")[0] + view.series("d_acc_fake")[0])
        g_loss = view.series("g_loss")[0]
        for start, stop in _runs(d_overpowers(acc, g_loss, window, d.d_wins), steps, window):
            events.append(Event("d_wins", start, stop, "D overpowering G: its accuracy is high and G's loss climbs"))
        for start, stop in _runs(oscillating(g_loss, window, d.oscillation), steps, window):
            events.append(Event("oscillation", start, stop, "oscillation: the losses swing back and forth"))
    events += _collapse(view)
    if trace.status == "nan":
        last = int(trace.done.get("steps", n))
        events.append(Event("divergence", last, last, f"diverged: NaN or inf after step {last}"))
    return [e for e in events if e.stop >= view.span[0] and e.start <= view.span[1]]


def _collapse(view) -> list[Event]:
    picks = view.spread_steps(100)
    if len(picks) < 2:
        return []
    if view.image:
        return _vanished_classes(view, picks)
    real_spread = float(view.real.std(axis=0).mean())
    if real_spread < 1e-9:  # the data are a single point (PointGAN): converging to it is success
        return []
    threshold = view.scene.detect.collapse
    n_modes = len(view.modes[0]) if view.modes is not None else 0
    collapsed, reasons, widest, most = [], [], 0.0, 0.0
    for start in range(0, len(picks), 50):
        block = view.block(picks[start:start + 50])
        for fakes in block.metric_fakes:
            spread = float(fakes.std(axis=0).mean()) / real_spread
            modes = mode_stats(fakes, *view.modes)["modes"] if n_modes else 0.0
            widest, most = max(widest, spread), max(most, modes)
            narrow = spread < threshold and widest >= 2 * threshold
            few_modes = bool(n_modes) and modes < 0.5 * n_modes and most >= 0.75 * n_modes
            collapsed.append(bool(narrow or few_modes))
            reasons.append(f"{modes:.0f} of {n_modes} modes covered" if few_modes
                           else f"spread {spread:.0%} of the data's")
    events = []
    for start, stop in _runs(np.array(collapsed), picks, 1):
        i = int(np.searchsorted(picks, start))
        events.append(Event("collapse", start, stop, f"mode collapse: {reasons[i]}"))
    return events


def _vanished_classes(view, picks: np.ndarray) -> list[Event]:
    """Images: the classes G draws (recorded while training) fall below half after at least
    three quarters of the ten were drawn."""
    classes = view.series("classes")[0]
    drawn = classes[np.clip(picks, 1, len(classes)) - 1]
    collapsed = (drawn < 5) & (np.maximum.accumulate(drawn) >= 7.5)
    return [Event("collapse", start, stop, f"mode collapse: {drawn[int(np.searchsorted(picks, start))]:.0f} of 10 "
                  "classes drawn") for start, stop in _runs(collapsed, picks, 1)]


def caption(events: list[Event], step: int) -> str:
    """The labels active at a step, for the frame's caption."""
    return "   ·   ".join(e.text for e in events if e.start <= step <= e.stop)
