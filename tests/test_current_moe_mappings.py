"""The MoE families people download in 2025-2026: counts equal transformers', and the cache follows the layers.

Reference: tests/data/current_reference_counts.json, made by scripts/reference_counts.py
(transformers 5.25.0, torch 2.14.1, AutoModelForCausalLM.from_config on the meta device; the
vision tower apart with --vision) over tests/data/current_configs. Each config names its source
in its ``paramtui.config_source``: verbatim Hub configs vendored by ai-dynamo/aiconfigurator,
Hunyuan-A13B's config from Tencent's own GitHub release (model_type ``hunyuan``, the remote-code
form, converted to hunyuan_v1_moe by the reference script as the importer reads it), dots.llm1's
base and inst configs as saved raw from the Hub beside DinoML's dots1 audit (hlky/dinoml_v2),
ERNIE-4.5-21B-A3B on the published-fields tier (tests/test_supported_types.py: each field quoted
from the Hub config.json by DinoML's ernie4_5_moe audit, the count equal to the checkpoint's
safetensors total), and the ``-shape`` file (Hunyuan-A13B in transformers' key form), which never
makes its type supported on its own.
KV rules: vLLM's DeepseekV32IndexerCache and SGLang's DSATokenToKVPool keep the indexer key in
fp8 plus one fp32 scale per 128 values (128 + 4 = 132 bytes per token and indexed layer).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_supported_types import PUBLISHED_AS

from paramtui.engine import ConfigError, count_params, import_config
from paramtui.engine.importer import SUPPORTED_MODEL_TYPES
from paramtui.engine.kv_cache import KvRules, attention_bytes_per_token, estimate_kv_cache
from paramtui.engine.params import attention_flops_per_token
from paramtui.engine.tensors import tensor_inventory

DATA = Path(__file__).parent / "data"
CONFIGS = DATA / "current_configs"
REFERENCE: dict[str, Any] = json.loads((DATA / "current_reference_counts.json").read_text())
STEMS = sorted(p.stem for p in CONFIGS.glob("*.json"))
RULES = KvRules(mla_latent=True, sliding="window", extra_tokens=0)


def _raw(stem: str) -> dict[str, Any]:
    return json.loads((CONFIGS / f"{stem}.json").read_text())


def _import(stem: str):  # type: ignore[no-untyped-def]
    return import_config(_raw(stem))


@pytest.mark.parametrize("stem", STEMS)
def test_total_and_active_equal_transformers(stem: str) -> None:
    ref = REFERENCE[stem]
    result = _import(stem)
    bd = count_params(result.architecture)
    assert result.exact and not result.fallback
    assert (bd.total, bd.active) == (ref["total"], ref["active"])
    assert bd.component("routed_experts").stored == ref["routed_experts"]


@pytest.mark.parametrize("stem", [s for s in STEMS if "vision" in REFERENCE[s]])
def test_the_vision_tower_equals_transformers_apart(stem: str) -> None:
    tower = _import(stem).vision
    assert tower is not None and tower.params == REFERENCE[stem]["vision"]


@pytest.mark.parametrize("stem", STEMS)
def test_the_tensor_inventory_accounts_for_every_parameter(stem: str) -> None:
    arch = _import(stem).architecture
    bd = count_params(arch)
    assert sum(g.total_elements for g in tensor_inventory(arch, bd)) == bd.total


@pytest.mark.parametrize("stem", STEMS)
def test_published_configs_carry_a_citable_source(stem: str) -> None:
    source = _raw(stem)["paramtui"]["config_source"]
    if stem.endswith("-shape"):
        assert source["shape_only"] and source["basis"]
        # a shape-only copy never makes a type supported; Hunyuan's is covered by Tencent's published form
        model_type = _raw(stem)["model_type"]
        assert model_type not in SUPPORTED_MODEL_TYPES or model_type in PUBLISHED_AS
    elif source.get("basis") == "published-fields":
        assert "shape_only" not in source
        for where in (source["fields_from"], source["checkpoint_total"]):
            assert where["repository"] and where["path"] and len(where["commit"]) == 40
    else:
        assert source["repository"] and source["path"] and len(source["commit"]) == 40


def test_deepseek_v32_indexer_weights_and_cache() -> None:
    """61 indexers of wq_b 1536 x 64 x 128 + wk 7168 x 128 + weights_proj 7168 x 64 + a 128-wide LayerNorm."""
    arch = _import("deepseek-v3.2").architecture
    assert arch.mla is not None and (arch.mla.index_n_heads, arch.mla.index_head_dim) == (64, 128)
    assert arch.num_indexed_layers == 61
    # bf16 latent (512 + 64) x 2 B plus the fp8 indexer key with its scale, per layer
    assert attention_bytes_per_token(arch, "bf16", RULES) == 61 * ((512 + 64) * 2 + 132)
    kv = estimate_kv_cache(arch, 1_000, 2, "bf16", RULES)
    assert kv.bytes == 2 * 1_000 * 61 * ((512 + 64) * 2 + 132)
    assert kv.k_bytes == kv.bytes and kv.v_bytes == 0


def test_sparse_attention_reads_only_the_tokens_its_indexer_keeps() -> None:
    """At 128K tokens each V3.2 layer scores all of them (64 x 128, fp8) and attends to index_topk 2048."""
    arch = _import("deepseek-v3.2").architecture
    ctx = 131_072
    per_layer = 2 * 64 * 128 * ctx + 2 * 128 * (192 + 128) * 2_048
    assert attention_flops_per_token(arch, ctx) == 61 * per_layer
    assert attention_flops_per_token(arch, 1_000) == 61 * (2 * 64 * 128 * 1_000 + 2 * 128 * 320 * 1_000)


def test_glm_5_2_shared_indexer_layers_have_no_indexer() -> None:
    """GLM-5.2's indexer_types: 'shared' layers reuse the previous selection (GlmMoeDsaAttention.skip_topk)."""
    raw = _raw("glm-5.2")
    arch = import_config(raw).architecture
    assert arch.mla is not None
    assert arch.num_indexed_layers == raw["indexer_types"].count("full") < arch.num_layers
    glm5 = _import("glm-5").architecture
    assert glm5.num_indexed_layers == glm5.num_layers == 78


