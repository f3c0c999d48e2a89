"""The training iteration of step.py written as one pure function and compiled whole.

Per step, the eager iteration spends far more time in Python and autograd bookkeeping than in
arithmetic (the bundled networks need a few MFLOP a step). Here D's update and G's update —
forward, gradient (torch.func, so WGAN-GP's penalty is a gradient inside a gradient), the
optimizer rule — are one function of the parameters, the optimizer state and the step's random
draws, which torch.compile turns into one graph (compiling the modules alone was slower than
eager). The random draws are made outside it, from the same streams in the same order as the
eager step, so both modes train on the same numbers and differ only by float rounding.

Settings this function does not cover (listed by `unsupported`) train eagerly, with one note.
"""
from __future__ import annotations

import os
import shutil
import time

import torch
from torch.func import grad, grad_and_value

from gananim.data.cache import cache_folder
from gananim.model.mlp import Network
from gananim.progress import console
from gananim.training import tricks as tr
from gananim.training.step import Step

MODES = ("auto", "on", "off")
# `auto` compiles runs at least this long: compiling costs about 5 s once torch's on-disk cache
# holds the graph (20-50 s the first time on 2 cores) and saves about 1 ms a step.
AUTO_MIN_STEPS = 5000


def unsupported(step: Step) -> str:
    """Why a run cannot be compiled (empty when it can)."""
    t, s = step.t, step.scene
    for key, opt in (("opt_g", s.opt_g), ("opt_d", s.opt_d)):
        if opt.name not in ("adam", "sgd", "rmsprop"):
            return f"{key} {opt.name}"
        if opt.name != "adam" and opt.momentum:
            return f"{key} with momentum"
    if t.feature_matching:
        return "feature_matching"
    for name, net in (("g", step.g), ("d", step.d)):
        if not isinstance(net, Network):
            return f"a custom {name} network"
        if net.spec.vbn or (name == "g" and net.mixes_batch):
            return f"{name} compares samples within a batch"
    if step.runs.device.type == "cpu" and not any(map(shutil.which, ("c++", "g++", "clang++"))):
        return "no C++ compiler on this machine"
    return ""


def _initial_state(opt: torch.optim.Optimizer, flat: torch.Tensor) -> dict[str, torch.Tensor]:
    """The state torch's optimizer creates before its first step (so that `Step.state()` saves
    and `Step.load_state()` restores the same arrays in either mode)."""
    zeros = torch.zeros_like(flat.detach())
    if isinstance(opt, torch.optim.Adam):
        return {"step": torch.tensor(0.0, device=flat.device), "exp_avg": zeros, "exp_avg_sq": zeros.clone()}
    if isinstance(opt, torch.optim.RMSprop):
        return {"step": torch.tensor(0.0, device=flat.device), "square_avg": zeros}
    return {}


def _optimizer_state(opt: torch.optim.Optimizer, flat: torch.Tensor) -> dict[str, torch.Tensor]:
    """The optimizer's state tensors, which the compiled step updates in place."""
    state = opt.state[flat]
    if not state:
        state.update(_initial_state(opt, flat))
    for name, value in state.items():  # as the graph was compiled for, whatever a resume restored:
        if name == "step" and value.dim():  # the step count is a scalar (a saved one comes back 1-d)
            value = state[name] = value.reshape(())
        if value.device != flat.device:  # and on the parameters' device (unfused ones keep it on the CPU)
            state[name] = value.to(flat.device)
    return state


