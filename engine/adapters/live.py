"""This machine as the engine sees it: live GPUs (NVML), RAM, CPU and RAM bandwidth.

Why here and not in the probe: the NVML adapter only reports readings; turning them into the
engine's :class:`~paramtui.engine.hardware.Hardware` needs the GPU presets (peak FLOPS, the
bandwidth cross-check) and the system readings, and both the CLI and the dashboard need the
same result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from paramtui.engine.adapters import system
from paramtui.engine.adapters.nvml import NvmlSnapshot, match_preset, read_gpus, to_gpu_spec
from paramtui.engine.adapters.system import CpuReading, RamReading
from paramtui.engine.hardware import DEFAULT_RAM_BANDWIDTH, GpuSpec, Hardware
from paramtui.presets import gpu_nvml_names, gpu_presets


@dataclass(frozen=True, slots=True)
class LiveMachine:
    """Everything read from this machine, and the hardware the engine plans with."""

    snapshot: NvmlSnapshot
    """Raw NVML readings (or why there are none)."""
    ram: RamReading
    """System RAM."""
    cpu: CpuReading
    """Host CPU."""
    ram_bandwidth_bytes_per_s: float | None
    """Measured copy bandwidth, None when not measured."""
    hardware: Hardware
    """GPUs as planned with (source ``nvml``, or ``none`` with no GPU), RAM and its bandwidth."""
    gpu_notes: tuple[tuple[str, ...], ...]
    """Per GPU: preset match, bandwidth disagreement, estimated FLOPS, unavailable readings."""


def hardware_from(
    snapshot: NvmlSnapshot,
    ram: RamReading,
    ram_bandwidth: float | None,
    presets: Mapping[str, GpuSpec] | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[Hardware, tuple[tuple[str, ...], ...]]:
    """The engine's Hardware for a snapshot, and the notes that go with each GPU."""
    presets = gpu_presets() if presets is None else presets
    names = gpu_nvml_names() if names is None else names
    specs: list[GpuSpec] = []
    notes: list[tuple[str, ...]] = []
    for reading in snapshot.gpus:
        spec, extra = to_gpu_spec(reading, match_preset(reading, presets, names))
        if reading.lost:
            spec = replace(spec, unavailable="lost (NVML: GPU is lost)", memory_free_bytes=0)
        elif reading.memory_total is None or reading.memory_free is None:
            spec = replace(spec, unavailable="memory unreadable (NVML gave no memory reading)", memory_free_bytes=0)
        specs.append(spec)
        notes.append(tuple(extra) + reading.notes)
    hardware = Hardware(
        tuple(specs),
        "nvml" if specs else "none",
        ram.total_bytes,
        ram.available_bytes,
        ram_bandwidth or DEFAULT_RAM_BANDWIDTH,
        notes=tuple(note for note in snapshot.notes if "unreadable" in note),
    )
    return hardware, tuple(notes)


def probe_machine(select: Sequence[int] | None = None, measure_bandwidth: bool = True) -> LiveMachine:
    """Read this machine once. Never raises; with no GPU the hardware source is ``none``."""
    snapshot = read_gpus(select)
    ram = system.read_ram()
    bandwidth = system.measure_ram_bandwidth() if measure_bandwidth else None
    hardware, notes = hardware_from(snapshot, ram, bandwidth)
    return LiveMachine(snapshot, ram, system.read_cpu(), bandwidth, hardware, notes)


def host_hardware() -> Hardware:
    """This machine's RAM without reading NVML: the host a ``--gpu`` preset is planned on."""
    ram = system.read_ram()
    return Hardware((), "none", ram.total_bytes, ram.available_bytes)
