"""When it does not fit here, what would: other setups, each with its verdict, plan and speed.

Five kinds of option, each the smallest change of its kind, each checked by the same fit and
speed estimate as the main answer:

- the same GPUs at a lower precision (the highest-quality one the runtime runs there that fits);
- the smallest number of the same GPU (an idle card, datasheet memory);
- offload to RAM under llama.cpp (``--n-cpu-moe`` for MoE experts, ``-ngl`` for layers), with the
  RAM it needs;
- the single GPU kind from the presets with the least memory that fits (one card, else up to 8);
- several nodes of 8 of the same GPU, tensor parallel within a node and pipeline stages across,
  over InfiniBand/RoCE, at the requested precision and at bf16 when that is larger.

They are ranked by decode speed, those that fit first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from paramtui.engine.analysis import Analysis
from paramtui.engine.architecture import Architecture
from paramtui.engine.fit import (
    Deployment,
    FitReport,
    PlanOptions,
    Verdict,
    assess_fit,
    plan_attempts,
    supported_precisions,
)
from paramtui.engine.hardware import DEFAULT_INTER_NODE_BYTES_PER_S, GpuSpec, Hardware
from paramtui.engine.kv_cache import KvEstimate, KvRules, estimate_kv_cache
from paramtui.engine.launch import MULTI_NODE_NOTE, LaunchInput, launch_line
from paramtui.engine.memory import Offload
from paramtui.engine.params import ParamBreakdown
from paramtui.engine.placement import plan_nodes
from paramtui.engine.precision import (
    QUALITY_ORDER,
    WeightsEstimate,
    estimate_weights,
    precision_kind,
    resolve_precision,
)
from paramtui.engine.runtimes import get_runtime
from paramtui.engine.speed import estimate_speed

GPUS_PER_NODE = 8
"""GPUs in one node (HGX/DGX boards, MI300X platforms)."""
MAX_NODES = 16
"""Nodes tried before giving up on a multi-node plan."""
SIXTEEN_BIT = ("fp32", "bf16", "fp16", "f16")
"""Not a lower precision for the options."""
OFFLOAD_PRECISION = "q4_k_m"
"""The GGUF people offload with when the model is not already a GGUF (llama-server's default quant for -hf)."""


@dataclass(frozen=True, slots=True)
class Option:
    """One setup that was checked."""

    kind: str
    """``lower precision``, ``fewest of this GPU``, ``offload``, ``smallest GPU`` or ``multi-node``."""
    verdict: Verdict
    """fits / fits_with_offload / does_not_fit."""
    gpu: str
    """GPU name."""
    count: int
    """GPUs in all."""
    nodes: int
    """Machines."""
    tp: int
    """Tensor-parallel ranks."""
    pp: int
    """Pipeline stages."""
    ep: int
    """Expert-parallel ranks (1: experts are sharded with TP)."""
    precision: str
    """Weights precision."""
    runtime: str
    """Engine."""
    offload: Offload
    """What goes to RAM."""
    offloaded_bytes: int
    """Weights in RAM."""
    per_device_bytes: int
    """What the fullest GPU holds."""
    budget_bytes: int
    """What the engine may use on that GPU."""
    decode_tokens_per_s: float
    """Single-request decode; 0 when the GPUs cannot hold it."""
    launch: str
    """The command that runs it."""
    note: str = ""
    """What else it needs (RAM, a Ray cluster) or why it does not fit."""


@dataclass(frozen=True, slots=True)
class OptionsRequest:
    """What the options are searched from: the deployment as asked and its answer."""

    deployment: Deployment
    """The model, runtime, hardware and workload as asked."""
    fit: FitReport
    """The answer for it."""
    precision: str
    """Its weights precision."""
    kv_dtype: str
    """Its KV dtype."""
    native_precision: str
    """The checkpoint's own precision."""
    repo: str
    """Hugging Face repo id (or path) for the launch lines."""


def _idle(gpu: GpuSpec) -> GpuSpec:
    """The same card with its datasheet memory (no live free reading)."""
    return replace(gpu, memory_free_bytes=None, unavailable="")


def _kv_dtype(req: OptionsRequest, d: Deployment) -> str:
    """The asked KV dtype, or the engine's default cache type where another engine is proposed."""
    if d.runtime.name != req.deployment.runtime.name and req.kv_dtype not in ("bf16", "fp16"):
        return "fp16" if d.runtime.name == "llama.cpp" else "bf16"
    return req.kv_dtype


@lru_cache(maxsize=32)
def _weights(arch: Architecture, breakdown: ParamBreakdown, precision: str) -> WeightsEstimate:
    """Weights at a precision, once per search (the searches ask for the same few many times)."""
    return estimate_weights(arch, breakdown, precision)


@lru_cache(maxsize=32)
def _kv(arch: Architecture, context: int, batch: int, kv_dtype: str, rules: KvRules) -> KvEstimate:
    return estimate_kv_cache(arch, context, batch, kv_dtype, rules)


def _fits(req: OptionsRequest, d: Deployment, precision: str, options: PlanOptions | None = None) -> bool:
    """Whether a setup fits without offload: the cheap check the searches run before the full one."""
    gpu = d.hardware.gpus[0]
    if not d.runtime.supports(precision, gpu.vendor, gpu.compute_capability):
        return False
    weights = _weights(d.arch, d.breakdown, precision)
    kv = _kv(d.arch, d.workload.context, d.workload.batch, _kv_dtype(req, d), d.runtime.kv)
    return plan_attempts(d, weights, kv, options or PlanOptions(offload="none"))[0] is not None


def _evaluate(
    req: OptionsRequest, kind: str, d: Deployment, precision: str, options: PlanOptions | None = None
) -> Option | None:
    gpu = d.hardware.gpus[0]
    if not d.runtime.supports(precision, gpu.vendor, gpu.compute_capability):
        return None
    kv_dtype = _kv_dtype(req, d)
    fit = assess_fit(d, precision, kv_dtype, options, search_best=False)
    devices = fit.attempt.devices
    gpus_hold_it = bool(devices) and all(u.headroom_bytes >= 0 for u in devices)
    # 0.0 = no speed: the GPUs cannot hold it, or a custom spec without bw= (no bandwidth to divide by)
    speed = estimate_speed(d, fit).decode_tokens_per_s if gpus_hold_it and gpu.bandwidth_bytes_per_s > 0 else 0.0
    fullest = max(devices, key=lambda u: u.total_bytes / max(u.budget_bytes, 1), default=None)
    plan = fit.attempt.plan
    launch = launch_line(
        LaunchInput(
            d.runtime,
            plan,
            req.repo,
            precision,
            req.native_precision,
            kv_dtype,
            d.workload.context,
            d.arch,
            fit.weights,
            d.hardware,
            d.workload.expert_parallel,
        )
    )
    notes = []
    nodes = plan_nodes(plan, d.hardware)
    if nodes > 1 and d.runtime.name in MULTI_NODE_NOTE:
        notes.append(MULTI_NODE_NOTE[d.runtime.name])
    if plan.offloaded_bytes and fit.verdict != "does_not_fit":
        notes.append(f"needs {plan.offloaded_bytes / 2**30:,.0f} GiB of RAM for the offloaded weights")
    notes.extend(fit.reasons[:1] if fit.verdict == "does_not_fit" else ())
    return Option(
        kind=kind,
        verdict=fit.verdict,
        gpu=gpu.name,
        count=plan.gpus,
        nodes=nodes,
        tp=plan.tp,
        pp=plan.pp,
        ep=plan.tp if d.workload.expert_parallel and d.arch.moe is not None else 1,
        precision=precision,
        runtime=d.runtime.name,
        offload=plan.offload,
        offloaded_bytes=plan.offloaded_bytes,
        per_device_bytes=fullest.total_bytes if fullest else 0,
        budget_bytes=fullest.budget_bytes if fullest else 0,
        decode_tokens_per_s=speed,
        launch=launch,
        note="; ".join(notes),
    )


def _lower_precision(req: OptionsRequest) -> Option | None:
    d = req.deployment
    usable = [g for g in d.hardware.gpus if not g.unavailable]
    if not usable:
        return None
    order = list(QUALITY_ORDER)
    here = order.index(req.precision) if req.precision in order else -1
    for candidate in supported_precisions(d.runtime, usable[0]):
        if order.index(candidate) <= here or candidate in SIXTEEN_BIT:
            continue  # fp16 is no smaller than bf16
        if candidate == "mxfp4" and req.native_precision != "mxfp4":
            continue  # MXFP4 checkpoints exist for the models published in it (gpt-oss), not as a conversion
        if _fits(req, d, candidate):
            return _evaluate(req, "lower precision", d, candidate)
    return None


def _same_gpu_hardware(d: Deployment, count: int, nodes: int = 1) -> Hardware | None:
    usable = [g for g in d.hardware.gpus if not g.unavailable]
    if not usable:
        return None
    gpu = _idle(usable[0])
    link = (d.hardware.inter_node_bytes_per_s or DEFAULT_INTER_NODE_BYTES_PER_S) if nodes > 1 else None
    return replace(d.hardware, gpus=(gpu,) * count, source="preset", nodes=nodes, inter_node_bytes_per_s=link, notes=())


def _counts() -> tuple[int, ...]:
    return (1, 2, 4, 8)


def _fewest_gpus(req: OptionsRequest) -> Option | None:
    d = req.deployment
    for count in _counts():
        hardware = _same_gpu_hardware(d, count)
        if hardware is None:
            return None
        if _fits(req, replace(d, hardware=hardware), req.precision):
            return _evaluate(req, "fewest of this GPU", replace(d, hardware=hardware), req.precision)
    return None


def _offload(req: OptionsRequest) -> Option | None:
    d = req.deployment
    llama = get_runtime("llama.cpp")
    precision = req.precision if precision_kind(req.precision) == "gguf" else OFFLOAD_PRECISION
    mode: Offload = "experts" if d.arch.moe is not None and d.arch.num_moe_layers else "layers"
    if not any(not g.unavailable for g in d.hardware.gpus):
        return None
    runtime = llama if d.runtime.name != "llama.cpp" else d.runtime
    hardware = d.hardware
    if hardware.nodes > 1:  # llama-server runs on one machine
        per_node = max(1, len(hardware.gpus) // hardware.nodes)
        hardware = replace(hardware, gpus=hardware.gpus[:per_node], nodes=1, inter_node_bytes_per_s=None)
    gguf = replace(d, runtime=runtime, hardware=hardware)
    if _fits(req, gguf, precision):  # it fits as a GGUF without offloading anything: the simplest such plan
        return _evaluate(req, "llama.cpp", gguf, precision, PlanOptions(offload="none"))
    return _evaluate(req, "offload", gguf, precision, PlanOptions(offload=mode))


def _smallest_gpu(req: OptionsRequest, presets: Mapping[str, GpuSpec]) -> Option | None:
    d = req.deployment
    vendor = d.hardware.gpus[0].vendor
    candidates = [
        (gpu.memory_bytes * count, count, gpu)
        for gpu in presets.values()
        if gpu.vendor == vendor
        for count in _counts()
    ]
    candidates.sort(key=lambda c: (c[1] > 1, c[0], c[2].id))  # one card first, then the least memory in all
    for _, count, gpu in candidates:
        if not d.runtime.supports(req.precision, gpu.vendor, gpu.compute_capability):
            continue
        hardware = replace(d.hardware, gpus=(gpu,) * count, source="preset", nodes=1, inter_node_bytes_per_s=None)
        if _fits(req, replace(d, hardware=hardware), req.precision):
            return _evaluate(req, "smallest GPU", replace(d, hardware=hardware), req.precision)
    return None


def _multi_node(req: OptionsRequest, precision: str) -> Option | None:
    d = req.deployment
    runtime = d.runtime if d.runtime.multi_gpu == "tp" else get_runtime("vllm")
    one_node = _same_gpu_hardware(d, GPUS_PER_NODE)
    if one_node is None:
        return None
    gpu = one_node.gpus[0]
    if not runtime.supports(precision, gpu.vendor, gpu.compute_capability):
        return None
    if _fits(req, replace(d, runtime=runtime, hardware=one_node), precision):
        return None  # one node holds it: not a multi-node question
    for nodes in range(2, MAX_NODES + 1):
        hardware = _same_gpu_hardware(d, GPUS_PER_NODE * nodes, nodes)
        if hardware is None:
            return None
        across = replace(d, runtime=runtime, hardware=hardware)
        plan = PlanOptions(tp=GPUS_PER_NODE, pp=nodes, offload="none")
        if _fits(req, across, precision, plan):
            return _evaluate(req, "multi-node", across, precision, PlanOptions(tp=GPUS_PER_NODE, pp=nodes))
    return None


def suggest(req: OptionsRequest, presets: Mapping[str, GpuSpec]) -> tuple[Option, ...]:
    """The options for a deployment, fastest first (those that fit before those that do not)."""
    if not req.deployment.hardware.gpus:
        return ()
    found = [
        _lower_precision(req),
        _fewest_gpus(req),
        _offload(req),
        _smallest_gpu(req, presets),
        _multi_node(req, req.precision),
    ]
    if req.precision != "bf16":
        found.append(_multi_node(req, "bf16"))
    current = req.fit.attempt.plan
    seen = {(req.deployment.hardware.gpus[0].name, current.gpus, req.precision, req.deployment.runtime.name)}
    out: list[Option] = []
    for option in found:
        if option is None:
            continue
        key = (option.gpu, option.count, option.precision, option.runtime)
        if key in seen and option.offload == current.offload:
            continue  # the plan already shown
        seen.add(key)
        out.append(option)
    out.sort(key=lambda o: (o.verdict == "does_not_fit", -o.decode_tokens_per_s))
    return tuple(out)


def options_for(
    analysis: Analysis, presets: Mapping[str, GpuSpec], repo: str, native_precision: str | None = None
) -> tuple[Option, ...]:
    """The options for an analysis with hardware (none without)."""
    if analysis.fit is None or analysis.hardware is None or not analysis.hardware.gpus:
        return ()
    deployment = Deployment(analysis.arch, analysis.breakdown, analysis.runtime, analysis.hardware, analysis.workload)
    native = native_precision or resolve_precision("auto", analysis.arch)
    request = OptionsRequest(deployment, analysis.fit, analysis.precision, analysis.kv.kv_dtype, native, repo)
    return suggest(request, presets)


def launch_for(analysis: Analysis, repo: str, native_precision: str | None = None) -> str:
    """The command that runs an analysis's own plan ("" without hardware or for transformers)."""
    if analysis.fit is None or analysis.hardware is None:
        return ""
    return launch_line(
        LaunchInput(
            analysis.runtime,
            analysis.fit.attempt.plan,
            repo,
            analysis.precision,
            native_precision or resolve_precision("auto", analysis.arch),
            analysis.kv.kv_dtype,
            analysis.workload.context,
            analysis.arch,
            analysis.weights,
            analysis.hardware,
            analysis.workload.expert_parallel,
        )
    )
