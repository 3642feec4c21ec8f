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

from paramtui.engine.architecture import ATTENTION_KINDS, Architecture, LayerKind

KV_DTYPE_BYTES: dict[str, Fraction] = {
    "fp32": Fraction(4),
    "bf16": Fraction(2),
    "fp16": Fraction(2),
    "fp8": Fraction(1),
    "q8_0": Fraction(34, 32),  # llama.cpp block: 32 int8 + fp16 scale
    "q4_0": Fraction(18, 32),  # llama.cpp block: 32 x 4-bit + fp16 scale
}
"""Bytes per cached value for each KV dtype (the one mapping of KV dtypes to widths)."""

SlidingRule = Literal["window_plus_ubatch", "window_plus_batched_tokens", "window_plus_chunk", "window", "full"]
"""How many tokens a sliding-window layer holds:

- ``window_plus_ubatch`` (llama.cpp, src/llama-kv-cache-iswa.cpp): ``n_swa x n_seq + n_ubatch`` cells,
  padded (per sequence stream where ``sliding_per_sequence``);
- ``window_plus_batched_tokens`` (vLLM V1 hybrid manager, vllm/v1/kv_cache_interface.py
  ``SlidingWindowSpec``): per request ``cdiv(min(window - 1 + max_num_batched_tokens, context), block) + 1``
  blocks;
- ``window_plus_chunk`` (SGLang's SWA pool): the window for each request plus one prefill chunk;
- ``window`` (transformers): exactly the window; ``full``: every token (no sliding-window saving).
"""


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
    """Round sliding-window sizes up to this multiple (llama.cpp pads to 256, or 32 without flash
    attention before PR #17046)."""
    mla_v_cache: bool = False
    """With ``mla_latent``: a V cache of ``kv_lora_rank`` per token per layer is kept beside the
    K latent (llama.cpp from PR #12801 until the V-less cache of PR #19067)."""
    sliding_per_sequence: bool = False
    """Each sequence has its own sliding-window stream of ``pad(window + extra)`` cells (llama.cpp's
    non-unified KV streams) instead of one shared ``pad(window x n_seq + extra)``."""
    full_pad_tokens: int = 1
    """Round each sequence's full-attention cells up to this multiple (llama.cpp pads to 256)."""
    block_tokens: int = 1
    """Tokens per KV block (vLLM pages of 16); a sliding window takes one block more (it may not
    start on a block boundary)."""
    layer_groups: bool = False
    """vLLM's hybrid KV-cache manager puts the full and sliding layers in groups of one size and pads
    each kind to whole groups; a request is charged blocks for every group, padding included
    (:func:`vllm_group_padding`)."""
    recurrent_width_bytes: int = 2
    """Bytes per value of a linear-attention / SSM state (llama.cpp keeps R and S in f32)."""
    dsa_fp8_scaled: bool = False
    """An fp8 MLA latent of a sparse-attention (DSA) model is stored with its scales and a bf16 rope
    part (:func:`dsa_fp8_latent_bytes`, 656 bytes for DeepSeek-V3.2 and GLM-5) instead of one byte
    a value (SGLang ``calculate_mla_kv_cache_dim``)."""
    source: str = ""
    """The release the rules follow (``llama.cpp b8000``)."""
    mla_source: str = ""
    """Where the MLA layout comes from (release span and PR)."""
    sliding_source: str = ""
    """Where the sliding-window rule comes from."""
    recurrent_source: str = ""
    """Where the recurrent-state dtype comes from."""


def resolve_kv_dtype(name: str, arch: Architecture) -> str:
    """``auto`` is the weights' 16-bit type; anything else must be a known KV dtype."""
    key = name.strip().lower()
    if key == "auto":
        return "fp16" if arch.weights_dtype == "fp16" else ("fp32" if arch.weights_dtype == "fp32" else "bf16")
    if key not in KV_DTYPE_BYTES:
        raise KvDtypeError(f"unknown KV dtype {name!r}; use auto or one of {', '.join(KV_DTYPE_BYTES)}")
    return key


