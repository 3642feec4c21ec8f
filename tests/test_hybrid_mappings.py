"""Hybrid and recurrent models: layer kinds from their patterns, and the state they cache per sequence.

Counts: every hybrid type equals transformers 5.25.0 on the meta device, on the Nemotron 3 Nano
and Jamba 1.5 Mini presets (tests/test_golden_counts.py), on the real layer shapes of
tests/data/type_configs (tests/test_type_mappings.py) and on the published configs of
tests/data/hybrid_configs (each names its public copy: Mamba-2 130M, Bamba 9B, Granite 4.0-H; Falcon-H1
7B, with no public copy, on the published-fields tier of tests/test_supported_types.py; reference in
tests/data/hybrid_reference_counts.json, made by
``/tmp/ref/bin/python scripts/reference_counts.py tests/data/hybrid_configs``). State: vLLM's MambaStateShapeCalculator
(vllm-project/vllm, vllm/model_executor/layers/mamba/mamba_utils.py) keeps (kernel - 1) inputs
per convolution channel, and a heads x head_dim x state (Mamba-2) or inner x state (Mamba-1)
matrix per layer and sequence; LFM2's short convolution keeps only its convolution inputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paramtui.engine import count_params, import_config
from paramtui.engine.adapters.sources import load_preset
from paramtui.engine.kv_cache import KvRules, estimate_kv_cache, ssm_state_bytes
from paramtui.engine.params import attention_flops_per_token
from paramtui.presets import all_presets

TYPE_CONFIGS = Path(__file__).parent / "data" / "type_configs"
HYBRID_CONFIGS = Path(__file__).parent / "data" / "hybrid_configs"
HYBRID_REFERENCE = json.loads((Path(__file__).parent / "data" / "hybrid_reference_counts.json").read_text())
RULES = KvRules(mla_latent=True, sliding="window", extra_tokens=0)


def _preset(preset_id: str):  # type: ignore[no-untyped-def]
    return load_preset(all_presets()[preset_id]).result.architecture


def _type(stem: str):  # type: ignore[no-untyped-def]
    return import_config(json.loads((TYPE_CONFIGS / f"{stem}.json").read_text())).architecture


def test_nemotron_3_nano_layer_pattern() -> None:
    """MEMEM*EMEMEM*...: 23 Mamba-2 blocks, 23 MoE blocks, 6 attention blocks, one mixer per block."""
    arch = _preset("nemotron-3-nano-30b-a3b")
    kinds = arch.layer_kinds
    assert (kinds.count("ssm"), kinds.count("none"), kinds.count("full")) == (23, 23, 6)
    assert arch.num_moe_layers == 23 and arch.num_dense_ffn_layers == 0 and len(arch.no_ffn_layers) == 29
    assert arch.ssm is not None and (arch.ssm.inner_size, arch.ssm.num_heads, arch.ssm.conv_channels) == (
        4096,
        64,
        6144,
    )
    assert not arch.gated_ffn and arch.norms_per_layer == 1


def test_nemotron_state_follows_vllm_shapes() -> None:
    """Conv (6144 channels x 3) in bf16 + SSM 64 x 64 x 128 in float32 (mamba_ssm_cache_dtype)."""
    arch = _preset("nemotron-3-nano-30b-a3b")
    assert ssm_state_bytes(arch) == 6144 * 3 * 2 + 64 * 64 * 128 * 4
    kv = estimate_kv_cache(arch, 131_072, 1, "bf16", RULES)
    attention = 6 * 2 * 2 * 128 * 2 * 131_072  # 6 attention blocks x K and V x 2 kv heads x 128 x bf16
    assert kv.bytes == attention + 23 * ssm_state_bytes(arch)
    assert kv.bytes_per_token_full == 6 * 2 * 2 * 128 * 2


def test_the_recurrent_state_does_not_grow_with_context() -> None:
    arch = _type("mamba2")
    short = estimate_kv_cache(arch, 1_000, 4, "bf16", RULES)
    long = estimate_kv_cache(arch, 100_000, 4, "bf16", RULES)
    assert short.bytes == long.bytes == 4 * 2 * ssm_state_bytes(arch)
    assert attention_flops_per_token(arch, 100_000) == 0


def test_jamba_periods() -> None:
    """attn_layer_period 8 / offset 4 and expert_layer_period 2 / offset 1 over 32 layers."""
    arch = _preset("jamba-1.5-mini")
    assert [i for i, k in enumerate(arch.layer_kinds) if k == "full"] == [4, 12, 20, 28]
    assert arch.moe is not None and arch.num_moe_layers == 16 and arch.moe.dense_layers[:3] == (0, 2, 4)
    assert arch.ssm is not None and arch.ssm.variant == "mamba1" and arch.ssm.dt_rank == 256
    # Mamba-1 state: inner 8192 x (kernel 4 - 1) in bf16 + inner 8192 x state 16 in bf16
    assert ssm_state_bytes(arch) == 8192 * 3 * 2 + 8192 * 16 * 2


def test_falcon_h1_runs_attention_and_mamba_side_by_side() -> None:
    arch = _type("falcon_h1")
    assert set(arch.layer_kinds) == {"hybrid"}
    kv = estimate_kv_cache(arch, 1_000, 1, "bf16", RULES)
    assert kv.bytes == 3 * (2 * 2 * 64 * 2 * 1_000 + ssm_state_bytes(arch))
    assert attention_flops_per_token(arch, 1_000) > 0


def test_lfm2_short_convolution_and_ffn_width() -> None:
    """block_ff_dim 12288 wins over intermediate_size; 2/3 of it rounded up to 256 is 8192 (Lfm2MLP)."""
    arch = _type("lfm2")
    assert arch.ffn_size == 8192 and arch.qk_norm and arch.tie_embeddings
    assert [i for i, k in enumerate(arch.layer_kinds) if k == "full"] == [2, 5]
    assert arch.ssm is not None and ssm_state_bytes(arch) == 2048 * 2 * 2  # hidden x (L_cache 3 - 1) x bf16


def test_granite_4_h_micro_has_no_routed_experts() -> None:
    arch = _type("granitemoehybrid_dense")
    assert arch.moe is None and arch.ffn_size == 8192
    routed = _type("granitemoehybrid")
    assert routed.moe is not None and routed.moe.num_shared_experts == 1 and routed.moe.shared_expert_ffn_size == 1024


def test_a_latent_moe_nemotron_is_refused_in_one_line() -> None:
    from paramtui.engine import ConfigError

    cfg = {**all_presets()["nemotron-3-nano-30b-a3b"].config, "moe_latent_size": 1024}
    with pytest.raises(ConfigError, match="moe_latent_size"):
        import_config(cfg)


@pytest.mark.parametrize("preset_id", ["nemotron-3-nano-30b-a3b", "jamba-1.5-mini"])
def test_hybrid_presets_count_every_component(preset_id: str) -> None:
    """The tensor inventory (quantization, per-tensor bytes) accounts for the hybrid layers exactly."""
    from paramtui.engine.tensors import tensor_inventory

    arch = _preset(preset_id)
    bd = count_params(arch)
    assert sum(g.total_elements for g in tensor_inventory(arch, bd)) == bd.total


def test_nemotron_checkpoint_headers_agree_with_the_config_per_component(tmp_path: Path) -> None:
    """A Nemotron-H checkpoint's tensors (backbone.* names, tests/checkpoints.py) split into the same
    components as the config-derived count: Mamba mixers as attention, mixer.gate as the router."""
    import checkpoints as ck

    from paramtui.engine.adapters.sources import load_source

    cfg = {**all_presets()["nemotron-3-nano-30b-a3b"].config, "vocab_size": 1024}
    cfg = {**cfg, "hybrid_override_pattern": "MEM*E-", "num_hidden_layers": 6, "n_routed_experts": 8}
    ck.write_sparse(tmp_path, ck.shard_files(list(ck.nemotron_h(cfg)), 2))
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    loaded = load_source(str(tmp_path))
    assert loaded.checkpoint is not None
    bd = count_params(loaded.result.architecture)
    per_component = {c.name: c.stored for c in bd.components}
    assert dict(loaded.checkpoint.component_params) == per_component
    assert any(n.startswith("headers and config.json agree") for n in loaded.result.notes)


@pytest.mark.parametrize("preset_id", ["nemotron-3-nano-30b-a3b", "jamba-1.5-mini"])
def test_a_saved_hybrid_model_reloads_the_same(preset_id: str) -> None:
    """The ssm section and no_ffn_layers survive the dashboard's save format."""
    from paramtui.engine.record import architecture_from_dict, architecture_to_dict

    arch = _preset(preset_id)
    assert architecture_from_dict(json.loads(json.dumps(architecture_to_dict(arch)))) == arch


