"""Phase and failure detectors on synthetic traces whose phases are known."""
from __future__ import annotations

import numpy as np
import pytest

from gananim.analysis import phases
from gananim.analysis.frames import View
from gananim.config import scene as scene_mod
from gananim.config.networks import MLP
from gananim.trace import Trace, TraceWriter
from gananim.training.step import BASE_SCALARS

N = 2000


def synthetic(tmp_path, acc, g_loss, collapse_from=None, status="complete", collapsed_until=0):
    """A trace of a linear 2-D generator whose weights are zero (all samples at one point) before
    `collapsed_until` and from `collapse_from` on."""
    sc = scene_mod.Scene(name="synthetic", target="circle", g=MLP((), output="linear"), d=MLP((4,)), steps=N)
    meta = {"gananim": "test", "settings": sc.settings(), "runs": 1, "seeds": [0], "scalars": list(BASE_SCALARS),
            "n_params": 6 + 17, "data_dim": 2, "planned_steps": N, "record_every": 20,
            "nets": {"g": {"offset": 0, "n": 6, "n_in": 2, "n_out": 2, "describe": "2–2"},
                     "d": {"offset": 6, "n": 17, "n_in": 2, "n_out": 1, "describe": "2–4–1"}}}
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, size=(500, 2)).astype(np.float32)
    writer = TraceWriter(tmp_path / "s.trace", meta, {"real": real, "latents": rng.uniform(-1, 1, (200, 2))})
    scalars = np.zeros((N, 1, len(BASE_SCALARS)), np.float32)
    scalars[:, 0, 1] = g_loss
    scalars[:, 0, 2] = scalars[:, 0, 3] = acc
    steps = list(range(0, N + 1, 20))
    params = np.zeros((len(steps), 1, 23), np.float32)
    params[:, 0, [0, 3]] = 1.0  # G = identity on the latent square: spread like the data
    if collapse_from is not None:
        params[np.array(steps) >= collapse_from, 0, :4] = 0.0
    params[np.array(steps) < collapsed_until, 0, :4] = 0.0
    writer.chunk(1, scalars, steps, params)
    writer.finish(status, N)
    return Trace(tmp_path / "s.trace")


def kinds(trace) -> list[tuple[str, int, int]]:
    return [(e.kind, e.start, e.stop) for e in phases.detect(View(trace, (0, N), grid=8))]


def test_quiet_training_has_no_labels(tmp_path):
    with synthetic(tmp_path, np.full(N, 0.55), np.full(N, 0.7)) as trace:
        assert kinds(trace) == []


def test_d_overpowering_g(tmp_path):
    acc = np.full(N, 0.55)
    acc[800:1400] = 0.97
    g_loss = np.full(N, 0.7)
    g_loss[800:1400] = np.linspace(0.7, 4.0, 600)
    with synthetic(tmp_path, acc, g_loss) as trace:
        found = [k for k in kinds(trace) if k[0] == "d_wins"]
    assert len(found) == 1 and 800 <= found[0][1] <= 950 and 1300 <= found[0][2] <= 1450


def test_oscillation(tmp_path):
    g_loss = np.full(N, 0.7)
    t = np.arange(400)
    g_loss[1000:1400] = 0.7 + 0.5 * np.sin(2 * np.pi * t / 40)
    with synthetic(tmp_path, np.full(N, 0.55), g_loss) as trace:
        found = [k for k in kinds(trace) if k[0] == "oscillation"]
    assert len(found) == 1 and 990 <= found[0][1] <= 1060 and 1340 <= found[0][2] <= 1410


def test_mode_collapse(tmp_path):
    with synthetic(tmp_path, np.full(N, 0.55), np.full(N, 0.7), collapse_from=1500) as trace:
        found = [k for k in kinds(trace) if k[0] == "collapse"]
    assert len(found) == 1 and 1480 <= found[0][1] <= 1520 and found[0][2] == N


def test_divergence_and_captions(tmp_path):
    with synthetic(tmp_path, np.full(N, 0.55), np.full(N, 0.7), status="nan") as trace:
        events = phases.detect(View(trace, (0, N), grid=8))
    assert [(e.kind, e.start) for e in events] == [("divergence", N)]
    assert phases.caption(events, N) == f"diverged: NaN or inf after step {N}"
    assert phases.caption(events, N - 1) == ""


@pytest.mark.parametrize("window", [0.02, 0.1])
def test_thresholds_are_settings(tmp_path, window):
    acc = np.full(N, 0.55)
    acc[800:1400] = 0.85  # below the default 0.9
    g_loss = np.full(N, 0.7)
    g_loss[800:1400] = np.linspace(0.7, 4.0, 600)
    with synthetic(tmp_path, acc, g_loss) as trace:
        view = View(trace, (0, N), grid=8)
        assert not [e for e in phases.detect(view) if e.kind == "d_wins"]
        view.scene.detect.d_wins, view.scene.detect.window = 0.8, window
        assert [e for e in phases.detect(view) if e.kind == "d_wins"]


def test_a_generator_that_has_not_spread_yet_is_not_collapsing(tmp_path):
    """The untrained G's point-like start, then spreading out: no collapse label."""
    with synthetic(tmp_path, np.full(N, 0.55), np.full(N, 0.7), collapsed_until=600) as trace:
        assert [k for k in kinds(trace) if k[0] == "collapse"] == []