DSA_FP8_SCALE_BLOCK = 128
"""Latent values per fp32 scale in SGLang's fp8 DSA cache (``NSATokenToKVPool.quant_block_size``)."""


def dsa_fp8_latent_bytes(arch: Architecture) -> int:
    """Bytes one layer's fp8 latent of a DSA model takes per token in SGLang, 0 for other models.

    sgl-project/sglang python/sglang/srt/model_executor/model_runner_kv_cache_mixin.py
    ``calculate_mla_kv_cache_dim`` (commit 001ccef): with ``--kv-cache-dtype fp8_e4m3`` and a
    non-TRT-LLM sparse-attention backend the row is ``kv_lora_rank`` fp8 values, one fp32 scale per
    128 of them and the rope part kept in bf16: 512 + 4 x 4 + 64 x 2 = 656 bytes, not 576.
    """
    m = arch.mla
    if m is None or not m.index_head_dim or m.kv_lora_rank % DSA_FP8_SCALE_BLOCK:
        return 0
    return m.kv_lora_rank + m.kv_lora_rank // DSA_FP8_SCALE_BLOCK * 4 + m.qk_rope_head_dim * 2


def _scaled_dsa_latent(arch: Architecture, rules: KvRules, kv_dtype: str) -> int:
    """Bytes of the fp8 DSA latent these rules store with its scales, 0 where the plain latent applies."""
    if rules.mla_latent and rules.dsa_fp8_scaled and kv_dtype == "fp8":
        return dsa_fp8_latent_bytes(arch)
    return 0


def _layer_kv_widths(
    arch: Architecture, rules: KvRules, kind: LayerKind = "full", kv_dtype: str = ""
) -> tuple[int, int]:
    """(K, V) values one attention layer of ``kind`` caches per token.

    An fp8 DSA latent under ``rules.dsa_fp8_scaled`` is counted in bytes (one byte a value).
    """
    if arch.mla is not None:
        m = arch.mla
        if rules.mla_latent:
            scaled = _scaled_dsa_latent(arch, rules, kv_dtype)
            return scaled or m.kv_lora_rank + m.qk_rope_head_dim, m.kv_lora_rank if rules.mla_v_cache else 0
        return arch.num_heads * m.qk_head_dim, arch.num_heads * m.v_head_dim
    kv_heads, head, v_head, _ = arch.attention_shape(kind)
    return kv_heads * head, kv_heads * v_head


INDEXER_QUANT_BLOCK = 128
"""Values per fp32 scale in the indexer's fp8 key cache (vLLM's and SGLang's quant_block_size)."""


def indexer_bytes_per_token(arch: Architecture) -> int:
    """Bytes one layer's sparse-attention indexer caches per token (DeepSeek-V3.2, GLM-5).

    vLLM (DeepseekV32IndexerCache) and SGLang (DSATokenToKVPool) keep the indexer key in fp8 with
    one fp32 scale per 128 values whatever the KV dtype: 128 + 4 = 132 bytes for a 128-wide key.
    """
    m = arch.mla
    if m is None or not m.index_head_dim:
        return 0
    return m.index_head_dim + m.index_head_dim // INDEXER_QUANT_BLOCK * 4


def _layer_bytes_per_token(arch: Architecture, kv_dtype: str, rules: KvRules, kind: LayerKind = "full") -> Fraction:
    """Bytes one attention layer of ``kind`` caches per token (an indexer's keys apart)."""
    k, v = _layer_kv_widths(arch, rules, kind, kv_dtype)
    return (k + v) * KV_DTYPE_BYTES[kv_dtype]


def _compressed_bytes_per_token(arch: Architecture, kv_dtype: str) -> Fraction:
    """Bytes the compressed layers of DeepSeek-V4 add per token of context (before rounding to entries)."""
    c = arch.compressed
    if c is None:
        return Fraction(0)
    index = c.index_head_dim + c.index_head_dim // INDEXER_QUANT_BLOCK * 4 if c.index_head_dim else 0
    total = Fraction(0)
    for ratio in c.compress_ratios:
        if ratio:
            per_entry = arch.head_dim * KV_DTYPE_BYTES[kv_dtype] + (index if c.is_sparse(ratio) else 0)
            total += Fraction(per_entry) / ratio
    return total


