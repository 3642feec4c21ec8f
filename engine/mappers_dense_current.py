"""config.json mappings of the dense model types people download today beside Llama and Qwen.

Gemma 1, Cohere (Command R, Aya 23) and Cohere 2 (Command R7B, Command A), Phi-1/1.5/2,
OLMo 2 and OLMo 3, EXAONE 4.0, StableLM (3B-4E1T, StableLM 2), StarCoder2, SmolLM3 and
Seed-OSS. Each mapper reads the keys transformers' own config class and modeling code read for
that model_type (models/gemma, cohere, cohere2, phi, olmo2, olmo3, exaone4, stablelm,
starcoder2, smollm3, seed_oss), with the config class's default where a published config
leaves a key out, and returns the Architecture fields. Where the parameters do not move but the
cache does (sliding layers, SmolLM3's no-RoPE layers), the layer kinds follow the config so the
KV cache is summed per layer. tests/test_current_dense_mappings.py checks each against
transformers' count on the meta device.

Pure: parsed dicts in, field dicts out. Registered in engine/importer.py's ``_MAPPERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from paramtui.engine.architecture import LayerKind
from paramtui.engine.config_fields import ConfigError
from paramtui.engine.config_fields import read_flag as _flag
from paramtui.engine.limits import MAX_CONTEXT, whole_number

Config = Mapping[str, Any]
Fields = dict[str, Any]


def _window(cfg: Config) -> int:
    """The sliding window in tokens, 0 where the config has none."""
    value = cfg.get("sliding_window")
    if value is None or value is False:
        return 0
    try:
        return whole_number(value, "sliding_window", 0, MAX_CONTEXT)
    except ValueError as exc:
        raise ConfigError(f"config.json: {exc}") from None


def _listed_kinds(cfg: Config, layers: int) -> tuple[LayerKind, ...] | None:
    """Per-layer kinds from an explicit ``layer_types`` list, or None when the config has none."""
    raw = cfg.get("layer_types")
    if not isinstance(raw, list):
        return None
    if len(raw) != layers:
        raise ConfigError(f"config.json 'layer_types' has {len(raw)} entries but num_hidden_layers is {layers}")
    names: dict[str, LayerKind] = {"sliding_attention": "sliding", "full_attention": "full"}
    unknown = sorted({str(t) for t in raw} - set(names))
    if unknown:
        raise ConfigError(f"config.json 'layer_types' has kinds this mapping does not know: {unknown}")
    return tuple(names[str(t)] for t in raw)


def _every_nth_full(layers: int, every: int) -> tuple[LayerKind, ...]:
    """Sliding layers with a full-attention one every ``every`` layers (layer i is full when (i+1) % every == 0)."""
    return tuple("full" if every and (i + 1) % every == 0 else "sliding" for i in range(layers))


def _with_kinds(fields: Fields, kinds: tuple[LayerKind, ...] | None, window: int) -> Fields:
    """Set layer kinds and the window, dropping both when no layer slides (the window then changes nothing)."""
    if kinds and "sliding" in kinds and window:
        return {**fields, "layer_types": kinds, "sliding_window": window}
    return fields


def _bias(cfg: Config, key: str = "attention_bias") -> Fields:
    bias = _flag(cfg, key, False)
    return {"qkv_bias": bias, "out_bias": bias}


def gemma(cfg: Config, base: Fields) -> Fields:
    """Gemma 1: Llama's layout with head_dim 256 and a tied head (GemmaConfig ties by default).

    The sqrt(hidden) scale on the embeddings is a multiplication, not a parameter; GemmaRMSNorm's
    (1 + weight) form has one weight per channel like any RMSNorm.
    """
    return {
        **base,
        **_bias(cfg),
        "mlp_bias": False,
        "tie_embeddings": _flag(cfg, "tie_word_embeddings", True),
    }


def cohere(cfg: Config, base: Fields) -> Fields:
    """Command R / Aya 23: attention and FFN in parallel behind one bias-free LayerNorm, a tied head.

    ``use_qk_norm`` (Command R+) adds bias-free LayerNorms over every query and key head.
    """
    return {
        **base,
        **_bias(cfg),
        "norm": "layernorm_nobias",
        "norms_per_layer": 1,
        "qk_norm": _flag(cfg, "use_qk_norm", False),
        "qk_norm_all_heads": True,
        "tie_embeddings": _flag(cfg, "tie_word_embeddings", True),
    }


def cohere2(cfg: Config, base: Fields) -> Fields:
    """Command R7B / Command A: Cohere's parallel block without q/k norms; three sliding layers per global one.

    The global layers use no positional embedding; that moves no parameter, only the cache rule.
    """
    layers = base["num_layers"]
    kinds = _listed_kinds(cfg, layers)
    if kinds is None:
        kinds = _every_nth_full(layers, int(cfg.get("sliding_window_pattern") or 4))
    fields = {
        **base,
        **_bias(cfg),
        "norm": "layernorm_nobias",
        "norms_per_layer": 1,
        "tie_embeddings": _flag(cfg, "tie_word_embeddings", True),
    }
    return _with_kinds(fields, kinds, _window(cfg) or 4096)


def phi(cfg: Config, base: Fields) -> Fields:
    """Phi-1 / 1.5 / 2: parallel attention and GELU MLP behind one LayerNorm, biases everywhere, a biased head.

    q, k, v and the dense output projection carry biases; fc1 and fc2 too; the head is untied
    with a bias. Partial rotary (partial_rotary_factor) moves no parameter.
    """
    if _flag(cfg, "qk_layernorm", False):
        raise ConfigError("phi with 'qk_layernorm' (LayerNorms with bias over q and k) is not mapped yet")
    return {
        **base,
        "qkv_bias": True,
        "out_bias": True,
        "mlp_bias": True,
        "gated_ffn": False,
        "norm": "layernorm",
        "norms_per_layer": 1,
        "head_bias": True,
        "tie_embeddings": _flag(cfg, "tie_word_embeddings", False),
    }


def olmo2(cfg: Config, base: Fields) -> Fields:
    """OLMo 2: post-norms after attention and after the FFN, q/k RMSNorms over the full projection width."""
    return {**base, **_bias(cfg), "qk_norm": True, "qk_norm_all_heads": True}


def olmo3(cfg: Config, base: Fields) -> Fields:
    """OLMo 3: OLMo 2's layer with three sliding-window layers per full-attention one (Olmo3Config's default)."""
    layers = base["num_layers"]
    kinds = _listed_kinds(cfg, layers) or _every_nth_full(layers, 4)
    return _with_kinds(olmo2(cfg, base), kinds, _window(cfg) or 4096)


def _exaone_kinds(cfg: Config, layers: int) -> tuple[LayerKind, ...] | None:
    """EXAONE 4.0's per-layer kinds: layer_types, else sliding_window_pattern as "LLLG" or an interval."""
    listed = _listed_kinds(cfg, layers)
    if listed is not None:
        return listed
    pattern = cfg.get("sliding_window_pattern")
    if not _window(cfg) or pattern is None:
        return None  # EXAONE 4.0 1.2B: every layer global
    if isinstance(pattern, str):
        if not pattern or set(pattern) - {"L", "G"}:
            raise ConfigError(f"config.json 'sliding_window_pattern' must be L and G letters, got {pattern!r}")
        return tuple("sliding" if pattern[i % len(pattern)] == "L" else "full" for i in range(layers))
    return _every_nth_full(layers, int(pattern))