def test_gemma_4_global_layers_have_their_own_shape() -> None:
    """26B-A4B: 25 sliding layers of 8 kv heads x 256, 5 global layers of 2 kv heads x 512 whose keys are the values."""
    arch = _import("gemma-4-26b-a4b").architecture
    assert arch.layer_kinds.count("full") == 5 and arch.sliding_window == 1024
    assert arch.attention_shape("sliding") == (8, 256, 256, False)
    assert arch.attention_shape("full") == (2, 512, 512, True)
    assert arch.dense_ffn_with_moe and arch.num_dense_ffn_layers == arch.num_moe_layers == 30
    assert arch.moe is not None and arch.moe.router_scales
    kv = estimate_kv_cache(arch, 4_096, 1, "bf16", RULES)
    full = 5 * 2 * 2 * 512 * 2 * 4_096  # K and V cached (V is the normed K), 2 kv heads x 512, bf16
    sliding = 25 * 2 * 8 * 256 * 2 * 1_024
    assert kv.bytes == full + sliding


def test_gemma_4_per_layer_embeddings_are_refused_in_one_line() -> None:
    raw = _raw("gemma-4-31b-it-nvfp4")
    raw["text_config"] = {**raw["text_config"], "hidden_size_per_layer_input": 256}
    with pytest.raises(ConfigError, match="hidden_size_per_layer_input") as err:
        import_config(raw)
    assert "\n" not in str(err.value)


def test_mimo_v2_flash_sliding_layers_have_more_kv_heads_and_sinks() -> None:
    arch = _import("mimo-v2-flash").architecture
    assert arch.layer_kinds.count("full") == 9 and arch.sliding_window == 129
    assert arch.attention_shape("sliding") == (8, 192, 128, False)
    assert arch.attention_shape("full") == (4, 192, 128, False)
    assert arch.has_sinks("sliding") and not arch.has_sinks("full")
    assert arch.num_moe_layers == 47
    full_bytes = 9 * 4 * (192 + 128) * 2  # per token, bf16
    assert estimate_kv_cache(arch, 100, 1, "bf16", RULES).bytes_per_token_full == full_bytes


