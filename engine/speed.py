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

from dataclasses import dataclass, replace

from paramtui.engine.architecture import Architecture
from paramtui.engine.calibration import Calibration, Efficiency, ServingConstants
from paramtui.engine.fit import Deployment, FitReport
from paramtui.engine.hardware import GpuSpec, Hardware
from paramtui.engine.math_path import UBATCH_TOKENS, MathPath, expert_tile_factor, prefill_path, quantized_gguf
from paramtui.engine.params import ParamBreakdown, prompt_flops
from paramtui.engine.placement import plan_nodes
from paramtui.engine.runtimes import RuntimeProfile
from paramtui.engine.serving import (
    ServingPrefill,
    ServingStep,
    allreduce_seconds,
    describe,
    serving_step,
    shared_expert_fused,
)

__all__ = ["Efficiency", "SpeedEstimate", "estimate_speed"]


def default_calibration() -> Calibration:
    """The shipped constants (``presets/data/speed_calibration.json``), read once."""
    from paramtui.presets import speed_calibration  # data loader; imported late to keep the core import light

    return speed_calibration()


def efficiency(runtime: str, vendor: str, calibration: Calibration | None = None) -> Efficiency:
    """The per-layer model's constants for a runtime on a vendor's GPUs (the fallback when unfitted)."""
    cal = calibration or default_calibration()
    return cal.efficiency.get((runtime, vendor), cal.fallback)


def serving_constants(runtime: str, vendor: str, calibration: Calibration | None = None) -> ServingConstants | None:
    """The serving model's constants for a runtime on a vendor's GPUs (NVIDIA's when unfitted), or None."""
    cal = calibration or default_calibration()
    return cal.serving.get((runtime, vendor)) or cal.serving.get((runtime, "nvidia"))


ALLREDUCE_S = 15e-6
"""One small all-reduce between GPUs in the per-layer model (NVLink ~8 us, PCIe ~25 us), two per layer under TP."""

DEFAULT_OUTPUT_TOKENS = 512
"""Tokens each request generates when not given: where other requests' prompts interleave with decoding."""


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
    prefill_tokens_per_s: float | None
    """Prompt processing rate; None when the GPU's FLOPS are unknown (a custom ``--gpu`` without fp16)."""
    ttft_s: float | None
    """Time to first token for a prompt of ``context`` tokens; None with the prefill rate."""
    basis: str
    """One line with the numbers used."""
    concurrency: int = 1
    """Requests decoded together (``--batch`` / ``--concurrency``)."""
    per_user_tokens_per_s: float = 0.0
    """What each of ``concurrency`` requests sees, with the others' prompts prefilled in between."""
    total_tokens_per_s: float = 0.0
    """All requests together: ``concurrency x per_user_tokens_per_s``."""
    load_basis: str = ""
    """How the load figures were made (interference assumption)."""
    notes: tuple[str, ...] = ()
    """Figures left out and why."""


def distinct_experts(num_experts: int, top_k: int, batch: int) -> float:
    """Expected distinct experts B tokens choose, each taking k of E uniformly."""
    return num_experts * (1 - (1 - top_k / num_experts) ** batch)


REFERENCE_LAYER_KERNELS = 15
"""Kernels of a Llama decoder layer at decode (2 norms, 4 projections, 2 RoPE, attention, 2 adds,
gate, up, GLU, down): the unit ``Efficiency.per_layer_s`` is fitted in."""


REFERENCE_HIDDEN = 4096
"""Hidden size of the reference layer (Llama 3 8B): a kernel's fixed time grows with the width of the
tensors it touches (``Efficiency.per_layer_width``)."""


HOST_REFERENCE_GHZ = 3.228
"""CPU clock the per-layer cost is quoted at (the M1 generation's performance cores, 3,228 MHz): where a
runtime encodes each step's kernels on the CPU (llama.cpp's Metal backend), the share ``Efficiency.host_share``
of that cost scales with this clock over the host's (``GpuSpec.host_cpu_ghz``)."""


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
    mixer_kernels = {"linear": 12, "ssm": 12, "hybrid": 12 + softmax_attention, "none": 0}
    for kind in arch.layer_kinds:
        total += mixer_kernels.get(kind, softmax_attention) + extra
    dense_ffn = 5 if arch.gated_ffn else 4
    total += arch.num_dense_ffn_layers * dense_ffn
    if moe is not None:
        moe_ffn = 10 + moe.router_bias + 3 * moe.expert_bias
        if moe.num_shared_experts:
            moe_ffn += 4 + 3 * moe.shared_expert_gate
        total += arch.num_moe_layers * moe_ffn
    return total / REFERENCE_LAYER_KERNELS


