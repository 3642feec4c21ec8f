"""``paramtui hw``: the machine's readings as JSON and as a rich table.

Kept apart from the model report: it renders the live probe, which ``inspect`` and the
dashboard share, and needs none of the model's objects.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import RenderableType

    from paramtui.engine.adapters.live import LiveMachine


def hw_json(machine: LiveMachine) -> dict[str, Any]:
    """The readings, every figure with its unit in the key."""
    gpus = []
    for reading, spec, notes in zip(machine.snapshot.gpus, machine.hardware.gpus, machine.gpu_notes, strict=True):
        gpus.append(
            {
                "index": reading.index,
                "nvml_index": reading.nvml_index,
                "name": reading.name,
                "uuid": reading.uuid,
                "memory_total_bytes": reading.memory_total,
                "memory_used_bytes": reading.memory_used,
                "memory_free_bytes": reading.memory_free,
                "memory_reserved_bytes": reading.memory_reserved,
                "unified_memory": reading.unified_memory,
                "bus_width_bits": reading.bus_width_bits,
                "max_memory_clock_mhz": reading.max_memory_clock_mhz,
                "bandwidth_bytes_per_s": spec.bandwidth_bytes_per_s,
                "bandwidth_basis": "bus width / 8 x max memory clock x 2"
                if reading.bandwidth_bytes_per_s
                else "GPU preset",
                "compute_capability": reading.compute_capability,
                "cores": reading.cores,
                "max_sm_clock_mhz": reading.max_sm_clock_mhz,
                "fp16_flops": spec.fp16_flops,
                "fp8_flops": spec.fp8_flops,
                "flops_source": spec.source,
                "utilization_pct": reading.utilization_pct,
                "temperature_c": reading.temperature_c,
                "power_w": reading.power_w,
                "processes": [asdict(p) for p in reading.processes],
                "mig_profile": reading.mig_profile or None,
                "lost": reading.lost,
                "notes": list(notes),
            }
        )
    return {
        "state": machine.snapshot.state,
        "driver_version": machine.snapshot.driver_version or None,
        "gpus": gpus,
        "notes": list(machine.snapshot.notes),
        "ram_total_bytes": machine.ram.total_bytes,
        "ram_available_bytes": machine.ram.available_bytes,
        "ram_bandwidth_bytes_per_s": machine.ram_bandwidth_bytes_per_s,
        "ram_bandwidth_basis": "best of 3 copies of 64 MiB over up to 8 threads"
        if machine.ram_bandwidth_bytes_per_s
        else None,
        "cpu": asdict(machine.cpu),
    }


def _gib(value: int | None) -> str:
    return "?" if value is None else f"{value / 2**30:,.1f}"


def render_hw(machine: LiveMachine) -> RenderableType:
    """A table of GPUs, then RAM and CPU lines and every note."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[RenderableType] = []
    snap = machine.snapshot
    if snap.gpus:
        # no vertical rules and units in the headers: one GPU per line fits 80 columns over SSH
        table = Table(
            title=f"GPUs (NVIDIA driver {snap.driver_version or '?'})",
            title_justify="left",
            box=None,
            pad_edge=False,
            header_style="bold underline",
        )
        columns = ("#", "name", "used/total\nGiB", "free\nGiB", "GB/s", "FP16\nTFLOPS", "CC", "util", "temp", "power")
        for col in columns:
            table.add_column(col, justify="left" if col == "name" else "right", no_wrap=col != "name")
        for reading, spec in zip(snap.gpus, machine.hardware.gpus, strict=True):
            table.add_row(
                str(reading.index),
                reading.name.removeprefix("NVIDIA ") + (" [red]LOST[/]" if reading.lost else ""),
                f"{_gib(reading.memory_used)}/{_gib(reading.memory_total)}",
                _gib(reading.memory_free),
                f"{spec.bandwidth_bytes_per_s / 1e9:,.0f}",
                f"{spec.fp16_flops / 1e12:,.0f}",
                f"{reading.compute_capability}" if reading.compute_capability else "?",
                f"{reading.utilization_pct}%" if reading.utilization_pct is not None else "?",
                f"{reading.temperature_c} C" if reading.temperature_c is not None else "?",
                f"{reading.power_w:,.0f} W" if reading.power_w is not None else "?",
            )
        parts.append(table)
        for reading, notes in zip(snap.gpus, machine.gpu_notes, strict=True):
            for proc in reading.processes:
                held = f"{_gib(proc.used_bytes)} GiB" if proc.used_bytes is not None else "? GiB"
                name = f" ({proc.name})" if proc.name else ""
                parts.append(Text(f"  GPU {reading.index}: process {proc.pid}{name} holds {held}"))
            for note in notes:
                parts.append(Text(f"  GPU {reading.index}: {note}", style="dim"))
    else:
        parts.append(Text(snap.state, style="yellow"))
    for note in snap.notes:
        parts.append(Text(note, style="dim"))
    ram = machine.ram
    bw = machine.ram_bandwidth_bytes_per_s
    parts.append(
        Text(
            f"RAM: {_gib(ram.available_bytes)} GiB available of {_gib(ram.total_bytes)} GiB"
            + (f", copy bandwidth {bw / 1e9:,.1f} GB/s (measured)" if bw else "")
        )
    )
    cpu = machine.cpu
    parts.append(Text(f"CPU: {cpu.model}, {cpu.physical_cores or '?'} cores / {cpu.logical_cores or '?'} threads"))
    return Group(*parts)
