"""Does it fit? A verdict, the plan that makes it fit, the largest context and the best precision.

Budgets use free memory when the reading is live. vLLM claims gpu_memory_utilization x total
and refuses to start when less than that is free, so its budget is that claim and a busy card
is a refusal, not "free x 0.9". Plans are tried from simplest to most involved: one GPU,
then the runtime's multi-GPU split (vLLM tensor parallel, llama.cpp/transformers layer
split), then offload to RAM (experts first for MoE models where the runtime can, then layers).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from paramtui.engine.architecture import Architecture
from paramtui.engine.hardware import GpuSpec, Hardware
from paramtui.engine.kv_cache import KvEstimate, estimate_kv_cache
from paramtui.engine.memory import DeviceUse, Offload, Plan, device_usage, split_problem
from paramtui.engine.params import ParamBreakdown
from paramtui.engine.placement import place, unavailable_notes, usable_positions
from paramtui.engine.precision import QUALITY_ORDER, WeightsEstimate, estimate_weights
from paramtui.engine.runtimes import RuntimeProfile

Verdict = Literal["fits", "fits_with_offload", "does_not_fit"]


@dataclass(frozen=True, slots=True)
class Workload:
    """What the model is asked to hold."""

    context: int
    """Tokens per sequence."""
    batch: int = 1
    """Concurrent sequences."""
    output_tokens: int = 512
    """Tokens each request generates (the rest of ``context`` is its prompt): how often the other
    requests' prompts are prefilled between decode steps under load."""
    expert_parallel: bool = False
    """MoE experts spread over the GPUs (vLLM --enable-expert-parallel, SGLang --ep) instead of sharded."""


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """User overrides of the automatic plan (None = choose)."""

    tp: int | None = None
    """Force tensor parallelism."""
    pp: int | None = None
    """Force pipeline stages."""
    offload: Offload | None = None
    """Force an offload mode."""


@dataclass(frozen=True, slots=True)
class Deployment:
    """A model on hardware under a runtime and a workload: what every fit and speed step reads.

    These five always travelled together through the fit search and the speed estimate (seven
    positional arguments a call); one frozen record keeps them together and in order.
    """

    arch: Architecture
    """The model."""
    breakdown: ParamBreakdown
    """Its parameters."""
    runtime: RuntimeProfile
    """The serving runtime."""
    hardware: Hardware
    """GPUs and RAM."""
    workload: Workload
    """Context, batch and the rest of the request."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One plan evaluated."""

    plan: Plan
    """The placement."""
    devices: tuple[DeviceUse, ...]
    """Bytes per GPU."""
    problem: str | None
    """Why the plan cannot work, beyond memory (heads do not divide, RAM too small, runtime refuses)."""

    @property
    def fits(self) -> bool:
        """Every GPU within budget and no other problem."""
        return self.problem is None and bool(self.devices) and all(d.headroom_bytes >= 0 for d in self.devices)

    @property
    def headroom_bytes(self) -> int:
        """The tightest GPU's headroom."""
        return min((d.headroom_bytes for d in self.devices), default=0)


@dataclass(frozen=True, slots=True)
class FitReport:
    """The answer to "will it fit?"."""

    verdict: Verdict
    """fits / fits_with_offload / does_not_fit."""
    attempt: Attempt
    """The plan chosen (or the closest one when nothing fits)."""
    weights: WeightsEstimate
    """Weights at the chosen precision."""
    kv: KvEstimate
    """KV cache for the workload."""
    max_context: int
    """Largest context per sequence that fits with this plan (0 when nothing fits)."""
    best_precision: str | None
    """Highest-quality precision the runtime supports on this GPU that fits at this context."""
    reasons: tuple[str, ...]
    """Plain-language notes: what was tried, what limited it."""
    max_concurrency: float = 0.0
    """Requests of the workload's context the KV pool holds at once on this plan (vLLM's "Maximum
    concurrency for N tokens per request: X x"); 0 when nothing fits."""


def gpu_budget(gpu: GpuSpec, runtime: RuntimeProfile) -> tuple[int, str | None]:
    """Bytes the runtime may use on ``gpu``, and why it would refuse to start (or None)."""
    fraction = runtime.claim_fraction(gpu.memory_bytes)
    if runtime.budget_rule == "free" or fraction >= 1.0:
        return gpu.usable_bytes, None
    claim = int(gpu.memory_bytes * gpu.usable_fraction * fraction)
    if runtime.budget_rule == "free_minus_reserve":
        reserve = gpu.memory_bytes * gpu.usable_fraction - claim
        return max(0, min(claim, int(gpu.usable_bytes - reserve))), None
    if runtime.refuses_below_claim and gpu.memory_free_bytes is not None and gpu.memory_free_bytes < claim:
        return claim, (
            f"{runtime.name} claims {runtime.memory_fraction:g} x {gpu.memory_bytes / 2**30:.1f} GiB = "
            f"{claim / 2**30:.1f} GiB on {gpu.name} but only {gpu.memory_free_bytes / 2**30:.1f} GiB is free; "
            "free memory or lower --gpu-memory-utilization"
        )
    return claim, None


