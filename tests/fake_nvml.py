"""A fake NVML: replaces pynvml's functions, answers from recorded readings, raises pynvml's real errors.

Each reading in tests/data/nvml/*.json names its public source. The probe under test runs its
real code path against ``pynvml`` whose functions this fake has replaced (via monkeypatch), so
error handling is exercised with the genuine ``pynvml.NVMLError_*`` classes.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pynvml
import pytest

READINGS = Path(__file__).parent / "data" / "nvml"
MIB = 2**20


def load_reading(name: str) -> dict[str, Any]:
    """One recorded machine."""
    return json.loads((READINGS / f"{name}.json").read_text())


class FakeNvml:
    """The subset of pynvml the probe calls, fed with one machine's readings."""

    def __init__(self, machine: dict[str, Any], init_error: type[pynvml.NVMLError] | None = None) -> None:
        self.machine = machine
        self.init_error = init_error
        self.lost: set[str] = set()
        self.handles: dict[str, dict[str, Any]] = {}
        for gpu in machine["gpus"]:
            self.handles[gpu["uuid"]] = gpu
            for mig in gpu.get("mig", ()):
                self.handles[mig["uuid"]] = {**gpu, **mig, "is_mig": True}
        self.init_calls = 0

    # --- helpers ----------------------------------------------------------------------------

    def _gpu(self, handle: str, call: str) -> dict[str, Any]:
        if handle in self.lost:
            raise pynvml.NVMLError_GpuIsLost()
        gpu = self.handles[handle]
        if call in gpu.get("unsupported", ()):
            raise pynvml.NVMLError_NotSupported()
        return gpu

    # --- the pynvml API ---------------------------------------------------------------------

    def nvmlInit(self) -> None:
        self.init_calls += 1
        if self.init_error is not None:
            raise self.init_error()

    def nvmlShutdown(self) -> None:
        return None

    def nvmlSystemGetDriverVersion(self) -> str:
        return str(self.machine["driver"])

    def nvmlDeviceGetCount(self) -> int:
        return len(self.machine["gpus"])

    def nvmlDeviceGetHandleByIndex(self, index: int) -> str:
        try:
            return str(self.machine["gpus"][index]["uuid"])
        except IndexError:
            raise pynvml.NVMLError_InvalidArgument() from None

    def nvmlDeviceGetHandleByUUID(self, uuid: str) -> str:
        if uuid in self.lost:
            raise pynvml.NVMLError_GpuIsLost()
        if uuid not in self.handles:
            raise pynvml.NVMLError_NotFound()
        return uuid

    def nvmlDeviceGetName(self, handle: str) -> str:
        return str(self._gpu(handle, "nvmlDeviceGetName")["name"])

    def nvmlDeviceGetUUID(self, handle: str) -> str:
        return str(self._gpu(handle, "nvmlDeviceGetUUID")["uuid"])

    def nvmlDeviceGetMemoryInfo(self, handle: str, version: int | None = None) -> SimpleNamespace:
        gpu = self._gpu(handle, "nvmlDeviceGetMemoryInfo_v2" if version else "nvmlDeviceGetMemoryInfo")
        if version and "nvmlDeviceGetMemoryInfo_v2" in gpu.get("unsupported", ()):
            raise pynvml.NVMLError_FunctionNotFound()
        mem = gpu["memory_mib"]
        if mem is None:
            raise pynvml.NVMLError_NotSupported()
        fields = {k: v * MIB for k, v in mem.items()}
        if not version:  # v1 counts the reserved memory as used
            fields["used"] += fields.pop("reserved")
        return SimpleNamespace(**fields)

    def nvmlDeviceGetMemoryBusWidth(self, handle: str) -> int:
        return int(self._gpu(handle, "nvmlDeviceGetMemoryBusWidth")["bus_width_bits"])

    def nvmlDeviceGetMaxClockInfo(self, handle: str, clock: int) -> int:
        kind = "mem" if clock == pynvml.NVML_CLOCK_MEM else "sm"
        gpu = self._gpu(handle, f"nvmlDeviceGetMaxClockInfo:{kind}")
        return int(gpu["max_memory_clock_mhz" if kind == "mem" else "max_sm_clock_mhz"])

    def nvmlDeviceGetNumGpuCores(self, handle: str) -> int:
        return int(self._gpu(handle, "nvmlDeviceGetNumGpuCores")["cores"])

    def nvmlDeviceGetCudaComputeCapability(self, handle: str) -> tuple[int, int]:
        major, minor = self._gpu(handle, "nvmlDeviceGetCudaComputeCapability")["compute_capability"]
        return int(major), int(minor)

    def nvmlDeviceGetUtilizationRates(self, handle: str) -> SimpleNamespace:
        return SimpleNamespace(gpu=self._gpu(handle, "nvmlDeviceGetUtilizationRates")["utilization_pct"], memory=0)

    def nvmlDeviceGetTemperature(self, handle: str, sensor: int) -> int:
        return int(self._gpu(handle, "nvmlDeviceGetTemperature")["temperature_c"])

    def nvmlDeviceGetPowerUsage(self, handle: str) -> int:
        return int(self._gpu(handle, "nvmlDeviceGetPowerUsage")["power_mw"])

    def nvmlDeviceGetComputeRunningProcesses(self, handle: str) -> list[SimpleNamespace]:
        gpu = self._gpu(handle, "nvmlDeviceGetComputeRunningProcesses")
        return [SimpleNamespace(pid=p["pid"], usedGpuMemory=p["used_mib"] * MIB) for p in gpu.get("processes", ())]

    def nvmlSystemGetProcessName(self, pid: int) -> str:
        for gpu in self.machine["gpus"]:
            for proc in gpu.get("processes", ()):
                if proc["pid"] == pid and "name" in proc:
                    return str(proc["name"])
        raise pynvml.NVMLError_NotFound()

    def nvmlDeviceGetMigMode(self, handle: str) -> tuple[int, int]:
        gpu = self._gpu(handle, "nvmlDeviceGetMigMode")
        if "mig" not in gpu:
            raise pynvml.NVMLError_NotSupported()
        return pynvml.NVML_DEVICE_MIG_ENABLE, pynvml.NVML_DEVICE_MIG_ENABLE

    def nvmlDeviceGetMaxMigDeviceCount(self, handle: str) -> int:
        return 7

    def nvmlDeviceGetMigDeviceHandleByIndex(self, handle: str, index: int) -> str:
        migs = self._gpu(handle, "nvmlDeviceGetMigDeviceHandleByIndex").get("mig", [])
        if index >= len(migs):
            raise pynvml.NVMLError_NotFound()
        return str(migs[index]["uuid"])

    def nvmlDeviceGetAttributes(self, handle: str) -> SimpleNamespace:
        gpu = self._gpu(handle, "nvmlDeviceGetAttributes")
        return SimpleNamespace(
            multiprocessorCount=gpu["multiprocessors"],
            gpuInstanceSliceCount=gpu["gpu_instance_slices"],
            computeInstanceSliceCount=gpu["compute_instance_slices"],
            memorySizeMB=gpu["memory_mib"]["total"],
        )


API = [name for name in dir(FakeNvml) if name.startswith("nvml")]


def install(monkeypatch: pytest.MonkeyPatch, fake: FakeNvml) -> FakeNvml:
    """Replace pynvml's functions with the fake's."""
    for name in API:
        monkeypatch.setattr(pynvml, name, getattr(fake, name))
    return fake