@dataclass(frozen=True, slots=True)
class PerLayerStep:
    """One decode step under the per-layer model (llama.cpp, transformers), before its constants apply."""

    gpu_bytes: float
    """Bytes the GPUs read per step (weights and KV)."""
    bandwidth_bytes_per_s: float
    """Peak bandwidth of the GPUs that read them together (tensor parallel adds them up)."""
    ram_s: float
    """Seconds reading offloaded weights from RAM."""
    compute_s: float
    """Seconds of the step's FLOPs at the prefill compute share (large batches turn compute-bound)."""
    layer_units: float
    """Decoder layers' kernels in reference-layer units."""
    collective_s: float
    """All-reduces between tensor-parallel GPUs."""
    ram_bytes: float
    """Bytes read from RAM per step."""
    width: float = 1.0
    """Hidden size over the reference layer's 4,096 (Llama 3 8B)."""
    dequant_s: float = 0.0
    """Seconds per unit of ``Efficiency.dequant_ops``: the quantized weights a step reads over the
    GPUs' vector FP16 FLOPS (0 for float weights, and for GPUs with INT8 matrix units, whose vector
    units outpace their memory)."""

    host_speed: float = 1.0
    """:data:`HOST_REFERENCE_GHZ` over the clock of the CPU that encodes the step's kernels (1 when unknown)."""

    def layer_scale(self, width_weight: float, host_share: float = 0.0) -> float:
        """Factor on the per-layer cost for this model's width and this host's CPU.

        ``(1 - w + w x width) x (1 - h + h x host_speed)``.
        """
        return (1 - width_weight + width_weight * self.width) * (1 - host_share + host_share * self.host_speed)

    def seconds(self, eff: Efficiency) -> float:
        """The step's time: reading, the step's FLOPs or dequantizing, whichever is longest, plus the fixed cost."""
        memory = self.gpu_bytes / (self.bandwidth_bytes_per_s * eff.bandwidth) + self.ram_s
        fixed = self.layer_units * eff.per_layer_s * self.layer_scale(eff.per_layer_width, eff.host_share)
        return max(memory, self.compute_s, eff.dequant_ops * self.dequant_s) + fixed + self.collective_s


def compute_path(
    eff: Efficiency,
    arch: Architecture,
    gpu: GpuSpec,
    runtime: str,
    precision: str,
    breakdown: ParamBreakdown | None = None,
    tokens: int = UBATCH_TOKENS,
) -> tuple[MathPath, float]:
    """The math path prefill (and compute-bound decode) runs on, and the share of its peak reached.

    On llama.cpp's MMQ path an MoE model's routed experts run at their tile fill
    (:func:`expert_tile_factor`, ``tokens`` per micro-batch); elsewhere the fitted ``moe_compute``.
    """
    path = prefill_path(runtime, precision, gpu)
    share = eff.compute_share(path.path, gpu.compute_capability)
    if arch.moe is None or not arch.num_moe_layers:
        return path, share
    if path.path == "int8_mmq" and breakdown is not None:
        return path, share * expert_tile_factor(arch, breakdown, tokens)
    return path, share * eff.moe_compute


def _routed_bytes(fit: FitReport, arch: Architecture, batch: int) -> tuple[float, float]:
    """(routed-expert bytes the batch reads per step, the other active bytes)."""
    weights = fit.weights
    moe = arch.moe
    routed_total = weights.routed_expert_bytes
    routed_active = routed_total * (moe.top_k / moe.num_experts) if moe is not None else 0.0
    other = weights.active_bytes_per_token - routed_active
    if moe is not None and batch > 1:
        return routed_total * distinct_experts(moe.num_experts, moe.top_k, batch) / moe.num_experts, other
    return routed_active, other


def kv_reads(arch: Architecture, runtime: RuntimeProfile) -> float:
    """How many times a decode step reads the KV cache.

    Once, or once per query head of each KV head's group where attention is unfused
    (:attr:`RuntimeProfile.flash_attention` off).
    """
    if runtime.flash_attention or arch.mla is not None or not arch.num_kv_heads:
        return 1.0
    return max(1.0, arch.num_heads / arch.num_kv_heads)


