"""Every cap on input and every plausible range of a number, named in one place.

Input is checked where it enters (a config.json, a GGUF, a saved model, a ``--gpu`` spec, a
command-line number), so nothing downstream needs its own guard: a value past these limits is a
typo or a hostile file, never a model, and it gets a one-line error that states the range
("num_hidden_layers 1e+30 is above the 10,000 this tool accepts"). Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

# ----- bytes read from a file, by kind (engine/adapters/bounded.py enforces them) -----

CONFIG_BYTES = 4 * 2**20
"""A config.json: real ones are a few kB (the largest, with long per-layer lists, tens of kB)."""
RECORD_BYTES = 4 * 2**20
"""A saved model, the autosave or the recent list (a few kB each)."""
INDEX_BYTES = 32 * 2**20
"""A ``model.safetensors.index.json``: DeepSeek-V3's names ~92k tensors in about 9 MB."""
SAFETENSORS_HEADER_BYTES = 100 * 2**20
"""A safetensors header: the format's own reader refuses longer ones (100 MB)."""
CACHE_ENTRY_BYTES = 256 * 2**20
"""One Hub cache entry written by paramtui (a tensor list of the largest repos is tens of MB)."""
SETTINGS_BYTES = 1 * 2**20
"""config.toml."""

GGUF_HEADER_BYTES = 512 * 2**20
"""The metadata and tensor table of a GGUF file never need more (a 256k-token vocabulary is ~10 MB)."""
GGUF_TENSORS = 2**17
"""Tensors per GGUF file (DeepSeek-V3 has about 1,900 in GGUF's fused-expert layout); each costs parse time."""
GGUF_KV = 2**16
"""Metadata keys per GGUF file."""
GGUF_STRING = 64 * 2**20
"""Bytes in one GGUF string (chat templates are tens of kB)."""
GGUF_ARRAY = 2**26
"""Elements in one GGUF metadata array (vocabularies and merges are a few hundred thousand)."""
GGUF_KEPT_ITEMS = 2**18
"""Items of short metadata arrays kept in memory, all arrays together (per-layer head counts are ~100 each)."""
GGUF_STRINGS = 2**21
"""Strings in one GGUF header, keys and array items together: each costs time to read past, so
their number bounds the parse (Llama 3's 128k tokens and 280k merges are 0.4M; Gemma 3 has 262k)."""

JSON_DEPTH = 64
"""Nesting of any JSON read (configs nest 3-4 levels; Python's parser would recurse to a crash)."""

# ----- the model -----

MAX_VOCAB = 10_000_000
"""Embedding rows (the largest real vocabularies are ~260k)."""
MAX_HIDDEN = 1_000_000
"""A width: hidden size, head dim, a rank (the largest real hidden sizes are ~20k)."""
MAX_FFN = MAX_HIDDEN * 16
"""An FFN or expert intermediate width."""
MAX_LAYERS = 10_000
"""Decoder layers (the deepest real models have ~130)."""
MAX_HEADS = 100_000
"""Attention heads (real models have up to 128)."""
MAX_EXPERTS = 1_000_000
"""Routed experts per layer (real models have up to 384)."""
MAX_CONTEXT = 1_000_000_000
"""Tokens of context (real models reach 10M)."""
MAX_TENSOR_ELEMENTS = 2**48
"""One dimension of a tensor shape (safetensors and GGUF headers)."""

# ----- the workload and the hardware -----

MAX_BATCH = 1_000_000
"""Concurrent requests, output tokens, tokens per step."""
MAX_GPUS = 1024
"""GPUs in one plan."""
GPU_MEMORY_BYTES = (2**20, 2**50)
"""One GPU's memory: 1 MiB to 1 PiB (the largest cards hold ~300 GB)."""
GPU_BANDWIDTH_BYTES_PER_S = (1e6, 1e15)
"""Memory bandwidth: 1 MB/s to 1 PB/s (the fastest HBM is ~8 TB/s)."""
GPU_FLOPS = (1e6, 1e18)
"""Peak FLOPS or OPS of one GPU, any precision: 1 MFLOPS to 1 EFLOPS (the fastest are ~10 PFLOPS)."""
LINK_BYTES_PER_S = (1e6, 1e14)
"""A network link between nodes: 1 MB/s to 100 TB/s."""
COMPUTE_CAPABILITY = (1.0, 99.0)
"""CUDA compute capability (1.0 to 12.x today)."""

