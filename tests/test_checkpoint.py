"""Exact checkpoint facts from headers: local directories, classification, MTP and scales set aside."""

from __future__ import annotations

import json
from pathlib import Path

import checkpoints as ck
import pytest
from helpers import preset_model

from paramtui.engine.adapters.sources import SourceError, load_source
from paramtui.engine.checkpoint import (
    HeaderError,
    TensorEntry,
    active_params,
    classify,
    cross_check,
    decode_safetensors_header,
    summarize,
)
from paramtui.engine.params import count_params


def test_local_directory_reads_headers_from_disk(tmp_path: Path) -> None:
    arch, config = preset_model("qwen2.5-7b")
    ck.write_sparse(tmp_path, ck.shard_files(list(ck.llama(config)), 4))
    (tmp_path / "config.json").write_text(json.dumps(config))
    loaded = load_source(str(tmp_path))
    assert loaded.checkpoint is not None
    assert loaded.checkpoint.total_params == count_params(arch).total == 7_615_616_512
    assert len(loaded.checkpoint.files) == 4
    # Qwen2.5's q/k/v biases are found by name and counted with attention
    assert loaded.checkpoint.component_params["attention"] == count_params(arch).components[1].stored


def test_a_single_safetensors_file_needs_its_config_beside_it(tmp_path: Path) -> None:
    _, config = preset_model("llama-3.2-1b")
    ck.write_sparse(tmp_path, ck.shard_files(list(ck.llama(config)), 1))
    with pytest.raises(SourceError, match=r"no config\.json"):
        load_source(str(tmp_path / "model.safetensors"))
    (tmp_path / "config.json").write_text(json.dumps(config))
    loaded = load_source(str(tmp_path / "model.safetensors"))
    assert loaded.checkpoint is not None and loaded.checkpoint.total_params == 1_235_814_400


def test_deepseek_v3_sets_aside_mtp_scales_and_the_balancing_bias() -> None:
    arch, config = preset_model("deepseek-v3")
    entries = [TensorEntry(n, d, s, ck.nbytes(d, s)) for n, d, s in ck.deepseek_v3(config)]
    summary = summarize(entries, [("x", 0)], arch)
    breakdown = count_params(arch)
    assert cross_check(summary, breakdown).matches
    assert active_params(summary, arch) == breakdown.active
    # DeepSeek's model card: 685B on the Hub = 671B main model + 14B MTP module
    assert (summary.total_params + summary.aside_params["mtp"]) / 1e9 == pytest.approx(685, abs=1)
    assert summary.aside_params["mtp"] / 1e9 == pytest.approx(14, abs=0.6)
    assert set(summary.aside_params) == {"mtp", "scale", "buffer"}
    # FP8 linear layers with fp32 block scales: about 1 byte per weight plus the scales
    assert summary.bytes_by_dtype["F8_E4M3"] > 0.9 * summary.model_bytes


@pytest.mark.parametrize(
    ("name", "role", "component"),
    [
        ("model.layers.3.mlp.experts.17.down_proj.weight", "weight", "routed_experts"),
        ("model.layers.3.mlp.experts.gate_up_proj_blocks", "weight", "routed_experts"),
        ("model.layers.3.mlp.shared_experts.up_proj.weight", "weight", "shared_experts"),
        ("model.layers.3.mlp.shared_expert_gate.weight", "weight", "shared_experts"),
        ("model.layers.3.mlp.gate.weight", "weight", "router"),
        ("model.layers.3.mlp.gate.e_score_correction_bias", "buffer", None),
        ("model.layers.3.self_attn.kv_a_layernorm.weight", "weight", "norms"),
        ("model.layers.3.self_attn.q_b_proj.weight_scale_inv", "scale", None),
        ("model.layers.61.eh_proj.weight", "mtp", None),
        ("model.visual.blocks.0.attn.qkv.weight", "vision", None),
        ("blk.5.ffn_down_exps.weight", "weight", "routed_experts"),
        ("blk.5.ffn_gate_inp.weight", "weight", "router"),
        ("blk.5.ffn_up_shexp.weight", "weight", "shared_experts"),
        ("blk.5.attn_kv_b.weight", "weight", "attention"),
        ("output.weight", "weight", "output_head"),
        ("transformer.h.0.ln_1.weight", "weight", "norms"),
    ],
)
def test_tensor_names_are_classified_as_their_architectures_name_them(name: str, role: str, component: str) -> None:
    assert classify(name, num_layers=61) == (role, component)


def test_header_entries_must_match_their_dtype_and_lie_inside_the_file() -> None:
    raw = json.dumps({"w": {"dtype": "BF16", "shape": [4, 4], "data_offsets": [0, 31]}}).encode()
    with pytest.raises(HeaderError, match="not what BF16"):
        decode_safetensors_header(raw, None, "x.safetensors")
    raw = json.dumps({"w": {"dtype": "BF16", "shape": [4, 4], "data_offsets": [0, 32]}}).encode()
    with pytest.raises(HeaderError, match="outside the file"):
        decode_safetensors_header(raw, 8 + len(raw) + 16, "x.safetensors")
    assert decode_safetensors_header(raw, 8 + len(raw) + 32, "x.safetensors")[0].nbytes == 32