def per_layer_step(
    arch: Architecture,
    breakdown: ParamBreakdown,
    fit: FitReport,
    hardware: Hardware,
    batch: int,
    eff: Efficiency,
    ram_efficiency: float,
    runtime: str = "llama.cpp",
    cache_reads: float = 1.0,
) -> PerLayerStep:
    """The per-layer model's step for ``batch`` sequences.

    The KV bytes are scaled from the fit's batch and read ``cache_reads`` times (:func:`kv_reads`).
    """
    gpu = hardware.gpus[0]
    plan = fit.attempt.plan
    weights = fit.weights
    routed, other = _routed_bytes(fit, arch, batch)
    routed_total = weights.routed_expert_bytes
    if plan.offload == "experts" and routed_total:
        ram = routed * plan.offloaded_bytes / routed_total
    elif plan.offload == "layers" and weights.total_bytes:
        ram = (other + routed) * plan.offloaded_bytes / weights.total_bytes
    else:
        ram = 0.0
    kv_per_seq = fit.kv.bytes / fit.kv.batch * cache_reads
    # decode runs llama.cpp's matrix-vector kernels, not MMQ tiles: the fitted MoE factor, not the tile model
    path, share = compute_path(eff, arch, gpu, runtime, weights.precision)
    peak = path.peak_flops * share * plan.tp
    compute_s = 2 * breakdown.active_excluding_embeddings * batch / peak if peak else 0.0
    # the matrix-vector kernels dequantize each weight they read once per step, whatever the batch; on
    # GPUs without INT8 matrix units (Apple, RDNA 1/2) the FP16 figure is the vector rate that work runs at
    vector_flops = gpu.fp16_flops * plan.tp if gpu.int8_ops == 0 else 0.0
    quantized = runtime == "llama.cpp" and quantized_gguf(weights.precision) and vector_flops > 0
    read = (other + routed) * 8 / weights.bits_per_weight if weights.bits_per_weight else 0.0
    dequant_s = read / vector_flops if quantized else 0.0
    return PerLayerStep(
        gpu_bytes=other + routed - ram + kv_per_seq * batch,
        bandwidth_bytes_per_s=gpu.bandwidth_bytes_per_s * plan.tp,
        ram_s=ram / (hardware.ram_bandwidth_bytes_per_s * ram_efficiency),
        compute_s=compute_s,
        layer_units=layer_kernels(arch),
        width=arch.hidden_size / REFERENCE_HIDDEN,
        collective_s=2 * arch.num_layers * ALLREDUCE_S if plan.tp > 1 else 0.0,
        ram_bytes=ram,
        dequant_s=dequant_s,
        host_speed=HOST_REFERENCE_GHZ / gpu.host_cpu_ghz if gpu.host_cpu_ghz else 1.0,
    )


def serving_step_for(
    arch: Architecture,
    breakdown: ParamBreakdown,
    fit: FitReport,
    runtime: RuntimeProfile,
    hardware: Hardware,
    batch: int,
    constants: ServingConstants,
    expert_parallel: bool = False,
) -> ServingStep:
    """The serving model's step for ``batch`` sequences of the fit's plan."""
    moe = arch.moe
    chosen = distinct_experts(moe.num_experts, moe.top_k, batch) if moe is not None else None
    kv = fit.kv
    if batch != fit.kv.batch:
        kv = replace(kv, bytes=round(kv.bytes * batch / fit.kv.batch))
    return serving_step(
        arch,
        breakdown,
        fit.weights,
        kv,
        fit.attempt.plan,
        hardware.gpus[0],
        batch,
        constants,
        cuda_graphs=runtime.cuda_graphs,
        expert_parallel=expert_parallel,
        distinct_experts=chosen,
        nodes=plan_nodes(fit.attempt.plan, hardware),  # a plan inside one node pays no fabric
        inter_node_bytes_per_s=hardware.inter_node_bytes_per_s,
        fused_shared_expert=runtime.fuses_shared_expert
        and shared_expert_fused(arch, hardware.gpus[0], expert_parallel),
    )


