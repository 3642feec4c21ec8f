"""config.json mappings of the MoE families released in 2025-2026 (and their dense siblings).

Each mapper reads the keys transformers' own config class and modeling code read for that
model_type (transformers 5.25: models/qwen3_5, qwen3_5_moe, gemma4, glm4_moe_lite, glm_moe_dsa,
deepseek_v32, deepseek_v4, minimax_m2, mimo_v2_flash, ernie4_5_moe, dots1, hunyuan_v1_moe), with the same
defaults where a published config leaves a key out, and returns the Architecture fields. One is not a
transformers model_type: ``hunyuan``, Tencent's remote-code config of Hunyuan-A13B, read as hunyuan_v1_moe.
tests/test_current_moe_mappings.py checks each against transformers' count on published configs.

What these families add to the record: DeepSeek sparse attention's lightning indexer
(``MlaSpec.index_*``), full-attention layers shaped apart from the sliding ones (Gemma 4's wide
global heads whose keys double as values; MiMo-V2-Flash's fewer kv heads and sink-free full
layers), a dense FFN beside the experts (Gemma 4 26B-A4B), routers with learned scales or a
learned correction bias, and DeepSeek-V4's compressed attention (``CompressedAttentionSpec``).
Kimi K2.5 (kimi_k25) needs no mapper of its own: its text part is kimi_k2.

Pure: parsed dicts in, field dicts out. Registered in engine/importer.py's ``_MAPPERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from paramtui.engine.architecture import CompressedAttentionSpec, LayerKind, LinearAttentionSpec, MlaSpec, MoeSpec
from paramtui.engine.config_fields import ConfigError
from paramtui.engine.config_fields import read_flag as _flag
from paramtui.engine.config_fields import read_int as _int
from paramtui.engine.config_fields import read_layer_list as _list

Config = Mapping[str, Any]
Fields = dict[str, Any]


def _attention_kinds(cfg: Config, layers: int, default: Callable[[int], LayerKind]) -> tuple[LayerKind, ...]:
    """``layer_types`` (full_attention / sliding_attention) or the family's default pattern."""
    raw = _list(cfg, "layer_types", layers)
    if raw is None:
        return tuple(default(i) for i in range(layers))
    names: dict[str, LayerKind] = {"full_attention": "full", "sliding_attention": "sliding"}
    unknown = sorted({str(t) for t in raw} - set(names))
    if unknown:
        raise ConfigError(f"config.json 'layer_types' has kinds this mapping does not know: {unknown}")
    return tuple(names[str(t)] for t in raw)


# --- Qwen3.5 / Qwen3.6: Gated DeltaNet and gated full attention, 3:1 ------------------------------


def _qwen3_5_layers(cfg: Config, layers: int) -> tuple[LayerKind, ...]:
    interval = _int(cfg, "full_attention_interval", 4)
    raw = _list(cfg, "layer_types", layers)
    if raw is not None:
        return tuple("full" if t == "full_attention" else "linear" for t in raw)
    return tuple("full" if (i + 1) % interval == 0 else "linear" for i in range(layers))


def qwen3_5(cfg: Config, base: Fields) -> Fields:
    """Qwen3.5 dense (and MoE below): Qwen3-Next's layout, in_proj split into qkv, z, b and a (same sizes).

    Full-attention layers have a sigmoid output gate (q twice as wide, ``attn_output_gate``) and
    per-head q/k RMSNorm; the others are Gated DeltaNet. The MTP layer (``mtp_num_hidden_layers``)
    is not built by transformers and not counted.
    """
    linear = LinearAttentionSpec(
        num_key_heads=_int(cfg, "linear_num_key_heads", 16),
        num_value_heads=_int(cfg, "linear_num_value_heads", 32),
        key_head_dim=_int(cfg, "linear_key_head_dim", 128),
        value_head_dim=_int(cfg, "linear_value_head_dim", 128),
        conv_kernel=_int(cfg, "linear_conv_kernel_dim", 4),
    )
    bias = _flag(cfg, "attention_bias", False)
    return {
        **base,
        "qk_norm": True,
        "qkv_bias": bias,
        "out_bias": bias,
        "attention_output_gate": _flag(cfg, "attn_output_gate", True),
        "layer_types": _qwen3_5_layers(cfg, base["num_layers"]),
        "linear_attention": linear,
        "tie_embeddings": _flag(cfg, "tie_word_embeddings", False),
    }


