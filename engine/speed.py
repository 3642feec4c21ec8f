"""Decode and prefill speed estimates, with a low-high band and the numbers behind them.

Decode at small batch is memory-bound: each step reads the active weights (output head
included, input embedding table not) and the KV cache, so a step takes bytes / (bandwidth x
efficiency) plus a fixed cost per layer (kernel launches and synchronisation, which is what
caps small models). At batch B an MoE layer reads the distinct experts the B tokens choose,
E x (1 - (1 - k/E)^B), and large batches become compute-bound. Prefill is compute-bound:
2 x active parameters x tokens plus the attention FLOPs, over peak FLOPS x efficiency.
Offloaded bytes are read at RAM bandwidth; tensor parallel adds the GPUs' bandwidths and
pays two all-reduces per layer; a layer split (pipeline) runs the stages one after another.

The efficiencies are fitted by ``benchmarks/calibrate.py`` on ``benchmarks/decode.csv``
(public llama-bench runs, sources in the file); the band is the error on the held-out rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from paramtui.engine.architecture import Architecture
from paramtui.engine.fit import FitReport, Workload
from paramtui.engine.hardware import Hardware
from paramtui.engine.params import ParamBreakdown
from paramtui.engine.runtimes import RuntimeProfile


@dataclass(frozen=True, slots=True)
class Efficiency:
    """How much of the hardware a runtime gets."""

    bandwidth: float
    """Share of peak memory bandwidth reached while decoding."""
    per_layer_s: float
    """Fixed seconds per decoder layer per step (launches, syncs)."""
    compute: float
    """Share of peak tensor FLOPS reached in prefill."""
    moe_layer_s: float = 0.0
    """Extra fixed seconds per MoE layer per step: router, top-k and per-expert kernel launches."""
    moe_compute: float = 1.0
    """Factor on ``compute`` for MoE prefill (per-expert GEMMs on few tokens each run below peak)."""
    band: float = 0.35
    """Relative half-width of the low-high band: the 90th-percentile error on held-out rows."""


EFFICIENCY: dict[tuple[str, str], Efficiency] = {
    # llama.cpp: bandwidth and per-layer cost fitted by benchmarks/calibrate.py on the even rows
    # of benchmarks/decode.csv (public llama-bench runs, 17 NVIDIA and 12 Apple rows); held-out:
    # NVIDIA dense (n=16) median |error| 6.7%, p90 15.3%, MoE (n=2, gpt-oss-20b) 14%; Apple
    # (n=9) median 26%, p90 35%. AMD: 4 Strix Halo rows, too few to fit; the guess is within
    # +-22% of them. Prefill compute share from the same sources' pp512 rows
    # (benchmarks/prefill.csv: RTX 4090 0.65, M2 Ultra 0.55).
    ("llama.cpp", "nvidia"): Efficiency(bandwidth=0.84, per_layer_s=56e-6, compute=0.65),
    ("llama.cpp", "apple"): Efficiency(bandwidth=0.56, per_layer_s=96e-6, compute=0.55),
    ("llama.cpp", "amd"): Efficiency(bandwidth=0.60, per_layer_s=40e-6, compute=0.25),
    # vLLM: one public single-stream row (DGX Spark gpt-oss-120b, 34% slower than this); its CUDA
    # graphs remove most launch cost.
    ("vllm", "nvidia"): Efficiency(bandwidth=0.75, per_layer_s=6e-6, compute=0.5),
    ("vllm", "amd"): Efficiency(bandwidth=0.65, per_layer_s=10e-6, compute=0.4),
    # transformers (5.17, eager, generate()): 41 decode and 15 prefill runs of 12 models measured
    # on an H200 by benchmarks/measure_transformers.py (2026-11-22). Decode is host-bound: 15-80
    # tok/s from 1B to 57B, flat in batch up to 8, +-25% between identical runs. Bandwidth pinned
    # to the measured d2d copy (0.85); per-layer and extra MoE-layer cost fitted on the even rows;
    # held-out (n=21) median |error| 11.6%, p90 41.6% (all 41 rows: median 20%), hence its wider
    # band. Prefill: dense median 0.50 of peak (n=11), MoE 0.16 (n=4; experts run one by one).
    # The per-layer cost is Python and launch overhead, so AMD and Apple get the same until measured.
    ("transformers", "nvidia"): Efficiency(
        bandwidth=0.85, per_layer_s=800e-6, compute=0.5, moe_layer_s=350e-6, moe_compute=0.32, band=0.42
    ),
    ("transformers", "amd"): Efficiency(
        bandwidth=0.45, per_layer_s=800e-6, compute=0.3, moe_layer_s=350e-6, moe_compute=0.32, band=0.5
    ),
    ("transformers", "apple"): Efficiency(
        bandwidth=0.40, per_layer_s=800e-6, compute=0.2, moe_layer_s=350e-6, moe_compute=0.32, band=0.5
    ),
}
"""Efficiency per (runtime, GPU vendor)."""

FALLBACK_EFFICIENCY = Efficiency(bandwidth=0.6, per_layer_s=50e-6, compute=0.3)
"""For runtime/vendor pairs with no calibration."""

RAM_EFFICIENCY = 0.7
"""Share of RAM bandwidth reached when the CPU reads offloaded weights (llama.cpp -ngl/--n-cpu-moe)."""

ALLREDUCE_S = 15e-6
"""One small all-reduce between GPUs (NVLink ~8 us, PCIe ~25 us), two per layer under TP."""


@dataclass(frozen=True, slots=True)
class SpeedEstimate:
    """Tokens per second, with the band and the basis."""

    decode_tokens_per_s: float
    """Single-stream decode at the chosen context."""
    decode_low: float
    """Lower end of the band."""
    decode_high: float
    """Upper end of the band."""
    decode_batch_tokens_per_s: float
    """Aggregate decode at the chosen batch."""
    prefill_tokens_per_s: float
    """Prompt processing rate."""
    ttft_s: float
    """Time to first token for a prompt of ``context`` tokens."""
    basis: str
    """One line with the numbers used."""


def distinct_experts(num_experts: int, top_k: int, batch: int) -> float:
    """Expected distinct experts B tokens choose, each taking k of E uniformly."""
    return num_experts * (1 - (1 - top_k / num_experts) ** batch)


def attention_flops(arch: Architecture, tokens: int) -> float:
    """FLOPs of attention scores and weighted sums over a causal prompt of ``tokens``."""
    width = arch.mla.qk_head_dim + arch.mla.v_head_dim if arch.mla is not None else 2 * arch.head_dim
    total = 0.0
    for kind in arch.layer_kinds:
        if kind == "linear":
            continue
        span = tokens / 2 if kind == "full" else min(tokens / 2, arch.sliding_window)
        total += 2 * arch.num_heads * width * tokens * span
    return total


def estimate_speed(
    arch: Architecture,
    breakdown: ParamBreakdown,
    fit: FitReport,
    runtime: RuntimeProfile,
    hardware: Hardware,
    workload: Workload,
) -> SpeedEstimate:
    """Decode and prefill speed of the plan in ``fit`` on ``hardware``."""
    gpu = hardware.gpus[0]
    eff = EFFICIENCY.get((runtime.name, gpu.vendor), FALLBACK_EFFICIENCY)
    plan = fit.attempt.plan
    weights = fit.weights
    active = weights.active_bytes_per_token
    routed_total = weights.routed_expert_bytes
    moe = arch.moe
    routed_active = routed_total * (moe.top_k / moe.num_experts) if moe is not None else 0.0
    other_active = active - routed_active
    kv_per_seq = fit.kv.bytes / workload.batch

    def step_bytes(batch: int) -> tuple[float, float]:
        """(GPU bytes, RAM bytes) one decode step reads for ``batch`` sequences."""
        if moe is not None and batch > 1:
            routed = routed_total * distinct_experts(moe.num_experts, moe.top_k, batch) / moe.num_experts
        else:
            routed = routed_active
        if plan.offload == "experts" and routed_total:
            ram = routed * plan.offloaded_bytes / routed_total
        elif plan.offload == "layers" and weights.total_bytes:
            ram = (other_active + routed) * plan.offloaded_bytes / weights.total_bytes
        else:
            ram = 0.0
        return other_active + routed - ram + kv_per_seq * batch, ram

    bandwidth = gpu.bandwidth_bytes_per_s * eff.bandwidth * plan.tp
    moe_layers = arch.num_moe_layers if moe is not None else 0
    fixed = (
        arch.num_layers * eff.per_layer_s
        + moe_layers * eff.moe_layer_s
        + (2 * arch.num_layers * ALLREDUCE_S if plan.tp > 1 else 0.0)
    )
    compute_share = eff.compute * (eff.moe_compute if moe_layers else 1.0)
    peak = gpu.fp16_flops * compute_share * plan.tp

    def step_seconds(batch: int) -> float:
        gpu_bytes, ram_bytes = step_bytes(batch)
        memory = gpu_bytes / bandwidth + ram_bytes / (hardware.ram_bandwidth_bytes_per_s * RAM_EFFICIENCY)
        compute = 2 * breakdown.active_excluding_embeddings * batch / peak
        return max(memory, compute) + fixed

    decode = 1 / step_seconds(1)
    decode_batch = workload.batch / step_seconds(workload.batch)
    tokens = max(workload.context, 1)
    flops = 2 * breakdown.active_excluding_embeddings * tokens + attention_flops(arch, tokens)
    gpu_weights = weights.total_bytes - plan.offloaded_bytes
    prefill_s = max(flops / peak, gpu_weights / bandwidth) + plan.offloaded_bytes / (
        hardware.ram_bandwidth_bytes_per_s * RAM_EFFICIENCY
    )
    gpu_bytes, ram_bytes = step_bytes(1)
    basis = (
        f"{gpu.bandwidth_bytes_per_s * plan.tp / 1e12:.2f} TB/s x {eff.bandwidth:.2f} / "
        f"{gpu_bytes / 1e9:.2f} GB/token"
        + (
            f" + {ram_bytes / 1e9:.2f} GB/token from RAM at {hardware.ram_bandwidth_bytes_per_s / 1e9:.0f} GB/s"
            if ram_bytes
            else ""
        )
        + f" + {arch.num_layers} layers x {eff.per_layer_s * 1e6:.0f} us"
        + (f" + {moe_layers} MoE layers x {eff.moe_layer_s * 1e6:.0f} us" if moe_layers and eff.moe_layer_s else "")
        + f"; prefill {flops / tokens / 1e9:.1f} GFLOP/token at {peak / 1e12:.0f} TFLOPS effective"
        + f" ({runtime.name}, {gpu.vendor})"
    )
    return SpeedEstimate(
        decode_tokens_per_s=decode,
        decode_low=decode * (1 - eff.band),
        decode_high=decode * (1 + eff.band),
        decode_batch_tokens_per_s=decode_batch,
        prefill_tokens_per_s=tokens / prefill_s,
        ttft_s=prefill_s,
        basis=basis,
    )
