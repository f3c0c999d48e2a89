"""One training iteration — D's updates, then G's — for every run at once.

Runs (seeds) train together along a leading dimension: parameters are [runs, P], batches
[runs, batch, dim], losses are kept per run and summed for one backward pass, and the
optimizers work element by element, so runs never mix. Each run draws its random numbers
from its own streams in the order a single run would, so run r of a multi-seed trace is the
single run with seed r.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch

from gananim.config.scene import Optim
from gananim.data import targets
from gananim.data.latents import sample_latent
from gananim.training import tricks as tr

BASE_SCALARS = ("d_loss", "g_loss", "d_acc_real", "d_acc_fake", "d_real", "d_fake", "d_grad_norm", "g_grad_norm")


FUSED = {"fused": True} if tuple(int(v) for v in torch.__version__.split(".")[:2]) >= (2, 4) else {}


def make_optimizer(flat: torch.Tensor, opt: Optim) -> torch.optim.Optimizer:
    """One optimizer over one flat tensor; fused into a single kernel where torch has it (≥ 2.4)."""
    if opt.name == "adam":
        return torch.optim.Adam([flat], lr=opt.lr, betas=opt.betas, eps=opt.eps, weight_decay=opt.weight_decay,
                                **FUSED)
    if opt.name == "rmsprop":
        return torch.optim.RMSprop([flat], lr=opt.lr, alpha=opt.alpha, eps=opt.eps,
                                   momentum=opt.momentum, weight_decay=opt.weight_decay)
    return torch.optim.SGD([flat], lr=opt.lr, momentum=opt.momentum, weight_decay=opt.weight_decay, **FUSED)


def bind(net, flat: torch.Tensor):
    """Leaf tensors that are views of `flat`, whose gradients are views of one flat buffer.

    The forward pass uses the leaves, so autograd sees ordinary parameters (no slicing nodes);
    backward accumulates straight into the flat gradient, which the optimizer steps in one go,
    and updating `flat` updates every leaf. A single run binds views without the run dimension,
    so its layers are plain matrix products."""
    flat.grad = torch.zeros_like(flat)
    single = len(flat) == 1
    weights = net.unflatten(flat.detach()[0] if single else flat.detach())
    grads = net.unflatten(flat.grad[0] if single else flat.grad)
    for leaf, grad in zip(weights.leaves(), grads.leaves()):
        leaf.requires_grad_(True)
        leaf.grad = grad
    return weights


# Views of a [runs, P] buffer are not dense for runs > 1; torch warns that this "may impair
# performance", but measured, it is the fastest layout here and the values are exact.
warnings.filterwarnings("ignore", message="grad and param do not obey the gradient layout contract")


STREAMS = ("init_g", "init_d", "data", "bank")


def generators(seed: int) -> dict[str, torch.Generator]:
    """A run's independent random streams, so changing the bank size does not change training."""
    states = np.random.SeedSequence(seed).generate_state(len(STREAMS), dtype=np.uint64)
    return {n: torch.Generator().manual_seed(int(s) >> 1) for n, s in zip(STREAMS, states)}


class Runs:
    """The random streams of every run, drawn on the CPU and moved to the training device."""

    def __init__(self, seeds, device: torch.device = torch.device("cpu")) -> None:
        self.seeds = tuple(seeds)
        self.gens = [generators(s) for s in self.seeds]
        self.device = device

    def draw(self, stream: str, fn) -> torch.Tensor:
        """fn(generator) for each run's `stream`, stacked along a leading run dimension."""
        if len(self.gens) == 1:
            drawn = fn(self.gens[0][stream]).unsqueeze(0)
        else:
            drawn = torch.stack([fn(g[stream]) for g in self.gens])
        return drawn.to(self.device, non_blocking=True)


def scalar_names(setup) -> tuple[str, ...]:
    names = BASE_SCALARS
    if setup.objective.estimate:
        names += ("estimate",)
    if setup.objective.penalty == "gp":
        names += ("gp", "gp_grad_norm")
    return names


