"""MLPs as flat parameter vectors: their layouts and batched forward passes.

Every network's parameters live in one flat vector. Training updates that vector in one
optimizer call, recording a step is one copy, and rendering evaluates many recorded steps
at once by stacking their vectors along leading batch dimensions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from gananim.config.networks import MLP
from gananim.errors import GananimError


def activate(h: torch.Tensor, name: str, slope: float, inplace: bool = False) -> torch.Tensor:
    if name == "leaky_relu":
        return F.leaky_relu_(h, slope) if inplace else F.leaky_relu(h, slope)
    if name == "relu":
        return F.relu_(h) if inplace else F.relu(h)
    if name == "tanh":
        return h.tanh_() if inplace else torch.tanh(h)
    if name == "sigmoid":
        return h.sigmoid_() if inplace else torch.sigmoid(h)
    return h


VBN_EPS = 1e-5


@dataclass
class Weights:
    """An MLP's parameters as separate views of its flat vector (see Network.unflatten)."""

    w: list[torch.Tensor]
    b: list[torch.Tensor]
    gamma: list[torch.Tensor]
    beta: list[torch.Tensor]
    t: torch.Tensor | None

    @property
    def lead(self) -> tuple[int, ...]:
        return tuple(self.w[0].shape[:-2])

    def leaves(self) -> list[torch.Tensor]:
        return [*self.w, *self.b, *self.gamma, *self.beta, *([self.t] if self.t is not None else [])]


