"""Speed and memory against context, and speed against concurrency, for the current plan.

For the plan the fit chose (same GPUs, tensor and pipeline split, offload mode), each point is the
engine's own answer at that context: the KV cache and every GPU's bytes as the fit computes them,
and the decode speed as the speed estimate computes it. So a point equals what
``paramtui inspect --context N`` reports whenever inspect picks the same plan at N. Contexts are
log-spaced from 1k to the model's maximum; the line where the memory curve stops fitting is the
fit's largest context. For MoE models the per-user and total decode speed against concurrency
(requests of the current context decoded together) is drawn too, up to what the KV pool holds.

Each point costs one KV estimate, one placement and one speed estimate (about a millisecond for
the large presets), so the point counts are kept small: the dashboard draws them on every fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from paramtui.engine.analysis import Analysis
from paramtui.engine.fit import Deployment, attempt_at_context
from paramtui.engine.speed import estimate_speed

MIN_CONTEXT = 1024
"""The first context drawn (1k tokens)."""
CONTEXT_POINTS = 8
"""Contexts sampled by default, the first and the last included."""
MAX_CONCURRENCY = 256
"""Concurrency is drawn up to what the KV pool holds, at most this many requests."""


@dataclass(frozen=True, slots=True)
class ContextPoint:
    """The plan at one context."""

    context: int
    """Tokens per sequence."""
    device_bytes: tuple[int, ...]
    """Bytes on each GPU of the plan (weights + KV cache + overhead)."""
    fits: bool
    """Every GPU within its budget at this context."""
    decode_tokens_per_s: float | None
    """Single-request decode at this context; None where it does not fit or there is no bandwidth."""


@dataclass(frozen=True, slots=True)
class ConcurrencyPoint:
    """Decode speed with several requests of the current context at once."""

    concurrency: int
    """Requests decoded together."""
    per_user_tokens_per_s: float
    """What each request sees."""
    total_tokens_per_s: float
    """All requests together."""


@dataclass(frozen=True, slots=True)
class Curves:
    """What the plots draw, with what they rest on."""

    points: tuple[ContextPoint, ...]
    """Contexts from 1k to the model's maximum, increasing."""
    devices: tuple[int, ...]
    """GPU index of each entry of ``ContextPoint.device_bytes``."""
    budgets_bytes: tuple[int, ...]
    """What the runtime may use on each of those GPUs."""
    max_context: int
    """The fit's largest context (0 when nothing fits): where the memory curve crosses its budget."""
    model_max_context: int
    """The model's own maximum context."""
    concurrency: tuple[ConcurrencyPoint, ...]
    """MoE only: decode against concurrency at ``workload_context``; empty otherwise."""
    workload_context: int
    """The context the concurrency curve is drawn at."""
    basis: str
    """One line: the plan, runtime and precision the points are for."""


def context_points(max_context: int, count: int = CONTEXT_POINTS) -> tuple[int, ...]:
    """``count`` contexts log-spaced from 1k to ``max_context`` (both included), rounded to 256.

    Raises:
        ValueError: a count below 2 or a maximum below 1.
    """
    if count < 2:
        raise ValueError(f"at least 2 points, got {count}")
    if max_context < 1:
        raise ValueError(f"max_context must be positive, got {max_context}")
    low = min(MIN_CONTEXT, max_context)
    if max_context == low:
        return (low,)
    ratio = math.log(max_context / low) / (count - 1)
    inner = (round(low * math.exp(ratio * i) / 256) * 256 for i in range(1, count - 1))
    return tuple(sorted({low, max_context, *(c for c in inner if low < c < max_context)}))


def concurrency_points(limit: float) -> tuple[int, ...]:
    """Powers of two up to ``limit`` (at most MAX_CONCURRENCY), and ``limit`` itself when whole."""
    top = min(int(limit), MAX_CONCURRENCY)
    if top < 1:
        return ()
    points = {1 << i for i in range(top.bit_length()) if 1 << i <= top}
    points.add(top)
    return tuple(sorted(points))


def compute_curves(analysis: Analysis, count: int = CONTEXT_POINTS) -> Curves | None:
    """The curves for the analysis' plan; None without hardware to plan on.

    Args:
        analysis: the current fit (its plan, weights, runtime, hardware and workload are kept).
        count: contexts to sample.
    """
    fit, hardware = analysis.fit, analysis.hardware
    if fit is None or hardware is None or not fit.attempt.devices:
        return None
    arch = analysis.arch
    plan = fit.attempt.plan
    base = Deployment(arch, analysis.breakdown, analysis.runtime, hardware, analysis.workload)
    speed_known = fit.verdict != "does_not_fit" and hardware.gpus[0].bandwidth_bytes_per_s > 0
    points = []
    for context in context_points(arch.max_context, count):
        d = replace(base, workload=replace(base.workload, context=context))
        attempt, kv = attempt_at_context(d, fit.weights, fit.kv.kv_dtype, plan)
        decode = None
        if attempt.fits and speed_known:
            decode = estimate_speed(d, replace(fit, attempt=attempt, kv=kv)).decode_tokens_per_s
        points.append(ContextPoint(context, tuple(u.total_bytes for u in attempt.devices), attempt.fits, decode))
    concurrency: list[ConcurrencyPoint] = []
    if arch.moe is not None and speed_known and fit.verdict == "fits":
        for n in concurrency_points(fit.max_concurrency):
            d = replace(base, workload=replace(base.workload, batch=n))
            s = estimate_speed(d, fit)
            concurrency.append(ConcurrencyPoint(n, s.per_user_tokens_per_s, s.total_tokens_per_s))
    basis = (
        f"{analysis.runtime.name}, {fit.weights.precision}, tp={plan.tp} pp={plan.pp}"
        + (f", offload {plan.offload}" if plan.offload != "none" else "")
        + f", batch {analysis.workload.batch}"
    )
    return Curves(
        tuple(points),
        tuple(u.device for u in fit.attempt.devices),
        tuple(u.budget_bytes for u in fit.attempt.devices),
        fit.max_context,
        arch.max_context,
        tuple(concurrency),
        analysis.workload.context,
        basis,
    )