def qwen3_5_moe(cfg: Config, base: Fields) -> Fields:
    """Qwen3.5 MoE: every layer routed experts plus one sigmoid-gated shared expert."""
    shared = _int(cfg, "shared_expert_intermediate_size", 0)
    only = {int(i) for i in cfg.get("mlp_only_layers") or ()}
    step = _int(cfg, "decoder_sparse_step", 1)
    moe = MoeSpec(
        num_experts=_int(cfg, "num_experts"),
        top_k=_int(cfg, "num_experts_per_tok"),
        expert_ffn_size=_int(cfg, "moe_intermediate_size"),
        num_shared_experts=1 if shared else 0,
        shared_expert_ffn_size=shared,
        shared_expert_gate=bool(shared),
        dense_layers=tuple(i for i in range(base["num_layers"]) if i in only or (i + 1) % step),
    )
    return {**qwen3_5(cfg, base), "moe": moe}


# --- Gemma 4 ---------------------------------------------------------------------------------------


def gemma4_text(cfg: Config, base: Fields) -> Fields:
    """Gemma 4 (31B dense, 26B-A4B MoE): five sliding layers per global one, four norms per layer.

    Global (full) layers have their own head width (``global_head_dim``, default 512) and, where
    ``attention_k_eq_v``, fewer kv heads (``num_global_key_value_heads``) whose keys double as
    values (no v projection). With ``enable_moe_block`` every layer runs the dense FFN and the
    experts side by side, with three more norms and a router that scales its input per channel
    and its scores per expert. Per-layer input embeddings (E2B/E4B) and kv-shared layers are
    refused rather than guessed.
    """
    if _int(cfg, "hidden_size_per_layer_input", 0):
        raise ConfigError("gemma4 with 'hidden_size_per_layer_input' (per-layer embeddings, E2B/E4B) is not mapped")
    if _int(cfg, "num_kv_shared_layers", 0):
        raise ConfigError("gemma4 with 'num_kv_shared_layers' (layers reusing kv) is not mapped")
    layers = base["num_layers"]
    kinds = list(_attention_kinds(cfg, layers, lambda i: "full" if (i + 1) % 6 == 0 else "sliding"))
    if kinds and kinds[-1] != "full":
        kinds[-1] = "full"  # Gemma4TextConfig makes the last layer global
    k_eq_v = _flag(cfg, "attention_k_eq_v", False)
    global_head = _int(cfg, "global_head_dim", 512)
    global_kv = cfg.get("num_global_key_value_heads") if k_eq_v else None
    bias = _flag(cfg, "attention_bias", False)
    fields: Fields = {
        **base,
        "qkv_bias": bias,
        "out_bias": bias,
        "qk_norm": True,
        "norms_per_layer": 4,
        "tie_embeddings": _flag(cfg, "tie_word_embeddings", True),
        "layer_types": tuple(kinds),
        "sliding_window": _int(cfg, "sliding_window", 512),
        "full_head_dim": global_head if global_head != base["head_dim"] else 0,
        "full_num_kv_heads": int(global_kv) if global_kv else 0,
        "full_shared_kv": k_eq_v,
    }
    if _flag(cfg, "enable_moe_block", False):
        fields["moe"] = MoeSpec(
            num_experts=_int(cfg, "num_experts"),
            top_k=_int(cfg, "top_k_experts"),
            expert_ffn_size=_int(cfg, "moe_intermediate_size"),
            router_scales=True,
        )
        fields["dense_ffn_with_moe"] = True
        fields["norms_per_layer"] = 7  # + post_feedforward_layernorm_1/_2, pre_feedforward_layernorm_2
    return fields


