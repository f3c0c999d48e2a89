"""Make the README's pictures with the commands the README shows: `python docs/figures.py`.

Each picture is drawn from a trace kept in outputs/ (trained by the same command when it is
missing or stale: about a minute for the wing, eight for the mode-collapse slide's five runs,
four for the digits on 2 cores), so the pictures always show what those commands draw today.
`--only GROUP` makes one group (wing, own, collapse, digits).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLAPSE = ("ring8_hopping", "ring8_unrolled", "ring8_pacgan", "ring8_minibatch", "ring8")
FIGURES = {  # picture -> the gananim command that draws it (the README's captions quote them)
    "wing": [
        ("docs/wing.png", ["render", "wing", "-o", "outputs/wing.png"]),
        ("docs/wing_480.png", ["render", "outputs/wing.trace", "--size", "480x480", "-o", "outputs/wing_480.png"]),
        ("docs/wing_wide.png", ["render", "outputs/wing.trace", "--layout", "wide", "--size", "1280x720",
                                "-o", "outputs/wing_wide.png"]),
    ],
    "own": [
        ("docs/text_gan.png", ["render", "text_gan", "-o", "outputs/text_gan.png"]),
    ],
    "collapse": [  # the traces first (a still of each, trained when missing), then the slide
        *[(None, ["render", name, "-o", f"outputs/{name}.png"]) for name in COLLAPSE],
        ("docs/mode_collapse.png", ["compare", *[f"outputs/{name}.trace" for name in COLLAPSE],
                                    "--metric", "near_modes",
                                    "--title", "A GAN hopping between modes, and four cures tried (seed 0)",
                                    "-o", "outputs/mode_collapse.png"]),
    ],
    "digits": [
        ("docs/digits.png", ["render", "digits_dcgan", "--step", "4000", "-o", "outputs/digits.png"]),
    ],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(FIGURES), help="make one group of pictures")
    args = parser.parse_args()
    (ROOT / "outputs").mkdir(exist_ok=True)
    for group, figures in FIGURES.items():
        if args.only and group != args.only:
            continue
        for picture, command in figures:
            print("gananim " + " ".join(command), flush=True)
            done = subprocess.run([sys.executable, "-m", "gananim", *command], cwd=ROOT)
            if done.returncode:
                return done.returncode
            if picture:
                (ROOT / picture).write_bytes((ROOT / command[command.index("-o") + 1]).read_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
