"""Make the data files the project ships: `python docs/pictures.py` writes scenes/heart.png
(the picture the heart scene learns) and scenes/moons.csv (the README's points-file example).

The heart is the classic parametric curve x = 16 sin³t, y = 13 cos t − 5 cos 2t − 2 cos 3t − cos 4t,
filled with a shade that runs from black at the top to 45% grey at the tip: a generator that
learns it must put about twice as many samples in the lobes as near the tip (density follows
darkness), which the animation shows.
"""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from PIL import Image  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIDE = 200  # pixels: a small file, and more detail than a 2-D GAN of toy size can learn


def heart(path: Path) -> None:
    t = np.linspace(0, 2 * np.pi, 400)
    x = 16 * np.sin(t) ** 3
    y = 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    fig = plt.figure(figsize=(1, 1), dpi=SIDE)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(-18, 18)
    ax.set_ylim(-19, 15)
    shade = np.linspace(0.45, 0.0, 256)[:, None] * np.ones((1, 2))  # grey level: 0 black (top) .. 0.45 (tip)
    image = ax.imshow(shade, cmap="gray", vmin=0, vmax=1, extent=(-18, 18, -18, 13), origin="lower",
                      aspect="auto", interpolation="bilinear")
    outline = PathPatch(MplPath(np.column_stack([x, y])), facecolor="none", edgecolor="none")
    ax.add_patch(outline)
    image.set_clip_path(outline)
    fig.canvas.draw()
    grey = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).convert("L")  # no alpha: density is darkness
    plt.close(fig)
    grey.save(path, optimize=True)


def moons(path: Path, n: int = 600) -> None:
    """Two interleaved half circles with a little noise (as scikit-learn's make_moons draws
    them), in centimetres of a made-up measurement: a points file with a header row."""
    rng = np.random.default_rng(0)
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t)) + rng.normal(0, 0.08, n)
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t)) + rng.normal(0, 0.08, n)
    with open(path, "w") as f:
        f.write("# two moons, drawn by docs/pictures.py\nwidth_cm,height_cm\n")
        f.writelines(f"{10 + 4 * a:.2f},{20 + 4 * b:.2f}\n" for a, b in zip(x, y))


def main() -> int:
    for name, make in (("heart.png", heart), ("moons.csv", moons)):
        make(ROOT / "scenes" / name)
        print(f"wrote scenes/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