def budget_basis(gpu: GpuSpec, runtime: RuntimeProfile) -> str:
    """Where a GPU's budget comes from, in words ("vLLM takes 0.9 x 24.0 GiB = 21.6 GiB")."""
    budget, _ = gpu_budget(gpu, runtime)
    total = gpu.memory_bytes * gpu.usable_fraction / 2**30
    fraction = runtime.claim_fraction(gpu.memory_bytes)
    name = runtime.release.split(" (")[0] if runtime.release else runtime.name
    if runtime.budget_rule == "claim" and fraction < 1.0:
        return (
            f"{name} takes {fraction:g} x {total:.1f} GiB = {budget / 2**30:.1f} GiB "
            "(--gpu-memory-utilization; it will not start with less free)"
        )
    if runtime.budget_rule == "free_minus_reserve" and fraction < 1.0:
        free = gpu.usable_bytes / 2**30
        return (
            f"{name} takes what is free, {free:.1f} GiB, less (1 - {fraction:g}) x {total:.1f} GiB kept for "
            f"activations and CUDA graphs (--mem-fraction-static) = {budget / 2**30:.1f} GiB"
        )
    where = "free" if gpu.memory_free_bytes is not None else "on the card"
    return f"{name} uses what is {where}: {budget / 2**30:.1f} GiB"


def _attempt(d: Deployment, weights: WeightsEstimate, kv: KvEstimate, plan: Plan) -> Attempt:
    arch, runtime, hardware, workload = d.arch, d.runtime, d.hardware, d.workload
    positions = plan.devices or tuple(range(min(plan.gpus, len(hardware.gpus))))
    gpus = [hardware.gpus[i] for i in positions]
    if len(gpus) < plan.gpus or any(g.unavailable for g in gpus):
        usable = len(usable_positions(hardware))
        return Attempt(plan, (), f"the plan needs {plan.gpus} GPUs but {usable} are available")
    problem = split_problem(arch, plan.tp) if plan.tp > 1 else None
    if plan.pp > arch.num_layers:
        problem = f"pp={plan.pp} exceeds the {arch.num_layers} layers"
    budgets = []
    for gpu in gpus:
        budget, refusal = gpu_budget(gpu, runtime)
        budgets.append(budget)
        problem = problem or refusal
    devices = device_usage(arch, weights, kv, runtime, plan, tuple(budgets), workload.batch, workload.context)
    if plan.devices:  # each use names its GPU's position in the machine
        devices = tuple(replace(use, device=plan.devices[use.device]) for use in devices)
    ram = hardware.ram_available_bytes
    if plan.offloaded_bytes and ram is not None and plan.offloaded_bytes > ram:
        problem = problem or (
            f"offloading {plan.offloaded_bytes / 2**30:.1f} GiB needs more than the "
            f"{ram / 2**30:.1f} GiB of RAM available"
        )
    return Attempt(plan, devices, problem)


