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
    """Fixed seconds per step for each reference decoder layer's worth of kernels (launches, syncs,
    kernels too small to reach full bandwidth); a layer costs its :func:`layer_kernels` share."""
    compute: float
    """Share of peak tensor FLOPS reached in prefill."""
    moe_compute: float = 1.0
    """Factor on ``compute`` for MoE prefill (per-expert GEMMs on few tokens each run below peak)."""
    compute_by_cc: tuple[tuple[float, float], ...] = ()
    """(compute capability, share) pairs that replace ``compute`` on those GPUs: a runtime whose
    kernels do not use an architecture's own tensor-core instructions reaches far less of its peak."""
    band: float = 0.35
    """Relative half-width of the low-high band: the 90th-percentile error on held-out rows."""


EFFICIENCY: dict[tuple[str, str], Efficiency] = {
    # llama.cpp: bandwidth and per-layer cost fitted by benchmarks/calibrate.py on the even rows
    # of benchmarks/decode.csv: public llama-bench runs (consumer NVIDIA, Apple, DGX Spark) plus
    # 24 llama-bench runs of 12 models on a lent H100 SXM (2026-11-22, synthetic GGUFs with the
    # real tensor layout, benchmarks/llama_bench_synth.sh). Held-out NVIDIA rows: dense (n=22)
    # median |error| 7.6%, p90 17.7%; MoE (n=8: gpt-oss-20b, Qwen3-30B-A3B, OLMoE, Mixtral,
    # Qwen2-57B-A14B) median 12.2%, p90 20.1%. Apple (n=9) median 22%, p90 32%. AMD: 4 Strix
    # Halo rows, too few to fit; the guess is within +-22% of them. Prefill compute share from
    # the same sources' pp512 rows (benchmarks/prefill.csv: RTX 4090 0.65, M2 Ultra 0.55).
    # On the H100 (CC 9.0) llama-bench pp512 reached only 0.14 of the 989 TFLOPS dense peak for
    # dense models (n=13) and 0.07 for MoE (n=12): its quantized matmuls use mma.sync, not
    # Hopper's wgmma, so the share fitted on consumer cards (0.65) does not carry over.
    ("llama.cpp", "nvidia"): Efficiency(
        bandwidth=0.82, per_layer_s=48e-6, compute=0.65, moe_compute=0.5, compute_by_cc=((9.0, 0.14),)
    ),
    ("llama.cpp", "apple"): Efficiency(bandwidth=0.58, per_layer_s=72e-6, compute=0.55),
    ("llama.cpp", "amd"): Efficiency(bandwidth=0.60, per_layer_s=40e-6, compute=0.25),
    # vLLM: one public single-stream row (DGX Spark gpt-oss-120b, 34% slower than this); its CUDA
    # graphs remove most launch cost.
    ("vllm", "nvidia"): Efficiency(bandwidth=0.75, per_layer_s=6e-6, compute=0.5),
    ("vllm", "amd"): Efficiency(bandwidth=0.65, per_layer_s=10e-6, compute=0.4),
    # transformers (5.17, eager, generate()): 41 decode and 15 prefill runs of 12 models measured
    # on an H200 by benchmarks/measure_transformers.py (2026-11-22). Decode is host-bound: 15-80
    # tok/s from 1B to 57B, flat in batch up to 8, +-25% between identical runs. Bandwidth pinned
    # to the measured d2d copy (0.85); per-layer cost fitted on the even rows; held-out (n=21)
    # median |error| 9.6%, p90 34.7% (MoE n=5: 7.7%, 38%). Prefill: dense median 0.50 of peak
    # (n=11), MoE 0.16 (n=4; experts run one by one). The per-layer cost is Python and launch
    # overhead, so AMD and Apple get the same until measured.
    ("transformers", "nvidia"): Efficiency(bandwidth=0.85, per_layer_s=675e-6, compute=0.5, moe_compute=0.32),
    ("transformers", "amd"): Efficiency(bandwidth=0.45, per_layer_s=675e-6, compute=0.3, moe_compute=0.32, band=0.5),
    ("transformers", "apple"): Efficiency(bandwidth=0.40, per_layer_s=675e-6, compute=0.2, moe_compute=0.32, band=0.5),
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


REFERENCE_LAYER_KERNELS = 15
"""Kernels of a Llama decoder layer at decode (2 norms, 4 projections, 2 RoPE, attention, 2 adds,
gate, up, GLU, down): the unit ``Efficiency.per_layer_s`` is fitted in."""


def layer_kernels(arch: Architecture) -> float:
    """Decode-step GPU kernels of all decoder layers, in reference-layer units.

    Counted from the operations llama.cpp's graph builders issue per layer (src/models/*.cpp),
    unfused: a norm 1; attention 4 projections + 2 RoPE + 1 attention + 1 residual add (MLA 6
    projections); each bias vector 1 add, q/k norms 2; a linear-attention (delta-net) layer 12;
    a dense FFN gate, up, GLU, down, add (5; 4 ungated); an MoE FFN router, softmax, top-k,
    weight gather, 3 expert matmuls, GLU, weighting, sum (10), +2 with a router or expert bias
    (+1, +3), a shared expert 4 more, its gate 3 more. Measured on an H100 (benchmarks/decode.csv,
    2026-11-22 llama.cpp rows), the fixed time per layer rises with this count: Llama 8B 66 us
    (15 kernels), Mixtral 80 us (20), gpt-oss-20b 97 us (28), Qwen2-57B-A14B 129 us (31).
    """
    moe = arch.moe
    softmax_attention = 8 + (2 if arch.mla is not None else 0)
    extra = arch.norms_per_layer + 3 * arch.qkv_bias + arch.out_bias + 2 * arch.qk_norm
    total = 0.0
    for kind in arch.layer_kinds:
        total += (12 if kind == "linear" else softmax_attention) + extra
    dense_ffn = 5 if arch.gated_ffn else 4
    total += arch.num_dense_ffn_layers * dense_ffn
    if moe is not None:
        moe_ffn = 10 + moe.router_bias + 3 * moe.expert_bias
        if moe.num_shared_experts:
            moe_ffn += 4 + 3 * moe.shared_expert_gate
        total += arch.num_moe_layers * moe_ffn
    return total / REFERENCE_LAYER_KERNELS


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
    layer_units = layer_kernels(arch)
    fixed = layer_units * eff.per_layer_s + (2 * arch.num_layers * ALLREDUCE_S if plan.tp > 1 else 0.0)
    compute = dict(eff.compute_by_cc).get(gpu.compute_capability or 0.0, eff.compute)
    compute_share = compute * (eff.moe_compute if moe_layers else 1.0)
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
        + f" + {arch.num_layers} layers"
        + (f" (kernels of {layer_units:.1f} Llama layers)" if abs(layer_units - arch.num_layers) >= 0.05 else "")
        + f" x {eff.per_layer_s * 1e6:.0f} us"
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