def test_deepseek_v4_compresses_its_history() -> None:
    """V4-Flash: 21 CSA layers (1 entry per 4 tokens, with an indexer), 20 HCA layers (1 per 128), 2 plain.

    At 1M tokens in bf16: 43 windows of 128 x 512 x 2 B, plus 512 x 2 B per compressed entry and
    132 B of indexer key per CSA entry; about a tenth of DeepSeek-V3.2's latent cache.
    """
    arch = _import("deepseek-v4-flash").architecture
    c = arch.compressed
    assert c is not None and c.compress_ratios.count(4) == 21 and c.compress_ratios.count(128) == 20
    ctx = 1_048_576
    kv = estimate_kv_cache(arch, ctx, 1, "bf16", RULES)
    expected = 43 * 128 * 512 * 2 + 21 * (ctx // 4) * (512 * 2 + 132) + 20 * (ctx // 128) * 512 * 2
    assert kv.bytes == expected
    v32 = estimate_kv_cache(_import("deepseek-v3.2").architecture, ctx, 1, "bf16", RULES)
    assert 0.05 < kv.bytes / v32.bytes < 0.12


def test_qwen3_5_is_three_linear_layers_per_gated_full_one() -> None:
    arch = _import("qwen3.5-397b-a17b").architecture
    assert arch.layer_kinds.count("linear") == 45 and arch.layer_kinds.count("full") == 15
    assert arch.attention_output_gate and arch.moe is not None and arch.moe.shared_expert_gate


def test_kimi_k2_5_int4_experts_are_sized_as_int4() -> None:
    """compressed-tensors with 4-bit integer weight groups (Kimi K2.5's W4A16 experts) is int4, not fp8."""
    from paramtui.engine.precision import resolve_precision

    arch = _import("kimi-k2.5").architecture
    assert arch.quantization == "compressed-tensors-int4"
    assert resolve_precision("auto", arch) == "int4"


def test_deepseek_v4_fp4_experts_are_sized_as_mxfp4() -> None:
    """The V4 checkpoints' expert_dtype fp4: routed experts in FP4 with a scale per 32 values."""
    assert _import("deepseek-v4-flash").architecture.quantization == "mxfp4"


def test_ernie_equals_the_checkpoint_headers() -> None:
    """The Hub API sums ERNIE-4.5-21B-A3B-Thinking's safetensors headers to 21,825,437,888 parameters
    ("safetensors": {"total": 21825437888}, F32 4,425,408 + BF16 21,821,012,480, in the Hub model info saved at
    daniel-p-green/alain-ai-learning-platform out/research-baidu-ernie-4-5-21b-a3b-thinking/sources/huggingface/
    model.json, commit 522537bc54b2efa439c7755a8c5dedd6f8b001da). This equality is what puts ernie4_5_moe on
    the published-fields tier: it also pins vocab_size and use_bias, which DinoML's audit quotes only as the
    config class's default and in prose."""
    assert _raw("ernie-4.5-21b-a3b")["paramtui"]["config_source"]["checkpoint_total"]["value"] == 21_825_437_888
    assert 4_425_408 + 21_821_012_480 == 21_825_437_888
    assert count_params(_import("ernie-4.5-21b-a3b").architecture).total == 21_825_437_888


@pytest.mark.parametrize("stem", ["dots.llm1.base", "dots.llm1.inst"])
def test_dots_llm1_plus_its_routing_buffers_equals_the_checkpoint(stem: str) -> None:
    """dots.llm1.base's Hub safetensors metadata: 142,774,381,696 BF16 parameters (hlky/dinoml_v2
    agents/plans/transformers/dots1/report.md at 6b8c0acb3a19f77188401b57db6e403aa92534f3). The
    checkpoint also stores each MoE layer's e_score_correction_bias (61 layers x 128 experts), which
    transformers' Dots1TopkRouter keeps as a buffer, so parameters() and this count leave it out."""
    arch = _import(stem).architecture
    assert arch.moe is not None
    routing_buffers = (arch.num_layers - len(arch.moe.dense_layers)) * arch.moe.num_experts
    assert routing_buffers == 61 * 128
    assert count_params(arch).total + routing_buffers == 142_774_381_696


def test_tencents_hunyuan_config_counts_as_the_hunyuan_v1_moe_keys_do() -> None:
    """The remote-code form (attention_head_dim, per-layer lists) and the transformers form: one model, one count."""
    official = count_params(_import("hunyuan-a13b").architecture)
    rekeyed = count_params(_import("hunyuan-a13b-shape").architecture)
    assert (official.total, official.active) == (rekeyed.total, rekeyed.active) == (80_393_183_232, 12_747_448_320)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"architectures": ["HunYuanForCausalLM"], "use_cla": True}, "HunYuanMoEV1ForCausalLM"),
        ({"use_cla": True}, "use_cla=true"),
        ({"use_mla": True}, "use_mla=true"),
        ({"num_shared_expert": [2] * 32}, "num_shared_expert"),
        ({"attention_head_dim": 64}, "attention_head_dim"),
    ],
)
def test_other_hunyuan_remote_code_forms_are_refused_not_guessed(change: dict[str, Any], reason: str) -> None:
    """Hunyuan-Large's cross-layer attention and other variants build other parameters than hunyuan_v1_moe."""
    raw = {**_raw("hunyuan-a13b"), **change}
    with pytest.raises(ConfigError, match=reason):
        import_config(raw)