class Step:
    """Holds both networks' parameters and optimizers and performs training iterations."""

    def __init__(self, setup, runs: Runs) -> None:
        s = self.scene = setup.scene
        self.setup, self.runs, self.obj, self.t = setup, runs, setup.objective, s.tricks
        self.g, self.d = setup.g, setup.d
        self.flat_g = runs.draw("init_g", self.g.init).requires_grad_(True)
        self.flat_d = runs.draw("init_d", self.d.init).requires_grad_(True)
        for net in (self.g, self.d):  # a module's buffers (BatchNorm statistics) live with its parameters
            if isinstance(getattr(net, "module", None), torch.nn.Module):
                net.module.to(runs.device)
        self.wg, self.wd = bind(self.g, self.flat_g), bind(self.d, self.flat_d)
        self.opt_g, self.opt_d = make_optimizer(self.flat_g, s.opt_g), make_optimizer(self.flat_d, s.opt_d)
        self.names = scalar_names(setup)
        self.separate_d_passes = self.d.mixes_batch  # real and generated batches must not mix
        self.single = len(runs.seeds) == 1

    def _real(self, n: int) -> torch.Tensor:
        return self.runs.draw("data", lambda g: targets.draw(self.setup.target, n, g))

    def _latent(self, n: int) -> torch.Tensor:
        return self.runs.draw("data", lambda g: sample_latent(self.scene.latent, n, g))

    def _noisy(self, x: torch.Tensor, sigma: float) -> torch.Tensor:
        if not sigma:
            return x
        return x + sigma * self.runs.draw("data", lambda g: torch.randn(x.shape[1:], generator=g))

    def _forward(self, net, weights, x: torch.Tensor, **kw) -> torch.Tensor:
        """A network on [runs, N, dim] inputs (a single run's views have no run dimension)."""
        if self.single:
            return net.forward(weights, x[0], **kw)[None]
        return net.forward(weights, x, **kw)

    def _d(self, x: torch.Tensor, **kw) -> torch.Tensor:
        return self._forward(self.d, self.wd, self._packed(x), **kw)

    def _packed(self, x: torch.Tensor) -> torch.Tensor:
        """PacGAN: m consecutive samples side by side, [runs, n, dim] -> [runs, n / m, m·dim]."""
        m = self.t.pack
        return x if m == 1 else x.reshape(x.shape[0], x.shape[1] // m, m * x.shape[2])

    def _update(self, flat, weights, opt, loss) -> torch.Tensor:
        """One optimizer step on `loss`; returns each run's gradient norm before clipping."""
        flat.grad.zero_()
        torch.autograd.backward(loss.sum(), inputs=weights.leaves())
        norm = flat.grad.norm(dim=-1)
        tr.clip_grad_(flat.grad, norm, self.t.grad_clip)
        opt.step()
        return norm

    def d_update(self, sigma: float) -> dict[str, torch.Tensor]:
        t, b = self.t, self.scene.batch
        real, z = self._real(b * t.pack), self._latent(b * t.pack)  # a batch of b packs of m samples
        with torch.no_grad():
            if t.param_noise:  # PointGAN: D trains against noisy copies of G, averaged
                k = t.param_noise_batch
                noise = self.runs.draw("data", lambda g: torch.randn(k, self.g.n_params, generator=g))
                fake = self.g.forward(self.flat_g[:, None] + t.param_noise * noise, z[:, None]).flatten(1, 2)
            else:
                fake = self._forward(self.g, self.wg, z)
        real_in, fake_in = self._noisy(real, sigma), self._noisy(fake, sigma)
        if self.separate_d_passes:
            out_real, out_fake = self._d(real_in), self._d(fake_in)
        else:  # one D pass over both halves (packs never straddle them: b·m samples each)
            out = self._d(torch.cat([real_in, fake_in], dim=1))
            out_real, out_fake = out[:, :b], out[:, b:]
        real_term, fake_term = self.obj.real_term(out_real, t.real_label), self.obj.fake_term(out_fake, t.fake_label)
        loss = (real_term if t.real_weight == 1 else t.real_weight * real_term) + \
            (fake_term if t.fake_weight == 1 else t.fake_weight * fake_term)
        extra = {}
        if self.obj.penalty == "gp":
            eps = self.runs.draw("data", lambda g: torch.rand(b, 1, generator=g))
            extra["gp"], extra["gp_grad_norm"] = tr.gradient_penalty(
                lambda x: self._forward(self.d, self.wd, x), self._packed(real_in),
                self._packed(fake_in[:, :b * t.pack]), eps, t.gp_lambda)
            loss = loss + extra["gp"]
        grad_norm = self._update(self.flat_d, self.wd, self.opt_d, loss)
        if self.obj.penalty == "clip":
            with torch.no_grad():
                self.flat_d.clamp_(-t.weight_clip, t.weight_clip)
        with torch.no_grad():  # both halves at once: [runs, 2, batch] (a param-noise batch is averaged)
            if self.separate_d_passes or t.param_noise:
                both = torch.stack([out_real.mean(-1), out_fake.mean(-1).unflatten(-1, (-1, b)).mean(-2)], dim=1)
            else:
                both = out.view(len(out), 2, b)
            shown = self.obj.display(both)
            means = shown.mean(-1)
            center = self.obj.center if self.obj.center is not None else means.mean(-1)[:, None, None]
            above = (shown > center).float().mean(-1)
            values = {"d_loss": loss, "d_acc_real": above[:, 0], "d_acc_fake": 1 - above[:, 1], "d_real": means[:, 0],
                      "d_fake": means[:, 1], "d_grad_norm": grad_norm, **extra}
            if self.obj.estimate:
                values["estimate"] = self.obj.estimate(out_real, out_fake[:, :b])
        return values

    def g_update(self, sigma: float) -> dict[str, torch.Tensor]:
        t, n = self.t, self.scene.batch * self.t.pack
        if t.unroll:  # the D that G's step answers: k of D's updates ahead, differentiable in G
            d_ahead = self._unrolled_d(sigma)
        fake = self._noisy(self._forward(self.g, self.wg, self._latent(n)), sigma)
        if t.feature_matching:
            real = self._noisy(self._real(n), sigma)
            loss = tr.feature_matching_loss(self._d(real, upto=t.feature_matching),
                                            self._d(fake, upto=t.feature_matching))
        elif t.unroll:
            loss = self.obj.g_term(self.d.forward(d_ahead, self._packed(fake)))
        else:
            loss = self.obj.g_term(self._d(fake))
        if not self.scene.g_steps:  # a fixed generator: measured, never updated
            return {"g_loss": loss.detach(), "g_grad_norm": torch.zeros_like(loss)}
        grad_norm = self._update(self.flat_g, self.wg, self.opt_g, loss)
        return {"g_loss": loss.detach(), "g_grad_norm": grad_norm}

    def _unrolled_d(self, sigma: float) -> torch.Tensor:
        """D's flat parameters after `tricks.unroll` more of its updates (Metz et al. 2016, §2.2):
        each on fresh real and generated batches, by D's own optimizer rule (Adam from its
        current moments, or SGD), kept in the autograd graph so that G's gradient flows
        through them. D itself is not changed."""
        t, b, opt = self.t, self.scene.batch, self.scene.opt_d
        d = self.flat_d.detach().requires_grad_(True)
        state = self.opt_d.state.get(self.flat_d, {})
        m = state.get("exp_avg", torch.zeros_like(d)).detach()
        v = state.get("exp_avg_sq", torch.zeros_like(d)).detach()
        count = float(state.get("step", 0))
        for _ in range(t.unroll):
            real = self._noisy(self._real(b * t.pack), sigma)
            fake = self._noisy(self._forward(self.g, self.wg, self._latent(b * t.pack)), sigma)
            loss = self.obj.real_term(self.d.forward(d, self._packed(real)), t.real_label) + \
                self.obj.fake_term(self.d.forward(d, self._packed(fake)), t.fake_label)
            grad = torch.autograd.grad(loss.sum(), d, create_graph=True)[0]
            count += 1
            step, m, v = tr.lookahead_step(opt, m, v, grad, count)
            d = d - opt.lr * step
        return d

    def __call__(self, step: int) -> torch.Tensor:
        """Train one iteration; returns its scalars, [runs, len(names)]."""
        sigma = tr.instance_sigma(self.t, step, self.scene.steps)
        for _ in range(self.scene.d_steps):
            values = self.d_update(sigma)
        for _ in range(max(1, self.scene.g_steps)):
            values.update(self.g_update(sigma))
        with torch.no_grad():
            return torch.stack([values[name].detach() for name in self.names], dim=-1)

    def state(self) -> dict[str, np.ndarray]:
        """Everything the next iterations depend on, as plain arrays: both networks' parameters,
        both optimizers' state and every run's random generators (a STAT record of the trace)."""
        arrays = {"params.g": self.flat_g.detach().cpu().numpy().copy(),
                  "params.d": self.flat_d.detach().cpu().numpy().copy()}
        for key, opt, flat in (("opt_g", self.opt_g, self.flat_g), ("opt_d", self.opt_d, self.flat_d)):
            for name, value in sorted(opt.state[flat].items()):
                if value is not None:
                    arrays[f"{key}.{name}"] = torch.as_tensor(value).detach().cpu().numpy().copy()
        arrays["rng"] = np.stack([np.stack([gens[s].get_state().numpy() for s in STREAMS]) for gens in self.runs.gens])
        return arrays

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        """Continue from `state()`'s arrays (shapes are checked; a mismatch is a damaged trace)."""
        def tensor(name: str, like: torch.Tensor | None = None) -> torch.Tensor:
            value = torch.from_numpy(np.ascontiguousarray(arrays[name])).to(self.runs.device)
            if like is not None and value.shape != like.shape:
                raise ValueError(f"{name} has shape {tuple(value.shape)}, expected {tuple(like.shape)}")
            return value

        with torch.no_grad():
            self.flat_g.copy_(tensor("params.g", self.flat_g))
            self.flat_d.copy_(tensor("params.d", self.flat_d))
        for key, opt, flat in (("opt_g", self.opt_g, self.flat_g), ("opt_d", self.opt_d, self.flat_d)):
            prefix = key + "."
            state = {name[len(prefix):]: tensor(name).clone() for name in arrays if name.startswith(prefix)}
            if "step" in state and not opt.defaults.get("fused"):  # torch keeps unfused step counts on the CPU
                state["step"] = state["step"].cpu()
            opt.state[flat] = state
        rng = arrays["rng"]
        if rng.shape[:2] != (len(self.runs.gens), len(STREAMS)):
            raise ValueError(f"rng has shape {rng.shape}")
        for gens, states in zip(self.runs.gens, rng):
            for stream, state in zip(STREAMS, states):
                gens[stream].set_state(torch.from_numpy(state.copy()))

    def params_into(self, row: torch.Tensor) -> None:
        """Copy both networks' current parameters into a [runs, P_g + P_d] buffer row."""
        n_g = self.g.n_params
        row[:, :n_g].copy_(self.flat_g.detach())
        row[:, n_g:].copy_(self.flat_d.detach())
