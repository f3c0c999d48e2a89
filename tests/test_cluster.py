"""Sweeps on a Dask cluster: a real scheduler and worker processes, the local sweep's bytes,
a killed worker's task retried, and clear one-line refusals."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

distributed = pytest.importorskip("distributed", reason="the Dask extra is not installed: pip install 'gananim[dask]'")

from gananim import cluster  # noqa: E402
from gananim.config import scene_files, settings  # noqa: E402
from gananim.errors import GananimError  # noqa: E402
from gananim.sweep import plan  # noqa: E402

# --shard 1/1: train the whole grid and stop (rendering is local, the same as any sweep's)
GRID = ["sine", "--grid", "opt_d.lr=1e-3,1e-4", "--set", "g.widths=8", "--set", "d.widths=8", "--set", "batch=16",
        "--set", "record.bank=64", "--set", "record.latents=64", "--shard", "1/1"]


def _gananim(*args, cwd, timeout=300):
    return subprocess.run([sys.executable, "-m", "gananim", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env={**os.environ, "GANANIM_CACHE": str(cwd / "cache")})


@pytest.fixture(scope="module")
def scheduler():
    """A real Dask scheduler with two worker processes (each restarted by its nanny if killed)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def test_a_sweep_on_the_cluster_writes_the_local_sweeps_bytes(tmp_path, scheduler):
    on_cluster = _gananim("sweep", *GRID, "--set", "steps=40", "--cluster", scheduler.scheduler_address,
                          "-o", tmp_path / "c.gif", cwd=tmp_path)
    assert on_cluster.returncode == 0, on_cluster.stderr
    local = _gananim("sweep", *GRID, "--set", "steps=40", "--workers", "2", "-o", tmp_path / "l.gif", cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    traces = sorted((tmp_path / "c").glob("*.trace"))
    assert len(traces) == 2
    for trace in traces:
        assert trace.read_bytes() == (tmp_path / "l" / trace.name).read_bytes()
    again = _gananim("sweep", *GRID, "--set", "steps=40", "--cluster", scheduler.scheduler_address,
                     "-o", tmp_path / "c.gif", cwd=tmp_path)
    assert again.returncode == 0 and "reusing 2 of 2 traces" in again.stderr, again.stderr


def test_a_task_whose_worker_dies_is_retried_and_reported(tmp_path, scheduler):
    command = [sys.executable, "-m", "gananim", "sweep", *GRID, "--set", "steps=1500", "--cluster",
               scheduler.scheduler_address, "-o", str(tmp_path / "k.gif"), "-q"]
    sweep = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "GANANIM_CACHE": str(tmp_path / "cache")})
    attempts = tmp_path / "k" / cluster.ATTEMPTS
    deadline = time.time() + 120
    while time.time() < deadline:  # the first task to start: kill its worker mid-training
        started = [f for f in attempts.glob("*")] if attempts.is_dir() else []
        lines = started[0].read_text().split() if started else []
        if len(lines) >= 2:
            os.kill(int(lines[1]), signal.SIGKILL)
            break
        time.sleep(0.05)
    else:
        sweep.kill()
        pytest.fail("no task started")
    _, err = sweep.communicate(timeout=300)
    assert sweep.returncode == 0, err
    assert "was retried 1 time(s): its worker died" in err
    assert len(list((tmp_path / "k").glob("*.trace"))) == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_line_within_seconds(tmp_path):
    start = time.time()
    done = _gananim("sweep", *GRID, "--set", "steps=40", "--cluster", f"tcp://127.0.0.1:{_free_port()}",
                    "-o", tmp_path / "u.gif", cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "cannot reach the Dask scheduler" in lines[0], done.stderr
    assert time.time() - start < 30


def test_a_bad_cluster_spec_and_a_missing_extra_are_refused(tmp_path, monkeypatch):
    done = _gananim("sweep", *GRID, "--cluster", "slurm", "-o", tmp_path / "b.gif", cwd=tmp_path)
    assert done.returncode == 2 and "--cluster takes local, local:N or tcp://HOST:PORT" in done.stderr
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    with pytest.raises(GananimError, match=r"pip install 'gananim\[dask\]'"):
        cluster.require_dask()


def test_workers_of_another_version_are_refused_naming_both():
    cluster.check_versions({"tcp://a:1": "1.0", "tcp://b:2": "1.0"}, "1.0")
    with pytest.raises(GananimError, match="tcp://b:2: 0.9; here: 1.0"):
        cluster.check_versions({"tcp://a:1": "1.0", "tcp://b:2": "0.9"}, "1.0")


def test_a_worker_that_cannot_see_the_folder_says_so(tmp_path):
    scene = settings.apply(scene_files.load("sine"), ["steps=4"])
    point = plan(scene, [], tmp_path / "unseen")[0]
    with pytest.raises(GananimError, match="cannot see the sweep folder"):
        cluster.train_point(point, "sine.py", "off", cluster.__version__)
