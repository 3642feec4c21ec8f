"""Small builders shared by the memory/fit/speed tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paramtui.engine.adapters.sources import load_path, load_preset
from paramtui.engine.architecture import Architecture
from paramtui.engine.hardware import GpuSpec, Hardware, parse_gpu_spec
from paramtui.engine.params import ParamBreakdown, count_params
from paramtui.presets import get_preset, gpu_presets

BENCHMARK_MODELS = Path(__file__).parents[1] / "benchmarks" / "models"
"""config.json files of models only the benchmark rows use (Llama 2 7B, the llama-bench scoreboards' model)."""


def model(preset_id: str) -> tuple[Architecture, ParamBreakdown]:
    """A preset's architecture and breakdown (or a benchmark-only model's, from ``benchmarks/models``)."""
    local = BENCHMARK_MODELS / f"{preset_id}.json"
    if local.exists():
        arch = load_path(local).result.architecture
    else:
        arch = load_preset(get_preset(preset_id)).result.architecture
    return arch, count_params(arch)


def hardware(spec: str, ram_available: int | None = None) -> Hardware:
    """Hardware from a ``--gpu`` value."""
    gpus, source = parse_gpu_spec(spec, gpu_presets())
    return Hardware(gpus, source, ram_available, ram_available)


def gpu(preset_id: str) -> GpuSpec:
    """One GPU preset."""
    return gpu_presets()[preset_id]


def preset_model(preset_id: str) -> tuple[Architecture, dict[str, Any]]:
    """A preset's architecture and its config.json dict."""
    preset = get_preset(preset_id)
    return load_preset(preset).result.architecture, dict(preset.config)
