"""Panels for image scenes: samples from fixed codes, latent interpolation, the classes G draws
and its FID over the steps (Zhang's ANN lab report 4 and Yu's GAN tutorial)."""
from __future__ import annotations

import numpy as np

from gananim.analysis.digit_scores import SCORE_SAMPLES, SHARES, VANISHED
from gananim.analysis.frames import GRID_SIDE, IMAGE_CODES, INTERPOLATION_STEPS, INTERPOLATIONS
from gananim.rendering.panels.base import THEMES, Panel
from gananim.rendering.panels.curves import thin


def mosaic(images: np.ndarray, columns: int, gap: int = 1) -> np.ndarray:
    """Images [n, h, w] tiled row by row with `gap` pixels of the background value (-1) between."""
    n, h, w = images.shape
    rows = -(-n // columns)
    out = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), -1.0, dtype=np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = image
    return out


class _ImagePanel(Panel):
    @classmethod
    def unavailable(cls, view) -> str | None:
        if not view.image:
            return "needs an image scene (e.g. target 'digits')"
        if len(view.latents) < IMAGE_CODES:
            return f"needs at least {IMAGE_CODES} fixed latent codes (record.latents)"
        return None

    def _pixels(self, shape: tuple[int, int]):
        """An animated grey image filling the axes, white ink on black as in MNIST."""
        self.ax.set_axis_off()
        return self.animate(self.ax.imshow(np.full(shape, -1.0), cmap="gray", vmin=-1, vmax=1,
                                           interpolation="nearest", aspect="equal"))


class DigitGrid(_ImagePanel):
    """The images evolve from noise to digits; the line under them gives the step's scores."""

    title = f"G(z) for {GRID_SIDE ** 2} fixed codes"
    square = True
    bottom_in = 0.24  # no ticks: only the scores' line
    left_in = 0.2

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        self.image = self._pixels(mosaic(np.zeros((GRID_SIDE ** 2, *view.image)), GRID_SIDE).shape)
        self.scores = _recorded(view, ("fid", "classes"))
        self.score = self.animate(ax.text(0.0, -0.015, "", transform=ax.transAxes, ha="left", va="top",
                                          fontsize="small", color=theme.text))

    def update(self, block, k) -> None:
        self.image.set_data(mosaic(block.images[k][:GRID_SIDE ** 2], GRID_SIDE))
        fid, classes = self.scores[_row(int(block.steps[k]), len(self.scores))]
        self.score.set_text(f"FID {fid:.1f} · {classes:.0f} of 10 classes")


class Interpolation(_ImagePanel):
    title = "latent interpolation: (1 − t)·z₁ + t·z₂"

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        shape = mosaic(np.zeros((INTERPOLATIONS * INTERPOLATION_STEPS, *view.image)), INTERPOLATION_STEPS).shape
        self.image = self._pixels(shape)

    def update(self, block, k) -> None:
        strips = block.images[k][GRID_SIDE ** 2:]
        self.image.set_data(mosaic(strips, INTERPOLATION_STEPS, gap=2))


def _recorded(view, names) -> np.ndarray:
    """Recorded scores over steps 1.. for the drawn run (runs averaged): [steps, len(names)]."""
    return np.stack([view.series(name)[0] for name in names], axis=1)


def _row(step: int, count: int) -> int:
    """The scalar row of a step (step 0 shares step 1's, which holds the evaluation at step 0)."""
    return min(max(step, 1), count) - 1


class Classes(_ImagePanel):
    """The share of each digit among G's images, as judged by the classifier; a warning names
    the classes that have all but vanished (mode collapse, Zhang, ANN lab report 4)."""

    title = f"digits G draws ({SCORE_SAMPLES:,} samples)"

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        self.shares = 100 * _recorded(view, SHARES)
        ax.axhline(10, color=theme.muted, lw=0.9, ls="--")
        ax.text(9.45, 10.6, "uniform", ha="right", va="bottom", color=theme.muted, fontsize="small")
        ax.axhline(100 * VANISHED, color=theme.fake, lw=0.6, ls=":", alpha=0.7)
        self.bars = self.animate(*ax.bar(np.arange(10), np.zeros(10), color=theme.g_color, width=0.72))
        ax.set_xticks(np.arange(10))
        ax.set_xlim(-0.6, 9.6)
        ax.set_ylim(0, max(30.0, min(100.0, float(np.nanmax(self.shares[len(self.shares) // 10:], initial=0)) + 5)))
        ax.set_ylabel("share of samples (%)")
        ax.set_xlabel("class (by the digit classifier)")
        self.warning = self.animate(ax.text(0.99, 0.97, "", transform=ax.transAxes, ha="right", va="top",
                                            fontsize="small", fontweight="bold", color=theme.fake))

    def update(self, block, k) -> None:
        shares = self.shares[_row(int(block.steps[k]), len(self.shares))]
        for bar, share in zip(self.bars, shares):
            bar.set_height(share)
            bar.set_color(self.theme.g_color if share >= 100 * VANISHED else self.theme.fake)
        missing = [str(d) for d in range(10) if shares[d] < 100 * VANISHED]
        named = ", ".join(missing) if len(missing) <= 3 else f"{len(missing)} classes"  # short enough for 480 px
        self.warning.set_text(f"collapse: {named} missing" if 0 < len(missing) < 10 else "")


class Score(_ImagePanel):
    """The FID over the steps, with the number of classes G draws on the right axis (the
    sample grid's caption gives the current values)."""

    title = "FID (classifier features)"
    right_in = 0.55

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        values = _recorded(view, ("fid", "classes"))
        self.values = values
        steps = np.arange(1, len(values) + 1)
        lo, hi = view.span
        keep = (steps >= max(lo, 1)) & (steps <= hi)
        ax.plot(*thin(steps[keep], values[keep, 0]), color=theme.d_color, lw=1.5)
        ax.set_yscale("log")
        ax.set_xlim(lo, max(hi, lo + 1))
        ax.set_xlabel("step")
        ax.set_ylabel("FID", color=theme.d_color)
        self.twin = ax.twinx()
        self.twin.spines["top"].set_visible(False)
        self.twin.tick_params(colors=theme.g_color, length=3, labelsize="small")
        self.twin.plot(*thin(steps[keep], values[keep, 1]), color=theme.g_color, lw=1.0, drawstyle="steps-post")
        self.twin.set_ylim(0, 10.5)
        self.twin.set_yticks([0, 2, 4, 6, 8, 10])
        self.twin.set_ylabel("classes drawn", color=theme.g_color)
        self.cursor = self.animate(ax.axvline(lo, color=theme.muted, lw=0.9))
        self.dot = self.animate(ax.plot([], [], "o", color=theme.d_color, ms=4)[0])

    def update(self, block, k) -> None:
        step = int(block.steps[k])
        fid = float(self.values[_row(step, len(self.values)), 0])
        self.cursor.set_xdata([step, step])
        self.dot.set_data([step], [fid])
