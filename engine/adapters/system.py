"""System RAM, CPU and RAM bandwidth: what offloaded weights can use. Never raises."""

from __future__ import annotations

import os
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


@dataclass(frozen=True, slots=True)
class CpuReading:
    """The host CPU, for the hardware panel and the offload model."""

    model: str
    """Model name ("AMD EPYC 9654 96-Core Processor"), or the platform's machine type."""
    physical_cores: int | None
    """Physical cores (psutil)."""
    logical_cores: int | None
    """Hardware threads."""


def read_cpu() -> CpuReading:
    """CPU model and core counts; never raises."""
    import platform

    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    model = model or platform.processor() or platform.machine() or "unknown CPU"
    try:
        import psutil

        return CpuReading(model, psutil.cpu_count(logical=False), psutil.cpu_count(logical=True))
    except Exception:
        return CpuReading(model, None, os.cpu_count())


RAM_PROBE_BYTES = 64 * 2**20
"""Size of the copy the RAM bandwidth measurement makes: large enough to leave the CPU caches
(the largest L3 slices are 32-96 MB per CCD/socket), small enough to finish in tens of ms."""


def measure_ram_bandwidth(repeats: int = 3, threads: int | None = None) -> float | None:
    """Bytes/s of a bounded memory copy spread over CPU threads (best of ``repeats``), or None.

    A copy reads and writes each byte, so bandwidth = 2 x size / time. numpy releases the GIL
    while copying, so up to 8 threads copy their own slices at once, as llama.cpp's threads read
    offloaded weights; one thread alone reaches only a fraction of a server's channels.
    """
    try:
        import time
        from concurrent.futures import ThreadPoolExecutor

        import numpy as np

        workers = max(1, min(8, threads or os.cpu_count() or 1))
        per = RAM_PROBE_BYTES // 8 // workers
        pairs = [(np.ones(per), np.empty(per)) for _ in range(workers)]
        best = float("inf")
        with ThreadPoolExecutor(workers) as pool:
            for _ in range(max(1, repeats)):
                start = time.perf_counter()
                list(pool.map(lambda pair: np.copyto(pair[1], pair[0]), pairs))
                best = min(best, time.perf_counter() - start)
        return 2 * per * 8 * workers / best if best > 0 else None
    except Exception:
        return None