class Network:
    """An MLP with fixed input and output sizes, evaluated from a flat parameter vector.

    The flat vector holds, layer by layer, W (out × in, row-major) then b — the order of
    nn.Linear's state_dict, so `to_module` can load it into plain PyTorch layers — then, with
    VBN, each hidden layer's scale γ and shift β, and with minibatch discrimination its
    tensor T (features × kernels·dims). Leading dimensions of the flat vector (runs, frames)
    are batch dimensions: many parameter sets are evaluated in one call.
    """

    def __init__(self, spec: MLP, n_in: int, n_out: int) -> None:
        self.spec, self.n_in, self.n_out = spec, n_in, n_out
        self.activations = (*spec.hidden_activations(), spec.output)
        self.n_hidden = len(spec.widths)
        features = spec.widths[-1] if spec.widths else n_in
        fan_ins = [n_in, *spec.widths]
        fan_ins[-1] += spec.minibatch  # the output layer also reads the minibatch features
        offset, self.layers = 0, []
        for fan_in, fan_out in zip(fan_ins, [*spec.widths, n_out]):
            self.layers.append((offset, fan_in, fan_out))
            offset += fan_out * fan_in + fan_out
        self.vbn_params = []
        if spec.vbn:
            for width in spec.widths:
                self.vbn_params.append((offset, width))
                offset += 2 * width
        self.mbd = None
        if spec.minibatch:
            self.mbd = (offset, features, spec.minibatch, spec.minibatch_dims)
            offset += features * spec.minibatch * spec.minibatch_dims
        self.n_params = offset
        self.mixes_batch = bool(spec.minibatch)  # minibatch features compare samples within a batch
        self.reference: torch.Tensor | None = None  # VBN's fixed reference inputs [..., R, n_in]

    def init(self, generator: torch.Generator) -> torch.Tensor:
        flat = torch.empty(self.n_params)
        for offset, fan_in, fan_out in self.layers:
            n_w = fan_out * fan_in
            if self.spec.init == "glorot":
                bound = math.sqrt(6.0 / (fan_in + fan_out))
                flat[offset:offset + n_w].uniform_(-bound, bound, generator=generator)
                flat[offset + n_w:offset + n_w + fan_out].zero_()
            else:  # nn.Linear's default: kaiming_uniform(a=√5) for W, U(±1/√fan_in) for b
                bound = 1.0 / math.sqrt(fan_in)
                flat[offset:offset + n_w + fan_out].uniform_(-bound, bound, generator=generator)
        for offset, width in self.vbn_params:
            flat[offset:offset + width] = 1.0  # γ
            flat[offset + width:offset + 2 * width] = 0.0  # β
        if self.mbd:
            offset, features, kernels, dims = self.mbd
            flat[offset:offset + features * kernels * dims].normal_(0, 1 / math.sqrt(features), generator=generator)
        return flat

    def unflatten(self, flat: torch.Tensor) -> "Weights":
        """Views into `flat` [..., n_params], one per weight matrix, bias, VBN scale and shift, and
        minibatch tensor: no copies, so updating `flat` updates them (and training can make them
        leaves whose gradients land in one flat buffer)."""
        w = [flat[..., o:o + fo * fi].unflatten(-1, (fo, fi)) for o, fi, fo in self.layers]
        b = [flat[..., o + fo * fi:o + fo * fi + fo] for o, fi, fo in self.layers]
        gamma = [flat[..., o:o + width] for o, width in self.vbn_params]
        beta = [flat[..., o + width:o + 2 * width] for o, width in self.vbn_params]
        t = None
        if self.mbd:
            o, features, kernels, dims = self.mbd
            t = flat[..., o:o + features * kernels * dims].unflatten(-1, (features, kernels * dims))
        return Weights(w, b, gamma, beta, t)

    @staticmethod
    def _linear(weights: "Weights", h: torch.Tensor, layer: int) -> torch.Tensor:
        w, b = weights.w[layer], weights.b[layer]
        if w.dim() == 3:  # a batch of parameter sets [B, out, in] against h [N, in] or [B, N, in]
            return torch.baddbmm(b.unsqueeze(-2), h.expand(len(w), *h.shape[-2:]) if h.dim() == 2 else h,
                                 w.transpose(-1, -2))
        return F.linear(h, w, b)

    @staticmethod
    def _vbn(weights: "Weights", h, h_ref, layer):
        """Normalise h by the reference batch's statistics joined with each example itself."""
        gamma, beta = weights.gamma[layer].unsqueeze(-2), weights.beta[layer].unsqueeze(-2)
        n = h_ref.shape[-2]
        mean_ref, sq_ref = h_ref.mean(-2, keepdim=True), (h_ref * h_ref).mean(-2, keepdim=True)
        ref_out = (h_ref - mean_ref) / torch.sqrt(sq_ref - mean_ref ** 2 + VBN_EPS)
        mean = (n * mean_ref + h) / (n + 1)
        var = (n * sq_ref + h * h) / (n + 1) - mean ** 2
        return gamma * (h - mean) / torch.sqrt(var.clamp_min(0) + VBN_EPS) + beta, gamma * ref_out + beta

    def _minibatch(self, weights: "Weights", h, context):
        """Append, per kernel, the sum over the group of exp(-L1 distance) (Salimans et al. 2016)."""
        _, _, kernels, dims = self.mbd
        m = torch.matmul(h, weights.t).unflatten(-1, (kernels, dims))
        m_ctx = torch.matmul(context, weights.t).unflatten(-1, (kernels, dims))
        dist = (m.unsqueeze(-3) - m_ctx.unsqueeze(-4)).abs().sum(-1)  # [..., N, N_ctx, kernels]
        closeness = torch.exp(-dist).sum(-2)
        if context is h:
            return torch.cat([h, closeness], -1)
        return torch.cat([h, closeness + 1.0], -1)  # the example's closeness to itself

    def forward(self, params: "torch.Tensor | Weights", x: torch.Tensor, upto: int | None = None,
                context: torch.Tensor | None = None, reference: torch.Tensor | None = None,
                fast: torch.Tensor | None = None) -> torch.Tensor:
        """Evaluate at `x` [..., N, n_in] with parameters `params`: a flat vector [..., n_params]
        or its unflattened Weights (at most one leading dimension).

        `upto=k` returns the activations after hidden layer k (1-based) instead of the output.
        With minibatch discrimination, each example is compared with the others in its group
        (the last batch dimension of x), or with `context` samples when given.
        `fast` (drawing only, plain MLPs) is `params` in a reduced precision such as bfloat16:
        the products between hidden layers use it, where nearly all the work is; the first
        layer, which places the inputs, and the output layer stay float32.
        """
        if isinstance(params, torch.Tensor):
            if params.dim() > 2:  # several leading dimensions: fold them into one
                lead = params.shape[:-1]

                def fold(t):
                    return None if t is None else t.expand(*lead, *t.shape[-2:]).reshape(-1, *t.shape[-2:])

                ref = fold(self.reference if reference is None else reference) if self.spec.vbn else None
                flat = None if fast is None else fast.reshape(-1, fast.shape[-1])
                out = self.forward(params.reshape(-1, params.shape[-1]), fold(x), upto, fold(context), ref, flat)
                return out.reshape(*lead, *out.shape[-2:])
            params = self.unflatten(params)
        if fast is not None:
            return self._fast_forward(params, self.unflatten(fast), x)
        weights = params
        inplace = not torch.is_grad_enabled()  # rendering: overwrite activations, half the memory traffic
        h = x
        h_ref = None
        if self.spec.vbn:
            h_ref = self.reference if reference is None else reference
            if h_ref is None:
                raise GananimError("a VBN network needs its reference batch before it is evaluated")
            h_ref = h_ref.expand(*weights.lead, *h_ref.shape[-2:])
        for i in range(self.n_hidden):
            h = self._linear(weights, h, i)
            if self.spec.vbn:
                h, h_ref = self._vbn(weights, h, self._linear(weights, h_ref, i), i)
                h_ref = activate(h_ref, self.activations[i], self.spec.slope)
            h = activate(h, self.activations[i], self.spec.slope, inplace and not self.spec.vbn)
            if upto == i + 1:
                return h
        if self.mbd:
            h = self._minibatch(weights, h, h if context is None else self.forward(weights, context, self.n_hidden,
                                                                                     reference=reference))
        return activate(self._linear(weights, h, self.n_hidden), self.activations[-1], self.spec.slope, inplace)

    def _fast_forward(self, weights: "Weights", fast: "Weights", x: torch.Tensor) -> torch.Tensor:
        """forward() with the hidden-to-hidden products in `fast`'s precision (see forward)."""
        h = x
        for i in range(self.n_hidden + 1):
            if 0 < i < self.n_hidden:
                h = self._linear(fast, h.to(fast.w[i].dtype), i)
            else:
                h = self._linear(weights, h.float(), i)
            h = activate(h, self.activations[i], self.spec.slope, inplace=True)
        return h

    def to_module(self, flat: torch.Tensor) -> nn.Sequential:
        """Plain nn.Linear layers holding `flat`'s values (for checks against PyTorch itself)."""
        if self.spec.vbn or self.spec.minibatch:
            raise GananimError("to_module supports plain MLPs (no VBN or minibatch discrimination)")
        modules: list[nn.Module] = []
        for i, (offset, fan_in, fan_out) in enumerate(self.layers):
            layer = nn.Linear(fan_in, fan_out)
            n_w = fan_out * fan_in
            with torch.no_grad():
                layer.weight.copy_(flat[offset:offset + n_w].reshape(fan_out, fan_in))
                layer.bias.copy_(flat[offset + n_w:offset + n_w + fan_out])
            modules.append(layer)
            act = self.activations[i]
            if act == "leaky_relu":
                modules.append(nn.LeakyReLU(self.spec.slope))
            elif act != "linear":
                modules.append({"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[act]())
        return nn.Sequential(*modules)

    def describe(self) -> str:
        sizes = [self.n_in, *self.spec.widths, self.n_out]
        extras = [f"minibatch {self.spec.minibatch}×{self.spec.minibatch_dims}"] * bool(self.spec.minibatch) + \
            [f"VBN ref {self.spec.vbn}"] * bool(self.spec.vbn)
        return "–".join(str(v) for v in sizes) + (f" ({', '.join(extras)})" if extras else "")