def serving_prefill_for(
    arch: Architecture,
    breakdown: ParamBreakdown,
    fit: FitReport,
    runtime: RuntimeProfile,
    hardware: Hardware,
    tokens: int,
    constants: ServingConstants,
    expert_parallel: bool = False,
    ram_efficiency: float = 1.0,
) -> ServingPrefill:
    """The serving model's prefill of one ``tokens``-token prompt on the fit's plan.

    Weights offloaded to host memory (vLLM ``--cpu-offload-gb``) are streamed to the GPU once per
    pass, at the RAM bandwidth times ``ram_efficiency``.

    The kernels and the bytes each rank reads are the decode step's at a batch of ``tokens`` (the
    same GEMMs, attention and fused-MoE calls, every expert some token chooses); a prompt longer than
    the engine's chunk (``tokens_in_flight``) runs that many forward passes, each with its kernels.
    """
    gpu = hardware.gpus[0]
    plan = fit.attempt.plan
    moe = arch.moe
    chosen = distinct_experts(moe.num_experts, moe.top_k, tokens) if moe is not None else None
    kv_one = replace(fit.kv, bytes=round(fit.kv.bytes / max(fit.kv.batch, 1)))
    nodes = plan_nodes(plan, hardware)
    step = serving_step(
        arch,
        breakdown,
        fit.weights,
        kv_one,
        plan,
        gpu,
        tokens,
        constants,
        expert_parallel=expert_parallel,
        distinct_experts=chosen,
        nodes=nodes,
        inter_node_bytes_per_s=hardware.inter_node_bytes_per_s,
        fused_shared_expert=runtime.fuses_shared_expert and shared_expert_fused(arch, gpu, expert_parallel),
    )
    chunk = runtime.tokens_in_flight or tokens
    passes = -(-tokens // chunk)
    graphs = runtime.cuda_graphs and tokens <= runtime.prefill_graph_tokens
    peak = gpu.fp16_flops
    if fit.weights.precision in ("fp8", "nvfp4", "mxfp4") and gpu.fp8_flops:
        peak = gpu.fp8_flops
    share = constants.compute * (constants.moe_compute if moe is not None and arch.num_moe_layers else 1.0)
    return ServingPrefill(
        tokens=tokens,
        flops=prompt_flops(arch, breakdown, tokens),
        peak_flops=peak * plan.tp,
        compute_share=share,
        weights_s=step.bytes_read() / (step.bandwidth_bytes_per_s * step.bandwidth_share),
        kernels=step.prefill_kernels * passes,
        launch_s=0.0 if graphs else constants.prefill_launch_s,
        collective_s=constants.prefill_collective_scale
        * allreduce_seconds(arch, plan, gpu, constants, tokens, nodes, hardware.inter_node_bytes_per_s),
        request_s=constants.request_s,
        graphs=graphs,
        offload_s=passes * plan.offloaded_bytes / (hardware.ram_bandwidth_bytes_per_s * ram_efficiency),
    )


def prefill_seconds(
    arch: Architecture,
    breakdown: ParamBreakdown,
    fit: FitReport,
    hardware: Hardware,
    tokens: int,
    compute: float,
    ram_efficiency: float,
    peak_flops: float | None = None,
) -> tuple[float, float]:
    """(seconds to prefill ``tokens``, the effective FLOP/s used).

    ``peak_flops``: one GPU's peak on the math path the runtime takes (its FP16 figure when None).
    """
    gpu = hardware.gpus[0]
    plan = fit.attempt.plan
    flops = prompt_flops(arch, breakdown, tokens)
    peak = (gpu.fp16_flops if peak_flops is None else peak_flops) * compute * plan.tp
    weights = fit.weights
    gpu_weights = weights.total_bytes - plan.offloaded_bytes
    bandwidth = gpu.bandwidth_bytes_per_s * plan.tp
    seconds = max(flops / peak if peak else 0.0, gpu_weights / bandwidth) + plan.offloaded_bytes / (
        hardware.ram_bandwidth_bytes_per_s * ram_efficiency
    )
    return seconds, peak


INTERFERENCE_FITTED_PROMPT_TOKENS = 3200
"""The longest prompt among benchmarks/serving.csv's rows under load (vLLM's DeepSeek-R1 MI300X recipe,
3,200 in / 800 out): past it the fitted interference factor is an extrapolation."""


def _serial_floor(batch: int, output: int, step_1: float, prompt_pass_s: float) -> float:
    """Total tokens/s when the requests are served one after another.

    Each prompt's pass alone, then its ``output`` tokens at the one-request step. Serving them together
    is never slower in total, so the load figure is held at this floor where the fitted interference,
    stretched to long prompts, would fall below it (none of the calibration rows comes near it).
    """
    return 0.0 if batch <= 1 else output / (prompt_pass_s + output * step_1)


def estimate_speed(d: Deployment, fit: FitReport, calibration: Calibration | None = None) -> SpeedEstimate:
    """Decode and prefill speed of the plan in ``fit`` on ``d.hardware``, at one request and at ``d.workload.batch``."""
    arch, breakdown, runtime, hardware, workload = d.arch, d.breakdown, d.runtime, d.hardware, d.workload
    cal = calibration or default_calibration()
    gpu = hardware.gpus[0]
    plan = fit.attempt.plan
    batch = workload.batch
    serving = serving_constants(runtime.name, gpu.vendor, cal) if runtime.step_model == "serving" else None
    tokens = max(workload.context, 1)
    path: MathPath | None = None
    if serving is not None:
        one = serving_step_for(arch, breakdown, fit, runtime, hardware, 1, serving, workload.expert_parallel)
        many = serving_step_for(arch, breakdown, fit, runtime, hardware, batch, serving, workload.expert_parallel)
        step_1 = one.seconds(serving.floor_scale)
        step_b = many.seconds(serving.floor_scale)
        share = serving.compute * (serving.moe_compute if arch.moe is not None else 1.0)
        band = serving.band
        decode_basis = describe(one, serving.floor_scale)
        model = f"{runtime.release or runtime.name}, {gpu.vendor}" + ("" if runtime.cuda_graphs else ", eager")
    else:
        eff = efficiency(runtime.name, gpu.vendor, cal)
        reads = kv_reads(arch, runtime)
        one_pl = per_layer_step(arch, breakdown, fit, hardware, 1, eff, cal.ram_efficiency, runtime.name, reads)
        step_1 = one_pl.seconds(eff)
        step_b = per_layer_step(
            arch, breakdown, fit, hardware, batch, eff, cal.ram_efficiency, runtime.name, reads
        ).seconds(eff)
        band = eff.band
        path, share = compute_path(eff, arch, gpu, runtime.name, fit.weights.precision, breakdown, tokens)
        layer_units = one_pl.layer_units
        decode_basis = (
            f"{gpu.bandwidth_bytes_per_s * plan.tp / 1e12:.2f} TB/s x {eff.bandwidth:.2f} / "
            f"{one_pl.gpu_bytes / 1e9:.2f} GB/token"
            + (f" (KV cache read {reads:g}x: flash attention off)" if reads > 1 else "")
            + (
                f" + {one_pl.ram_bytes / 1e9:.2f} GB/token from RAM"
                f" at {hardware.ram_bandwidth_bytes_per_s / 1e9:.0f} GB/s"
                if one_pl.ram_bytes
                else ""
            )
            + (
                f" (dequantizing at {eff.dequant_ops:.0f} ops/weight takes longer:"
                f" {eff.dequant_ops * one_pl.dequant_s * 1e3:.2f} ms at {gpu.fp16_flops * plan.tp / 1e12:.1f} TFLOPS)"
                if eff.dequant_ops * one_pl.dequant_s
                > one_pl.gpu_bytes / (one_pl.bandwidth_bytes_per_s * eff.bandwidth)
                else ""
            )
            + f" + {arch.num_layers} layers"
            + (f" (kernels of {layer_units:.1f} Llama layers)" if abs(layer_units - arch.num_layers) >= 0.05 else "")
            + f" x {eff.per_layer_s * one_pl.layer_scale(eff.per_layer_width, eff.host_share) * 1e6:.0f} us"
            + (
                f" (CPU encoding at {gpu.host_cpu_ghz:.2f} GHz)"
                if eff.host_share and gpu.host_cpu_ghz and gpu.host_cpu_ghz != HOST_REFERENCE_GHZ
                else ""
            )
        )
        model = f"{runtime.name}, {gpu.vendor}"
    decode = 1 / step_1
    notes: tuple[str, ...] = ()
    prefill_rate: float | None = None
    ttft: float | None = None
    path_peak = path.peak_flops if path is not None else None
    prompt_prefill: ServingPrefill | None = None
    if serving is not None and gpu.fp16_flops > 0:
        first = serving_prefill_for(
            arch, breakdown, fit, runtime, hardware, tokens, serving, workload.expert_parallel, cal.ram_efficiency
        )
        ttft = first.seconds
        prefill_rate = tokens / first.gpu_s  # the pass itself; the request's own time is in the TTFT only
        basis = decode_basis + f"; {first.describe()} ({model}, TTFT band ±{serving.ttft_band:.0%})"
    elif (path_peak if path_peak is not None else gpu.fp16_flops) > 0:
        prefill_s, peak = prefill_seconds(
            arch, breakdown, fit, hardware, tokens, share, cal.ram_efficiency, peak_flops=path_peak
        )
        prefill_flops_per_token = prompt_flops(arch, breakdown, tokens) / tokens
        prefill_rate, ttft = tokens / prefill_s, prefill_s
        how = f"{path.label} {path.peak_flops / 1e12:,.0f} T x {share:.2f}; " if path is not None else ""
        basis = (
            decode_basis
            + f"; prefill {prefill_flops_per_token / 1e9:.1f} GFLOP/token at {peak / 1e12:.0f} TFLOPS effective"
            + f" ({how}{model})"
        )
    else:
        basis = decode_basis + f" ({model}); prefill unknown: no FLOPS for this GPU"
        notes = ("no prefill: the GPU's FLOPS are unknown (add fp16=..., e.g. fp16=165TFLOPS, to --gpu)",)
    # Load: each of the other batch - 1 requests prefills its prompt once per output_tokens steps,
    # and those prefills run between this request's decode steps (chunked prefill, kept simple).
    output = max(1, min(workload.output_tokens, tokens))
    prompt = max(tokens - output, 1)
    prompt_s = 0.0
    if serving is not None and prefill_rate is not None:
        # the device time of another request's prompt, at the engine's fitted interference factor: under
        # load the prompt's kernel launches are queued while the GPUs still run earlier work (launches are
        # asynchronous; SGLang's overlap scheduler prepares the next batch during the current one), so
        # the decode steps wait behind the prompt's compute, weight reads and all-reduces, not its launches
        prompt_prefill = serving_prefill_for(
            arch, breakdown, fit, runtime, hardware, prompt, serving, workload.expert_parallel, cal.ram_efficiency
        )
        prompt_s = prompt_prefill.device_s * serving.prefill_interference
    elif prefill_rate is not None:
        prompt_s = prefill_seconds(
            arch, breakdown, fit, hardware, prompt, share, cal.ram_efficiency, peak_flops=path_peak
        )[0]
    per_user = 1 / (step_b + (batch - 1) * prompt_s / output)
    serial = _serial_floor(batch, output, step_1, prompt_prefill.gpu_s if prompt_prefill is not None else prompt_s)
    floored = prefill_rate is not None and batch * per_user < serial
    if floored:
        per_user = serial / batch
    load_basis = f"{batch} requests: {step_b * 1e3:.2f} ms per decode step" + (
        f" + the other {batch - 1} requests' {prompt:,}-token prompts once per {output:,} output tokens"
        f" ({(batch - 1) * prompt_s / output * 1e3:.2f} ms/token"
        + (
            f"; each prompt's device time {prompt_prefill.device_s * 1e3:,.1f} ms"
            f" x {serving.prefill_interference:.2f} interference, fitted"
            if prompt_prefill is not None and serving is not None
            else ""
        )
        + ")"
        if batch > 1 and prefill_rate is not None
        else (" (the other requests' prompts left out: prefill unknown)" if batch > 1 else "")
    )
    if floored:
        load_basis += (
            f"; held at {serial:,.1f} tok/s in total, the requests served one after another: the interference"
            f" factor is fitted on prompts of at most {INTERFERENCE_FITTED_PROMPT_TOKENS:,} tokens"
        )
    return SpeedEstimate(
        decode_tokens_per_s=decode,
        decode_low=decode * (1 - band),
        decode_high=decode * (1 + band),
        decode_batch_tokens_per_s=batch / step_b,
        prefill_tokens_per_s=prefill_rate,
        ttft_s=ttft,
        basis=basis,
        concurrency=batch,
        per_user_tokens_per_s=per_user,
        total_tokens_per_s=batch * per_user,
        load_basis=load_basis,
        notes=notes,
    )
