"""Where D pushes G's samples: arrows −∇ₓ of G's loss at generated samples, over D's field.

Arrows are measured in fractions of each axis (the axes may differ in scale by orders of
magnitude) and keep one scale for the whole animation, so vanishing gradients (the saturating
minimax loss, a D that has won) show as arrows that shrink away.
"""
from __future__ import annotations

import numpy as np

from gananim.rendering.panels.base import THEMES
from gananim.rendering.panels.heatmaps import SampleField

ARROWS = 160


class Gradients(SampleField):
    title = "D's push on G's samples"

    def __init__(self, ax, view, theme=THEMES["light"]) -> None:
        super().__init__(ax, view, theme)
        self.image.set_alpha(0.7)
        from gananim.analysis.frames import FrameBlock
        self.span = np.array([np.ptp(view.xlim), np.ptp(view.ylim)])
        self.n = min(ARROWS, len(view.latents))
        picks = FrameBlock(view, view.spread_steps(12))
        _, push = picks.g_push(self.n)
        lengths = np.linalg.norm(push / self.span, axis=-1)
        typical = float(np.nanmedian(np.nanquantile(lengths.reshape(len(picks), -1), 0.9, axis=-1))) or 1.0
        self.scale = 0.09 / typical  # a typical long arrow spans 9% of the axes
        zeros = np.zeros(self.n)
        self.arrows = self.animate(ax.quiver(zeros, zeros, zeros, zeros,
                                             angles="xy", scale_units="xy", scale=1, color=self.theme.fake, width=0.004,
                                             headwidth=3.5, headlength=4, alpha=0.9))

    def update(self, block, k) -> None:
        super().update(block, k)
        x, push = block.g_push(self.n)
        x, push = x.reshape(-1, self.n, 2)[k], push.reshape(-1, self.n, 2)[k] * self.scale
        self.arrows.set_offsets(x)
        self.arrows.set_UVC(push[:, 0], push[:, 1])