def test_the_counts_read_as_the_model_cards_say() -> None:
    """Published headline figures (model cards), within their rounding: (total, active, active tolerance)."""
    cards = {
        # "30B-A3B" rounds down: 3.9B active with the embedding table, 3.6B without
        "glm-4.7-flash": (30e9, 3e9, 0.3),
        "gemma-4-26b-a4b": (25.2e9, 3.8e9, 0.02),
        "kimi-k2.5": (1.03e12, 32e9, 0.05),
        "hunyuan-a13b-shape": (80e9, 13e9, 0.05),
        "hunyuan-a13b": (80e9, 13e9, 0.05),
        "dots.llm1.inst": (142e9, 14e9, 0.02),
        "dots.llm1.base": (142e9, 14e9, 0.02),
        "deepseek-v4-flash": (284e9, 13e9, 0.07),
        "deepseek-v4-pro": (1.6e12, 49e9, 0.03),
        "ernie-4.5-21b-a3b": (21e9, 3e9, 0.15),
    }
    for stem, (total, active, rel) in cards.items():
        bd = count_params(_import(stem).architecture)
        assert bd.total == pytest.approx(total, rel=0.04), stem
        assert bd.active == pytest.approx(active, rel=rel), stem


@pytest.mark.parametrize(
    ("name", "component"),
    [
        # transformers' parameter names (AutoModelForCausalLM on the meta device) and where the count puts them
        ("model.layers.1.mlp.moe_statics.e_score_correction_bias", "router"),  # ERNIE: a learned parameter
        ("model.layers.2.router.per_expert_scale", "router"),  # Gemma 4, not a quantization scale
        ("model.layers.2.router.scale", "router"),
        ("model.layers.2.router.proj.weight", "router"),
        ("model.layers.2.post_feedforward_layernorm_2.weight", "norms"),
        ("model.layers.0.self_attn.indexer.wq_b.weight", "attention"),  # DeepSeek-V3.2 / GLM-5
        ("model.layers.0.self_attn.indexer.weights_proj.weight", "attention"),
        ("model.layers.0.self_attn.indexer.k_norm.bias", "norms"),
        ("model.layers.1.self_attn.sinks", "attention"),  # MiMo-V2-Flash
    ],
)
def test_checkpoint_tensor_names_land_where_the_count_puts_them(name: str, component: str) -> None:
    from paramtui.engine.checkpoint import classify

    assert classify(name, 78) == ("weight", component)


def test_a_routing_buffer_stays_a_buffer() -> None:
    """DeepSeek's gate.e_score_correction_bias is a buffer in transformers: set aside, not counted."""
    from paramtui.engine.checkpoint import classify

    assert classify("model.layers.3.mlp.gate.e_score_correction_bias", 61) == ("buffer", None)
