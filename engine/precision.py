"""Weights in bytes at a chosen precision, per component, with each tensor class's own format.

A precision is a *scheme*: which encoding each tensor gets. Safetensors schemes (fp8, int8,
int4, nvfp4) quantize the linear layers and keep the embedding, output head and router in
16-bit, as vLLM/AutoAWQ/GPTQ/ModelOpt checkpoints do; ``mxfp4`` quantizes the routed experts
only (gpt-oss), or every linear layer of a dense model. GGUF schemes follow llama.cpp's
quantizer (``llama_tensor_get_type`` in src/llama-quant.cpp): the output head goes to Q6_K,
attn_v and some ffn_down layers get more bits in the *_M mixes, 8-expert models keep attn_k/v
at Q8_0, rows that are not a multiple of 256 fall back to a 32-block type, and 1-D tensors and
the MoE router stay F32.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from paramtui.engine import formats as f
from paramtui.engine.architecture import Architecture
from paramtui.engine.formats import Encoding
from paramtui.engine.params import COMPONENTS, ComponentName, ParamBreakdown
from paramtui.engine.tensors import TensorGroup, tensor_inventory

GGUF_PRECISIONS = (
    "f16",
    "q8_0",
    "q6_k",
    "q5_k_m",
    "q5_0",
    "q4_k_m",
    "q4_0",
    "q3_k_m",
    "q2_k",
    "iq4_xs",
    "mxfp4_moe",
)
"""GGUF file types (llama.cpp ``LLAMA_FTYPE_MOSTLY_*``)."""

SAFETENSORS_PRECISIONS = ("fp32", "bf16", "fp16", "fp8", "int8", "int4", "mxfp4", "nvfp4")
"""Checkpoint / serving formats."""

PRECISIONS = SAFETENSORS_PRECISIONS + GGUF_PRECISIONS
"""Every precision name ``--precision`` accepts (plus ``auto``)."""

QUALITY_ORDER = (
    "bf16",
    "fp16",
    "f16",
    "fp8",
    "q8_0",
    "int8",
    "q6_k",
    "q5_k_m",
    "q5_0",
    "nvfp4",
    "int4",
    "q4_k_m",
    "mxfp4",
    "mxfp4_moe",
    "iq4_xs",
    "q4_0",
    "q3_k_m",
    "q2_k",
)
"""Best first, for "the best precision that fits".