@pytest.mark.parametrize("stem", sorted(p.stem for p in HYBRID_CONFIGS.glob("*.json")))
def test_published_hybrid_configs_equal_transformers(stem: str) -> None:
    raw = json.loads((HYBRID_CONFIGS / f"{stem}.json").read_text())
    source = raw.pop("paramtui")["config_source"]
    if source.get("basis") == "published-fields":  # quoted fields, pinned by the checkpoint's own total
        for where in (source["fields_from"], source["checkpoint_total"]):
            assert where["repository"] and where["path"] and len(where["commit"]) == 40
    else:
        assert source["repository"] and source["path"] and len(source["commit"]) == 40
    result = import_config(raw)
    bd = count_params(result.architecture)
    ref = HYBRID_REFERENCE[stem]
    assert (bd.total, bd.active, bd.component("routed_experts").stored) == (
        ref["total"],
        ref["active"],
        ref["routed_experts"],
    )
    assert result.exact and not result.fallback


INDEPENDENT_FIGURES = {
    # foundation-model-stack/bamba README.md (c94056b4a2e78683ef3b3039c3943373cf7b3ec6), "Models":
    # "Bamba | 9B (9.78B)"; v1 and v2 share every shape.
    "bamba-9b-v1": ((9.78e9, 0.005e9), None),
    "bamba-9b-v2": ((9.78e9, 0.005e9), None),
    # The checkpoints' safetensors totals, as the Hub's model info states them per dtype, recorded
    # by the-anup-das/rightsize-ai in tests/fixtures/facts/ibm-granite__granite-4.0-h-{350m,small}.json
    # (186d2a98909f545b519e6c41b780ce9cbe250185), "params_by_dtype": {"BF16": ...}: exact.
    # H-Small's active figure: Granite docs (https://ibmgranite.mintlify.app, Granite 4.0 table),
    # "32B total parameters, 9B activated parameters".
    "granite-4.0-h-350m": ((340_332_224, 0), None),
    "granite-4.0-h-small": ((32_207_337_984, 0), (9e9, 0.5e9)),
    # The same Granite docs table: H-Micro "3B total parameters" (micro-base is its pretrained checkpoint).
    "granite-4.0-h-micro-base": ((3e9, 0.5e9), None),
    # The checkpoint's safetensors total: joshuahickscorp/dismantle
    # workspace/campaign/odyssey/patients/O001/ODYSSEY_PATIENT_O001.json (048b5332a873ca8363fe4bfdee010e370c3d4c7e),
    # architecture.total_params, summed from the shards' headers of tiiuae/Falcon-H1-7B-Instruct at 41e72f27: exact.
    "falcon-h1-7b-instruct": ((7_585_654_880, 0), None),
}
"""stem -> ((independent total, its rounding), (independent active, its rounding) or None)."""


