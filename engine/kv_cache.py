"""KV cache bytes, summed layer by layer, under a runtime's caching rules.

Full-attention layers hold every token; sliding-window (and chunked) layers hold at most the
window plus what the runtime keeps for the batch being processed; MLA layers hold the
compressed latent where the runtime supports it; linear-attention layers hold a fixed state
per sequence. Worked values: Llama 3.1 8B in bf16 holds 2 x 8 x 128 x 2 bytes x 32 layers
= 128 KiB per token (1 GiB at 8192 tokens); DeepSeek-V3's MLA latent in bf16 is
(512 + 64) x 61 x 2 = 70,272 bytes per token.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from paramtui.engine.architecture import Architecture

KV_DTYPE_BYTES: dict[str, Fraction] = {
    "fp32": Fraction(4),
    "bf16": Fraction(2),
    "fp16": Fraction(2),
    "fp8": Fraction(1),
    "q8_0": Fraction(34, 32),  # llama.cpp block: 32 int8 + fp16 scale
    "q4_0": Fraction(18, 32),  # llama.cpp block: 32 x 4-bit + fp16 scale
}
"""Bytes per cached value for each KV dtype (the one mapping of KV dtypes to widths)."""

SlidingRule = Literal["window_plus_ubatch", "window_plus_batched_tokens", "window", "full"]


class KvDtypeError(ValueError):
    """An unknown KV dtype; the message lists the valid ones."""


@dataclass(frozen=True, slots=True)
class KvRules:
    """How a runtime lays out its cache."""

    mla_latent: bool
    """MLA layers cache the latent (kv_lora_rank + qk_rope_head_dim), not per-head K and V."""
    sliding: SlidingRule
    """How many tokens a sliding-window layer holds."""
    extra_tokens: int
    """Tokens added to the window: llama.cpp's n_ubatch, vLLM's max_num_batched_tokens."""
    pad_tokens: int = 1
    """Round sliding-window sizes up to this multiple (llama.cpp pads to 256)."""


def resolve_kv_dtype(name: str, arch: Architecture) -> str:
    """``auto`` is the weights' 16-bit type; anything else must be a known KV dtype."""
    key = name.strip().lower()
    if key == "auto":
        return "fp16" if arch.weights_dtype == "fp16" else ("fp32" if arch.weights_dtype == "fp32" else "bf16")
    if key not in KV_DTYPE_BYTES:
        raise KvDtypeError(f"unknown KV dtype {name!r}; use auto or one of {', '.join(KV_DTYPE_BYTES)}")
    return key


def _layer_bytes_per_token(arch: Architecture, kv_dtype: str, rules: KvRules) -> Fraction:
    """Bytes one attention layer caches per token."""
    width = KV_DTYPE_BYTES[kv_dtype]
    if arch.mla is not None:
        m = arch.mla
        if rules.mla_latent:
            return (m.kv_lora_rank + m.qk_rope_head_dim) * width
        return arch.num_heads * (m.qk_head_dim + m.v_head_dim) * width
    return 2 * arch.num_kv_heads * arch.head_dim * width


def _linear_state_bytes(arch: Architecture) -> int:
    """Fixed state of one linear-attention layer for one sequence (kept in 16-bit).

    Gated DeltaNet: a key_head_dim x value_head_dim matrix per value head, plus the short
    convolution's last (kernel - 1) inputs over q, k and v.
    """
    la = arch.linear_attention
    if la is None:
        return 0
    recurrent = la.num_value_heads * la.key_head_dim * la.value_head_dim
    conv = (2 * la.key_dim + la.value_dim) * (la.conv_kernel - 1)
    return 2 * (recurrent + conv)


def sliding_tokens(context: int, batch: int, window: int, rules: KvRules) -> int:
    """Tokens a sliding-window layer holds for the whole batch."""
    full = context * batch
    if rules.sliding == "full":
        return full
    held = window * batch
    if rules.sliding != "window":
        held += rules.extra_tokens
    held = -(-held // rules.pad_tokens) * rules.pad_tokens
    return min(full, held)


@dataclass(frozen=True, slots=True)
class KvEstimate:
    """KV cache for a workload."""

    bytes: int
    """Bytes of the whole cache (all layers, all sequences)."""
    bytes_per_token_full: int
    """Bytes one token adds across the layers that keep every token."""
    kv_dtype: str
    """Resolved KV dtype."""
    basis: str
    """One line: the per-layer rule and its numbers."""
    batch: int = 1
    """Sequences the cache holds."""


def estimate_kv_cache(arch: Architecture, context: int, batch: int, kv_dtype: str, rules: KvRules) -> KvEstimate:
    """KV cache bytes for ``batch`` sequences of ``context`` tokens.

    Args:
        arch: the architecture.
        context: tokens per sequence.
        batch: concurrent sequences.
        kv_dtype: a resolved KV dtype (not ``auto``).
        rules: the runtime's caching rules.
    """
    if context < 0 or batch < 1:
        raise ValueError("context must be >= 0 and batch >= 1")
    per_layer = _layer_bytes_per_token(arch, kv_dtype, rules)
    counts: dict[str, int] = {}
    total = Fraction(0)
    full_per_token = Fraction(0)
    for kind in arch.layer_kinds:
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "linear":
            total += _linear_state_bytes(arch) * batch
        elif kind == "full":
            total += per_layer * context * batch
            full_per_token += per_layer
        else:
            total += per_layer * sliding_tokens(context, batch, arch.sliding_window, rules)
    if arch.mla is not None:
        what = (
            f"MLA latent ({arch.mla.kv_lora_rank}+{arch.mla.qk_rope_head_dim})"
            if rules.mla_latent
            else f"MLA expanded {arch.num_heads} heads x ({arch.mla.qk_head_dim}+{arch.mla.v_head_dim})"
        )
    else:
        what = f"2 x {arch.num_kv_heads} kv heads x {arch.head_dim}"
    layers = ", ".join(f"{n} {k}" for k, n in counts.items())
    basis = (
        f"{what} x {float(KV_DTYPE_BYTES[kv_dtype]):g} B ({kv_dtype}) = {float(per_layer):,.0f} B/token/layer; "
        f"{layers}; context {context:,} x batch {batch}"
    )
    if arch.sliding_window and any(k in ("sliding", "chunked") for k in counts):
        basis += f"; window {arch.sliding_window:,} ({rules.sliding})"
    return KvEstimate(int(total), int(full_per_token), kv_dtype, basis, batch)
