"""The naive way, written the way blog posts do it: the baseline every benchmark compares against.

Training: nn.Sequential networks, separate D passes over real and fake batches, Adam as it
comes, losses logged with .item() every step, nothing recorded. Rendering: for every frame,
clear all four panels and plot them again (loss curves, samples, D(G(z)) on a 100×100 latent
grid, D(x) on a 100×100 sample grid with the samples), then save through matplotlib's
FuncAnimation and its ffmpeg writer. The networks, batch, grids and frame size are the same
as gananim's.
"""
from __future__ import annotations

import imageio_ffmpeg
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from matplotlib.animation import FFMpegWriter, FuncAnimation  # noqa: E402
from torch import nn  # noqa: E402

from gananim.data import targets  # noqa: E402
from gananim.model.mlp import Network  # noqa: E402
from gananim.trace import Trace  # noqa: E402

matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()


def naive_train(scene, steps: int) -> float:
    """Train the scene's networks the textbook way; returns steps per second."""
    import time
    torch.manual_seed(scene.seed)
    target = targets.resolve(scene.target)
    g_net = Network(scene.g, scene.latent.dim, 2)
    d_net = Network(scene.d, 2, 1)
    G = g_net.to_module(g_net.init(torch.Generator().manual_seed(1)))
    D = d_net.to_module(d_net.init(torch.Generator().manual_seed(2)))
    opt_g = torch.optim.Adam(G.parameters(), lr=scene.opt_g.lr, betas=scene.opt_g.betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=scene.opt_d.lr, betas=scene.opt_d.betas)
    bce = nn.BCEWithLogitsLoss()
    gen = torch.Generator().manual_seed(0)
    b = scene.batch
    ones, zeros = torch.ones(b, 1), torch.zeros(b, 1)
    log = []
    start = time.perf_counter()
    for _ in range(steps):
        real = targets.draw(target, b, gen)
        z = torch.rand(b, scene.latent.dim, generator=gen) * 2 - 1
        opt_d.zero_grad()
        d_loss = bce(D(real), ones) + bce(D(G(z).detach()), zeros)
        d_loss.backward()
        opt_d.step()
        z = torch.rand(b, scene.latent.dim, generator=gen) * 2 - 1
        opt_g.zero_grad()
        g_loss = bce(D(G(z)), ones)
        g_loss.backward()
        opt_g.step()
        log.append((d_loss.item(), g_loss.item()))
    return steps / (time.perf_counter() - start)


def naive_render(trace_path: str, out: str, steps: np.ndarray, size: int = 720, grid: int = 100) -> None:
    """Clear and re-plot everything for every frame; FuncAnimation.save with the ffmpeg writer."""
    trace = Trace(trace_path)
    s, nets = trace.settings, trace.meta["nets"]
    from gananim.config.scene import from_settings
    scene = from_settings(s)
    g_net = Network(scene.g, nets["g"]["n_in"], nets["g"]["n_out"])
    d_net = Network(scene.d, nets["d"]["n_in"], nets["d"]["n_out"])
    real, latents = trace.array("real"), torch.from_numpy(trace.array("latents"))
    d_loss, g_loss = trace.scalar("d_loss")[:, 0], trace.scalar("g_loss")[:, 0]
    xlim, ylim, zlim = s["render"]["xlim"] or (-1, 1), s["render"]["ylim"] or (-1, 1), (-1, 1)
    xs, ys = np.linspace(*xlim, grid), np.linspace(*ylim, grid)
    xx, yy = np.meshgrid(xs, ys)
    sample_grid = torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=torch.float32)
    zz1, zz2 = np.meshgrid(np.linspace(*zlim, grid), np.linspace(*zlim, grid))
    latent_grid = torch.tensor(np.stack([zz1.ravel(), zz2.ravel()], 1), dtype=torch.float32)
    fig, axes = plt.subplots(2, 2, figsize=(size / 100, size / 100), dpi=100)

    def update(i):
        step = int(steps[i])
        flat = torch.from_numpy(trace.params([step])[0, 0])
        G = g_net.to_module(flat[:nets["g"]["n"]])
        D = d_net.to_module(flat[nets["g"]["n"]:])
        for ax in axes.flat:
            ax.clear()
        with torch.no_grad():
            fake = G(latents).numpy()
            field = torch.sigmoid(D(sample_grid)).reshape(grid, grid).numpy()
            latent_field = torch.sigmoid(D(G(latent_grid))).reshape(grid, grid).numpy()
        axes[0, 0].plot(d_loss[:max(step, 1)], label="D loss")
        axes[0, 0].plot(g_loss[:max(step, 1)], label="G loss")
        axes[0, 0].legend(loc="upper right")  # "best" would search 20,000-point curves each frame
        axes[0, 0].set_title(f"step {step}")
        axes[0, 1].scatter(real[:, 0], real[:, 1], s=2, c="blue")
        axes[0, 1].scatter(fake[:, 0], fake[:, 1], s=2, c="red")
        axes[1, 0].imshow(latent_field, origin="lower", extent=(*zlim, *zlim), cmap="RdBu", vmin=0, vmax=1)
        axes[1, 1].imshow(field, origin="lower", extent=(*xlim, *ylim), cmap="RdBu", vmin=0, vmax=1)
        axes[1, 1].scatter(real[:, 0], real[:, 1], s=1, c="blue")
        axes[1, 1].scatter(fake[:, 0], fake[:, 1], s=1, c="red")

    anim = FuncAnimation(fig, update, frames=len(steps))
    anim.save(out, writer=FFMpegWriter(fps=20))
    plt.close(fig)
    trace.close()


def naive_fields(trace, steps, grid: int) -> None:
    """Both heat maps of each step the naive way: nn.Sequential in float32 at the full grid
    (D over the sample plane, D(G(z)) over the latent plane), nothing drawn."""
    from gananim.config.scene import from_settings
    nets = trace.meta["nets"]
    scene = from_settings(trace.settings)
    g_net = Network(scene.g, nets["g"]["n_in"], nets["g"]["n_out"])
    d_net = Network(scene.d, nets["d"]["n_in"], nets["d"]["n_out"])
    axis = torch.linspace(-1, 1, grid)
    yy, xx = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([xx.reshape(-1), yy.reshape(-1)], 1)
    for step in steps:
        flat = torch.from_numpy(trace.params([int(step)])[0, 0])
        G, D = g_net.to_module(flat[:nets["g"]["n"]]), d_net.to_module(flat[nets["g"]["n"]:])
        with torch.no_grad():
            torch.sigmoid(D(points)).reshape(grid, grid).numpy()
            torch.sigmoid(D(G(points))).reshape(grid, grid).numpy()