# --- DeepSeek-style MLA + experts: GLM-4.7-Flash, DeepSeek-V3.2, GLM-5 -----------------------------


def _mla(cfg: Config, indexer: bool, layers: int) -> MlaSpec:
    q_rank = cfg.get("q_lora_rank")
    shared: tuple[int, ...] = ()
    if indexer:
        raw = _list(cfg, "indexer_types", layers)
        if raw is None and cfg.get("index_topk_pattern") is not None:
            pattern = cfg["index_topk_pattern"]
            raw = [{"F": "full", "S": "shared"}.get(c, c) for c in pattern] if isinstance(pattern, str) else pattern
        if raw is None and "index_topk_freq" in cfg:  # GlmMoeDsaConfig's freq/offset schedule
            freq, offset = max(_int(cfg, "index_topk_freq", 1), 1), _int(cfg, "index_skip_topk_offset", 2)
            raw = ["full" if max(i - offset + 1, 0) % freq == 0 else "shared" for i in range(layers)]
        shared = tuple(i for i, t in enumerate(raw or ()) if t == "shared")
    return MlaSpec(
        q_lora_rank=_int(cfg, "q_lora_rank") if q_rank else 0,
        kv_lora_rank=_int(cfg, "kv_lora_rank"),
        qk_nope_head_dim=_int(cfg, "qk_nope_head_dim"),
        qk_rope_head_dim=_int(cfg, "qk_rope_head_dim"),
        v_head_dim=_int(cfg, "v_head_dim"),
        index_n_heads=_int(cfg, "index_n_heads", 64) if indexer else 0,
        index_head_dim=_int(cfg, "index_head_dim", 128) if indexer else 0,
        index_topk=_int(cfg, "index_topk", 2048) if indexer else 0,
        shared_index_layers=shared,
    )


def deepseek_experts(cfg: Config, layers: int, *, correction_bias: bool = True) -> MoeSpec:
    """DeepSeek-style experts (also GLM-4.5's, Kimi's): routed plus same-size shared ones.

    Dense layers come from ``mlp_layer_types`` or ``first_k_dense_replace`` / ``moe_layer_freq``;
    ``correction_bias``: the router has V3's balancing bias (V2 has none).
    """
    n_shared = _int(cfg, "n_shared_experts", 0)
    expert = _int(cfg, "moe_intermediate_size")
    types = _list(cfg, "mlp_layer_types", layers)
    if types is not None:
        dense = tuple(i for i, t in enumerate(types) if t != "sparse")
    else:
        first, freq = _int(cfg, "first_k_dense_replace", 0), _int(cfg, "moe_layer_freq", 1)
        dense = tuple(i for i in range(layers) if i < first or i % freq)
    return MoeSpec(
        num_experts=_int(cfg, "n_routed_experts"),
        top_k=_int(cfg, "num_experts_per_tok"),
        expert_ffn_size=expert,
        num_shared_experts=n_shared,
        shared_expert_ffn_size=expert if n_shared else 0,
        router_score_correction_bias=correction_bias,
        dense_layers=dense,
    )


def _deepseek_mla(cfg: Config, base: Fields, indexer: bool) -> Fields:
    layers = base["num_layers"]
    mla = _mla(cfg, indexer, layers)
    bias = _flag(cfg, "attention_bias", False)
    return {
        **base,
        "num_kv_heads": base["num_heads"],
        "head_dim": mla.qk_head_dim,
        "mla": mla,
        "moe": deepseek_experts(cfg, layers),
        "qkv_bias": bias,
        "out_bias": bias,
        "mtp_layers": _int(cfg, "num_nextn_predict_layers", 0),
    }


def glm4_moe_lite(cfg: Config, base: Fields) -> Fields:
    """GLM-4.7-Flash: DeepSeek-V3's MLA and experts (one dense layer first, one shared expert)."""
    return _deepseek_mla(cfg, base, indexer=False)


