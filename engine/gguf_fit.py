"""Which quant of a GGUF repo fits here: each variant's file bytes checked against the GPUs.

A GGUF repo offers one model at many quantizations (Q8_0, Q6_K, Q4_K_M, IQ2_XXS, BF16, MXFP4...).
Their files' sizes are what llama.cpp loads, so the weights of each variant are its file bytes
(split parts summed), spread over the components as the engine's estimate for the nearest file type
the engine knows spreads them. The KV cache, the overhead, the plan and the speed are the engine's
own (the same fit and speed functions as ``inspect``) under llama.cpp, the runtime that runs GGUF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from paramtui.engine.analysis import DEFAULT_CONTEXT, Request, choose_runtime
from paramtui.engine.architecture import Architecture
from paramtui.engine.fit import Deployment, Verdict, Workload, assess_fit
from paramtui.engine.hardware import Hardware
from paramtui.engine.kv_cache import estimate_kv_cache, resolve_kv_dtype
from paramtui.engine.params import ParamBreakdown
from paramtui.engine.precision import GGUF_PRECISIONS, WeightsEstimate, estimate_weights
from paramtui.engine.speed import estimate_speed

NEAREST_FAMILY = {
    "q8": "q8_0",
    "q6": "q6_k",
    "q5": "q5_k_m",
    "q4": "q4_k_m",
    "q3": "q3_k_m",
    "q2": "q2_k",
    "iq4": "iq4_xs",
    "iq3": "q3_k_m",
    "iq2": "q2_k",
    "iq1": "q2_k",
    "tq1": "q2_k",
    "tq2": "q2_k",
    "bf16": "f16",
    "f16": "f16",
    "f32": "f16",
    "mxfp4": "mxfp4_moe",
}
"""A quant label's family -> the engine file type whose per-component split it is given.

Only the split between components is borrowed (which bytes are routed experts, which the output
head); the total is the variant's file bytes."""


@dataclass(frozen=True, slots=True)
class QuantFit:
    """One GGUF variant on this hardware."""

    label: str
    """Quant label from the file names (Q4_K_M, IQ2_XXS, BF16...)."""
    file_bytes: int
    """Bytes of its files (split parts summed): the weights llama.cpp loads."""
    precision: str
    """The engine file type it is computed as (its own name when the engine knows it)."""
    needed_bytes: int
    """Weights + KV cache at the context + llama.cpp's overhead, over all the GPUs of the plan."""
    verdict: Verdict | None
    """fits / fits_with_offload / does_not_fit; None without hardware."""
    max_context: int
    """Largest context that fits on the plan (0 when it does not fit or without hardware)."""
    decode_tokens_per_s: float | None
    """One request's decode speed; None when it does not fit or the bandwidth is unknown."""
    plan: str
    """The plan in words (``1 GPU``, ``tp=1 pp=2``, ``1 GPU + 9.5 GiB experts in RAM``); empty without hardware."""


def engine_precision(label: str) -> str:
    """The engine file type a quant label is computed as (``IQ2_XXS`` -> ``q2_k``, ``Q4_K_M`` -> ``q4_k_m``)."""
    key = label.lower().removeprefix("ud-")
    if key in GGUF_PRECISIONS:
        return key
    family = key.split("_", 1)[0]
    return NEAREST_FAMILY.get(family, "q4_k_m")


def scaled_weights(estimate: WeightsEstimate, file_bytes: int) -> WeightsEstimate:
    """``estimate`` with every component scaled so the total is ``file_bytes``."""
    if estimate.total_bytes <= 0:
        return estimate
    factor = file_bytes / estimate.total_bytes
    return replace(
        estimate,
        component_bytes={name: round(b * factor) for name, b in estimate.component_bytes.items()},
        total_bytes=file_bytes,
        active_bytes_per_token=round(estimate.active_bytes_per_token * factor),
        routed_expert_bytes=round(estimate.routed_expert_bytes * factor),
        replicated_bytes=round(estimate.replicated_bytes * factor),
        basis=f"{file_bytes:,} bytes of GGUF files, split over the components as {estimate.precision}",
    )


def _plan_words(fit_plan_tp: int, fit_plan_pp: int, offload: str, offloaded_bytes: int) -> str:
    gpus = fit_plan_tp * fit_plan_pp
    words = "1 GPU" if gpus == 1 else f"tp={fit_plan_tp} pp={fit_plan_pp}"
    if offload != "none":
        words += f" + {offloaded_bytes / 2**30:.1f} GiB {offload} in RAM"
    return words


def quant_fits(
    arch: Architecture,
    breakdown: ParamBreakdown,
    variants: Sequence[tuple[str, int]],
    hardware: Hardware | None,
    context: int | None = None,
) -> tuple[QuantFit, ...]:
    """Each (label, file bytes) variant checked against ``hardware`` under llama.cpp, largest first.

    Args:
        arch: the model (from the GGUF header of one variant).
        breakdown: its parameters.
        variants: (quant label, bytes of its files).
        hardware: the GPUs; None gives sizes and needs without verdicts.
        context: tokens per sequence; default min(8192, the model's maximum).

    Raises:
        ValueError: a context below 1.
    """
    context = context if context is not None else min(DEFAULT_CONTEXT, arch.max_context)
    if context < 1:
        raise ValueError(f"--context must be at least 1, got {context}")
    kv_dtype = resolve_kv_dtype("auto", arch)
    results = []
    for label, file_bytes in sorted(variants, key=lambda v: -v[1]):
        precision = engine_precision(label)
        weights = scaled_weights(estimate_weights(arch, breakdown, precision), file_bytes)
        runtime = choose_runtime(Request(runtime="llama.cpp"), precision, hardware)
        kv = estimate_kv_cache(arch, context, 1, kv_dtype, runtime.kv)
        needed = weights.total_bytes + kv.bytes + runtime.overhead_bytes(arch, 1, context)
        if hardware is None or not hardware.gpus:
            results.append(QuantFit(label, file_bytes, precision, needed, None, 0, None, ""))
            continue
        d = Deployment(arch, breakdown, runtime, hardware, Workload(context))
        fit = assess_fit(d, precision, kv_dtype, search_best=False, weights=weights)
        speed = None
        if fit.verdict != "does_not_fit" and hardware.gpus[0].bandwidth_bytes_per_s > 0:
            speed = estimate_speed(d, fit).decode_tokens_per_s
        plan = fit.attempt.plan
        results.append(
            QuantFit(
                label,
                file_bytes,
                precision,
                needed,
                fit.verdict,
                fit.max_context,
                speed,
                _plan_words(plan.tp, plan.pp, plan.offload, plan.offloaded_bytes),
            )
        )
    return tuple(results)