Ordered by bits per weight of the linear layers; among similar sizes by published quality
loss: llama.cpp perplexity deltas on Llama 3 70B (Q8_0 +0.03%, Q6_K +0.47%, Q5_K_M +1.23%,
Q4_K_M +4.83%, IQ4_XS +7.07%, Q3_K_M +18.75%, Q2_K +68.73%; dranger003 in
https://github.com/ggml-org/llama.cpp/pull/6745#issuecomment-2093892514), with FP8 next to
Q8_0, NVFP4 (16-value blocks, FP8 scales) ahead of group-128 int4, and MXFP4 (32-value
blocks, power-of-two scales) after Q4_K_M. fp32 is left out: no better than 16-bit for
inference, at twice the memory.
"""

GGUF_DEFAULT: dict[str, Encoding] = {
    "f16": f.F16,
    "q8_0": f.Q8_0,
    "q6_k": f.Q6_K,
    "q5_k_m": f.Q5_K,
    "q5_0": f.Q5_0,
    "q4_k_m": f.Q4_K,
    "q4_0": f.Q4_0,
    "q3_k_m": f.Q3_K,
    "q2_k": f.Q2_K,
    "iq4_xs": f.IQ4_XS,
    "mxfp4_moe": f.MXFP4,
}
"""The default tensor type of each GGUF file type (llama_ftype_get_default_type)."""

_LINEAR_QUANT: dict[str, Encoding] = {"fp8": f.FP8_BLOCK, "int8": f.INT8, "int4": f.INT4_G128, "nvfp4": f.NVFP4}
_LINEAR_CLASSES = frozenset(
    {"attn_q", "attn_k", "attn_v", "attn_output", "attn_other", "ffn_gate", "ffn_up", "ffn_down"}
)

AUTO_BY_QUANT_METHOD: dict[str, str] = {
    "fp8": "fp8",
    "fbgemm_fp8": "fp8",
    "compressed-tensors": "fp8",
    "compressed-tensors-int4": "int4",
    "mxfp4": "mxfp4",
    "awq": "int4",
    "gptq": "int4",
    "bitsandbytes": "int4",
    "modelopt": "nvfp4",
}
"""What ``auto`` means for a checkpoint's ``quantization_config.quant_method``."""

Kind = Literal["safetensors", "gguf"]


class PrecisionError(ValueError):
    """An unknown precision name; the message lists the valid ones."""


def resolve_precision(name: str, arch: Architecture) -> str:
    """Resolve ``auto`` to the checkpoint's own precision and validate any other name.

    Raises:
        PrecisionError: the name is not a known precision.
    """
    key = name.strip().lower()
    if key == "auto":
        if arch.quantization:
            return AUTO_BY_QUANT_METHOD.get(arch.quantization, "bf16")
        return arch.weights_dtype if arch.weights_dtype in ("fp32", "bf16", "fp16") else "bf16"
    if key not in PRECISIONS:
        raise PrecisionError(f"unknown precision {name!r}; use auto or one of {', '.join(PRECISIONS)}")
    return key


def precision_kind(precision: str) -> Kind:
    """``gguf`` for llama.cpp file types, ``safetensors`` for the rest."""
    return "gguf" if precision in GGUF_PRECISIONS else "safetensors"


def _use_more_bits(i_layer: int, n_layers: int) -> bool:
    """llama.cpp's rule for the layers that get more bits (first and last eighth, every third)."""
    return i_layer < n_layers // 8 or i_layer >= 7 * n_layers // 8 or (i_layer - n_layers // 8) % 3 == 2


@dataclass(frozen=True, slots=True)
class _GgufContext:
    """Model facts llama.cpp's tensor-type rules look at."""

    ftype: str
    n_gqa: int
    n_expert: int
    n_attention_wv: int
    n_ffn_down: int
    is_70b: bool
    tied: bool
    mxfp4_experts: bool = False
    """The checkpoint ships MXFP4 routed experts (gpt-oss): convert_hf_to_gguf.py copies those blocks
    as MXFP4 whatever ``--outtype``, so an "F16" GGUF keeps them at 4.25 bits."""


def _gguf_context(precision: str, arch: Architecture, groups: tuple[TensorGroup, ...]) -> _GgufContext:
    n_attention_wv = sum(1 for g in groups if g.tensor_class == "attn_v")
    # merged expert tensors (ffn_down_exps) count once per layer, like the GGUF tensor list
    n_ffn_down = sum(1 for g in groups if g.tensor_class == "ffn_down")
    return _GgufContext(
        ftype=precision,
        n_gqa=arch.num_heads // arch.num_kv_heads if arch.mla is None else 1,
        n_expert=arch.moe.num_experts if arch.moe is not None else 0,
        n_attention_wv=n_attention_wv,
        n_ffn_down=n_ffn_down,
        # LLM_TYPE_70B: Llama 2/3 70B (80 layers of width 8192)
        is_70b=arch.num_layers == 80 and arch.hidden_size == 8192,
        tied=arch.tie_embeddings,
        mxfp4_experts=arch.quantization == "mxfp4",
    )


def _gguf_type(ctx: _GgufContext, group: TensorGroup, i_attention_wv: int, i_ffn_down: int, moe: bool) -> Encoding:
    """The GGML type llama.cpp's quantizer gives this tensor (llama_tensor_get_type_impl)."""
    cls, ftype = group.tensor_class, ctx.ftype
    if cls in ("vector", "router"):
        return f.F32
    default = GGUF_DEFAULT[ftype]
    if ftype == "f16":
        return f.MXFP4 if ctx.mxfp4_experts and group.routed and group.in_features % 32 == 0 else f.F16
    if ftype == "mxfp4_moe":  # LLAMA_FTYPE_MOSTLY_MXFP4_MOE: experts MXFP4, every other matrix Q8_0
        return f.MXFP4 if group.routed and group.in_features % 32 == 0 else f.Q8_0
    new = default
    if cls == "output" or (cls == "token_embd" and ctx.tied):  # a tied table is quantized as the output
        new = f.Q8_0 if group.in_features % default.block_weights or default is f.Q8_0 else f.Q6_K
    elif cls == "attn_v":
        if ftype == "q2_k":
            new = f.Q4_K if ctx.n_gqa >= 4 else f.Q3_K
        elif ftype == "q3_k_m":
            new = f.Q5_K if i_attention_wv < 2 else f.Q4_K
        elif ftype == "iq4_xs" and ctx.n_gqa >= 4:
            new = f.Q5_K
        elif ftype in ("q4_k_m", "q5_k_m") and _use_more_bits(i_attention_wv, ctx.n_attention_wv):
            new = f.Q6_K
        if ctx.is_70b and new in (f.Q3_K, f.Q4_K):
            new = f.Q5_K
        if ctx.n_expert == 8:
            new = f.Q8_0
    elif cls == "attn_k":
        if ctx.n_expert == 8:
            new = f.Q8_0
    elif cls == "ffn_down":
        i_layer = group.layer if moe else i_ffn_down
        n_layer = ctx.n_ffn_down
        if ftype == "q2_k":
            new = f.Q3_K
        elif ftype == "q3_k_m":
            new = f.Q5_K if i_layer < n_layer // 16 else f.Q4_K
        elif ftype == "q4_k_m":
            if _use_more_bits(i_layer, n_layer):
                new = f.Q6_K
        elif ftype == "iq4_xs" and i_layer < n_layer // 8:
            new = f.Q5_K
        elif ftype == "q5_k_m" and _use_more_bits(i_layer, n_layer):
            new = f.Q6_K
    elif cls == "attn_output":
        if ctx.n_expert == 8:
            if ftype in ("q2_k", "q3_k_m", "q4_k_m", "iq4_xs"):
                new = f.Q5_K
        elif ftype == "q2_k":
            new = f.Q3_K
        elif ftype == "q3_k_m":
            new = f.Q4_K
    if group.in_features % new.block_weights:
        new = f.GGML_FALLBACK.get(new.name, f.F16)
        if group.in_features % new.block_weights:
            new = f.F16
    return new


def _sixteen_bit(arch: Architecture) -> Encoding:
    """The checkpoint's own 16-bit type, for what quantized schemes leave unquantized."""
    return f.F16 if arch.weights_dtype == "fp16" else f.BF16


def _safetensors_type(precision: str, arch: Architecture, group: TensorGroup) -> Encoding:
    if precision == "fp32":
        return f.F32
    if precision in ("bf16", "fp16"):
        return f.BF16 if precision == "bf16" else f.F16
    keep = _sixteen_bit(arch)
    if precision == "mxfp4":
        if arch.kind == "moe":
            return f.MXFP4 if group.routed and group.in_features % 32 == 0 else keep
        return f.MXFP4 if group.tensor_class in _LINEAR_CLASSES and group.in_features % 32 == 0 else keep
    if group.tensor_class in _LINEAR_CLASSES:
        return _LINEAR_QUANT[precision]
    return keep


@dataclass(frozen=True, slots=True)
class WeightsEstimate:
    """Weights at one precision: bytes per component, in total, and read per token."""

    precision: str
    """Resolved precision name."""
    component_bytes: Mapping[ComponentName, int]
    """Bytes per component."""
    total_bytes: int
    """Bytes of every stored weight."""
    active_bytes_per_token: int
    """Bytes one decode step reads: active weights, output head included, input table excluded."""
    routed_expert_bytes: int
    """Bytes of the routed experts (what ``--offload experts`` moves to RAM)."""
    encodings: Mapping[str, int]
    """Weights per encoding name, so the mix can be shown and checked."""
    basis: str
    """One line: how the bytes were computed."""
    exact: bool = False
    """True when the bytes were read from the checkpoint's headers rather than estimated."""
    replicated_bytes: int = 0
    """Bytes every tensor-parallel rank keeps whole (routers, norms, MLA down-projections; set by
    :mod:`paramtui.engine.loaded` for vLLM and SGLang)."""

    @property
    def bits_per_weight(self) -> float:
        """Average bits per stored weight."""
        elements = sum(self.encodings.values())
        return 8 * self.total_bytes / elements if elements else 0.0


WEIGHTS_CACHE_SIZE = 1024
"""Weight estimates kept (model, precision): ``paramtui fits`` asks each model about every precision
the runtime runs, and each option asks again; ~40 models x ~25 precisions fit with room to spare."""


@lru_cache(maxsize=128)
def _repeated_groups(arch: Architecture, breakdown: ParamBreakdown) -> tuple[tuple[TensorGroup, int], ...]:
    """The inventory with groups that differ only by layer merged: (first such group, how many), in order."""
    first: dict[tuple[object, ...], TensorGroup] = {}
    repeats: dict[tuple[object, ...], int] = {}
    for group in tensor_inventory(arch, breakdown):
        key = (group.component, group.tensor_class, group.count, group.elements, group.in_features, group.routed)
        first.setdefault(key, group)
        repeats[key] = repeats.get(key, 0) + 1
    return tuple((group, repeats[key]) for key, group in first.items())


@lru_cache(maxsize=WEIGHTS_CACHE_SIZE)
def estimate_weights(arch: Architecture, breakdown: ParamBreakdown, precision: str) -> WeightsEstimate:
    """Bytes of the weights at ``precision`` (already resolved, not ``auto``).

    Args:
        arch: the architecture.
        breakdown: its parameter breakdown.
        precision: a name from :data:`PRECISIONS`.

    Returns:
        Bytes per component, total, per decode step, and the mix of encodings used (cached: the
        answer is a function of its frozen arguments, and the fit search, the best-precision search
        and the options ask for the same one many times; callers must not mutate it).
    """
    if precision not in PRECISIONS:
        raise PrecisionError(f"unknown precision {precision!r}")
    groups = tensor_inventory(arch, breakdown)
    gguf = precision in GGUF_PRECISIONS
    ctx = _gguf_context(precision, arch, groups) if gguf else None
    # llama.cpp picks a type per layer; the other formats per tensor class, so identical layers are
    # one step each (a 61-layer model is then ~20 steps instead of ~500: the fits list asks ~25
    # precisions of ~40 models)
    steps = tuple((group, 1) for group in groups) if gguf else _repeated_groups(arch, breakdown)
    moe = arch.moe is not None and arch.moe.num_experts > 1
    k_over_e = arch.moe.top_k / arch.moe.num_experts if arch.moe is not None else 1.0
    per_component = dict.fromkeys(COMPONENTS, 0)
    encodings: dict[str, int] = {}
    active = routed = 0.0
    i_attention_wv = i_ffn_down = 0
    for group, repeats in steps:
        if ctx is not None:
            enc = _gguf_type(ctx, group, i_attention_wv, i_ffn_down, moe)
        else:
            enc = _safetensors_type(precision, arch, group)
        i_attention_wv += group.tensor_class == "attn_v"
        i_ffn_down += group.tensor_class == "ffn_down"
        size = repeats * group.count * enc.tensor_bytes(group.elements)
        per_component[group.component] += size
        encodings[enc.name] = encodings.get(enc.name, 0) + repeats * group.total_elements
        if group.routed:
            routed += size
            active += size * k_over_e
        elif group.tensor_class != "token_embd" or arch.tie_embeddings:
            active += size
    total = sum(per_component.values())
    mix = ", ".join(
        f"{name} {100 * n / breakdown.total:.1f}%" for name, n in sorted(encodings.items(), key=lambda x: -x[1])
    )
    basis = f"{precision}: {mix} of {breakdown.total:,} weights -> {8 * total / breakdown.total:.2f} bits/weight"
    return WeightsEstimate(precision, per_component, total, round(active), round(routed), encodings, basis)
