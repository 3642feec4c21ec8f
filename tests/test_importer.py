"""The config.json importer: supported types, fallbacks, multimodal configs, errors."""

from __future__ import annotations

import pytest

from paramtui.engine import ConfigError, count_params, import_config
from paramtui.presets import all_presets

# Every supported type has a vendored published config with an exact count: tests/test_supported_types.py.


def test_unknown_type_falls_back_and_says_what_it_assumed() -> None:
    cfg = {
        "model_type": "brand_new",
        "vocab_size": 1000,
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 128,
    }
    result = import_config(cfg)
    assert result.architecture.num_kv_heads == 4
    assert result.architecture.head_dim == 16
    assert any("unknown model_type 'brand_new'" in n for n in result.notes)
    assert any("assumed" in n for n in result.notes)
    # 1000x64 embedding + head, 2 x (4 x 64x64 attention + 3 x 64x128 FFN + 2 x 64 norms) + final norm
    assert count_params(result.architecture).total == 2 * 64_000 + 2 * (4 * 4096 + 3 * 8192 + 128) + 64


def test_multimodal_config_uses_text_part_and_says_so() -> None:
    result = import_config(all_presets()["llama-4-scout"].config)
    assert result.architecture.model_type == "llama4_text"
    assert any("vision tower 871,932,416 parameters, counted apart" in n for n in result.notes)


def test_missing_key_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="no 'vocab_size'"):
        import_config({"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 1})
    with pytest.raises(ConfigError, match="no 'hidden_size'"):
        import_config({"model_type": "llama", "vocab_size": 8})


def test_impossible_model_is_a_clear_error() -> None:
    cfg = {
        "model_type": "llama",
        "vocab_size": 100,
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 6,
        "num_key_value_heads": 4,
        "head_dim": 16,
        "intermediate_size": 128,
    }
    with pytest.raises(ConfigError, match="divisible by num_kv_heads"):
        import_config(cfg)


def test_wrong_type_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="must be an integer"):
        import_config(
            {
                "model_type": "llama",
                "vocab_size": "lots",
                "hidden_size": 8,
                "num_hidden_layers": 1,
                "num_attention_heads": 1,
            }
        )


def test_deepseek_layer_pattern_and_mla() -> None:
    arch = import_config(all_presets()["deepseek-v3"].config).architecture
    assert arch.moe is not None and arch.moe.dense_layers == (0, 1, 2)
    assert arch.mla is not None and arch.mla.kv_lora_rank == 512
    assert arch.mtp_layers == 1
    assert arch.quantization == "fp8"


def test_gpt_oss_alternates_sliding_and_full_layers() -> None:
    arch = import_config(all_presets()["gpt-oss-120b"].config).architecture
    assert arch.layer_kinds[:2] == ("sliding", "full")
    assert arch.sliding_window == 128
    assert arch.quantization == "mxfp4"


def test_qwen3_next_has_one_full_layer_in_four() -> None:
    arch = import_config(all_presets()["qwen3-next-80b-a3b"].config).architecture
    assert arch.layer_kinds.count("full") == 12
    assert arch.layer_kinds.count("linear") == 36


def test_llama4_maverick_interleaves_moe_layers() -> None:
    arch = import_config(all_presets()["llama-4-maverick"].config).architecture
    assert arch.num_moe_layers == 24
    assert arch.moe is not None and arch.moe.dense_layers[:3] == (0, 2, 4)


def test_gemma_layers_alternate_local_and_global() -> None:
    """Gemma 2 alternates sliding and global layers; Gemma 3 has one global layer in six."""
    g2 = import_config(all_presets()["gemma-2-9b"].config).architecture
    assert g2.layer_kinds[:4] == ("sliding", "full", "sliding", "full")
    assert g2.sliding_window == 4096 and g2.norms_per_layer == 4 and g2.tie_embeddings
    g3 = import_config(all_presets()["gemma-3-1b"].config).architecture
    assert g3.layer_kinds.count("full") == 26 // 6 and g3.layer_kinds[5] == "full"
    assert g3.qk_norm and not g3.qk_norm_all_heads


def test_olmoe_qk_norms_span_all_heads() -> None:
    """OLMoE's q_norm is heads x head_dim wide and k_norm kv_heads x head_dim (transformers' OlmoeAttention)."""
    arch = import_config(all_presets()["olmoe-1b-7b"].config).architecture
    assert arch.qk_norm_all_heads
    norms = count_params(arch).component("norms").stored
    h = arch.hidden_size
    assert norms == arch.num_layers * (2 * h + 2 * 2048) + h


def test_gemma3_multimodal_config_takes_text_defaults_and_says_so() -> None:
    """Gemma 3 27B's config.json leaves vocab_size out; transformers' Gemma3TextConfig gives 262,208."""
    result = import_config(all_presets()["gemma-3-27b"].config)
    assert result.architecture.vocab_size == 262208
    assert any("vision tower 423,060,336 parameters, counted apart" in n for n in result.notes)
    assert any("vocab_size=262208" in n and "defaults" in n for n in result.notes)