def _apply(opt, param: torch.Tensor, grad_: torch.Tensor, state: dict[str, torch.Tensor]) -> None:
    """One step of torch's Adam, RMSprop or plain SGD rule, in place (torch's own formulas)."""
    group = opt.param_groups[0]
    lr, wd = group["lr"], group["weight_decay"]
    if wd:
        grad_ = grad_ + wd * param
    if isinstance(opt, torch.optim.Adam):
        beta1, beta2 = group["betas"]
        count = state["step"] + 1
        state["step"].copy_(count)
        state["exp_avg"].lerp_(grad_, 1 - beta1)
        state["exp_avg_sq"].mul_(beta2).addcmul_(grad_, grad_, value=1 - beta2)
        bias1, bias2 = 1 - beta1 ** count, 1 - beta2 ** count
        denom = state["exp_avg_sq"].sqrt() / bias2.sqrt() + group["eps"]
        param.sub_(lr / bias1 * state["exp_avg"] / denom)
    elif isinstance(opt, torch.optim.RMSprop):
        state["step"].add_(1)
        alpha = group["alpha"]
        state["square_avg"].mul_(alpha).addcmul_(grad_, grad_, value=1 - alpha)
        param.sub_(lr * grad_ / (state["square_avg"].sqrt() + group["eps"]))
    else:
        param.sub_(lr * grad_)


def iteration_for(step: Step, mode: str, *, show: bool = True):
    """What trains each step — `step` itself (eager) or a CompiledIteration around it — and
    that mode's name. `mode` is on, off or auto (compile runs of AUTO_MIN_STEPS or more). Where
    compiling is impossible, training is eager with one note; it is never an error."""
    steps = step.scene.steps
    if mode == "off" or (mode == "auto" and steps < AUTO_MIN_STEPS):
        return step, "eager"
    reason = unsupported(step)
    if reason:
        console.print(f"[yellow]note:[/] training eagerly: the compiled step does not cover {reason}")
        return step, "eager"
    compiled = CompiledIteration(step)
    start = time.perf_counter()
    if show:
        console.print(f"compiling {step.scene.name}'s training step (once: later runs reuse it; "
                      "--compile off skips this)")
    saved = [{name: g.get_state() for name, g in gens.items()} for gens in step.runs.gens]
    try:
        compiled.warm_up()
    except Exception as exc:  # a compiler or torch that cannot: train eagerly
        first_line = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        console.print(f"[yellow]note:[/] training eagerly: compiling the step failed ({first_line})")
        return step, "eager"
    finally:  # compiling draws a step's random numbers to learn their shapes: put them back
        for gens, states in zip(step.runs.gens, saved):
            for name, state in states.items():
                gens[name].set_state(state)
    if show:
        console.print(f"compiled in {time.perf_counter() - start:.0f} s")
    return compiled, "compiled"