# ----- config.json keys: what range each may take -----

_LAYER_KEYS = frozenset(
    {"num_hidden_layers", "n_layer", "n_layers", "depth", "first_k_dense_replace", "num_nextn_predict_layers"}
)
_CONTEXT_KEYS = frozenset(
    {
        "max_position_embeddings",
        "n_positions",
        "max_seq_len",
        "sliding_window",
        "attention_chunk_size",
        "num_position_embeddings",
        "position_embedding_size",
        "image_size",
        "num_patches",
    }
)
_EXPERT_KEYS = frozenset(
    {"num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts", "num_experts_per_tok", "moe_top_k"}
)
_HEAD_KEYS = frozenset({"num_attention_heads", "n_head", "n_heads", "num_key_value_heads", "kv_n_heads"})
_ZERO_ALLOWED = frozenset(
    {
        "q_lora_rank",
        "first_k_dense_replace",
        "n_shared_experts",
        "shared_expert_intermediate_size",
        "moe_shared_expert_intermediate_size",
        "shared_intermediate_size",
        "num_nextn_predict_layers",
        "expert_layer_offset",
        "attn_layer_offset",
        "hidden_size",
        "intermediate_size",
        "num_local_experts",  # Granite 4.0-H dense models say 0 routed experts
    }
)


def config_key_range(key: str) -> tuple[int, int]:
    """The (lowest, highest) value a config.json integer key may take."""
    if key in _LAYER_KEYS:
        high = MAX_LAYERS
    elif key in _CONTEXT_KEYS:
        high = MAX_CONTEXT
    elif key == "vocab_size":
        high = MAX_VOCAB
    elif key in _EXPERT_KEYS:
        high = MAX_EXPERTS
    elif key in _HEAD_KEYS:
        high = MAX_HEADS
    else:
        high = MAX_FFN
    return (0 if key in _ZERO_ALLOWED else 1), high


def describe(value: Any) -> str:
    """A value as an error message shows it (``1e+30``, ``2^63`` style digits cut short)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        digits = len(str(abs(value)))
        return f"{'-' if value < 0 else ''}{float(value):.3g}" if digits < 300 else f"a {digits}-digit number"
    if isinstance(value, str):
        return repr(value[:40] + ("..." if len(value) > 40 else ""))
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def whole_number(value: Any, what: str, low: int, high: int) -> int:
    """``value`` as an int in ``[low, high]``, or ValueError saying what was wrong and the range.

    Accepts ints and integral finite floats (``4096.0``); refuses booleans, strings, lists,
    NaN, infinities and fractions.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be an integer, got {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{what} must be a finite integer, got {value}")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{what} must be an integer, got {value}")
    if value > high:
        raise ValueError(f"{what} {describe(value)} is above the {high:,} this tool accepts")
    if value < low:
        raise ValueError(f"{what} {describe(value)} is below the {low:,} this tool accepts")
    return int(value)


def finite_number(value: float, what: str, low: float, high: float, unit: str = "") -> float:
    """``value`` if finite and in ``[low, high]``; else ValueError stating the range."""
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value}")
    if not low <= value <= high:
        raise ValueError(f"{what} {value:.3g}{unit} is outside the {low:.3g}-{high:.3g}{unit} this tool accepts")
    return value


def config_int(cfg: Mapping[str, Any], key: str, default: int | None = None, what: str = "") -> int:
    """An integer key of a config.json, checked against its plausible range (0 allowed where the default is 0).

    Raises:
        ValueError: missing with no default, not a finite integer, or out of range.
    """
    value = cfg.get(key, default)
    if value is None:
        raise ValueError(f"config.json has no {key!r}; add it or pick a preset")
    low, high = config_key_range(key)
    if default == 0:  # a key whose absence means 0 (no shared expert, no MTP layer) may say 0
        low = 0
    return whole_number(value, what or key, low, high)
