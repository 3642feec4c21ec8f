"""Each model_type mapping counts exactly what transformers builds, on small configs of real shapes.

The configs in tests/data/type_configs are not published checkpoints: each takes one real model's
layer shape (named in its file name and in the table below) with only a few layers, so the
mapping of every key is checked even where no published config.json is vendored yet. Reference:
tests/data/type_reference_counts.json, made by scripts/reference_counts.py (transformers 5.23.0,
torch 2.13.0 CPU, meta device):

    /tmp/ref/bin/python scripts/reference_counts.py tests/data/type_configs > tests/data/type_reference_counts.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paramtui.engine import count_params, import_config

DATA = Path(__file__).parent / "data"
CONFIGS = sorted((DATA / "type_configs").glob("*.json"))


@pytest.fixture(scope="module")
def type_reference() -> dict[str, Any]:
    return dict(json.loads((DATA / "type_reference_counts.json").read_text()))


def test_there_are_type_configs() -> None:
    assert len(CONFIGS) >= 8


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_mapping_equals_transformers(path: Path, type_reference: dict[str, Any]) -> None:
    ref = type_reference[path.stem]
    bd = count_params(import_config(json.loads(path.read_text())).architecture)
    assert (bd.total, bd.active) == (ref["total"], ref["active"])
    assert bd.component("routed_experts").stored == ref["routed_experts"]


def _arch(stem: str):  # type: ignore[no-untyped-def]
    return import_config(json.loads((DATA / "type_configs" / f"{stem}.json").read_text())).architecture


def test_falcon_forms() -> None:
    """Old RefinedWebModel: multi-query, one norm per layer; new decoder: grouped kv heads, two norms."""
    old = _arch("falcon_refinedwebmodel")
    assert (old.num_kv_heads, old.norms_per_layer, old.gated_ffn, old.tie_embeddings) == (1, 1, False, True)
    new = _arch("falcon_new_decoder")
    assert (new.num_kv_heads, new.norms_per_layer, new.model_type) == (8, 2, "falcon")


def test_dbrx_reads_its_nested_blocks() -> None:
    arch = _arch("dbrx")
    assert arch.norm == "layernorm_nobias" and arch.num_kv_heads == 8
    assert arch.moe is not None and (arch.moe.num_experts, arch.moe.top_k, arch.moe.expert_ffn_size) == (16, 4, 10752)


def test_phimoe_head_bias_and_layernorm() -> None:
    arch = _arch("phimoe")
    bd = count_params(arch)
    assert arch.head_bias and arch.norm == "layernorm"
    assert bd.component("output_head").stored == arch.vocab_size * arch.hidden_size + arch.vocab_size


def test_glm4_moe_dense_first_layers_and_mtp() -> None:
    arch = _arch("glm4_moe")
    assert arch.moe is not None and arch.moe.dense_layers == (0, 1, 2)
    assert arch.mtp_layers == 1 and arch.qk_norm and arch.qkv_bias and not arch.out_bias


def test_deepseek_v2_without_q_lora_uses_a_full_q_projection() -> None:
    arch = _arch("deepseek_v2")
    assert arch.mla is not None and arch.mla.q_lora_rank == 0