def exaone4(cfg: Config, base: Fields) -> Fields:
    """EXAONE 4.0: OLMo 2-style post-norms, per-head q/k RMSNorms, local and global layers (32B: LLLG)."""
    fields = {**base, **_bias(cfg), "qk_norm": True, "qk_norm_all_heads": False}
    return _with_kinds(fields, _exaone_kinds(cfg, base["num_layers"]), _window(cfg))


def stablelm(cfg: Config, base: Fields) -> Fields:
    """StableLM 3B-4E1T / StableLM 2: LayerNorm with bias, optional q/k/v biases, a bias-free output projection.

    ``qk_layernorm`` adds a bias-free LayerNorm per query and key head (StableLM 2 12B);
    ``use_parallel_residual`` drops the second norm of each layer.
    """
    return {
        **base,
        "qkv_bias": _flag(cfg, "use_qkv_bias", False),
        "out_bias": False,
        "mlp_bias": False,
        "norm": "layernorm",
        "norms_per_layer": 1 if _flag(cfg, "use_parallel_residual", False) else 2,
        "qk_norm": _flag(cfg, "qk_layernorm", False),
        "qk_norm_all_heads": True,
    }


def starcoder2(cfg: Config, base: Fields) -> Fields:
    """StarCoder2: biased q/k/v/o and plain GELU MLP (use_bias), LayerNorm with bias, a tied head.

    Every layer attends within ``sliding_window`` when the config sets one.
    """
    bias = _flag(cfg, "use_bias", True)
    fields = {
        **base,
        "qkv_bias": bias,
        "out_bias": bias,
        "mlp_bias": bias,
        "gated_ffn": False,
        "norm": "layernorm",
        "tie_embeddings": _flag(cfg, "tie_word_embeddings", True),
    }
    window = _window(cfg)
    if window and window < base["max_context"]:
        return _with_kinds(fields, ("sliding",) * base["num_layers"], window)
    return fields


def smollm3(cfg: Config, base: Fields) -> Fields:
    """SmolLM3: Llama's layer with a tied head; every fourth layer has no RoPE (no_rope_layers).

    NoPE layers still cache keys and values, so they stay full attention here. Sliding windows
    apply only with use_sliding_window, from layer max_window_layers on (SmolLM3Config).
    """
    layers = base["num_layers"]
    fields = {
        **base,
        **_bias(cfg),
        "mlp_bias": _flag(cfg, "mlp_bias", False),
        "tie_embeddings": _flag(cfg, "tie_word_embeddings", True),
    }
    if not _flag(cfg, "use_sliding_window", False) or not _window(cfg):
        return fields
    kinds = _listed_kinds(cfg, layers)
    if kinds is None:
        start = int(cfg.get("max_window_layers") or 28)
        kinds = tuple("sliding" if i >= start else "full" for i in range(layers))
    return _with_kinds(fields, kinds, _window(cfg))


def seed_oss(cfg: Config, base: Fields) -> Fields:
    """Seed-OSS: Llama's layer with q/k/v biases (attention_bias) and an unbiased output (attention_out_bias)."""
    return {
        **base,
        "qkv_bias": _flag(cfg, "attention_bias", True),
        "out_bias": _flag(cfg, "attention_out_bias", False),
        "mlp_bias": _flag(cfg, "mlp_bias", False),
    }


MAPPERS: dict[str, Callable[[Config, Fields], Fields]] = {
    "gemma": gemma,
    "cohere": cohere,
    "cohere2": cohere2,
    "phi": phi,
    "olmo2": olmo2,
    "olmo3": olmo3,
    "exaone4": exaone4,
    "stablelm": stablelm,
    "starcoder2": starcoder2,
    "smollm3": smollm3,
    "seed_oss": seed_oss,
}
"""Current dense model types, each checked against transformers (tests/test_current_dense_mappings.py)."""
