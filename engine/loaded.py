"""Weights as the serving engines load them: kernel padding of MXFP4 experts, tensors every rank keeps.

vLLM's ``Mxfp4MoEMethod.create_weights`` (vllm/model_executor/layers/quantization/mxfp4.py)
allocates the experts of an MXFP4 checkpoint (gpt-oss) with padded shapes, chosen by the MoE
backend:

- Marlin (GPUs without native FP4: Ampere, Ada, and Hopper before vLLM 0.11): intermediate size
  rounded up to 128, hidden size to 256 (the kernel needs n % 256 == 0 and k % 128 == 0);
  gpt-oss's 2880 x 2880 becomes 2944 x 3072, +9.0% of the expert bytes;
- FlashInfer TRT-LLM (Blackwell, SM100): both rounded up to 256, 3072 x 3072, +13.8%;
- FlashInfer CUTLASS (SM90 with the FlashInfer MXFP4 x BF16 path): both to 128, +4.5%;
- Triton kernels (Hopper from vLLM 0.11): intermediate to 64, no padding for gpt-oss at load.
  ``process_weights_after_loading`` then swizzles the weights and scales into new tensors
  (``_swizzle_mxfp4``) and deletes the old weights but not the old ``w13_weight_scale`` /
  ``w2_weight_scale`` parameters, and upcasts the expert biases to fp32: one more byte per 32
  expert values plus two per bias (:func:`triton_held_bytes`).

SGLang's ``Mxfp4MoEMethod`` (python/sglang/srt/layers/quantization/mxfp4.py) pads the same way:
FlashInfer on SM100 to 256, Triton to 64 (none for gpt-oss).

Under tensor parallelism vLLM and SGLang divide attention heads, experts' intermediate dimension
and the vocabulary, but keep a whole copy of the small tensors on every rank: MoE routers
(``ReplicatedLinear``), norms, and MLA's down-projections (DeepSeek ``fused_qkv_a_proj`` /
``kv_a_proj_with_mqa``, built with ``disable_tp``).

SGLang 0.5 fuses DeepSeek-V3/R1's shared expert into the routed experts as expert 257
(``determine_num_fused_shared_experts``): one copy, divided over TP like the others, so the bytes
per rank do not change (SGLang 0.4.5 made tp_size copies by default; not modelled).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from paramtui.engine.architecture import Architecture
from paramtui.engine.precision import WeightsEstimate

MoeBackend = Literal["marlin", "flashinfer_trtllm", "flashinfer_cutlass", "triton", "none"]

_PADDING: dict[MoeBackend, tuple[int, int]] = {
    "marlin": (128, 256),
    "flashinfer_trtllm": (256, 256),
    "flashinfer_cutlass": (128, 128),
    "triton": (64, 1),
    "none": (1, 1),
}
"""(intermediate, hidden) multiples each MXFP4 MoE backend pads the expert matrices to."""


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def mxfp4_backend(
    runtime: str, compute_capability: float | None, vendor: str, vllm_version: tuple[int, int]
) -> MoeBackend:
    """The MoE kernel vLLM / SGLang choose for MXFP4 experts on this GPU (``get_mxfp4_backend``)."""
    if runtime not in ("vllm", "sglang") or vendor != "nvidia" or compute_capability is None:
        return "none"
    if compute_capability >= 10.0:
        return "flashinfer_trtllm"
    if compute_capability >= 9.0:
        return "triton" if (runtime == "sglang" or vllm_version >= (0, 11)) else "marlin"
    return "marlin" if runtime == "vllm" else "triton"


@dataclass(frozen=True, slots=True)
class LoadedWeights:
    """Weights as one engine holds them."""

    weights: WeightsEstimate
    """The weights with the padded experts (``total_bytes`` is what the engine allocates)."""
    replicated_bytes: int
    """Bytes every tensor-parallel rank keeps whole (routers, norms, MLA down-projections)."""
    basis: str
    """What was added and why; empty when the engine loads the checkpoint's bytes."""


def triton_held_bytes(arch: Architecture) -> int:
    """Bytes vLLM's Triton MXFP4 MoE path holds beyond the checkpoint's experts after loading.

    vllm-project/vllm vllm/model_executor/layers/quantization/mxfp4.py (commit 007d500)
    ``Mxfp4MoEMethod.process_weights_after_loading``, ``Mxfp4Backend.TRITON``: the swizzled scales
    go to a new ``PrecisionConfig`` while the loaded uint8 scales stay registered on the layer
    (only ``w13_weight`` / ``w2_weight`` are deleted), so every expert's scales (one byte per 32
    values of gate_up and down) are held twice; ``w13_bias`` / ``w2_bias`` become fp32 (+2 bytes
    a value). gpt-oss-120b: 3.34 + 0.07 GiB.
    """
    moe = arch.moe
    if moe is None:
        return 0
    inter, hidden = moe.expert_ffn_size, arch.hidden_size
    matrices = arch.num_moe_layers * moe.num_experts
    scales = matrices * (2 * inter * hidden + hidden * inter) // 32
    biases = matrices * (2 * inter + hidden) * 2 if moe.expert_bias else 0
    return scales + biases


