"""Which tensor math a runtime's prefill GEMMs really run, and that path's peak on a GPU.

A GPU has several peaks: FP16 with FP32 accumulate (GeForce parts run it at half rate), FP16 with
FP16 accumulate, FP8 and INT8. Which one bounds prefill depends on the kernels the runtime picks
for the weights' format:

- llama.cpp, quantized GGUF types on NVIDIA (Turing and later): the MMQ kernels quantize the
  activations to INT8 and multiply with ``mma.sync`` INT8 instructions (ggml-cuda ``mmq.cuh``); A100,
  Hopper and B200 issue INT8 faster only through instructions MMQ does not use, so their peak on this
  path is capped at ``mma.sync``'s rate (:func:`paramtui.engine.hardware.mma_sync_share`).
- llama.cpp, F16 GGUF on NVIDIA: cuBLAS GEMMs with FP16 compute (``CUBLAS_COMPUTE_16F``), which
  GeForce runs at twice its FP32-accumulate figure; BF16 and F32 use FP32 accumulate.
- llama.cpp on AMD: MMQ on the matrix cores (MFMA, WMMA) where there are INT8 ones, else FP16.
- llama.cpp on Apple (Metal): quantized weights are dequantized to half and multiplied in simdgroup
  FP16 matrices, so every format runs at the FP16 rate.
- serving engines and transformers: FP8 GEMMs for FP8 weights, INT8 for W8A8, else BF16/FP16 with FP32
  accumulate.

The share of each path's peak that a runtime reaches is fitted per (runtime, vendor, path) by
``benchmarks/calibrate.py`` (``compute_by_path`` in the calibration data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from paramtui.engine.architecture import Architecture
from paramtui.engine.hardware import GpuSpec, mma_sync_share
from paramtui.engine.params import ParamBreakdown, prompt_flops
from paramtui.engine.precision import precision_kind

Path = Literal["int8_mmq", "int8", "fp8", "fp16_acc16", "fp16"]

_FLOAT_GGUF = ("f16", "bf16", "fp32", "fp16")


@dataclass(frozen=True, slots=True)
class MathPath:
    """The tensor path prefill GEMMs run on, with its peak."""

    path: Path
    """Key of the fitted share (``compute_by_path``)."""
    peak_flops: float
    """Dense peak of that path on one GPU, FLOP/s (INT8 ops count as FLOPs: one multiply-add is two)."""
    label: str
    """Words for the basis line."""


def quantized_gguf(precision: str) -> bool:
    """Whether ``precision`` is a block-quantized GGUF type (its kernels dequantize each weight)."""
    return precision_kind(precision) == "gguf" and precision not in _FLOAT_GGUF


def _fp16(gpu: GpuSpec, why: str) -> MathPath:
    return MathPath("fp16", gpu.fp16_flops, f"FP16/FP32-acc {why}".strip())


def prefill_path(runtime: str, precision: str, gpu: GpuSpec) -> MathPath:
    """The math path ``runtime`` takes for weights in ``precision`` on ``gpu``."""
    if runtime == "llama.cpp":
        quantized = quantized_gguf(precision)
        if gpu.vendor == "apple":
            return _fp16(gpu, "simdgroup (Metal dequantizes to half)" if quantized else "simdgroup")
        if quantized and gpu.int8_ops > 0:
            if gpu.vendor == "nvidia":
                share = mma_sync_share(gpu.compute_capability)
                cap = f", mma.sync at {share:.2g} of the INT8 peak" if share < 1 else ""
                return MathPath("int8_mmq", gpu.int8_ops * share, f"INT8 MMQ{cap}")
            return MathPath("int8_mmq", gpu.int8_ops, "INT8 MMQ")
        if precision in ("f16", "fp16") and gpu.vendor == "nvidia" and gpu.fp16_acc16_flops > 0:
            return MathPath("fp16_acc16", gpu.fp16_acc16_flops, "FP16/FP16-acc cuBLAS")
        return _fp16(gpu, "(no INT8 matrix units)" if quantized else "")
    if precision in ("fp8", "nvfp4", "mxfp4") and gpu.fp8_flops > 0:
        return MathPath("fp8", gpu.fp8_flops, "FP8")
    if precision == "int8" and gpu.int8_ops > 0:
        return MathPath("int8", gpu.int8_ops, "INT8")
    return _fp16(gpu, "")


MMQ_TILE_TOKENS = 128
"""Widest token tile of llama.cpp's MMQ kernels (``mmq_x`` up to 128 in ggml-cuda ``mmq.cuh``, the HIP
build included): an expert that gets fewer tokens than that leaves the tile partly empty."""

UBATCH_TOKENS = 512
"""llama.cpp's default ``n_ubatch``: a prompt is processed 512 tokens at a time."""


def expert_tile_factor(arch: Architecture, breakdown: ParamBreakdown, tokens: int) -> float:
    """Share of the dense MMQ rate an MoE prompt keeps (1 for dense models).

    Each routed expert sees ``min(tokens, 512) x top_k / experts`` tokens per micro-batch; its GEMMs run
    at that over the 128-token tile (capped at 1), and only the routed experts' FLOPs are slowed:
    Mixtral (128 tokens per expert) keeps the dense rate, Qwen3-30B-A3B (32) runs its experts at a
    quarter of it.
    """
    moe = arch.moe
    if moe is None or not arch.num_moe_layers or tokens < 1:
        return 1.0
    routed = 2 * breakdown.component("routed_experts").active * tokens
    share = min(1.0, routed / prompt_flops(arch, breakdown, tokens))
    per_expert = min(tokens, UBATCH_TOKENS) * moe.top_k / moe.num_experts
    fill = min(1.0, per_expert / MMQ_TILE_TOKENS)
    return 1 / (1 - share + share / fill)
