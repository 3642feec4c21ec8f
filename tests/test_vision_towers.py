"""Vision-language models: the text model counts as its own, the vision tower is counted apart.

Reference: tests/data/vl_reference_counts.json, made by scripts/reference_counts.py --vision
(transformers 5.25.0, torch 2.13.0 CPU, meta device): the text model's parameters (the causal
LM, or the full model's non-vision part where the text config has no causal-LM class), and the
vision tower with its projector from AutoModelForImageTextToText. Configs: tests/data/vl_configs
(each names its public source in its paramtui block) and the Gemma 3 and Llama 4 presets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paramtui.engine import count_params, import_config
from paramtui.presets import all_presets
from paramtui.tui.cli import main

DATA = Path(__file__).parent / "data"
FIXTURES = {p.stem: p for p in sorted((DATA / "vl_configs").glob("*.json"))}


@pytest.fixture(scope="module")
def vl_reference() -> dict[str, Any]:
    return dict(json.loads((DATA / "vl_reference_counts.json").read_text()))


def _config(name: str) -> dict[str, Any]:
    if name in FIXTURES:
        raw = json.loads(FIXTURES[name].read_text())
        return {k: v for k, v in raw.items() if k != "paramtui"}
    return all_presets()[name].config


NAMES = sorted([*FIXTURES, "gemma-3-27b", "gemma-3-1b", "llama-4-scout", "llama-4-maverick"])


@pytest.mark.parametrize("name", NAMES)
def test_text_model_and_vision_tower_equal_transformers(name: str, vl_reference: dict[str, Any]) -> None:
    ref = vl_reference[name]
    result = import_config(_config(name))
    bd = count_params(result.architecture)
    assert (bd.total, bd.active) == (ref["total"], ref["active"])
    assert bd.component("routed_experts").stored == ref["routed_experts"]
    if ref.get("vision"):
        assert result.vision is not None and result.vision.params == ref["vision"]
    else:  # Gemma 3 1B is text only
        assert result.vision is None


def test_every_fixture_names_its_source() -> None:
    for path in FIXTURES.values():
        source = json.loads(path.read_text())["paramtui"]["config_source"]
        assert source["repository"] and source["path"] and len(source["commit"]) == 40, path.name


def test_qwen2_5_vl_7b_is_the_8_3b_people_quote() -> None:
    """Qwen/Qwen2.5-VL-7B-Instruct's Hub page gives 8.29B parameters: text 7.62B + vision 0.68B."""
    result = import_config(_config("qwen2.5-vl-7b-instruct"))
    assert result.vision is not None
    total = count_params(result.architecture).total + result.vision.params
    assert total == pytest.approx(8.29e9, rel=0.001)


def test_the_vision_tower_reaches_the_json_and_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(_config("qwen2.5-vl-7b-instruct")))
    assert main(["inspect", str(path), "--json"]) == 0
    params = json.loads(capsys.readouterr().out)["params"]
    assert params["vision_tower"]["params"] == 676_550_144
    assert params["total"] == 7_615_616_512 and params["exact"] is True
    assert main(["inspect", str(path)]) == 0
    assert "vision tower: 676.55M more, counted apart from the totals" in capsys.readouterr().out


def test_gemma4_vision_tower_on_its_default_shape() -> None:
    """Gemma4VisionConfig's defaults (768 wide, 16 layers) with clipped linears and standardization on:
    their bounds and vectors are buffers. transformers 5.25.0 counts 169,330,688 parameters under
    vision_tower and embed_vision (AutoModelForImageTextToText on the meta device); no published
    Gemma 4 config is vendored yet, so this is a shape check, and its text part is part B's mapping."""
    result_config = json.loads((DATA / "gemma4_vision_shape.json").read_text())
    from paramtui.engine.vision import vision_tower

    tower = vision_tower(result_config)
    assert tower is not None and tower.params == 169_330_688


def test_lfm2_vl_text_part_and_vision_tower_on_a_real_shape() -> None:
    """LFM2-VL: LFM2-1.2B's text shape (4 layers) and a SigLIP 2 NaFlex tower (1152 wide, 26 layers,
    no pooling head) with its LayerNorm + 2-layer projector. transformers 5.25.0 (Lfm2VlForConditionalGeneration
    on the meta device): text 396,398,720, vision tower and projector 414,463,392. A shape check: no
    published LFM2-VL config is vendored."""
    result = import_config(json.loads((DATA / "lfm2_vl_shape.json").read_text()))
    assert count_params(result.architecture).total == 396_398_720
    assert result.vision is not None and result.vision.params == 414_463_392
