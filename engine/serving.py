"""Decode step time of a CUDA-graph serving engine (vLLM, SGLang), kernel by kernel.

At one request these engines reach only a few percent of the bandwidth roofline on DeepSeek-class
models: a decode step is a few thousand small kernels, each of which costs at least its floor
(launch, tail, split-K reduction) however few bytes it reads, plus two all-reduces per layer under
tensor parallelism and the host's own time per step (scheduling, sampling, detokenising). So a step
here is the sum of

- every kernel's time: ``floor + max(bytes / (bandwidth x share), FLOPs / peak)`` for the GEMMs of
  each layer (sharded over the tensor-parallel ranks, or copied to each when the engine replicates
  them), the decode attention kernel (its KV bytes at the context), the fused-MoE grouped GEMMs (the
  distinct experts the batch chooses) and the element-wise kernels (norms, RoPE, activations, router
  top-k);
- the collectives: all-reduce after attention and after the FFN of every layer (latency by GPU count
  and link, NVLink or PCIe, plus message bytes over the bus bandwidth), point-to-point sends between
  pipeline stages and nodes;
- the host time per step, and with CUDA graphs off a launch cost per kernel.

Kernel floors, bandwidth shares and collective latencies are per-operation measurements distilled
from NVIDIA AIConfigurator's tables (``presets/data/speed_calibration.json`` names them); the host
time and one factor on the floors are fitted on end-to-end single-request runs
(``benchmarks/serving.csv``) by ``benchmarks/calibrate.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from paramtui.engine.architecture import ATTENTION_KINDS, Architecture
from paramtui.engine.calibration import KernelCosts, ServingConstants
from paramtui.engine.hardware import GpuSpec
from paramtui.engine.kv_cache import KvEstimate
from paramtui.engine.memory import Plan
from paramtui.engine.params import ComponentName, ParamBreakdown, ssm_layer_params
from paramtui.engine.precision import WeightsEstimate

ACTIVATION_BYTES = 2
"""Bytes per hidden value in the all-reduced activations (bf16)."""

P2P_S = 20e-6
"""One point-to-point activation send between pipeline stages in a node (NCCL send/recv of a few KiB)."""


@dataclass(frozen=True, slots=True)
class KernelGroup:
    """Kernels of one kind that run once per step each, ``count`` times."""

    name: str
    """What they are (``gemm``, ``attention``, ``moe``, ``elementwise``)."""
    count: float
    """How many run per step."""
    floor_s: float
    """Each one's shortest time."""
    bytes: float
    """Bytes each one reads from GPU memory."""
    flops: float
    """FLOPs each one does."""
    prefill_kernels: float = 1.0
    """Kernels each one becomes when it prefills a prompt instead of decoding one token."""


FUSED_MOE_PREFILL_KERNELS = 6
"""Kernels of one fused-MoE call outside a CUDA graph: top-k routing, block alignment of the tokens
by expert, the two grouped GEMMs, the activation and the weighted sum (``fused_experts`` in
vllm/model_executor/layers/fused_moe/fused_moe.py; SGLang's python/sglang/srt/layers/moe/fused_moe_triton
has the same steps). Under a decode CUDA graph they cost no host time; in an eager prefill each does."""

CHUNKED_SCAN_PREFILL_KERNELS = 8
"""Kernels of a linear-attention (gated delta rule) layer's chunked prefill: cumulative gates, the
chunk's K K^T, the triangular solve, the W/U recomputation, the state pass, the output, and the q/k
L2 norms (fla/ops/gated_delta_rule/chunk.py, which vLLM and SGLang vendor); decode runs one fused
recurrent kernel. A Mamba-2 layer's chunked scan is five (mamba_ssm/ops/triton/ssd_combined.py)."""

MAMBA_SCAN_PREFILL_KERNELS = 5


