"""GGUF metadata to a Hugging Face-style config dict, so GGUF files go through the same importer.

llama.cpp's converter writes ``{arch}.block_count``, ``{arch}.embedding_length`` and so on
(gguf-py ``Keys``); this maps them back to the config.json names of the matching model_type.
What a GGUF file does not say (biases, tied embeddings) is read from its tensor table. Pure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from paramtui.engine.limits import describe

_MODEL_TYPES = {
    "llama": "llama",
    "mistral3": "mistral",
    "qwen2": "qwen2",
    "qwen3": "qwen3",
    "qwen2moe": "qwen2_moe",
    "qwen3moe": "qwen3_moe",
    "gemma2": "gemma2",
    "gemma3": "gemma3_text",
    "phi3": "phi3",
    "deepseek2": "deepseek_v3",
    "gpt-oss": "gpt_oss",
    "olmoe": "olmoe",
    "gpt2": "gpt2",
    "granite": "granite",
}
"""GGUF ``general.architecture`` -> config.json ``model_type``."""

FTYPE_PRECISION = {
    "ALL_F32": "f16",
    "MOSTLY_F16": "f16",
    "MOSTLY_BF16": "f16",
    "MOSTLY_Q8_0": "q8_0",
    "MOSTLY_Q6_K": "q6_k",
    "MOSTLY_Q5_K_M": "q5_k_m",
    "MOSTLY_Q5_K_S": "q5_k_m",
    "MOSTLY_Q5_0": "q5_0",
    "MOSTLY_Q5_1": "q5_0",
    "MOSTLY_Q4_K_M": "q4_k_m",
    "MOSTLY_Q4_K_S": "q4_k_m",
    "MOSTLY_Q4_0": "q4_0",
    "MOSTLY_Q4_1": "q4_0",
    "MOSTLY_IQ4_XS": "iq4_xs",
    "MOSTLY_IQ4_NL": "iq4_xs",
    "MOSTLY_Q3_K_M": "q3_k_m",
    "MOSTLY_Q3_K_S": "q3_k_m",
    "MOSTLY_Q3_K_L": "q3_k_m",
    "MOSTLY_Q2_K": "q2_k",
    "MOSTLY_Q2_K_S": "q2_k",
    "MOSTLY_MXFP4_MOE": "mxfp4_moe",
}
"""llama.cpp file type -> the precision name the runtime rules know (exact bytes come from the file)."""


class GgufConfigError(ValueError):
    """GGUF metadata that cannot be mapped to an architecture."""


def _get(meta: Mapping[str, Any], arch: str, key: str) -> Any:
    return meta.get(f"{arch}.{key}")


def _whole(value: Any, key: str) -> int:
    """A metadata value that must be a whole number; GgufConfigError for a string, array, NaN, bool, fraction.

    Only the type is checked here: the ranges are the importer's (engine/limits.py), as for a config.json.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GgufConfigError(f"GGUF key {key} must be an integer, got {describe(value)}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise GgufConfigError(f"GGUF key {key} must be a finite integer, got {value}")
    return int(value)


def _first_int(value: Any, key: str) -> int | None:
    """A per-layer array's most common value (head_count_kv may be an array), or the scalar."""
    if isinstance(value, tuple):
        values = [_whole(v, key) for v in value if v]
        return max(set(values), key=values.count) if values else None
    return None if value is None else _whole(value, key)