def deepseek_sparse(cfg: Config, base: Fields) -> Fields:
    """DeepSeek-V3.2 and GLM-5 (glm_moe_dsa): V3's MLA and experts plus a lightning indexer per layer.

    The indexer (DeepseekV32Indexer): wq_b from the q latent to index_n_heads x index_head_dim,
    wk from the hidden state to one key with a LayerNorm (weight and bias), weights_proj to one
    weight per head. GLM-5.2's ``indexer_types`` lets ``shared`` layers reuse the previous
    selection without an indexer of their own.
    """
    return _deepseek_mla(cfg, base, indexer=True)


# --- MiniMax-M2, MiMo-V2-Flash --------------------------------------------------------------------


def minimax_m2(cfg: Config, base: Fields) -> Fields:
    """MiniMax-M2/M2.5: GQA with q/k RMSNorm over all heads at once, every layer 256 routed experts.

    The routing bias (``use_routing_bias``) is a buffer in transformers, not counted; the MTP
    modules (``num_mtp_modules``) are not built by transformers and not counted.
    """
    moe = MoeSpec(
        num_experts=_int(cfg, "num_local_experts"),
        top_k=_int(cfg, "num_experts_per_tok"),
        expert_ffn_size=base["ffn_size"],
        router_score_correction_bias=_flag(cfg, "use_routing_bias", False),
    )
    bias = _flag(cfg, "attention_bias", False)
    qk_norm = _flag(cfg, "use_qk_norm", True)
    return {**base, "qkv_bias": bias, "out_bias": bias, "qk_norm": qk_norm, "qk_norm_all_heads": qk_norm, "moe": moe}


def mimo_v2_flash(cfg: Config, base: Fields) -> Fields:
    """MiMo-V2-Flash: sliding layers with twice the kv heads and attention sinks, full layers without.

    transformers (MiMoV2FlashAttention): sliding layers have 2 x num_key_value_heads kv heads
    (the hub's swa_num_key_value_heads) and one sink per head; q/k heads are head_dim (192)
    wide, values v_head_dim (128); o_proj has no bias. Layer kinds come from ``layer_types``, or
    the hub's ``hybrid_layer_pattern`` (1 = sliding), or the default (full at layer 0 and every
    6th); MoE layers from ``mlp_layer_types`` or the hub's ``moe_layer_freq`` (1 = sparse).
    """
    layers = base["num_layers"]
    pattern = _list(cfg, "hybrid_layer_pattern", layers)
    kinds = _attention_kinds(cfg, layers, lambda i: "full" if i == 0 or (i + 1) % 6 == 0 else "sliding")
    if cfg.get("layer_types") is None and pattern is not None:
        kinds = tuple("sliding" if int(p) else "full" for p in pattern)
    mlp_types = _list(cfg, "mlp_layer_types", layers)
    freq = _list(cfg, "moe_layer_freq", layers)
    if mlp_types is not None:
        dense = tuple(i for i, t in enumerate(mlp_types) if t != "sparse")
    elif freq is not None:
        dense = tuple(i for i, f in enumerate(freq) if not int(f))
    else:
        dense = (0,)
    full_kv = base["num_kv_heads"]
    window = cfg.get("sliding_window_size")
    moe = MoeSpec(
        num_experts=_int(cfg, "n_routed_experts"),
        top_k=_int(cfg, "num_experts_per_tok"),
        expert_ffn_size=_int(cfg, "moe_intermediate_size"),
        router_score_correction_bias=True,
        dense_layers=dense,
    )
    return {
        **base,
        "num_kv_heads": _int(cfg, "swa_num_key_value_heads", 2 * full_kv),
        "full_num_kv_heads": full_kv,
        "v_head_dim": _int(cfg, "v_head_dim", 128),
        "qkv_bias": _flag(cfg, "attention_bias", False),
        "attention_sinks": True,
        "full_no_sinks": True,
        "layer_types": kinds,
        # MiMoV2FlashConfig: the window attends to sliding_window_size previous tokens plus the query.
        "sliding_window": int(window) + 1 if window else _int(cfg, "sliding_window", 129),
        "moe": moe,
    }


# --- ERNIE 4.5 MoE, Hunyuan-A13B, dots.llm1 ------------------------------------------------------