def _with_offload(d: Deployment, weights: WeightsEstimate, kv: KvEstimate, base: Plan, mode: Offload) -> Attempt:
    """Offload just enough to fit (whole layers, or routed experts layer by layer)."""
    arch = d.arch
    no_offload = _attempt(d, weights, kv, replace(base, offload="none", offloaded_bytes=0))
    shares = [base.split[i // base.tp] if base.split else 1 / base.gpus for i in range(len(no_offload.devices))]
    # the weights taken off each GPU are its share of what is offloaded: the tightest share decides
    deficit = max(
        (-u.headroom_bytes / (s * base.gpus) for u, s in zip(no_offload.devices, shares, strict=True)), default=0
    )
    if mode == "experts":
        limit = weights.routed_expert_bytes
        step = limit / max(arch.num_moe_layers, 1)
    else:
        limit = weights.total_bytes - weights.component_bytes["embedding"] - weights.component_bytes["output_head"]
        step = limit / arch.num_layers
    per_gpu_weight_share = 1 / base.gpus
    needed = deficit / per_gpu_weight_share if deficit > 0 else 0
    if mode == "layers" and weights.total_bytes:
        # offloaded layers take their KV with them, so each layer frees weights + its KV share
        needed = needed * weights.total_bytes / (weights.total_bytes + kv.bytes)
    steps = min(-(-needed // step) if step else 0, limit // step if step else 0)
    offloaded = int(min(limit, steps * step)) if needed else 0
    if needed and offloaded < needed:
        offloaded = int(limit)
    return _attempt(d, weights, kv, replace(base, offload=mode, offloaded_bytes=max(offloaded, 0)))


def _split_plans(arch: Architecture, runtime: RuntimeProfile, n_gpus: int, options: PlanOptions) -> list[Plan]:
    """Placements without offload, simplest first."""
    if options.tp is not None or options.pp is not None:
        return [Plan(tp=options.tp or 1, pp=options.pp or 1)]
    plans = [Plan()]
    if n_gpus > 1:
        if runtime.multi_gpu == "tp":
            tp = 2
            while tp <= n_gpus:
                if split_problem(arch, tp) is None:
                    plans.append(Plan(tp=tp))
                tp *= 2
        else:
            plans.append(Plan(pp=min(n_gpus, arch.num_layers)))
    return plans


def plan_attempts(
    d: Deployment, weights: WeightsEstimate, kv: KvEstimate, options: PlanOptions
) -> tuple[Attempt | None, Attempt | None, Attempt]:
    """(first plan that fits without offload, first that fits with offload, the closest plan tried)."""
    arch, runtime, hardware = d.arch, d.runtime, d.hardware
    splits = _split_plans(arch, runtime, len(usable_positions(hardware)), options)
    if hardware.nodes > 1 and runtime.multi_gpu == "tp" and options.tp is None and options.pp is None:
        # tensor parallel stays inside a node; the nodes are pipeline stages (vLLM's multi-node recipe)
        per_node = max(1, len(hardware.gpus) // hardware.nodes)
        splits = [p for p in splits if p.tp <= per_node]
        if split_problem(arch, per_node) is None or per_node == 1:
            splits.append(Plan(tp=per_node, pp=hardware.nodes))
    budgets = [gpu_budget(g, runtime) for g in hardware.gpus]
    splits = [place(p, hardware, runtime, budgets) for p in splits]
    tried = [_attempt(d, weights, kv, p) for p in splits]
    if options.offload in (None, "none"):
        for a in tried:
            if a.fits:
                return a, None, a
    largest = splits[-1]
    modes: list[Offload] = []
    if options.offload not in (None, "none"):
        modes = [options.offload]
    elif options.offload is None and hardware.ram_available_bytes is not None:
        # automatic offload only where RAM was read: an unknown machine gets no RAM on credit
        modes = [m for m in (("experts", "layers") if arch.moe is not None else ("layers",)) if m in runtime.offload]
    offloaded = [_with_offload(d, weights, kv, largest, m) for m in modes]
    for a in offloaded:
        if a.fits:
            return (a, None, a) if a.plan.offloaded_bytes == 0 else (None, a, a)  # nothing had to move
    closest = max(tried + offloaded, key=lambda a: (a.problem is None, a.headroom_bytes))
    if options.offload not in (None, "none") and offloaded:
        closest = offloaded[0]  # the offload asked for, with what stops it (RAM)
    return None, None, closest


def _max_context(d: Deployment, weights: WeightsEstimate, kv_dtype: str, plan: Plan) -> int:
    """Largest context (<= the model's maximum) at which ``plan`` still fits; 0 if none."""
    arch = d.arch

    def fits(context: int) -> bool:
        kv = estimate_kv_cache(arch, context, d.workload.batch, kv_dtype, d.runtime.kv)
        at = replace(d, workload=replace(d.workload, context=context))
        if plan.offload != "none":  # as much offload as this context needs, not what --context needed
            return _with_offload(at, weights, kv, replace(plan, offload="none", offloaded_bytes=0), plan.offload).fits
        return _attempt(at, weights, kv, plan).fits

    if not fits(1):
        return 0
    low, high = 1, arch.max_context
    if fits(high):
        return high
    while high - low > 1:
        mid = (low + high) // 2
        if fits(mid):
            low = mid
        else:
            high = mid
    return low


def supported_precisions(runtime: RuntimeProfile, gpu: GpuSpec | None) -> tuple[str, ...]:
    """Precisions in quality order that the runtime runs on this GPU."""
    if gpu is None:
        return tuple(p for p in QUALITY_ORDER if p in runtime.formats)
    return tuple(p for p in QUALITY_ORDER if runtime.supports(p, gpu.vendor, gpu.compute_capability))


def assess_fit(
    d: Deployment,
    precision: str,
    kv_dtype: str,
    options: PlanOptions | None = None,
    search_best: bool = True,
    weights: WeightsEstimate | None = None,
) -> FitReport:
    """Check a model against hardware.

    Args:
        d: the model, its breakdown, the runtime, the hardware (at least one GPU) and the workload.
        precision: resolved weights precision.
        kv_dtype: resolved KV dtype.
        options: user overrides of tp/pp/offload.
        search_best: also find the best precision that fits (one evaluation per format).
        weights: exact weights at ``precision`` (from checkpoint headers); estimated when None.
    """
    arch, breakdown, runtime, hardware, workload = d.arch, d.breakdown, d.runtime, d.hardware, d.workload
    options = options or PlanOptions()
    if not hardware.gpus:
        raise ValueError("assess_fit needs at least one GPU")
    weights = weights or estimate_weights(arch, breakdown, precision)
    kv = estimate_kv_cache(arch, workload.context, workload.batch, kv_dtype, runtime.kv)
    plain, offloaded, closest = plan_attempts(d, weights, kv, options)
    reasons: list[str] = list(unavailable_notes(hardware))
    chosen = plain or offloaded or closest
    gpu = hardware.gpus[(chosen.plan.devices or (0,))[0]]
    verdict: Verdict = "fits" if plain else ("fits_with_offload" if offloaded else "does_not_fit")
    if not runtime.supports(precision, gpu.vendor, gpu.compute_capability):
        reasons.append(f"{runtime.name} does not run {precision} on {gpu.name}; try another --runtime or --precision")
        verdict = "does_not_fit"
    if chosen.problem:
        reasons.append(chosen.problem)
    if verdict == "does_not_fit" and not chosen.problem and chosen.headroom_bytes < 0:
        short = -chosen.headroom_bytes
        reasons.append(
            f"short by {short / 2**30:.1f} GiB on the fullest GPU with tp={chosen.plan.tp} pp={chosen.plan.pp}"
        )
    max_context = 0
    if verdict != "does_not_fit":
        max_context = _max_context(d, weights, kv_dtype, chosen.plan)
    best: str | None = None
    if search_best:
        # a function of the plan: with offload (asked for or needed) the best precision that fits with it
        offloading = verdict == "fits_with_offload" or options.offload not in (None, "none")
        for candidate in supported_precisions(runtime, gpu):
            if candidate == precision:
                ok = verdict == "fits" or (offloading and verdict != "does_not_fit")
            else:
                cand_weights = estimate_weights(arch, breakdown, candidate)
                plain_fit, offload_fit, _ = plan_attempts(d, cand_weights, kv, options)
                ok = plain_fit is not None or (offloading and offload_fit is not None)
            if ok:
                best = candidate
                break
    concurrency = max_concurrency(chosen, workload.batch) if verdict == "fits" else 0.0
    return FitReport(verdict, chosen, weights, kv, max_context, best, tuple(reasons), concurrency)


def max_concurrency(attempt: Attempt, batch: int) -> float:
    """Sequences of the same length the KV pool holds, the tightest GPU deciding.

    What is left of each GPU's budget after weights and overhead, over one sequence's KV bytes there.

    vLLM prints the same figure at start-up ("Maximum concurrency for 32,768 tokens per request:
    12.4x"): its KV blocks times the block size over max_model_len.
    """
    ratios = []
    for device in attempt.devices:
        per_sequence = device.kv_cache_bytes / max(batch, 1)
        if per_sequence <= 0:
            continue
        pool = device.budget_bytes - device.weights_bytes - device.overhead_bytes
        ratios.append(max(pool, 0) / per_sequence)
    return min(ratios, default=0.0)


def attempt_at_context(
    d: Deployment, weights: WeightsEstimate, kv_dtype: str, plan: Plan
) -> tuple[Attempt, KvEstimate]:
    """``plan`` judged at ``d.workload``'s context, as the largest-context search judges it.

    With offload, as much is offloaded as this context needs (not what the asked context needed).
    Returns the attempt and the KV cache at that context.
    """
    kv = estimate_kv_cache(d.arch, d.workload.context, d.workload.batch, kv_dtype, d.runtime.kv)
    if plan.offload != "none":
        return _with_offload(d, weights, kv, replace(plan, offload="none", offloaded_bytes=0), plan.offload), kv
    return _attempt(d, weights, kv, plan), kv