@dataclass(frozen=True, slots=True)
class ServingStep:
    """One decode step's kernels, collectives and host time, before the fitted constants apply."""

    groups: tuple[KernelGroup, ...]
    """The kernels, grouped by kind and size."""
    collective_s: float
    """All-reduces and pipeline sends."""
    host_s: float
    """Host time per step (fitted)."""
    launch_s: float
    """Launch cost per kernel when CUDA graphs are off (0 with graphs)."""
    bandwidth_bytes_per_s: float
    """One rank's peak memory bandwidth."""
    bandwidth_share: float
    """Share of it that large reads reach."""
    peak_flops: float
    """One rank's peak tensor FLOP/s for the weights' math path."""
    notes: tuple[str, ...] = ()
    """Engine rules that shaped the kernels (named in the basis line)."""

    @property
    def kernels(self) -> float:
        """Kernels per step."""
        return sum(g.count for g in self.groups)

    @property
    def prefill_kernels(self) -> float:
        """Kernels of the same forward pass when it prefills a prompt (fused-MoE and chunked scans split)."""
        return sum(g.count * g.prefill_kernels for g in self.groups)

    def kernel_seconds(self, floor_scale: float = 1.0, bandwidth_share: float | None = None) -> dict[str, float]:
        """GPU time per kernel kind: each kernel's floor plus its bytes or its FLOPs, whichever takes longer.

        The floor is additive, as AIConfigurator fits its GEMM tables (latency = floor + bytes / (bandwidth
        x share)): launch, prologue and tail cost the same however many bytes follow.
        """
        share = self.bandwidth_share if bandwidth_share is None else bandwidth_share
        rate = self.bandwidth_bytes_per_s * share
        out: dict[str, float] = {}
        for g in self.groups:
            work = max(g.bytes / rate, g.flops / self.peak_flops if self.peak_flops else 0.0)
            out[g.name] = out.get(g.name, 0.0) + g.count * (g.floor_s * floor_scale + work)
        return out

    def bytes_read(self) -> float:
        """Bytes one rank reads per step."""
        return sum(g.count * g.bytes for g in self.groups)

    def seconds(self, floor_scale: float = 1.0, host_s: float | None = None) -> float:
        """The step's time."""
        gpu = sum(self.kernel_seconds(floor_scale).values()) + self.collective_s
        # eager PyTorch dispatches each kernel from Python: at one request the GPU waits for it
        launches = self.kernels * self.launch_s
        return gpu + launches + (self.host_s if host_s is None else host_s)


def gpu_class(gpu: GpuSpec) -> str:
    """The kernel-cost class of a GPU: its architecture, from the compute capability."""
    cc = gpu.compute_capability
    if gpu.vendor != "nvidia" or cc is None:
        return "default"
    if cc >= 10.0 and cc < 11.0:
        return "blackwell"
    if cc >= 12.0:
        return "blackwell_rtx"
    if cc >= 9.0:
        return "hopper"
    if cc >= 8.9:
        return "ada"
    if cc >= 8.0:
        return "ampere"
    return "default"


_NVLINK_WORDS = ("sxm", "h200", "b200", "b300", "gb200", "gb300", "gh200", "mi300", "mi325", "mi355", "nvl")


def intra_node_link(gpu: GpuSpec) -> str:
    """``nvlink`` for SXM/OAM modules (NVLink, AMD Infinity Fabric), ``pcie`` for cards."""
    text = f"{gpu.id} {gpu.name}".lower()
    return "nvlink" if any(word in text for word in _NVLINK_WORDS) else "pcie"


def _bytes_per_param(weights: WeightsEstimate, breakdown: ParamBreakdown, name: ComponentName) -> float:
    stored = breakdown.component(name).stored
    return weights.component_bytes[name] / stored if stored else 2.0


def expected_max_experts(active: float, ranks: int) -> float:
    """Experts the busiest of ``ranks`` expert-parallel ranks runs when ``active`` are spread at random.

    Mean plus one standard deviation of a binomial share: what the slowest rank, which the step
    waits for, tends to get (8 of 256 experts over 8 ranks: 1 + 0.94 = about 2).
    """
    mean = active / ranks
    return float(min(active, mean + math.sqrt(mean * (1 - 1 / ranks))))


FUSED_SHARED_EXPERT_TYPES = frozenset({"deepseek_v3", "glm_moe_dsa"})
"""model_types whose architecture SGLang allows the fusion for (DeepseekV3ForCausalLM, and
GlmMoeDsaForCausalLM since sgl-project/sglang#18804); Kimi K2's 384 experts are excluded by the count."""