class CompiledIteration:
    """Trains like `step(step_index)` (same draws, same scalars) through one compiled graph."""

    def __init__(self, step: Step) -> None:
        self.step = step
        # torch keeps compiled code in /tmp by default; gananim's cache outlives a reboot
        os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(cache_folder() / "torch-compile"))
        # Every run's graph is compiled from this one function; torch keeps at most 8 graphs
        # of a function in memory (each call checks them in turn), so start each run afresh:
        # the on-disk cache still holds the compiled code.
        torch._dynamo.reset()
        # Nor does it need torch's checks before each call that the inputs still match the graph
        # (a tenth of a small step's time): a run calls it with the same shapes, types, device
        # and thread count every step.
        skip = getattr(torch.compiler, "skip_all_guards_unsafe", None)
        options = {"guard_filter_fn": skip} if skip else {}
        # The graph's launcher in C++ rather than Python: measured 1.4x the steps/s of a small
        # scene, for about 1 s more compiling.
        options["cpp_wrapper"] = True
        self.fn = torch.compile(self._iteration, fullgraph=True, dynamic=False, options=options)

    def warm_up(self) -> None:
        """Compile, on copies of the state and one step's draws (the caller puts the random
        generators back), so training afterwards is untouched."""
        s = self.step
        sigma = tr.instance_sigma(s.t, 1, s.scene.steps)
        draws = self._draws(sigma)
        states = [{k: v.clone() for k, v in (opt.state[flat] or _initial_state(opt, flat)).items()}
                  for opt, flat in ((s.opt_g, s.flat_g), (s.opt_d, s.flat_d))]
        with torch.no_grad():
            self.fn(s.flat_g.detach().clone(), s.flat_d.detach().clone(), *states, draws,
                    torch.tensor(float(sigma), device=s.runs.device))

    # Random draws: the eager step's order (step.py, d_update and g_update), for the settings
    # compiled here. A change there must be mirrored here; tests compare the two modes.
    def _draws(self, sigma: float) -> list[torch.Tensor]:
        s, t, b = self.step, self.step.t, self.step.scene.batch
        n = b * t.pack
        draws = []
        k = t.param_noise_batch if t.param_noise else 1  # PointGAN: D meets k noisy copies of G

        def noise(rows: int) -> torch.Tensor:  # instance noise for `rows` samples (step.py, _noisy)
            return s.runs.draw("data", lambda g: torch.randn(rows, s.setup.data_dim, generator=g))

        for _ in range(s.scene.d_steps):
            real, z = s._real(n), s._latent(n)
            draws += [real, z]
            if t.param_noise:
                draws.append(s.runs.draw("data", lambda g: torch.randn(k, s.g.n_params, generator=g)))
            if sigma:
                draws += [noise(n), noise(k * n)]
            if s.obj.penalty == "gp":
                draws.append(s.runs.draw("data", lambda g: torch.rand(b, 1, generator=g)))
        for _ in range(max(1, s.scene.g_steps)):
            for _ in range(t.unroll):  # step.py, _unrolled_d: real, its noise, latent, its noise
                draws += [s._real(n), noise(n)] if sigma else [s._real(n)]
                draws += [s._latent(n), noise(n)] if sigma else [s._latent(n)]
            draws += [s._latent(n), noise(n)] if sigma else [s._latent(n)]
        return draws

    def __call__(self, step_index: int) -> torch.Tensor:
        """Train one iteration; returns its scalars, [runs, len(names)] (as Step.__call__)."""
        s = self.step
        sigma = tr.instance_sigma(s.t, step_index, s.scene.steps)
        draws = self._draws(sigma)
        state_g = _optimizer_state(s.opt_g, s.flat_g)
        state_d = _optimizer_state(s.opt_d, s.flat_d)
        with torch.no_grad():
            return self.fn(s.flat_g.detach(), s.flat_d.detach(), state_g, state_d, draws,
                           torch.tensor(float(sigma), device=s.runs.device))

    def _forward(self, net: Network, flat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        if self.step.single:  # plain matrix products, as the eager step's single-run views
            return net.forward(flat[0], x[0])[None]
        return net.forward(flat, x)

    def _iteration(self, pg, pd, state_g, state_d, draws, sigma):
        s, t, obj = self.step, self.step.t, self.step.obj
        b, m = s.scene.batch, t.pack
        packed = s._packed
        draws = list(draws)
        noisy = bool(t.instance_noise)

        def d_loss(flat_d, real_in, fake_in, eps):
            if s.separate_d_passes:  # minibatch features: real and generated batches must not mix
                out_real = self._forward(s.d, flat_d, packed(real_in))
                out_fake = self._forward(s.d, flat_d, packed(fake_in))
                out = torch.cat([out_real, out_fake], dim=1)
            else:
                out = self._forward(s.d, flat_d, packed(torch.cat([real_in, fake_in], dim=1)))
                out_real, out_fake = out[:, :b], out[:, b:]
            loss = t.real_weight * obj.real_term(out_real, t.real_label) + \
                t.fake_weight * obj.fake_term(out_fake, t.fake_label)
            extra = {}
            if obj.penalty == "gp":
                x_hat = eps * packed(real_in) + (1 - eps) * packed(fake_in[:, :b * m])
                grad_x = grad(lambda x: self._forward(s.d, flat_d, x).sum())(x_hat)
                norms = grad_x.norm(dim=-1)
                extra["gp"], extra["gp_grad_norm"] = t.gp_lambda * ((norms - 1) ** 2).mean(-1), norms.mean(-1)
                loss = loss + extra["gp"]
            return loss.sum(), (loss, out.detach(), extra)

        for _ in range(s.scene.d_steps):
            real, z = draws.pop(0), draws.pop(0)
            if t.param_noise:  # the eager step's formula (step.py, d_update)
                fake = s.g.forward(pg[:, None] + t.param_noise * draws.pop(0), z[:, None]).flatten(1, 2)
            else:
                fake = self._forward(s.g, pg, z)
            if noisy:
                real, fake = real + sigma * draws.pop(0), fake + sigma * draws.pop(0)
            eps = draws.pop(0) if obj.penalty == "gp" else None
            grads, (_, (loss, out, extra)) = grad_and_value(d_loss, has_aux=True)(pd, real, fake, eps)
            d_norm = self._clipped_update(s.opt_d, pd, grads, state_d)
            if obj.penalty == "clip":
                pd.clamp_(-t.weight_clip, t.weight_clip)
        if t.param_noise or s.separate_d_passes:  # as the eager step (a noisy copies' batch is averaged)
            both = torch.stack([out[:, :b].mean(-1), out[:, b:].mean(-1).unflatten(-1, (-1, b)).mean(-2)], dim=1)
        else:
            both = out.view(len(out), 2, b)
        shown = obj.display(both)
        means = shown.mean(-1)
        center = obj.center if obj.center is not None else means.mean(-1)[:, None, None]
        above = (shown > center).float().mean(-1)
        values = {"d_loss": loss, "d_acc_real": above[:, 0], "d_acc_fake": 1 - above[:, 1], "d_real": means[:, 0],
                  "d_fake": means[:, 1], "d_grad_norm": d_norm, **extra}
        if obj.estimate:
            values["estimate"] = obj.estimate(out[:, :b], out[:, b:b + b])

        def g_loss(flat_g, z, noise, ahead):
            fake = self._forward(s.g, flat_g, z)
            if noisy:
                fake = fake + sigma * noise
            d_ahead = self._unrolled_d(flat_g, pd, state_d, ahead, sigma) if t.unroll else pd
            loss = obj.g_term(self._forward(s.d, d_ahead, packed(fake)))
            return loss.sum(), loss

        for _ in range(max(1, s.scene.g_steps)):
            per_unroll = 2 + 2 * noisy
            ahead = [draws.pop(0) for _ in range(t.unroll * per_unroll)]
            z = draws.pop(0)
            noise = draws.pop(0) if noisy else None
            grads, (_, loss) = grad_and_value(g_loss, has_aux=True)(pg, z, noise, ahead)
            if s.scene.g_steps:
                g_norm = self._clipped_update(s.opt_g, pg, grads, state_g)
            else:
                g_norm = torch.zeros_like(loss)
        values.update(g_loss=loss, g_grad_norm=g_norm)
        return torch.stack([values[name] for name in s.names], dim=-1)

    def _unrolled_d(self, pg, pd, state_d, ahead, sigma):
        """D's parameters after `unroll` more of its updates, differentiable in G's parameters
        `pg`: step.py's _unrolled_d (Metz et al. 2016, §2.2), on the same draws `ahead`."""
        s, t, obj, opt = self.step, self.step.t, self.step.obj, self.step.scene.opt_d
        d, ahead = pd.detach(), list(ahead)
        m, v = (state_d["exp_avg"], state_d["exp_avg_sq"]) if opt.name == "adam" else (None, None)
        for j in range(t.unroll):
            real = ahead.pop(0)
            if t.instance_noise:
                real = real + sigma * ahead.pop(0)
            fake = self._forward(s.g, pg, ahead.pop(0))
            if t.instance_noise:
                fake = fake + sigma * ahead.pop(0)

            def loss(flat_d, real=real, fake=fake):
                return (obj.real_term(s.d.forward(flat_d, s._packed(real)), t.real_label)
                        + obj.fake_term(s.d.forward(flat_d, s._packed(fake)), t.fake_label)).sum()
            step, m, v = tr.lookahead_step(opt, m, v, grad(loss)(d), state_d["step"] + (j + 1))
            d = d - opt.lr * step
        return d

    def _clipped_update(self, opt, param, grads, state) -> torch.Tensor:
        norm = grads.norm(dim=-1)
        clip = self.step.t.grad_clip
        if clip:
            grads = grads * (clip / norm.clamp_min(clip)).unsqueeze(-1)
        _apply(opt, param, grads, state)
        return norm
