"""Every gananim command the README shows runs as written, in order, with tiny step counts."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from gananim.cli import main

ROOT = Path(__file__).resolve().parents[1]
STEPS = 40  # every training the README asks for, cut to this many steps
SHARDS = 8  # the README's job array: --array=1-8


def readme_commands() -> list[str]:
    """The `gananim …` lines of the README's shell blocks, without their comments; synopsis
    lines with placeholders (SCENE, TRACE, …) are not commands."""
    commands, fenced = [], False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        line = re.split(r"\s{3,}|\s#", line.split("&& ")[-1])[0].strip()  # no comment, no synopsis text
        if fenced and line.startswith("gananim ") and \
                not re.search(r"\b[A-Z]{4,}\b", line.replace("$SLURM_ARRAY_TASK_ID", "")):
            commands.append(line)
    return commands


def tiny(line: str) -> list[list[str]]:
    """The command's arguments with training cut short (and a job array expanded)."""
    args = shlex.split(line)[1:]
    args = [str(ROOT / a) if a.startswith("scenes/") else a for a in args]
    args = [f"target={ROOT / a[7:]}" if a.startswith("target=scenes/") else a for a in args]
    command, source = args[0], args[1] if len(args) > 1 else ""
    trains = command in ("render", "train", "still", "sweep") and not source.endswith(".trace")
    if trains:
        args += ["--set", f"steps={STEPS}"]
    for flag in ("--step", "--steps"):
        if flag in args:  # steps beyond the shortened run: its last step
            i = args.index(flag) + 1
            args[i] = ",".join(str(min(int(s), STEPS)) for s in args[i].split(","))
    if command in ("render", "sweep") and any(a.endswith((".mp4", ".gif")) for a in args):
        args += ["--frames", "3"]
    if "$SLURM_ARRAY_TASK_ID/8" in args:
        i = args.index("$SLURM_ARRAY_TASK_ID/8")
        return [args[:i] + [f"{task}/{SHARDS}"] + args[i + 1:] for task in range(1, SHARDS + 1)]
    return [args]


def test_the_readme_shows_commands():
    commands = readme_commands()
    assert len(commands) >= 12 and "gananim render scenes/wing.py -o outputs/wing.mp4" in commands


def test_every_readme_command_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outputs").mkdir()  # as in the repository, where the README's commands run
    (tmp_path / "sweeps").mkdir()  # the README's job array writes there (it says to create folders first)
    for line in readme_commands():
        for args in tiny(line):
            code = main(args + (["-q"] if args[0] in ("render", "train", "still", "sweep") else []))
            err = capsys.readouterr().err
            assert code == 0, f"{line}\n{err}"


@pytest.mark.parametrize("line, expected", [
    ("gananim render wing --step 15000 -o outputs/wing.png",
     [["render", "wing", "--step", str(STEPS), "-o", "outputs/wing.png", "--set", f"steps={STEPS}"]]),
    ("gananim render outputs/wing.trace -o outputs/wing.gif", [["render", "outputs/wing.trace", "-o",
                                                               "outputs/wing.gif", "--frames", "3"]]),
])
def test_commands_are_shortened_not_changed(line, expected):
    assert tiny(line) == expected