def gguf_to_config(meta: Mapping[str, Any], tensor_names: Sequence[str], vocab_size: int | None) -> dict[str, Any]:
    """An HF-style config dict for the importer.

    Args:
        meta: the GGUF metadata.
        tensor_names: every tensor name (biases and the output head are read from it).
        vocab_size: the tokenizer's vocabulary length, when the metadata has no vocab_size.

    Raises:
        GgufConfigError: a key it needs is missing. An architecture paramtui does not map gets
            model_type ``gguf:<arch>`` and the common keys: it is counted from its tensors.
    """
    arch = meta.get("general.architecture", "")
    if not isinstance(arch, str):
        raise GgufConfigError(f"GGUF key general.architecture must be a string, got {describe(arch)}")
    model_type = _MODEL_TYPES.get(arch)
    unmapped = model_type is None
    if unmapped:
        # counted from the tensors (engine/checkpoint.py); the common keys only shape the KV guess
        model_type = f"gguf:{arch}"
    names = set(tensor_names)
    layers = _get(meta, arch, "block_count")
    hidden = _get(meta, arch, "embedding_length")
    heads = _first_int(_get(meta, arch, "attention.head_count"), "attention.head_count") or (1 if unmapped else None)
    if not layers or not hidden or not heads:
        raise GgufConfigError(f"GGUF metadata lacks {arch}.block_count, embedding_length or attention.head_count")
    cfg: dict[str, Any] = {
        "model_type": model_type,
        "hidden_size": _whole(hidden, "embedding_length"),
        "num_hidden_layers": _whole(layers, "block_count"),
        "num_attention_heads": heads,
        "num_key_value_heads": _first_int(_get(meta, arch, "attention.head_count_kv"), "attention.head_count_kv")
        or heads,
        "intermediate_size": _first_int(_get(meta, arch, "feed_forward_length"), "feed_forward_length") or 0,
        "max_position_embeddings": _whole(_get(meta, arch, "context_length") or 4096, "context_length"),
        "vocab_size": _whole(_get(meta, arch, "vocab_size") or vocab_size or 0, "vocab_size"),
        "tie_word_embeddings": "output.weight" not in names,
        "attention_bias": "blk.0.attn_q.bias" in names,
        "torch_dtype": "bfloat16",
    }
    key_length = _get(meta, arch, "attention.key_length")
    if key_length:
        cfg["head_dim"] = _whole(key_length, "attention.key_length")
    experts = _get(meta, arch, "expert_count")
    if experts:
        cfg["num_experts"] = cfg["num_local_experts"] = cfg["n_routed_experts"] = _whole(experts, "expert_count")
        cfg["num_experts_per_tok"] = _whole(_get(meta, arch, "expert_used_count") or 1, "expert_used_count")
        cfg["moe_intermediate_size"] = _whole(
            _get(meta, arch, "expert_feed_forward_length") or cfg["intermediate_size"], "expert_feed_forward_length"
        )
        if model_type == "llama":
            cfg["model_type"] = "mixtral"
        shared = _get(meta, arch, "expert_shared_count")
        if shared:
            cfg["n_shared_experts"] = _whole(shared, "expert_shared_count")
        shared_ffn = _get(meta, arch, "expert_shared_feed_forward_length")
        if shared_ffn:
            cfg["shared_expert_intermediate_size"] = _whole(shared_ffn, "expert_shared_feed_forward_length")
        dense = _get(meta, arch, "leading_dense_block_count")
        if dense is not None:
            cfg["first_k_dense_replace"] = _whole(dense, "leading_dense_block_count")
    window = _get(meta, arch, "attention.sliding_window")
    if window:
        cfg["sliding_window"] = _whole(window, "attention.sliding_window")
    if arch == "deepseek2":
        _deepseek2(meta, cfg)
    if unmapped:
        cfg["gguf_architecture"] = arch  # a key the fallback does not read: its KV and speed are marked approximate
    return cfg


def _deepseek2(meta: Mapping[str, Any], cfg: dict[str, Any]) -> None:
    """MLA ranks: llama.cpp stores key_length = nope + rope and the rope part as rope.dimension_count."""
    rope = _whole(meta.get("deepseek2.rope.dimension_count") or 64, "rope.dimension_count")
    key = _whole(meta.get("deepseek2.attention.key_length") or 192, "attention.key_length")
    cfg["kv_lora_rank"] = _whole(meta.get("deepseek2.attention.kv_lora_rank") or 512, "attention.kv_lora_rank")
    q_rank = meta.get("deepseek2.attention.q_lora_rank")
    cfg["q_lora_rank"] = _whole(q_rank, "attention.q_lora_rank") if q_rank else None
    cfg["qk_rope_head_dim"] = rope
    cfg["qk_nope_head_dim"] = key - rope
    cfg["v_head_dim"] = _whole(meta.get("deepseek2.attention.value_length") or 128, "attention.value_length")
    cfg.pop("head_dim", None)
    cfg["n_group"] = cfg["topk_group"] = 1


def ftype_precision(ftype_name: str) -> str:
    """The precision name for a llama.cpp file type name (``MOSTLY_Q4_K_M`` -> ``q4_k_m``)."""
    return FTYPE_PRECISION.get(ftype_name, "q4_k_m" if "Q4" in ftype_name else "q8_0")
