"""Real-model presets: published config.json files shipped as package data.

Each ``models/<id>.json`` is the model's Hugging Face config.json, verbatim, plus a
``paramtui`` block naming where the copy came from and the authors' published figures.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from paramtui.engine.calibration import Calibration, parse_calibration
from paramtui.engine.hardware import GpuSpec

DEFAULT_PRESET = "deepseek-v3"
"""The model the dashboard and bare ``paramtui`` open on: the example everyone quotes."""


@dataclass(frozen=True, slots=True)
class PublishedFigures:
    """What the authors published, and in which convention."""

    total: int
    """Published total parameters."""
    active: int
    """Published active parameters."""
    convention: str
    """How the published figure counts (MTP excluded, embeddings excluded, vision included...)."""
    source: str
    """Where the figure was published."""
    tolerance: float
    """Relative difference from our count that the convention explains (rounding, vision tower)."""
    active_excludes_embeddings: bool
    """True when the published active figure leaves the input embedding table out (gpt-oss)."""


@dataclass(frozen=True, slots=True)
class Preset:
    """One shipped model preset."""

    id: str
    """Lower-case id used on the command line."""
    display_name: str
    """Name shown to users."""
    hf_repo: str
    """The Hugging Face repository the config describes."""
    config: dict[str, Any]
    """The config.json as published (without the paramtui block)."""
    config_source: dict[str, str]
    """Repository, path and commit of the public copy the config was taken from."""
    published: PublishedFigures
    """The authors' figures."""
    checkpoint_params: int | None
    """Parameters in the published checkpoint, where known (may include MTP or scale tensors)."""
    checkpoint_note: str
    """What explains a difference between the checkpoint count and ours."""
    checkpoint_quant_method: str = ""
    """The checkpoint's quant_method where the vendored copy of its config lost the quantization_config."""


class UnknownPresetError(LookupError):
    """No preset has that id; the message carries close matches."""


def _parse(raw: dict[str, Any]) -> Preset:
    block = raw["paramtui"]
    pub = block["published"]
    checkpoint = block.get("checkpoint", {})
    return Preset(
        id=block["id"],
        display_name=block["display_name"],
        hf_repo=block["hf_repo"],
        config={k: v for k, v in raw.items() if k != "paramtui"},
        config_source=dict(block["config_source"]),
        published=PublishedFigures(
            total=int(pub["total"]),
            active=int(pub["active"]),
            convention=pub.get("convention", ""),
            source=pub["source"],
            tolerance=float(pub.get("tolerance", 0.005)),
            active_excludes_embeddings=pub.get("active_convention") == "excluding_embeddings",
        ),
        checkpoint_params=int(checkpoint["params"]) if "params" in checkpoint else None,
        checkpoint_note=checkpoint.get("note", ""),
        checkpoint_quant_method=checkpoint.get("quant_method", ""),
    )


@cache
def all_presets() -> dict[str, Preset]:
    """Every shipped preset by id (read once)."""
    folder = resources.files(__name__).joinpath("models")
    presets: dict[str, Preset] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            preset = _parse(json.loads(entry.read_text(encoding="utf-8")))
            presets[preset.id] = preset
    return presets


def get_preset(preset_id: str) -> Preset:
    """Look a preset up by id, case-insensitively.

    Raises:
        UnknownPresetError: no such preset; the message suggests close matches.
    """
    presets = all_presets()
    key = preset_id.strip().lower()
    if key in presets:
        return presets[key]
    close = difflib.get_close_matches(key, list(presets), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; run `paramtui presets` to list them"
    raise UnknownPresetError(f"no preset named {preset_id!r}{hint}")


@cache
def _gpu_rows() -> list[dict[str, Any]]:
    raw = json.loads(resources.files(__name__).joinpath("data").joinpath("gpus.json").read_text(encoding="utf-8"))
    return list(raw["gpus"])


@cache
def gpu_nvml_names() -> dict[str, str]:
    """Lower-case name NVML reports -> GPU preset id, for matching live GPUs to their datasheet."""
    return {name.lower(): row["id"] for row in _gpu_rows() for name in row.get("nvml_names", ())}


@cache
def gpu_presets() -> dict[str, GpuSpec]:
    """GPU and accelerator specs from ``data/gpus.json``, by id (read once)."""
    specs: dict[str, GpuSpec] = {}
    for row in _gpu_rows():
        cc = row.get("compute_capability")
        specs[row["id"]] = GpuSpec(
            id=row["id"],
            name=row["name"],
            vendor=row["vendor"],
            memory_bytes=int(row["memory_gib"] * 2**30),
            bandwidth_bytes_per_s=row["bandwidth_gb_per_s"] * 1e9,
            fp16_flops=row["fp16_tflops_dense"] * 1e12,
            fp8_flops=row["fp8_tflops_dense"] * 1e12,
            int8_ops=float(row.get("int8_tops_dense", 0)) * 1e12,
            fp16_acc16_flops=float(row.get("fp16_acc16_tflops_dense", 0)) * 1e12,
            compute_capability=float(cc) if cc is not None else None,
            usable_fraction=float(row.get("usable_fraction", 1.0)),
            source=row["source"],
            host_cpu_ghz=float(row["host_cpu_ghz"]) if "host_cpu_ghz" in row else None,
        )
    return specs


SPEED_CALIBRATION = "speed_calibration.json"
"""The fitted speed constants and held-out errors (written by benchmarks/calibrate.py --write)."""


@cache
def speed_calibration() -> Calibration:
    """The speed model's fitted constants from ``data/speed_calibration.json`` (read once)."""
    text = resources.files(__name__).joinpath("data").joinpath(SPEED_CALIBRATION).read_text(encoding="utf-8")
    return parse_calibration(json.loads(text))


@cache
def engine_flags() -> dict[str, dict[str, Any]]:
    """Each engine's documented flags that launch lines may use (``data/engine_flags.json``), by runtime id."""
    text = resources.files(__name__).joinpath("data").joinpath("engine_flags.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


__all__ = [
    "DEFAULT_PRESET",
    "Preset",
    "PublishedFigures",
    "UnknownPresetError",
    "all_presets",
    "engine_flags",
    "get_preset",
    "gpu_nvml_names",
    "gpu_presets",
    "speed_calibration",
]
