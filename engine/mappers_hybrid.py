"""config.json mappings of hybrid and recurrent model types: Mamba, short-convolution and attention layers.

Each mapper reads the keys transformers' own config class and modeling code read for that
model_type (transformers 5.25: models/nemotron_h, jamba, lfm2, falcon_h1, bamba,
granitemoehybrid, mamba2), with the same defaults where a published config leaves a key out,
and returns the Architecture fields: per-layer kinds from the layer pattern, the SSM mixer,
the layers without an FFN, and the experts. tests/test_hybrid_mappings.py checks each against
transformers' count on a published config.

Pure: parsed dicts in, field dicts out. Registered in engine/importer.py's ``_MAPPERS``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from paramtui.engine.architecture import LayerKind, MoeSpec, SsmSpec
from paramtui.engine.config_fields import ConfigError
from paramtui.engine.config_fields import read_flag as _flag
from paramtui.engine.config_fields import read_int as _int

Config = Mapping[str, Any]
Fields = dict[str, Any]

UNBOUNDED_CONTEXT = 1_048_576
"""A pure Mamba model states no maximum context; the record needs one, and a state-space model has none."""


def _kinds(raw: Any, layers: int, names: Mapping[str, LayerKind], key: str) -> tuple[LayerKind, ...]:
    """Per-layer kinds from a list or pattern string, each entry mapped through ``names``."""
    entries = list(raw)
    if len(entries) != layers:
        raise ConfigError(f"config.json {key!r} has {len(entries)} entries but num_hidden_layers is {layers}")
    unknown = sorted({str(e) for e in entries} - set(names))
    if unknown:
        raise ConfigError(f"config.json {key!r} has layer kinds this mapping does not know: {unknown}")
    return tuple(names[str(e)] for e in entries)


def _mamba2(cfg: Config, hidden: int, *, inner: int, heads: int, groups: int, state: int, conv: int) -> SsmSpec:
    """Mamba-2 mixer of Bamba / Falcon-H1 / Granite 4.0-H (``mamba_*`` keys)."""
    return SsmSpec(
        inner_size=inner,
        state_size=state,
        num_heads=heads,
        n_groups=groups,
        conv_kernel=conv,
        variant="mamba2",
        conv_bias=_flag(cfg, "mamba_conv_bias", True),
        in_proj_bias=_flag(cfg, "mamba_proj_bias", False),
        out_proj_bias=_flag(cfg, "mamba_proj_bias", False),
    )


def _mamba_keys(cfg: Config, hidden: int, inner: int | None = None) -> SsmSpec:
    inner = inner if inner is not None else _int(cfg, "mamba_expand", 2) * hidden
    return _mamba2(
        cfg,
        hidden,
        inner=inner,
        heads=_int(cfg, "mamba_n_heads", 128),
        groups=_int(cfg, "mamba_n_groups", 1),
        state=_int(cfg, "mamba_d_state", 256),
        conv=_int(cfg, "mamba_d_conv", 4),
    )


def _state_bytes(cfg: Config) -> int:
    """float32 SSM state where the config says so (Nemotron-H's mamba_ssm_cache_dtype)."""
    return 4 if str(cfg.get("mamba_ssm_cache_dtype", "")) in ("float32", "fp32") else 2


_NEMOTRON_PATTERN: dict[str, LayerKind] = {
    "M": "ssm",
    "*": "full",
    "-": "none",
    "E": "none",
    "mamba": "ssm",
    "linear_attention": "ssm",
    "attention": "full",
    "full_attention": "full",
    "mlp": "none",
    "moe": "none",
}
_NEMOTRON_FFN = {"-": "mlp", "E": "moe", "mlp": "mlp", "moe": "moe"}


def nemotron_h(cfg: Config, base: Fields) -> Fields:
    """Nemotron-H / Nemotron 3: one mixer per block, M Mamba-2, * attention, - ReLU² MLP, E MoE.

    Each block has one RMSNorm before its mixer; attention blocks and Mamba blocks have no FFN.
    Experts and the shared expert are ungated (up, down), like the MLP blocks.
    """
    if cfg.get("moe_latent_size"):
        raise ConfigError("nemotron_h with 'moe_latent_size' (latent MoE) is not mapped yet")
    layers = base["num_layers"]
    raw = cfg.get("hybrid_override_pattern") or cfg.get("layers_block_type") or cfg.get("layer_types")
    if not raw:
        raise ConfigError("nemotron_h config has no 'hybrid_override_pattern' or 'layers_block_type'")
    entries = list(raw)
    kinds = _kinds(entries, layers, _NEMOTRON_PATTERN, "hybrid_override_pattern")
    ffn = [_NEMOTRON_FFN.get(str(e), "") for e in entries]
    no_ffn = tuple(i for i, f in enumerate(ffn) if not f)
    heads = _int(cfg, "mamba_num_heads", 128)
    ssm = SsmSpec(
        inner_size=heads * _int(cfg, "mamba_head_dim", 64),
        state_size=_int(cfg, "ssm_state_size", 128),
        num_heads=heads,
        n_groups=_int(cfg, "n_groups", 8),
        conv_kernel=_int(cfg, "conv_kernel", 4),
        conv_bias=_flag(cfg, "use_conv_bias", True),
        in_proj_bias=_flag(cfg, "use_bias", False),
        out_proj_bias=_flag(cfg, "use_bias", False),
        state_bytes=_state_bytes(cfg),
    )
    moe = None
    if "moe" in ffn:
        shared = _int(cfg, "n_shared_experts", 1)
        moe = MoeSpec(
            num_experts=_int(cfg, "n_routed_experts", 8),
            top_k=_int(cfg, "num_experts_per_tok", 2),
            expert_ffn_size=_int(cfg, "moe_intermediate_size", 7688),
            num_shared_experts=shared,
            shared_expert_ffn_size=_int(cfg, "moe_shared_expert_intermediate_size", 7688) if shared else 0,
            router_score_correction_bias=True,
            dense_layers=tuple(i for i, f in enumerate(ffn) if f == "mlp"),
        )
    return {
        **base,
        "gated_ffn": False,
        "mlp_bias": _flag(cfg, "mlp_bias", False),
        "norms_per_layer": 1,
        "layer_types": kinds,
        "ssm": ssm,
        "no_ffn_layers": no_ffn,
        "moe": moe,
    }


def mamba2(cfg: Config, base: Fields) -> Fields:
    """Mamba-2 (Mamba-Codestral): every layer one Mamba-2 mixer behind one RMSNorm, no FFN, no attention."""
    hidden = base["hidden_size"]
    layers = base["num_layers"]
    ssm = SsmSpec(
        inner_size=int(float(cfg.get("expand", 2)) * hidden),
        state_size=_int(cfg, "state_size", 128),
        num_heads=_int(cfg, "num_heads", 128),
        n_groups=_int(cfg, "n_groups", 8),
        conv_kernel=_int(cfg, "conv_kernel", 4),
        conv_bias=_flag(cfg, "use_conv_bias", True),
        in_proj_bias=_flag(cfg, "use_bias", False),
        out_proj_bias=_flag(cfg, "use_bias", False),
    )
    return {
        **base,
        "norms_per_layer": 1,
        "layer_types": ("ssm",) * layers,
        "ssm": ssm,
        "no_ffn_layers": tuple(range(layers)),
    }


def jamba(cfg: Config, base: Fields) -> Fields:
    """Jamba: Mamba-1 layers with one attention layer per attn_layer_period, MoE every expert_layer_period.

    The Mamba-1 mixer has RMSNorms over dt, B and C; dt_rank "auto" is ceil(hidden / 16).
    """
    hidden, layers = base["hidden_size"], base["num_layers"]
    raw_types = cfg.get("layers_block_type")
    if isinstance(raw_types, list):
        kinds = _kinds(raw_types, layers, {"attention": "full", "mamba": "ssm"}, "layers_block_type")
    else:
        period, offset = _int(cfg, "attn_layer_period", 8), _int(cfg, "attn_layer_offset", 4)
        kinds = tuple("full" if i % period == offset else "ssm" for i in range(layers))
    dt_rank = cfg.get("mamba_dt_rank", "auto")
    ssm = SsmSpec(
        inner_size=_int(cfg, "mamba_expand", 2) * hidden,
        state_size=_int(cfg, "mamba_d_state", 16),
        conv_kernel=_int(cfg, "mamba_d_conv", 4),
        dt_rank=math.ceil(hidden / 16) if dt_rank in (None, "auto") else _int(cfg, "mamba_dt_rank"),
        variant="mamba1",
        conv_bias=_flag(cfg, "mamba_conv_bias", True),
        in_proj_bias=_flag(cfg, "mamba_proj_bias", False),
        out_proj_bias=_flag(cfg, "mamba_proj_bias", False),
        gated_norm=False,
        dt_norms=True,
    )
    experts = _int(cfg, "num_experts", 16)
    period, offset = _int(cfg, "expert_layer_period", 2), _int(cfg, "expert_layer_offset", 1)
    moe = None
    if experts > 1:
        moe = MoeSpec(
            num_experts=experts,
            top_k=_int(cfg, "num_experts_per_tok", 2),
            expert_ffn_size=base["ffn_size"],
            dense_layers=tuple(i for i in range(layers) if i % period != offset),
        )
    return {**base, "layer_types": kinds, "ssm": ssm, "moe": moe}


def bamba(cfg: Config, base: Fields) -> Fields:
    """Bamba: Mamba-2 layers with full attention at attn_layer_indices, a gated FFN on every layer."""
    layers = base["num_layers"]
    attention = {int(i) for i in cfg.get("attn_layer_indices") or ()}
    kinds: tuple[LayerKind, ...] = tuple("full" if i in attention else "ssm" for i in range(layers))
    bias = _flag(cfg, "attention_bias", False)
    return {
        **base,
        "qkv_bias": bias,
        "out_bias": bias,
        "mlp_bias": _flag(cfg, "mlp_bias", False),
        "layer_types": kinds,
        "ssm": _mamba_keys(cfg, base["hidden_size"]),
    }


def falcon_h1(cfg: Config, base: Fields) -> Fields:
    """Falcon-H1: every layer runs attention and a Mamba-2 mixer side by side, then a gated FFN.

    The mixer's width is mamba_d_ssm (else expand x hidden); its out_proj bias follows
    projectors_bias; the gated RMSNorm is there only when mamba_rms_norm.
    """
    hidden = base["hidden_size"]
    d_ssm = cfg.get("mamba_d_ssm", 1024)
    ssm = replace(
        _mamba_keys(cfg, hidden, _int(cfg, "mamba_d_ssm") if d_ssm is not None else None),
        out_proj_bias=_flag(cfg, "projectors_bias", False),
        gated_norm=_flag(cfg, "mamba_rms_norm", False),
    )
    bias = _flag(cfg, "attention_bias", False)
    return {
        **base,
        "qkv_bias": bias,
        "out_bias": bias,
        "mlp_bias": _flag(cfg, "mlp_bias", False),
        "layer_types": ("hybrid",) * base["num_layers"],
        "ssm": ssm,
    }


def granitemoehybrid(cfg: Config, base: Fields) -> Fields:
    """Granite 4.0-H: Mamba-2 and attention layers; routed experts plus a shared MLP, or the shared MLP alone.

    With num_local_experts 0 (Micro) the shared MLP (shared_intermediate_size, gated) is the
    dense FFN; otherwise it is one shared expert beside the routed ones (intermediate_size each).
    """
    layers = base["num_layers"]
    raw = cfg.get("layer_types") or cfg.get("layers_block_type")
    names: dict[str, LayerKind] = {"mamba": "ssm", "linear_attention": "ssm", "attention": "full"}
    names["full_attention"] = "full"
    kinds = _kinds(raw, layers, names, "layer_types") if raw else ("ssm",) * layers
    shared = _int(cfg, "shared_intermediate_size", 1024)
    experts = _int(cfg, "num_local_experts", 8)
    fields: Fields = {**base, "ffn_size": shared, "layer_types": tuple(kinds)}
    bias = _flag(cfg, "attention_bias", False)
    fields.update(qkv_bias=bias, out_bias=bias, ssm=_mamba_keys(cfg, base["hidden_size"]))
    if experts > 0:
        fields["moe"] = MoeSpec(
            num_experts=experts,
            top_k=_int(cfg, "num_experts_per_tok", 2),
            expert_ffn_size=base["ffn_size"],
            num_shared_experts=1,
            shared_expert_ffn_size=shared,
        )
    return fields


def lfm2_ffn_size(cfg: Config) -> int:
    """LFM2's SwiGLU width as Lfm2MLP computes it from block_ff_dim / intermediate_size."""
    size = _int(cfg, "block_ff_dim", _int(cfg, "intermediate_size", 12288))
    if _flag(cfg, "block_auto_adjust_ff_dim", True):
        size = int(2 * size / 3)
        multiplier = cfg.get("block_ffn_dim_multiplier", 1.0)
        if multiplier is not None:
            size = int(float(multiplier) * size)
            step = _int(cfg, "block_multiple_of", 256)
            size = step * ((size + step - 1) // step)
    return size


def lfm2(cfg: Config, base: Fields) -> Fields:
    """LFM2: gated short-convolution layers and attention layers with q/k RMSNorm; SwiGLU FFN; tied head."""
    layers = base["num_layers"]
    raw = cfg.get("layer_types")
    if isinstance(raw, list):
        kinds = _kinds(raw, layers, {"conv": "ssm", "full_attention": "full"}, "layer_types")
    else:
        full = {int(i) for i in cfg.get("full_attn_idxs") or range(layers)}
        kinds = tuple("full" if i in full else "ssm" for i in range(layers))
    bias = _flag(cfg, "conv_bias", False)
    ssm = SsmSpec(
        inner_size=base["hidden_size"],
        conv_kernel=_int(cfg, "conv_L_cache", 3),
        variant="shortconv",
        conv_bias=bias,
        in_proj_bias=bias,
        out_proj_bias=bias,
        gated_norm=False,
    )
    return {
        **base,
        "ffn_size": lfm2_ffn_size(cfg),
        "qk_norm": True,
        "tie_embeddings": _flag(cfg, "tie_word_embeddings", True),
        "layer_types": kinds,
        "ssm": ssm,
    }


def prepare_mamba2(cfg: Config) -> Config:
    """Mamba-2 configs state no attention heads or context: give the common reader what it needs."""
    heads = cfg.get("num_heads", 128)
    return {
        "num_attention_heads": heads,
        "num_key_value_heads": heads,
        "max_position_embeddings": UNBOUNDED_CONTEXT,
        "intermediate_size": 1,
        **cfg,
    }


MAPPERS: dict[str, Callable[[Config, Fields], Fields]] = {
    "nemotron_h": nemotron_h,
    "jamba": jamba,
    "lfm2": lfm2,
    "falcon_h1": falcon_h1,
    "bamba": bamba,
    "granitemoehybrid": granitemoehybrid,
    "mamba2": mamba2,
}
"""Hybrid and recurrent model types, each checked against transformers on a published config."""

PREPARE: dict[str, Callable[[Config], Config]] = {"mamba2": prepare_mamba2}
"""Config rewrites applied before the common keys are read (keys the common reader needs)."""