def ernie4_5_moe(cfg: Config, base: Fields) -> Fields:
    """ERNIE 4.5 MoE (21B-A3B, 300B-A47B): Llama attention, experts from moe_layer_start_index on.

    A layer is MoE when (i + 1) % moe_layer_interval == 0 and start <= i <= end; its shared
    experts are one MLP moe_intermediate_size x moe_num_shared_experts wide (counted as that many
    experts of moe_intermediate_size), and its score-correction bias is a learned parameter
    (``moe_statics``). ``use_bias`` puts biases on attention, the FFNs and the output head. The
    MTP layers (``num_nextn_predict_layers``) are not built by transformers and not counted.
    """
    layers = base["num_layers"]
    start, interval = _int(cfg, "moe_layer_start_index", 1), max(_int(cfg, "moe_layer_interval", 1), 1)
    end = _int(cfg, "moe_layer_end_index", -1)
    end = layers - 1 if end == -1 else end
    n_shared = _int(cfg, "moe_num_shared_experts", 2)
    expert = _int(cfg, "moe_intermediate_size", 1536)
    moe = MoeSpec(
        num_experts=_int(cfg, "moe_num_experts", 64),
        top_k=_int(cfg, "moe_k", 6),
        expert_ffn_size=expert,
        num_shared_experts=n_shared,
        shared_expert_ffn_size=expert if n_shared else 0,
        learned_correction_bias=True,
        dense_layers=tuple(i for i in range(layers) if not ((i + 1) % interval == 0 and start <= i <= end)),
    )
    bias = _flag(cfg, "use_bias", False)
    return {
        **base,
        "qkv_bias": bias,
        "out_bias": bias,
        "mlp_bias": bias,
        "head_bias": bias,
        "tie_embeddings": _flag(cfg, "tie_word_embeddings", True),
        "moe": moe,
    }


def _uniform(cfg: Config, key: str, default: int) -> int:
    """A key Hunyuan states per layer or once; the per-layer values must all be equal."""
    raw = cfg.get(key)
    if isinstance(raw, list):
        if len(set(raw)) != 1:
            raise ConfigError(f"config.json {key!r} differs between layers; this mapping needs one value")
        return _int({key: raw[0]}, key)
    return _int(cfg, key, default)


def hunyuan_v1_moe(cfg: Config, base: Fields) -> Fields:
    """Hunyuan-A13B: GQA with per-head q/k RMSNorm, every layer routed experts plus one shared MLP.

    transformers (HunYuanMoEV1Moe) builds each expert and the shared MLP intermediate_size wide
    (moe_intermediate_size and num_shared_expert are not read), and the router (gate.wg) has no bias.
    """
    inner = base["ffn_size"]
    moe = MoeSpec(
        num_experts=_uniform(cfg, "num_experts", 1),
        top_k=_uniform(cfg, "moe_topk", 1),
        expert_ffn_size=inner,
        num_shared_experts=1,
        shared_expert_ffn_size=inner,
    )
    bias = _flag(cfg, "attention_bias", False)
    return {**base, "qkv_bias": bias, "out_bias": bias, "qk_norm": True, "moe": moe}


