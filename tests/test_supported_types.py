"""Every model_type the importer lists as supported has a published config whose count equals transformers'.

A type is listed in SUPPORTED_MODEL_TYPES only with a published config of one of two tiers whose
exact transformers count is recorded (tests/data/reference_counts.json,
tests/data/<name>_reference_counts.json: made by scripts/reference_counts.py on the meta device)
and checked by tests/test_golden_counts.py and the fixture folder's own test
(tests/test_vision_towers.py for vl_configs):

- verbatim: a vendored copy of the published config.json (a preset in presets/models, or a fixture
  in a tests/data/<name>_configs folder such as vl_configs), naming the repository, path and
  commit of the public copy it came from.
- published fields (``config_source.basis: "published-fields"``): no verbatim copy of the
  config.json exists publicly. Every parameter-bearing field is instead quoted from it by a
  citable document (``fields_from``: repository, path, commit), and the count is pinned by the
  checkpoint's own safetensors header total (``checkpoint_total``: value and where it is
  published). The fixture counts only when transformers' exact count on its fields equals that
  total: a wrong shape would not reproduce the checkpoint's parameter count to the unit. It is
  weaker than a copy where a field stores no parameters (an MoE's top-k, which sets the active
  count, or the context length): those rest on the quote alone.

Every other mapped type is at least checked on a config of real layer shapes
(tests/data/type_configs, tests/test_type_mappings.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paramtui.engine.importer import _MAPPERS, SUPPORTED_MODEL_TYPES
from paramtui.presets import all_presets

DATA = Path(__file__).parent / "data"

ALIASES = {
    "RefinedWeb": "Falcon-40B's old config name: the falcon mapping, checked as type_configs/falcon_new_decoder",
    "qwen2_5_vl_text": "transformers 5's nested text part of qwen2_5_vl: the same mapping as the flat qwen2_5_vl",
}
"""Mapped names with no config of their own, and the check that covers their mapping."""

PUBLISHED_AS = {
    "hunyuan_v1_moe": "hunyuan",
}
"""transformers model_types whose released model's published config uses another key form, which the
importer reads through the same mapping: Hunyuan-A13B's config is Tencent's remote-code form
(``hunyuan``, current_configs/hunyuan-a13b.json), counted equal to transformers' hunyuan_v1_moe on the
same values (tests/test_current_moe_mappings.py checks that the two forms count the same)."""


def _types(config: dict[str, Any]) -> set[str]:
    types = {str(config.get("model_type"))}
    text = config.get("text_config")
    if isinstance(text, dict) and text.get("model_type"):
        types.add(str(text["model_type"]))
    return types


def _verified() -> dict[str, list[str]]:
    """model_type -> the published configs of that type that have an exact transformers count."""
    counts = json.loads((DATA / "reference_counts.json").read_text())
    found: dict[str, list[str]] = {}
    for preset in all_presets().values():
        if preset.id in counts and preset.config_source.get("repository"):
            for t in _types(preset.config):
                found.setdefault(t, []).append(f"preset {preset.id}")
    for folder, path in _fixtures():
        raw = json.loads(path.read_text())
        source = raw["paramtui"]["config_source"]
        fixture_counts = json.loads((DATA / f"{folder.removesuffix('_configs')}_reference_counts.json").read_text())
        if path.stem not in fixture_counts:
            continue
        where = f"{folder}/{path.name}"
        if source.get("basis") == PUBLISHED_FIELDS:
            if not _pinned_by_checkpoint(source, fixture_counts[path.stem]["total"]):
                continue
            where += " (published fields, equal to the checkpoint's safetensors total)"
        elif not _citable(source):  # a verbatim copy: repository, path and commit
            continue
        for t in _types(raw):
            found.setdefault(t, []).append(where)
    for model_type, form in PUBLISHED_AS.items():
        if found.get(form):
            found[model_type] = [f"{where} (published as {form!r})" for where in found[form]]
    return found


PUBLISHED_FIELDS = "published-fields"
"""config_source.basis of a fixture built from a document's quotes of the config, not a copy of it."""


def _citable(where: dict[str, Any]) -> bool:
    """A public file at a pinned commit: repository, path and a full 40-digit commit."""
    return bool(where.get("repository") and where.get("path")) and len(str(where.get("commit", ""))) == 40


def _pinned_by_checkpoint(source: dict[str, Any], transformers_total: int) -> bool:
    """A published-fields fixture: both documents citable, and transformers' exact count equal to the
    checkpoint's own safetensors total, the check that stands in for a verbatim copy."""
    fields, total = source.get("fields_from", {}), source.get("checkpoint_total", {})
    return _citable(fields) and _citable(total) and total.get("value") == transformers_total


def _fixtures() -> list[tuple[str, Path]]:
    """Published-config fixtures: tests/data/<name>_configs beside <name>_reference_counts.json."""
    out = []
    for folder in sorted(DATA.glob("*_configs")):
        if (
            folder.name != "type_configs"
            and (DATA / f"{folder.name.removesuffix('_configs')}_reference_counts.json").exists()
        ):
            out += [(folder.name, path) for path in sorted(folder.glob("*.json"))]
    return out


def _checked() -> set[str]:
    """Every model_type with some config whose count is checked against transformers."""
    types = set(_verified())
    for path in (DATA / "type_configs").glob("*.json"):
        types |= _types(json.loads(path.read_text()))
    for _, path in _fixtures():
        types |= _types(json.loads(path.read_text()))
    return types


@pytest.mark.parametrize("model_type", SUPPORTED_MODEL_TYPES)
def test_every_supported_type_has_a_published_config_with_an_exact_count(model_type: str) -> None:
    assert _verified().get(model_type), (
        f"{model_type} is listed as supported without a vendored published config and its transformers count"
    )


@pytest.mark.parametrize("model_type", sorted(_MAPPERS))
def test_every_mapped_type_is_checked_against_transformers(model_type: str) -> None:
    assert model_type in _checked() or model_type in ALIASES, f"{model_type} is mapped but no config checks it"


def test_published_fields_count_only_when_the_checkpoint_total_matches() -> None:
    """The tier's one check: off by one parameter, or with an uncited total, the fixture verifies nothing."""
    doc = {"repository": "owner/name", "path": "report.md", "commit": "0" * 40}
    source = {"basis": PUBLISHED_FIELDS, "fields_from": doc, "checkpoint_total": {**doc, "value": 1_000}}
    assert _pinned_by_checkpoint(source, 1_000)
    assert not _pinned_by_checkpoint(source, 1_001)
    assert not _pinned_by_checkpoint({**source, "checkpoint_total": {"value": 1_000}}, 1_000)
    assert not _pinned_by_checkpoint({**source, "fields_from": {**doc, "commit": "6b8c0acb"}}, 1_000)