def _compressed_kv_cache(arch: Architecture, context: int, batch: int, kv_dtype: str, rules: KvRules) -> KvEstimate:
    """DeepSeek-V4: a sliding window of one shared K/V vector per layer, plus compressed entries.

    Every layer caches its last ``sliding_window`` tokens' single head_dim vector (read as key
    and value) under the runtime's sliding rule; a layer of ratio m also keeps ceil(context / m)
    compressed entries of head_dim, and a CSA layer its indexer's compressed keys, in fp8 with
    one fp32 scale per 128 values as for DeepSeek-V3.2 (vLLM's DeepseekV4 indexer cache).
    """
    c = arch.compressed
    if c is None:  # guarded by the caller
        raise ValueError("compressed cache without its spec")
    width = KV_DTYPE_BYTES[kv_dtype]
    d = arch.head_dim
    window = arch.sliding_window or context
    sliding_cells = sliding_tokens(context, batch, window, rules)
    sliding = d * width * sliding_cells * arch.num_layers
    index = c.index_head_dim + c.index_head_dim // INDEXER_QUANT_BLOCK * 4 if c.index_head_dim else 0
    compressed = Fraction(0)
    entries_max = 0
    n_compressed = 0
    for ratio in c.compress_ratios:
        if not ratio:
            continue
        n_compressed += 1
        entries = -(-context // ratio) * batch
        entries_max = max(entries_max, entries)
        compressed += entries * (d * width + (index if c.is_sparse(ratio) else 0))
    kinds = [KindCache("sliding", arch.num_layers, sliding_cells, int(sliding))]
    if n_compressed:
        kinds.append(KindCache("full", n_compressed, entries_max, int(compressed)))
    n_sparse = sum(1 for r in c.compress_ratios if r and c.is_sparse(r))
    basis = (
        f"one shared K/V vector of {d} x {float(width):g} B ({kv_dtype}) per token: window {window:,} on "
        f"{arch.num_layers} layers ({rules.sliding}: {sliding_cells:,} cells); compressed entries on "
        f"{n_compressed} layers (1 per ratio tokens), indexer keys {index} B (fp8 + scales) on {n_sparse}; "
        f"context {context:,} x batch {batch}"
    )
    return KvEstimate(
        int(sliding + compressed),
        int(_compressed_bytes_per_token(arch, kv_dtype)),
        kv_dtype,
        basis,
        batch,
        int(sliding + compressed),
        0,
        tuple(kinds),
        _rule_line(arch, rules, kv_dtype),
    )


def attention_bytes_per_token(arch: Architecture, kv_dtype: str, rules: KvRules) -> int:
    """Bytes one token takes across every attention layer (full and sliding), indexer keys included.

    The unit engines count their KV pool in (vLLM's "GPU KV cache size: N tokens", SGLang's "#tokens").
    DeepSeek-V4's layers add their compressed entries' share per token.
    """
    if arch.compressed is not None:
        return int(_compressed_bytes_per_token(arch, kv_dtype))
    total = sum(
        (_layer_bytes_per_token(arch, kv_dtype, rules, kind) for kind in arch.layer_kinds if kind in ATTENTION_KINDS),
        Fraction(0),
    )
    return int(total) + arch.num_indexed_layers * indexer_bytes_per_token(arch)


def _linear_state_values(arch: Architecture) -> tuple[int, int]:
    """(convolution, recurrent) state values of one linear-attention layer for one sequence.

    Gated DeltaNet: a key_head_dim x value_head_dim matrix per value head (llama.cpp's S), plus the
    short convolution's last (kernel - 1) inputs over q, k and v (llama.cpp's R).
    """
    la = arch.linear_attention
    if la is None:
        return 0, 0
    recurrent = la.num_value_heads * la.key_head_dim * la.value_head_dim
    conv = (2 * la.key_dim + la.value_dim) * (la.conv_kernel - 1)
    return conv, recurrent


def _linear_state_bytes(arch: Architecture, rules: KvRules | None = None) -> int:
    """Fixed state of one linear-attention layer for one sequence, in the runtime's state dtype."""
    conv, recurrent = _linear_state_values(arch)
    width = rules.recurrent_width_bytes if rules is not None else 2
    return width * (recurrent + conv)


def _pad(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple if multiple > 1 else value


def ssm_state_bytes(arch: Architecture, rules: KvRules | None = None) -> int:
    """Fixed state of one SSM / short-convolution layer for one sequence.

    The convolution keeps its last (kernel - 1) inputs per channel; Mamba keeps an inner x state
    matrix (Mamba-2: heads x head_dim x state), in ``ssm.state_bytes`` per value (float32 where
    the config says mamba_ssm_cache_dtype float32) or the runtime's recurrent width if wider
    (llama.cpp keeps its recurrent states in f32). LFM2's short convolution has only the
    convolution state.
    """
    s = arch.ssm
    if s is None:
        return 0
    width = rules.recurrent_width_bytes if rules is not None else 2
    conv = width * s.conv_channels * (s.conv_kernel - 1)
    return conv + max(s.state_bytes, width) * s.inner_size * s.state_size


def sliding_tokens(context: int, batch: int, window: int, rules: KvRules) -> int:
    """Cells (tokens) a sliding-window layer holds for the whole batch."""
    full = full_tokens(context, batch, rules)
    if rules.sliding == "full":
        return full
    if rules.sliding == "window":
        return min(full, window * batch)
    if rules.sliding == "window_plus_batched_tokens":
        # vLLM SlidingWindowSpec.max_memory_usage_bytes: the last window - 1 tokens plus one
        # scheduled batch, capped at the request length, plus one block for an unaligned window.
        block = max(rules.block_tokens, 1)
        held = min(window - 1 + rules.extra_tokens, context)
        return batch * (-(-held // block) + (1 if block > 1 else 0)) * block
    if rules.sliding == "window_plus_chunk":
        return min(full, window * batch + rules.extra_tokens)
    # llama.cpp llama_kv_cache_iswa: GGML_PAD(min(size, n_swa x n_seq + n_ubatch), pad) per stream
    if rules.sliding_per_sequence:
        per = _pad(min(_pad(context, rules.full_pad_tokens), window + rules.extra_tokens), rules.pad_tokens)
        return per * batch
    return _pad(min(full, window * batch + rules.extra_tokens), rules.pad_tokens)


def vllm_group_padding(n_full: int, n_sliding: int) -> tuple[int, int]:
    """Padding layers vLLM's hybrid KV-cache manager adds to the full and the sliding layers.

    vllm/v1/core/kv_cache_utils.py ``_get_kv_cache_groups_uniform_page_size`` (commit 001cabc1be16):
    the group size is the smaller kind's layer count, or the larger one's when it is under 1.5 times
    the smaller (that exception from vllm-project/vllm PR #29303, 2025-11-24, for gpt-oss with an
    EAGLE drafter's extra layer); each kind is padded up to whole groups ("Add %d padding layers, may waste at most
    %.2f%% KV cache memory"). ``get_max_concurrency_for_kv_cache_config`` charges a request
    ``layers per group x sum of each group's max_memory_usage_bytes``, so the padding counts as
    layers of its kind. Gemma 3 27B: 10 full and 52 sliding layers, groups of 10, 8 sliding padding
    layers.
    """
    if n_full == 0 or n_sliding == 0:
        return 0, 0
    group = min(n_full, n_sliding)
    if max(n_full, n_sliding) < group * 1.5:
        group = max(n_full, n_sliding)
    return -n_full % group, -n_sliding % group


def full_tokens(context: int, batch: int, rules: KvRules) -> int:
    """Cells a full-attention layer holds for the whole batch (each sequence padded)."""
    return _pad(context, rules.full_pad_tokens) * batch


@dataclass(frozen=True, slots=True)
class KindCache:
    """The cache of one kind of layer."""

    kind: str
    """``full``, ``sliding`` (sliding-window and chunked layers) or ``recurrent`` (linear attention)."""
    layers: int
    """Layers of this kind."""
    cells: int
    """Cells each layer holds: tokens for attention layers (all sequences), state slots for recurrent ones."""
    bytes: int
    """Bytes over all these layers."""


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
    k_bytes: int = 0
    """Bytes of the K cache (attention layers)."""
    v_bytes: int = 0
    """Bytes of the V cache (attention layers; 0 for a V-less MLA cache)."""
    by_kind: tuple[KindCache, ...] = ()
    """The cache by kind of layer."""
    rule: str = ""
    """Which engine rule applied and where it comes from."""


def _rule_line(arch: Architecture, rules: KvRules, kv_dtype: str = "") -> str:
    """The engine rules that decide this model's cache layout, each with its source."""

    def where(specific: str) -> str:
        text = specific or rules.source
        return f" ({text})" if text else ""

    lines = []
    if arch.mla is not None:
        m = arch.mla
        k, v = _layer_kv_widths(arch, rules, "full", kv_dtype)
        if _scaled_dsa_latent(arch, rules, kv_dtype):
            lines.append(
                f"MLA: fp8 sparse-attention latent of {k} bytes ({m.kv_lora_rank} fp8 + fp32 scales + rope "
                f"{m.qk_rope_head_dim} in bf16) per token per layer (SGLang calculate_mla_kv_cache_dim)"
            )
        elif not rules.mla_latent:
            lines.append(
                f"MLA: full per-head K {arch.num_heads} x {m.qk_head_dim} + V {arch.num_heads} x {m.v_head_dim} "
                f"per token per layer{where(rules.mla_source)}"
            )
        elif v:
            lines.append(f"MLA: K {k} + V {v} per token per layer{where(rules.mla_source)}")
        else:
            lines.append(f"MLA: K {k} only (V-less latent cache) per token per layer{where(rules.mla_source)}")
    if any(kind in ("sliding", "chunked") for kind in arch.layer_kinds):
        what = {
            "window_plus_ubatch": "window x sequences + n_ubatch"
            + (" per sequence stream" if rules.sliding_per_sequence else "")
            + (f", padded to {rules.pad_tokens}" if rules.pad_tokens > 1 else ""),
            "window_plus_batched_tokens": f"window - 1 + max_num_batched_tokens {rules.extra_tokens:,} per request"
            + (f", in {rules.block_tokens}-token blocks + 1" if rules.block_tokens > 1 else ""),
            "window_plus_chunk": f"window per request + one {rules.extra_tokens:,}-token chunk",
            "window": "the window",
            "full": "every token (no sliding-window saving)",
        }[rules.sliding]
        lines.append(f"sliding-window layers hold {what}{where(rules.sliding_source)}")
    if arch.linear_attention is not None or arch.ssm is not None:
        lines.append(f"recurrent state in {8 * rules.recurrent_width_bytes}-bit floats{where(rules.recurrent_source)}")
    if not lines:
        lines.append(f"K and V per token per layer{where('')}")
    return "; ".join(lines)


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
    if arch.compressed is not None:
        return _compressed_kv_cache(arch, context, batch, kv_dtype, rules)
    width = KV_DTYPE_BYTES[kv_dtype]
    k_width, v_width = _layer_kv_widths(arch, rules, "full", kv_dtype)
    k_slide, v_slide = _layer_kv_widths(arch, rules, "sliding", kv_dtype)
    indexer = indexer_bytes_per_token(arch)
    per_layer = (k_width + v_width) * width
    per_sliding = (k_slide + v_slide) * width
    counts: dict[str, int] = {}
    for kind in arch.layer_kinds:
        counts[kind] = counts.get(kind, 0) + 1
    n_full = counts.get("full", 0) + counts.get("hybrid", 0)  # Falcon-H1: attention beside its SSM
    n_sliding = counts.get("sliding", 0) + counts.get("chunked", 0)
    n_linear = counts.get("linear", 0)
    full_cells = full_tokens(context, batch, rules)
    window = arch.sliding_window or context
    sliding_cells = sliding_tokens(context, batch, window, rules) if n_sliding else 0
    pad_full, pad_sliding = (0, 0)
    if rules.layer_groups and not counts.get("hybrid", 0):
        pad_full, pad_sliding = vllm_group_padding(n_full, n_sliding)
    full_held, sliding_held = (n_full + pad_full) * full_cells, (n_sliding + pad_sliding) * sliding_cells
    # The indexer's keys (DeepSeek-V3.2, GLM-5) sit beside the latent of every indexed (full) layer.
    index_bytes = indexer * arch.num_indexed_layers * full_cells
    k_bytes = k_width * width * full_held + k_slide * width * sliding_held + index_bytes
    v_bytes = v_width * width * full_held + v_slide * width * sliding_held
    recurrent = _linear_state_bytes(arch, rules) * batch * n_linear
    n_ssm = counts.get("ssm", 0) + counts.get("hybrid", 0)
    ssm = ssm_state_bytes(arch, rules) * batch * n_ssm
    kinds: list[KindCache] = []
    if n_full:
        full_bytes = int(per_layer * full_cells * (n_full + pad_full)) + index_bytes
        kinds.append(KindCache("full", n_full, full_cells, full_bytes))
    if n_sliding:
        sliding_bytes = int(per_sliding * sliding_cells * (n_sliding + pad_sliding))
        kinds.append(KindCache("sliding", n_sliding, sliding_cells, sliding_bytes))
    if n_linear:
        kinds.append(KindCache("recurrent", n_linear, batch, recurrent))
    if n_ssm:
        kinds.append(KindCache("recurrent", n_ssm, batch, ssm))
    total = k_bytes + v_bytes + recurrent + ssm
    if arch.mla is not None:
        what = (
            f"MLA latent ({arch.mla.kv_lora_rank}+{arch.mla.qk_rope_head_dim}"
            + (f", V {arch.mla.kv_lora_rank}" if rules.mla_latent and rules.mla_v_cache else "")
            + ")"
            if rules.mla_latent
            else f"MLA expanded {arch.num_heads} heads x ({arch.mla.qk_head_dim}+{arch.mla.v_head_dim})"
        )
        if _scaled_dsa_latent(arch, rules, kv_dtype):
            what = f"MLA fp8 sparse-attention latent ({arch.mla.kv_lora_rank} fp8 + scales + bf16 rope, {k_width} B)"
    else:
        what = f"2 x {arch.num_kv_heads} kv heads x {arch.head_dim}"
        if v_slide != k_slide:
            what = f"{arch.num_kv_heads} kv heads x (K {arch.head_dim} + V {v_slide // arch.num_kv_heads})"
        if (k_width, v_width) != (k_slide, v_slide):
            kv_full = arch.full_num_kv_heads or arch.num_kv_heads
            what = f"full layers {kv_full} kv heads x (K {k_width // kv_full} + V {v_width // kv_full}), other " + what
    if indexer:
        what += f" + indexer key {indexer} B (fp8 + scales) on {arch.num_indexed_layers} layers"
    layers = ", ".join(f"{n} {k}" for k, n in counts.items())
    basis = (
        f"{what} x {float(width):g} B ({kv_dtype}) = {float(per_layer):,.0f} B/token/layer; "
        f"{layers}; context {context:,} x batch {batch}"
    )
    if arch.sliding_window and n_sliding:
        basis += f"; window {arch.sliding_window:,} ({rules.sliding}: {sliding_cells:,} cells)"
    if pad_full or pad_sliding:
        padded = [f"{n} {k} padding layers" for k, n in (("full", pad_full), ("sliding", pad_sliding)) if n]
        basis += f"; vLLM KV-cache groups add {' and '.join(padded)}"
    if n_linear:
        basis += f"; recurrent state {8 * rules.recurrent_width_bytes}-bit"
    if n_ssm and arch.ssm is not None:
        basis += f"; {arch.ssm.variant} state {ssm_state_bytes(arch, rules):,} B per layer and sequence"
    return KvEstimate(
        int(total),
        int(per_layer * n_full) + indexer * arch.num_indexed_layers,
        kv_dtype,
        basis,
        batch,
        int(k_bytes),
        int(v_bytes),
        tuple(kinds),
        _rule_line(arch, rules, kv_dtype),
    )