def _mla_down_projection_share(arch: Architecture) -> float:
    """Share of the attention weights in MLA's down-projections (q_a, kv_a), which are not split."""
    m = arch.mla
    if m is None:
        return 0.0
    h, heads = arch.hidden_size, arch.num_heads
    down = h * (m.q_lora_rank + m.kv_lora_rank + m.qk_rope_head_dim)
    q_up = m.q_lora_rank * heads * m.qk_head_dim if m.q_lora_rank else h * heads * m.qk_head_dim
    kv_up = m.kv_lora_rank * heads * (m.qk_nope_head_dim + m.v_head_dim)
    out = heads * m.v_head_dim * h
    return down / (down + q_up + kv_up + out)


def loaded_weights(arch: Architecture, weights: WeightsEstimate, backend: MoeBackend, runtime: str) -> LoadedWeights:
    """The weights ``runtime`` allocates on the GPUs: padded MXFP4 experts and replicated tensors.

    Args:
        arch: the architecture.
        weights: the checkpoint's weights at the chosen precision.
        backend: the MXFP4 MoE kernel (:func:`mxfp4_backend`).
        runtime: ``vllm`` or ``sglang`` (others load the checkpoint's bytes and split nothing by TP).
    """
    if runtime not in ("vllm", "sglang"):
        return LoadedWeights(weights, 0, "")
    notes = []
    result = weights
    moe = arch.moe
    if moe is not None and weights.precision == "mxfp4" and backend != "none" and weights.routed_expert_bytes:
        inter_mult, hidden_mult = _PADDING[backend]
        inter, hidden = moe.expert_ffn_size, arch.hidden_size
        ratio = (_round_up(inter, inter_mult) * _round_up(hidden, hidden_mult)) / (inter * hidden)
        if ratio > 1:
            extra = round(weights.routed_expert_bytes * (ratio - 1))
            components = dict(weights.component_bytes)
            components["routed_experts"] += extra
            result = replace(
                weights,
                component_bytes=components,
                total_bytes=weights.total_bytes + extra,
                routed_expert_bytes=weights.routed_expert_bytes + extra,
                active_bytes_per_token=weights.active_bytes_per_token + round(extra * moe.top_k / moe.num_experts),
            )
            notes.append(
                f"{runtime} {backend} MXFP4 MoE pads experts {inter}x{hidden} to "
                f"{_round_up(inter, inter_mult)}x{_round_up(hidden, hidden_mult)} (+{extra / 2**30:.2f} GiB, "
                "mxfp4.py create_weights)"
            )
    if moe is not None and weights.precision == "mxfp4" and backend == "triton" and runtime == "vllm":
        # held, not read: the decode step streams the swizzled copy, so the component bytes the
        # speed model reads stay as they were
        held = triton_held_bytes(arch)
        result = replace(
            result,
            total_bytes=result.total_bytes + held,
            routed_expert_bytes=result.routed_expert_bytes + held,
        )
        notes.append(
            f"vllm triton MXFP4 MoE keeps the loaded expert scales beside their swizzled copy and "
            f"upcasts expert biases to fp32 (+{held / 2**30:.2f} GiB, mxfp4.py process_weights_after_loading)"
        )
    parts = {
        "routers": weights.component_bytes["router"],
        "norms": weights.component_bytes["norms"],
        "MLA down-projections": round(weights.component_bytes["attention"] * _mla_down_projection_share(arch)),
    }
    replicated = sum(parts.values())
    if runtime == "sglang" and moe is not None and weights.component_bytes["shared_experts"]:
        # SGLang 0.5 fuses DeepSeek's shared expert into the routed ones as one more expert
        # (deepseek_v2.py determine_num_fused_shared_experts): one copy, split over TP like the
        # others, so a rank holds what it held unfused. (0.4.5's --n-share-experts-fusion defaulted
        # to tp_size copies, a whole shared expert per rank; not modelled.)
        notes.append("shared expert fused as one more routed expert (same bytes per rank)")
    if replicated:
        names = " + ".join(name for name, size in parts.items() if size)
        notes.append(f"{replicated / 2**20:,.0f} MiB of {names} kept whole on every TP rank")
    basis = "; ".join(notes)
    if basis:
        result = replace(result, basis=f"{result.basis}; as loaded: {basis}", replicated_bytes=replicated)
    return LoadedWeights(result, replicated, basis)