@pytest.mark.parametrize("stem", sorted(INDEPENDENT_FIGURES))
def test_published_hybrid_counts_match_independent_figures(stem: str) -> None:
    """A check of the transformers count from outside it: the checkpoint's own total or the makers'
    figure, to that figure's rounding."""
    raw = json.loads((HYBRID_CONFIGS / f"{stem}.json").read_text())
    raw.pop("paramtui")
    bd = count_params(import_config(raw).architecture)
    (total, total_rounding), active = INDEPENDENT_FIGURES[stem]
    assert abs(bd.total - total) <= total_rounding
    if active is not None:
        assert abs(bd.active - active[0]) <= active[1]


def test_granite_4_h_small_routes_72_experts_beside_its_shared_mlp() -> None:
    """40 layers: 36 Mamba-2 and 4 attention mixers, each followed by 72 routed experts (10 active) plus
    a shared SwiGLU of 1536; the routed experts are 27.18B of the 32.21B."""
    raw = json.loads((HYBRID_CONFIGS / "granite-4.0-h-small.json").read_text())
    raw.pop("paramtui")
    arch = import_config(raw).architecture
    assert (arch.layer_kinds.count("ssm"), arch.layer_kinds.count("full")) == (36, 4)
    assert arch.moe is not None and (arch.moe.num_experts, arch.moe.top_k) == (72, 10)
    assert arch.moe.num_shared_experts == 1 and arch.moe.shared_expert_ffn_size == 1536
    assert count_params(arch).component("routed_experts").stored == 40 * 72 * 3 * 4096 * 768