def hunyuan_remote_code(cfg: Config, base: Fields) -> Fields:
    """Hunyuan-A13B as Tencent publishes it (model_type ``hunyuan``, its own remote code): hunyuan_v1_moe's layers.

    Tencent's modeling_hunyuan.py (Tencent-Hunyuan/Hunyuan-A13B, models/) builds HunYuanMoEV1ForCausalLM
    with the parameters transformers' hunyuan_v1_moe builds when it uses no cross-layer attention
    (use_cla), no latent attention (use_mla), q/k norms (use_qk_norm) and one shared MLP
    (use_mixed_mlp_moe, num_shared_expert 1): head_dim is hidden_size / num_attention_heads
    (attention_head_dim restates it), and every expert and the shared MLP are intermediate_size wide
    (moe_intermediate_size is not read by either). Any other form is refused, not guessed.
    """
    archs = cfg.get("architectures") or []
    if "HunYuanMoEV1ForCausalLM" not in archs:
        raise ConfigError(
            f"model_type 'hunyuan' with architectures {list(archs)}: only Tencent's HunYuanMoEV1ForCausalLM "
            "form (Hunyuan-A13B) is mapped; other Hunyuan remote-code models (cross-layer attention) are not"
        )
    wanted = {"use_cla": False, "use_mla": False, "use_qk_norm": True, "use_mixed_mlp_moe": True}
    off = [f"{key}={str(not value).lower()}" for key, value in wanted.items() if _flag(cfg, key, False) is not value]
    if off:
        raise ConfigError(
            f"config.json Hunyuan remote-code config with {', '.join(off)}: this mapping counts only "
            "use_cla=false, use_mla=false, use_qk_norm=true, use_mixed_mlp_moe=true (Hunyuan-A13B)"
        )
    if _uniform(cfg, "num_shared_expert", 1) != 1:
        raise ConfigError("config.json 'num_shared_expert' must be 1: a wider shared MLP is not mapped")
    stated = cfg.get("attention_head_dim")
    if stated is not None and _int(cfg, "attention_head_dim") != base["head_dim"]:
        raise ConfigError(
            f"config.json 'attention_head_dim' {stated} differs from hidden_size / num_attention_heads "
            f"({base['head_dim']}), the head size Tencent's code builds"
        )
    return hunyuan_v1_moe(cfg, base)


def dots1(cfg: Config, base: Fields) -> Fields:
    """dots.llm1: Qwen3 attention (per-head q/k RMSNorm) and DeepSeek-V3 experts after the dense layers.

    The shared experts are one MLP moe_intermediate_size x n_shared_experts wide; the routing
    bias is a buffer. Sliding layers only from max_window_layers on, where sliding_window is set.
    """
    layers = base["num_layers"]
    window = cfg.get("sliding_window")
    start = _int(cfg, "max_window_layers", layers)
    kinds = _attention_kinds(cfg, layers, lambda i: "sliding" if window is not None and i >= start else "full")
    n_shared = _int(cfg, "n_shared_experts", 0)
    expert = _int(cfg, "moe_intermediate_size")
    first = _int(cfg, "first_k_dense_replace", 0)
    moe = MoeSpec(
        num_experts=_int(cfg, "n_routed_experts"),
        top_k=_int(cfg, "num_experts_per_tok"),
        expert_ffn_size=expert,
        num_shared_experts=n_shared,
        shared_expert_ffn_size=expert if n_shared else 0,
        router_score_correction_bias=True,
        dense_layers=tuple(range(min(first, layers))),
    )
    bias = _flag(cfg, "attention_bias", False)
    fields: Fields = {**base, "qkv_bias": bias, "out_bias": bias, "qk_norm": True, "moe": moe}
    if "sliding" in kinds:
        fields.update(layer_types=kinds, sliding_window=int(window or 0))
    return fields


# --- DeepSeek-V4 -----------------------------------------------------------------------------------

_V4_LAYER_TYPES = ("sliding_attention", "compressed_sparse_attention", "heavily_compressed_attention")


def _rates(cfg: Config) -> Mapping[str, Any]:
    """DeepseekV4Config's ``compress_rates`` (CSA and HCA ratios by layer type), or none."""
    raw = cfg.get("compress_rates")
    return raw if isinstance(raw, Mapping) else {}


def _v4_ratios(cfg: Config, layers: int) -> tuple[int, ...]:
    """Per-layer compression ratios from ``layer_types``, the legacy ``compress_ratios`` or the default."""
    rates = _rates(cfg)
    csa = _int(cfg, "compress_rate_csa", int(rates.get("compressed_sparse_attention", 4)))
    hca = _int(cfg, "compress_rate_hca", int(rates.get("heavily_compressed_attention", 128)))
    by_type = {"sliding_attention": 0, "compressed_sparse_attention": csa, "heavily_compressed_attention": hca}
    types = cfg.get("layer_types")
    if isinstance(types, list):
        unknown = sorted({str(t) for t in types} - set(_V4_LAYER_TYPES))
        if unknown:
            raise ConfigError(f"config.json 'layer_types' has kinds this mapping does not know: {unknown}")
        return tuple(by_type[str(t)] for t in types[:layers])
    legacy = cfg.get("compress_ratios")
    if isinstance(legacy, list):  # V4's published configs list one more entry, for the MTP layer
        if len(legacy) < layers:
            raise ConfigError(f"config.json 'compress_ratios' has {len(legacy)} entries for {layers} layers")
        return tuple(int(r) for r in legacy[:layers])
    # DeepseekV4Config's default: two HCA layers, then HCA and CSA alternate
    return tuple(hca if i < 2 or i % 2 == 0 else csa for i in range(layers))


