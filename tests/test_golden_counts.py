"""Every preset's count equals the reference implementation's, and reads as its authors publish it.

Reference: tests/data/reference_counts.json, made by scripts/reference_counts.py with
transformers 5.23.0 and torch 2.13.0 (CPU): AutoModelForCausalLM.from_config on
torch.device("meta"), sum of parameters(); active = total - routed experts x (1 - k/E).
Published figures: each preset's paramtui.published block names its model card.
"""

from __future__ import annotations

from typing import Any

import pytest

from paramtui.engine import count_params, import_config
from paramtui.presets import all_presets

PRESET_IDS = sorted(all_presets())


def _breakdown(preset_id: str):  # type: ignore[no-untyped-def]
    preset = all_presets()[preset_id]
    return count_params(import_config(preset.config, preset.display_name).architecture)


def test_at_least_thirty_presets_ship() -> None:
    assert len(PRESET_IDS) >= 30


def test_every_preset_has_a_reference_count(reference_counts: dict[str, Any]) -> None:
    missing = [p for p in PRESET_IDS if p not in reference_counts]
    assert not missing, f"run scripts/reference_counts.py for {missing}"


@pytest.mark.parametrize("preset_id", PRESET_IDS)
def test_total_and_active_equal_the_reference(preset_id: str, reference_counts: dict[str, Any]) -> None:
    ref = reference_counts[preset_id]
    bd = _breakdown(preset_id)
    assert bd.total == ref["total"]
    assert bd.active == ref["active"]
    assert bd.component("routed_experts").stored == ref["routed_experts"]


@pytest.mark.parametrize("preset_id", PRESET_IDS)
def test_counts_match_the_published_figures(preset_id: str) -> None:
    preset = all_presets()[preset_id]
    pub = preset.published
    bd = _breakdown(preset_id)
    active = bd.active_excluding_embeddings if pub.active_excludes_embeddings else bd.active
    assert bd.total == pytest.approx(pub.total, rel=pub.tolerance), pub.source
    assert active == pytest.approx(pub.active, rel=pub.tolerance), pub.source


QWEN_NON_EMBEDDING = {
    "qwen2.5-3b": 2.77e9,
    "qwen2.5-7b": 6.53e9,
    "qwen2.5-14b": 13.1e9,
    "qwen2.5-32b": 31.0e9,
    "qwen3-4b": 3.6e9,
    "qwen3-8b": 6.95e9,
    "qwen3-14b": 13.2e9,
    "qwen3-32b": 31.2e9,
    "qwen3-30b-a3b": 29.9e9,
}
"""Non-embedding counts from the Qwen2.5 and Qwen3 model cards (\"Number of Parameters (Non-Embedding)\")."""


@pytest.mark.parametrize("preset_id", sorted(QWEN_NON_EMBEDDING))
def test_qwen_non_embedding_figures(preset_id: str) -> None:
    """Qwen's cards give a non-embedding count: total minus the input table and an untied head."""
    bd = _breakdown(preset_id)
    non_embedding = bd.total - bd.component("embedding").stored - bd.component("output_head").stored
    assert non_embedding == pytest.approx(QWEN_NON_EMBEDDING[preset_id], rel=0.01)


def test_the_examples_people_quote() -> None:
    """The figures in the issue, as people know them."""
    llama = _breakdown("llama-3.1-8b")
    # Hub safetensors of meta-llama/Llama-3.1-8B hold 8,030,261,248 parameters.
    assert llama.total == llama.active == 8_030_261_248
    ds = _breakdown("deepseek-v3")
    assert round(ds.total / 1e9) == 671
    assert round(ds.active / 1e9, 1) == 37.6
    # DeepSeek README_WEIGHTS.md: the MTP module has 11.5B unique parameters.
    assert ds.mtp == pytest.approx(11.5e9, rel=0.01)
    oss = _breakdown("gpt-oss-120b")
    # OpenAI's model card: 5.13B active (input embedding left out, output head kept).
    assert round(oss.active_excluding_embeddings / 1e9, 2) == 5.13


def test_tied_embeddings_are_counted_once() -> None:
    bd = _breakdown("llama-3.2-1b")
    assert bd.component("output_head").stored == 0
    assert bd.active_excluding_embeddings == bd.active


def test_gemma2_9b_non_embedding_equals_the_report() -> None:
    """Gemma 2 report (arXiv 2408.00118), Table 1: the 9B model has 8,324,201,984 non-embedding parameters."""
    bd = _breakdown("gemma-2-9b")
    assert bd.component("output_head").stored == 0  # tied
    assert bd.total - bd.component("embedding").stored == 8_324_201_984


def test_gemma3_1b_split_matches_the_report() -> None:
    """Gemma 3 report (arXiv 2503.19786), Table 1: 1B = 302M embedding + 698M non-embedding."""
    bd = _breakdown("gemma-3-1b")
    assert round(bd.component("embedding").stored / 1e6) == 302
    assert round((bd.total - bd.component("embedding").stored) / 1e6) == 698


def test_gemma3_27b_non_embedding_matches_the_report() -> None:
    """Gemma 3 report (arXiv 2503.19786), Table 1: 27B = 25,600M non-embedding parameters (vision tower apart)."""
    bd = _breakdown("gemma-3-27b")
    assert round((bd.total - bd.component("embedding").stored) / 1e8) == 256
