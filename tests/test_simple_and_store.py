"""The simple MoE arithmetic, saved-model round trips, and the user files (atomic, recent, autosave)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paramtui.engine.adapters import store
from paramtui.engine.adapters.sources import SourceError, load_preset, load_source
from paramtui.engine.hardware import Hardware, parse_gpu_spec
from paramtui.engine.params import count_params
from paramtui.engine.record import architecture_from_dict, architecture_to_dict
from paramtui.engine.simple import SimpleMoe, simple_breakdown, simple_lines
from paramtui.engine.units import parse_count
from paramtui.presets import all_presets, get_preset, gpu_presets


def test_64_experts_of_10b_top2_store_640b_and_activate_20b() -> None:
    """The issue's own example: 64 experts x 10B, top-2 -> 640B stored / 20B active."""
    bd = simple_breakdown(SimpleMoe(64, 10_000_000_000, 2, 0))
    assert bd.total == 640_000_000_000
    assert bd.active == 20_000_000_000
    with_shared = simple_breakdown(SimpleMoe(64, 10_000_000_000, 2, 12_000_000_000))
    assert (with_shared.total, with_shared.active) == (652_000_000_000, 32_000_000_000)
    assert "top-2" in with_shared.component("routed_experts").basis


def test_simple_lines_give_gpus_needed_and_the_decode_ceiling() -> None:
    gpus, source = parse_gpu_spec("h100-sxm", gpu_presets())
    lines = simple_lines(SimpleMoe(64, 10_000_000_000, 2, 0), Hardware(gpus, source))
    bf16 = lines[0]
    # 640e9 x 2 B = 1.28e12 B over 80 GiB (85.9e9 B) cards -> 15; 3.35 TB/s / 40 GB per token = 84
    assert "need 15 x" in bf16
    assert "decode ceiling 84 tok/s" in bf16


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"top_k": 65}, "top-k must be 1 to the number of experts"), ({"num_experts": 0}, "experts must be")],
)
def test_simple_model_rejects_impossible_values(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SimpleMoe(**kwargs)


@pytest.mark.parametrize(
    ("text", "value"),
    [("10B", 10**10), ("1.5T", 1_500_000_000_000), ("500m", 500_000_000), ("7e9", 7 * 10**9), ("10_000", 10_000)],
)
def test_counts_are_read_as_people_write_them(text: str, value: int) -> None:
    assert parse_count(text) == value


def test_a_bad_count_says_how_to_write_one() -> None:
    with pytest.raises(ValueError, match=r"write e\.g\. 10B"):
        parse_count("ten billion")


@pytest.mark.parametrize("preset_id", sorted(all_presets()))
def test_every_preset_survives_a_save_and_load(preset_id: str) -> None:
    arch = load_preset(get_preset(preset_id)).result.architecture
    doc = json.loads(json.dumps(architecture_to_dict(arch)))
    assert architecture_from_dict(doc) == arch


def test_a_hand_edited_saved_model_names_the_bad_field() -> None:
    doc = architecture_to_dict(load_preset(get_preset("deepseek-v3")).result.architecture)
    doc["architecture"]["moe"]["top_k"] = "eight"
    with pytest.raises(ValueError, match=r"architecture\.moe\.top_k must be int"):
        architecture_from_dict(doc)
    doc["architecture"]["moe"]["top_k"] = 8
    doc["architecture"]["hiden_size"] = 1
    with pytest.raises(ValueError, match="unknown field 'hiden_size'"):
        architecture_from_dict(doc)


def test_saved_model_opens_as_a_source_and_leads_the_recent_list() -> None:
    arch = load_preset(get_preset("qwen3-30b-a3b")).result.architecture
    path = store.save_model(arch, "my edit")
    assert path.name == "my-edit.json"
    loaded = load_source(str(path))
    assert loaded.result.architecture == arch
    assert count_params(loaded.result.architecture).total == count_params(arch).total
    store.remember("llama-3.1-8b")
    assert store.recent_sources()[:2] == ["llama-3.1-8b", str(path)]
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp files left


def test_a_broken_saved_model_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"paramtui_architecture": 1, "architecture": {"name": "x"}}))
    with pytest.raises(SourceError, match="lacks the field 'model_type'"):
        load_source(str(path))


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "model.json"
    store.atomic_write_text(target, "old")

    def fail(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        store.atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_autosave_round_trip_and_a_corrupt_one_is_ignored() -> None:
    arch = load_preset(get_preset("llama-3.1-8b")).result.architecture
    store.write_autosave(arch, "preset:llama-3.1-8b")
    saved = store.read_autosave()
    assert saved is not None and saved.architecture == arch and saved.source == "preset:llama-3.1-8b"
    (store.data_dir() / "autosave.json").write_text("{not json")
    assert store.read_autosave() is None
    store.clear_autosave()
    assert store.read_autosave() is None