def deepseek_v4(cfg: Config, base: Fields) -> Fields:
    """DeepSeek-V4 (Flash, Pro): compressed attention over one shared KV head, hyper-connections, every layer MoE.

    The ``hash_moe`` layers route by a token-id table (a buffer) but keep the learned gate weight,
    so they count like the others. The MTP layer is not built by transformers and is not counted.
    """
    layers = base["num_layers"]
    rates = _rates(cfg)
    compressed = CompressedAttentionSpec(
        q_lora_rank=_int(cfg, "q_lora_rank", 1024),
        o_groups=_int(cfg, "o_groups", 8),
        o_lora_rank=_int(cfg, "o_lora_rank", 1024),
        compress_ratios=_v4_ratios(cfg, layers),
        sparse_ratio=_int(cfg, "compress_rate_csa", int(rates.get("compressed_sparse_attention", 4))),
        index_n_heads=_int(cfg, "index_n_heads", 64),
        index_head_dim=_int(cfg, "index_head_dim", 128),
        index_topk=_int(cfg, "index_topk", 512),
        hc_mult=_int(cfg, "hc_mult", 4),
    )
    n_shared = _int(cfg, "n_shared_experts", 1)
    expert = _int(cfg, "moe_intermediate_size")
    moe = MoeSpec(
        num_experts=_int(cfg, "n_routed_experts", 256),
        top_k=_int(cfg, "num_experts_per_tok", 6),
        expert_ffn_size=expert,
        num_shared_experts=n_shared,
        shared_expert_ffn_size=expert if n_shared else 0,
        router_score_correction_bias=True,
    )
    window = _int(cfg, "sliding_window", 128)
    quant = cfg.get("quantization_config")
    expert_dtype = cfg.get("expert_dtype") or (quant.get("expert_dtype") if isinstance(quant, Mapping) else None)
    if str(expert_dtype).lower() == "fp4":
        # The Hub checkpoints keep the routed experts in FP4 (e2m1 with a ue8m0 scale per 32
        # values, MXFP4's layout) and the rest in FP8: size them as MXFP4 experts, as gpt-oss.
        base = {**base, "quantization": "mxfp4"}
    return {
        **base,
        "num_kv_heads": 1,
        "head_dim": _int(cfg, "head_dim", 512),
        "attention_sinks": True,
        "layer_types": ("sliding",) * layers,
        "sliding_window": window,
        "compressed": compressed,
        "moe": moe,
    }


MAPPERS: dict[str, Callable[[Config, Fields], Fields]] = {
    "qwen3_5": qwen3_5,
    "qwen3_5_text": qwen3_5,
    "qwen3_5_moe": qwen3_5_moe,
    "qwen3_5_moe_text": qwen3_5_moe,
    "gemma4_text": gemma4_text,
    "glm4_moe_lite": glm4_moe_lite,
    "deepseek_v32": deepseek_sparse,
    "glm_moe_dsa": deepseek_sparse,
    "minimax_m2": minimax_m2,
    "mimo_v2_flash": mimo_v2_flash,
    "ernie4_5_moe": ernie4_5_moe,
    "hunyuan_v1_moe": hunyuan_v1_moe,
    "hunyuan": hunyuan_remote_code,
    "dots1": dots1,
    "deepseek_v4": deepseek_v4,
}
"""model_type -> mapper, merged into the importer's table."""