def shared_expert_fused(arch: Architecture, gpu: GpuSpec, expert_parallel: bool) -> bool:
    """Whether SGLang folds the shared expert into the routed fused-MoE kernel.

    SGLang's ``determine_num_fused_shared_experts`` (python/sglang/srt/models/deepseek_v2.py) fuses it
    for DeepSeek-V3/R1 layouts: 256 routed experts, one shared expert of the same size, a CUDA GPU of
    compute capability 8.0 or newer without expert parallelism, or an MI30x (which keeps it under EP).
    The shared expert then costs one more expert in the MoE kernel instead of three GEMMs of its own.
    """
    moe = arch.moe
    if moe is None or arch.model_type not in FUSED_SHARED_EXPERT_TYPES:
        return False
    if moe.num_experts != 256 or moe.num_shared_experts != 1 or moe.shared_expert_ffn_size != moe.expert_ffn_size:
        return False
    if gpu.vendor == "amd":
        return True
    return gpu.vendor == "nvidia" and (gpu.compute_capability or 0.0) >= 8.0 and not expert_parallel


def allreduce_seconds(
    arch: Architecture,
    plan: Plan,
    gpu: GpuSpec,
    constants: ServingConstants,
    tokens: int,
    nodes: int = 1,
    inter_node_bytes_per_s: float | None = None,
) -> float:
    """The all-reduces of one forward pass of ``tokens`` tokens under tensor parallelism.

    Two per layer (after attention, after the FFN) plus the embedding's and the logits', each of
    ``tokens x hidden`` bf16 values: latency by GPU count and link, plus the bytes over the bus.
    """
    if plan.tp <= 1:
        return 0.0
    message = tokens * arch.hidden_size * ACTIVATION_BYTES
    if nodes > 1 and plan.tp > max(1, plan.gpus // nodes):
        # tensor parallel across nodes: NCCL's all-reduce over the fabric
        ib = constants.allreduce("ib", nodes)
        each = ib.alpha_s + message / (inter_node_bytes_per_s or ib.bytes_per_s)
    else:
        each = constants.allreduce(intra_node_link(gpu), plan.tp).seconds(message)
    return (2 * len(arch.layer_kinds) + 2) * each


def serving_step(
    arch: Architecture,
    breakdown: ParamBreakdown,
    weights: WeightsEstimate,
    kv: KvEstimate,
    plan: Plan,
    gpu: GpuSpec,
    batch: int,
    constants: ServingConstants,
    cuda_graphs: bool = True,
    expert_parallel: bool = False,
    distinct_experts: float | None = None,
    inter_node_bytes_per_s: float | None = None,
    nodes: int = 1,
    fused_shared_expert: bool = False,
) -> ServingStep:
    """One decode step of ``batch`` sequences on the plan's ranks, kernel by kernel.

    Args:
        arch: the architecture.
        breakdown: its parameters (for bytes per parameter of each component).
        weights: the weights at the plan's precision.
        kv: the KV cache of the whole batch at the context.
        plan: tensor and pipeline parallelism.
        gpu: one rank's GPU.
        batch: sequences decoded together.
        constants: the engine's fitted constants.
        cuda_graphs: steps replay CUDA graphs (no launch cost per kernel).
        expert_parallel: experts are spread over the ranks instead of each being sharded.
        distinct_experts: experts the batch chooses per MoE layer (top-k at batch 1).
        inter_node_bytes_per_s: per-GPU link between nodes (InfiniBand/RoCE), for multi-node plans.
        nodes: nodes the plan spans.
        fused_shared_expert: the shared expert runs inside the fused-MoE kernel (:func:`shared_expert_fused`).
    """
    costs: KernelCosts = constants.kernel_costs(gpu_class(gpu))
    tp, pp = plan.tp, plan.pp
    h = arch.hidden_size
    b = batch
    bpp_attn = _bytes_per_param(weights, breakdown, "attention")
    groups: list[KernelGroup] = []
    notes: list[str] = []

    def gemm(count: float, params: float, bpp: float, shards: int) -> None:
        floor = costs.gemm_fp8_floor_s if bpp <= 1.05 else costs.gemm_floor_s  # 8-bit (and smaller) weights
        groups.append(KernelGroup("gemm", count, floor, params * bpp / shards, 2 * params * b / shards))

    def elementwise(count: float) -> None:
        groups.append(KernelGroup("elementwise", count, costs.elementwise_s, 0.0, 0.0))

    kinds = arch.layer_kinds
    softmax_layers = sum(1 for k in kinds if k in ATTENTION_KINDS)
    linear_layers = sum(1 for k in kinds if k == "linear")
    ssm_layers = sum(1 for k in kinds if k in ("ssm", "hybrid"))
    n_layers = len(kinds)
    kv_split = 1 if arch.mla is not None else min(tp, arch.num_kv_heads)
    # the SSM states of the batch (the recurrent part of the estimate, at the runtime's state width)
    ssm_state = sum(k.bytes for k in kv.by_kind if k.kind == "recurrent") if ssm_layers else 0
    kv_per_layer = (kv.bytes - ssm_state) / max(softmax_layers, 1) / kv_split

    # attention projections
    if softmax_layers:
        if arch.mla is not None:
            m = arch.mla
            heads = arch.num_heads
            q_down = h * m.q_lora_rank if m.q_lora_rank else 0
            q_up = (m.q_lora_rank or h) * heads * m.qk_head_dim
            kv_down = h * (m.kv_lora_rank + m.qk_rope_head_dim)
            kv_up_k = m.kv_lora_rank * heads * m.qk_nope_head_dim
            kv_up_v = m.kv_lora_rank * heads * m.v_head_dim
            out = heads * m.v_head_dim * h
            # the down-projections are small and copied to every rank; the rest is split over tp
            gemm(softmax_layers, q_down + kv_down, bpp_attn, 1)
            for params in (q_up, kv_up_k, kv_up_v, out):
                gemm(softmax_layers, params, bpp_attn, tp)
            elementwise(softmax_layers * (3 if m.q_lora_rank else 2))  # latent norms, RoPE
        else:
            q_width = arch.num_heads * arch.head_dim * (2 if arch.attention_output_gate else 1)
            kv_width = 2 * arch.num_kv_heads * arch.head_dim
            kv_shards = min(tp, arch.num_kv_heads)
            gemm(softmax_layers, h * (q_width + kv_width * tp / kv_shards), bpp_attn, tp)
            gemm(softmax_layers, arch.num_heads * arch.head_dim * h, bpp_attn, tp)
            elementwise(softmax_layers * (1 + (1 if arch.qk_norm else 0)))  # RoPE (+ q/k norms)
        attention_floor = costs.mla_attention_floor_s if arch.mla is not None else costs.attention_floor_s
        groups.append(KernelGroup("attention", softmax_layers, attention_floor, kv_per_layer, 0.0))
    if linear_layers and arch.linear_attention is not None:
        la = arch.linear_attention
        in_proj = h * (2 * la.key_dim + 2 * la.value_dim + 2 * la.num_value_heads)
        gemm(linear_layers, in_proj, bpp_attn, tp)
        gemm(linear_layers, la.value_dim * h, bpp_attn, tp)
        state = kv.bytes / max(linear_layers, 1) if not softmax_layers else 0.0
        groups.append(
            KernelGroup(
                "attention", linear_layers, costs.attention_floor_s, state / tp, 0.0, CHUNKED_SCAN_PREFILL_KERNELS
            )
        )
        elementwise(linear_layers * 3)  # short convolution, gated norm, gates

    if ssm_layers and arch.ssm is not None:
        mixer, _ = ssm_layer_params(arch)
        out_proj = arch.ssm.inner_size * h
        gemm(ssm_layers, mixer - out_proj, bpp_attn, tp)  # input projection (conv and per-head vectors included)
        gemm(ssm_layers, out_proj, bpp_attn, tp)
        groups.append(
            KernelGroup(
                "attention",
                ssm_layers,
                costs.attention_floor_s,
                ssm_state / ssm_layers / tp,
                0.0,
                MAMBA_SCAN_PREFILL_KERNELS,
            )
        )
        elementwise(ssm_layers * 3)  # convolution, gated norm, gates

    # norms and residual adds: input and post-attention norm per layer (fused with the add)
    elementwise(n_layers * max(arch.norms_per_layer, 2) + 2)  # + embedding and final norm

    # feed-forward
    dense_layers = arch.num_dense_ffn_layers
    if dense_layers:
        bpp = _bytes_per_param(weights, breakdown, "dense_ffn")
        width = arch.ffn_size
        gemm(dense_layers, h * width * (2 if arch.gated_ffn else 1), bpp, tp)
        gemm(dense_layers, width * h, bpp, tp)
        elementwise(dense_layers)  # activation
    moe = arch.moe
    moe_layers = arch.num_moe_layers if moe is not None else 0
    if moe is not None and moe_layers:
        bpp = _bytes_per_param(weights, breakdown, "routed_experts")
        chosen = distinct_experts if distinct_experts is not None else float(moe.top_k)
        top_k, experts = moe.top_k, moe.num_experts
        if fused_shared_expert:
            # every token also picks the shared expert, now expert number 257 of the kernel
            chosen, top_k, experts = chosen + 1, top_k + 1, experts + 1
            notes.append("shared expert fused into the MoE kernel (SGLang)")
        expert_params = h * moe.expert_ffn_size * 3 if arch.gated_ffn else h * moe.expert_ffn_size * 2
        if expert_parallel and tp > 1:
            per_rank = expected_max_experts(chosen, tp) * expert_params
        else:
            per_rank = chosen * expert_params / tp
        tokens_per_expert = b * top_k / max(chosen, 1.0)
        # the fused-MoE module (routing, alignment, both grouped GEMMs, activation) as AIConfigurator times it
        floor = max(costs.moe_floor_s / 2, costs.moe_floor_s + costs.moe_floor_per_expert_s * (experts - 128))
        groups.append(
            KernelGroup(
                "moe", moe_layers, floor, per_rank * bpp, 2 * per_rank * tokens_per_expert, FUSED_MOE_PREFILL_KERNELS
            )
        )
        gemm(moe_layers, h * moe.num_experts, 2.0, 1)  # router, replicated, 16-bit
        if moe.num_shared_experts and not fused_shared_expert:
            bpp_shared = _bytes_per_param(weights, breakdown, "shared_experts")
            width = moe.shared_expert_ffn_size * moe.num_shared_experts
            gemm(moe_layers, h * width * 2, bpp_shared, tp)
            gemm(moe_layers, width * h, bpp_shared, tp)
            if moe.shared_expert_gate:
                elementwise(moe_layers)
        if expert_parallel and tp > 1:
            elementwise(moe_layers * 2)  # dispatch and combine permutations

    # output head
    bpp_head = _bytes_per_param(weights, breakdown, "output_head")
    gemm(1, arch.vocab_size * h, bpp_head, tp)
    elementwise(3)  # embedding gather, logits processing, sampling

    # collectives: two all-reduces per layer under TP (after attention, after the FFN), the
    # embedding's, and the logits all-gather; pipeline stages hand the activations on
    collective = allreduce_seconds(arch, plan, gpu, constants, b, nodes, inter_node_bytes_per_s)
    if pp > 1:
        hops = pp - 1
        per_hop = P2P_S
        if nodes > 1 and inter_node_bytes_per_s:
            per_hop += constants.allreduce("ib", 2).alpha_s
        collective += hops * per_hop

    peak = gpu.fp16_flops
    if weights.precision in ("fp8", "nvfp4", "mxfp4") and gpu.fp8_flops:
        peak = gpu.fp8_flops
    return ServingStep(
        groups=tuple(groups),
        collective_s=collective,
        host_s=constants.host_step_s,
        launch_s=0.0 if cuda_graphs else constants.launch_s,
        bandwidth_bytes_per_s=gpu.bandwidth_bytes_per_s,
        bandwidth_share=costs.bandwidth,
        peak_flops=peak * constants.compute,
        notes=tuple(notes),
    )


def describe(step: ServingStep, floor_scale: float) -> str:
    """The terms of a step, each with its value: why a big MoE on 8 GPUs is not at its roofline."""
    parts = step.kernel_seconds(floor_scale)
    rate = step.bandwidth_bytes_per_s * step.bandwidth_share
    total = step.seconds(floor_scale)
    read = step.bytes_read()
    terms = [
        f"reads {read / 1e9:.2f} GB/rank ({read / rate * 1e3:.2f} ms at {step.bandwidth_bytes_per_s / 1e12:.2f} TB/s"
        f" x {step.bandwidth_share:.2f})",
        f"{step.kernels:,.0f} kernels {sum(parts.values()) * 1e3:.2f} ms ("
        + ", ".join(f"{name} {sec * 1e3:.2f}" for name, sec in parts.items())
        + ")",
    ]
    if step.collective_s:
        terms.append(f"all-reduce {step.collective_s * 1e3:.2f} ms")
    terms.append(f"host {step.host_s * 1e3:.2f} ms/step")
    if step.launch_s:
        terms.append(f"eager launches {step.kernels * step.launch_s * 1e3:.2f} ms")
    terms.extend(step.notes)
    return f"{total * 1e3:.2f} ms/step = " + "; ".join(terms)


@dataclass(frozen=True, slots=True)
class ServingPrefill:
    """Time to first token of one prompt on a serving engine, term by term (before the fitted shares)."""

    tokens: int
    """Prompt tokens."""
    flops: float
    """FLOPs of the prompt (projections, experts the tokens choose, attention)."""
    peak_flops: float
    """Peak tensor FLOP/s of the ranks that share the work (tensor-parallel GPUs x one GPU's peak on
    the weights' math path)."""
    compute_share: float
    """Share of that peak reached (the runtime's fitted share, times its MoE factor for MoE models)."""
    weights_s: float
    """Seconds each rank spends reading the weights the prompt touches (every expert some token
    chooses) and the KV cache, at the measured bandwidth share: the floor for short prompts."""
    kernels: float
    """Kernels one rank runs per prefill forward pass (:attr:`ServingStep.prefill_kernels`)."""
    launch_s: float
    """Host time per kernel: 0 when the pass replays a CUDA graph (:attr:`RuntimeProfile.prefill_graph_tokens`)."""
    collective_s: float
    """All-reduces of the prompt's activations under tensor parallelism."""
    request_s: float
    """Host time of the request outside the forward pass (fitted)."""
    graphs: bool = False
    """The forward pass replays a CUDA graph."""
    offload_s: float = 0.0
    """Streaming weights offloaded to host memory to the GPU, every pass."""

    @property
    def compute_s(self) -> float:
        """The prompt's FLOPs at the reached share of peak."""
        rate = self.peak_flops * self.compute_share
        return self.flops / rate if rate else 0.0

    @property
    def gpu_s(self) -> float:
        """What the forward pass holds the GPUs for at one request: its device work plus its host launches."""
        return self.device_s + self.kernels * self.launch_s

    @property
    def device_s(self) -> float:
        """The pass's GPU work alone (compute or weight reads, all-reduces, offloaded weights), no host launches.

        What another request's decode waits behind under load, when the launches overlap earlier GPU work.
        """
        return max(self.compute_s, self.weights_s) + self.collective_s + self.offload_s

    @property
    def seconds(self) -> float:
        """Time to first token."""
        return self.gpu_s + self.request_s

    def describe(self) -> str:
        """The terms, each with its value."""
        rate = (
            f"{self.flops / self.tokens / 1e9:.1f} GFLOP/token at {self.peak_flops / 1e12:,.0f} TFLOPS"
            f" x {self.compute_share:.2f}"
        )
        if self.weights_s > self.compute_s:
            terms = [f"weights read {self.weights_s * 1e3:,.1f} ms (compute {self.compute_s * 1e3:,.1f} ms, {rate})"]
        else:
            terms = [f"compute {self.compute_s * 1e3:,.1f} ms ({rate})"]
        if self.graphs:
            terms.append("CUDA graph")
        else:
            terms.append(
                f"{self.kernels:,.0f} kernels outside CUDA graphs x {self.launch_s * 1e6:.0f} us"
                f" = {self.kernels * self.launch_s * 1e3:,.1f} ms"
            )
        if self.collective_s:
            terms.append(f"all-reduce {self.collective_s * 1e3:,.1f} ms")
        if self.offload_s:
            terms.append(f"offloaded weights from RAM {self.offload_s * 1e3:,.1f} ms")
        terms.append(f"request {self.request_s * 1e3:,.1f} ms")
        return f"first token {self.seconds * 1e3:,.0f} ms = " + " + ".join(terms)
