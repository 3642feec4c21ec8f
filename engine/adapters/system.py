"""System RAM through psutil: what offloaded weights can use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RamReading:
    """System memory in bytes; None when psutil cannot read it."""

    total_bytes: int | None
    """Installed RAM."""
    available_bytes: int | None
    """RAM available without swapping (psutil's ``available``)."""


def read_ram() -> RamReading:
    """Read system RAM; never raises (a failed read gives None values)."""
    try:
        import psutil  # type: ignore[import-untyped]

        vm = psutil.virtual_memory()
        return RamReading(int(vm.total), int(vm.available))
    except Exception:  # psutil missing or unsupported platform: no reading, not a crash
        return RamReading(None, None)