def test_falcon_h1_7b_equals_the_checkpoints_safetensors_total() -> None:
    """Falcon-H1-7B-Instruct at Hub revision 41e72f27: 7,585,654,880 parameters in its four safetensors
    shards' headers, as Odyssey's census of that revision measured them (joshuahickscorp/dismantle,
    workspace/campaign/odyssey/patients/O001/ODYSSEY_PATIENT_O001.json at 048b5332, total_params, and
    source_bytes 15,171,309,760 = two BF16 bytes each). The fields come from transformers' load of the same
    revision (KimHyeon-Ji/llm-arch-tracer provenance.json at a8fdfb07), not from a copy of config.json:
    this equality is what puts falcon_h1 on the published-fields tier."""
    raw = json.loads((HYBRID_CONFIGS / "falcon-h1-7b-instruct.json").read_text())
    assert raw.pop("paramtui")["config_source"]["checkpoint_total"]["value"] == 7_585_654_880
    arch = import_config(raw).architecture
    assert set(arch.layer_kinds) == {"hybrid"} and len(arch.layer_kinds) == 44
    assert count_params(arch).total == HYBRID_REFERENCE["falcon-h1-7b-instruct"]["total"] == 7_585_654_880


def test_bamba_attention_layers_come_from_their_indices() -> None:
    """attn_layer_indices [9, 18, 27]: three attention layers, the other 29 Mamba-2."""
    raw = json.loads((HYBRID_CONFIGS / "bamba-9b-v2.json").read_text())
    raw.pop("paramtui")
    arch = import_config(raw).architecture
    assert [i for i, k in enumerate(arch.layer_kinds) if k == "full"] == [9, 18, 27]
    assert arch.layer_kinds.count("ssm") == 29


def test_mamba2_130m_state_follows_vllm_shapes() -> None:
    """24 Mamba-2 layers: conv (1536 + 2 x 128 channels x 3) + SSM 24 heads x 64 x 128, bf16, tied head."""
    raw = json.loads((HYBRID_CONFIGS / "mamba2-130m-hf.json").read_text())
    raw.pop("paramtui")
    arch = import_config(raw).architecture
    assert arch.layer_kinds.count("ssm") == 24 and arch.tie_embeddings
    assert ssm_state_bytes(arch) == 1792 * 3 * 2 + 24 * 64 * 128 * 2
