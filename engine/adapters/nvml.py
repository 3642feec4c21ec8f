"""Live NVIDIA GPUs through NVML (the ``pynvml`` module of ``nvidia-ml-py``), never raising.

Why an adapter of its own: "does it fit" must mean "does it fit here, now", so the fit is
checked against what NVML says is free on each device. NVML is also the least reliable thing
paramtui touches (no driver, a library/driver mismatch after an update, calls older drivers do
not have, a GPU falling off the bus), so every call goes through :func:`_call`, which turns a
failure into a note on the reading instead of an exception. The probe returns a frozen
:class:`NvmlSnapshot` whose ``state`` says in one line why there are no GPUs when there are none.

Static facts (name, UUID, clocks, bus width, compute capability, cores) are read once by
:func:`read_gpus`; :func:`poll` refreshes only the cheap, changing ones (memory, utilisation,
temperature, power, processes) by UUID, and marks a GPU that disappeared as lost.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from paramtui.engine.hardware import GpuSpec, cores_per_sm, estimate_tensor_flops, is_geforce

MIB = 2**20

MIG_COMPUTE_SLICES = 7
"""Compute slices of a full A100/H100/H200/B200 (NVIDIA MIG user guide, "Supported MIG profiles");
a MIG instance gets ``gpuInstanceSliceCount / 7`` of the parent's FLOPS."""

BANDWIDTH_DISAGREEMENT = 0.10
"""NVML bandwidth and the matched preset differing by more than this is shown to the user."""


class _GpuLostError(Exception):
    """The GPU fell off the bus (NVML_ERROR_GPU_IS_LOST) while being read."""


@dataclass(frozen=True, slots=True)
class GpuProcess:
    """A process holding memory on a GPU."""

    pid: int
    """Process id."""
    used_bytes: int | None
    """Memory it holds; None where NVML cannot say (some containers, Windows WDDM)."""
    name: str = ""
    """The program's name (NVML's, which reads the process table); empty where it cannot say
    (a process in another container's PID namespace)."""


@dataclass(frozen=True, slots=True)
class GpuReading:
    """Everything NVML told about one GPU or MIG instance; None where a call was unavailable."""

    index: int
    """Position in the visible list (the CUDA device number paramtui's plan uses)."""
    nvml_index: int
    """NVML's own index of the physical GPU (of the parent GPU for a MIG instance)."""
    name: str
    """Name as NVML reports it ("NVIDIA H100 80GB HBM3")."""
    uuid: str
    """GPU-... or MIG-... UUID."""
    memory_total: int | None = None
    """Bytes of device memory (system RAM on unified-memory systems)."""
    memory_used: int | None = None
    """Bytes in use, by anyone."""
    memory_free: int | None = None
    """Bytes free now."""
    memory_reserved: int | None = None
    """Bytes the driver reserves (v2 memory call only)."""
    bus_width_bits: int | None = None
    """Memory bus width."""
    max_memory_clock_mhz: int | None = None
    """Maximum memory clock."""
    compute_capability: float | None = None
    """CUDA compute capability, e.g. 9.0."""
    cores: int | None = None
    """CUDA cores."""
    max_sm_clock_mhz: int | None = None
    """Maximum SM clock."""
    utilization_pct: int | None = None
    """GPU utilisation over NVML's last sample period."""
    temperature_c: int | None = None
    """Core temperature."""
    power_w: float | None = None
    """Board power draw."""
    processes: tuple[GpuProcess, ...] = ()
    """Compute processes holding memory."""
    mig_profile: str = ""
    """MIG profile ("1g.10gb") for a MIG instance, else empty."""
    mig_compute_share: float = 1.0
    """Share of the parent's compute slices (1.0 for a whole GPU)."""
    mig_memory_share: float = 1.0
    """Share of the parent's memory (1.0 for a whole GPU)."""
    unified_memory: bool = False
    """Memory figures are system RAM (GB10 / DGX Spark class: NVML has no dedicated memory)."""
    notes: tuple[str, ...] = ()
    """Readings that were unavailable and why ("memory bus width: not supported by this driver")."""
    lost: bool = False
    """The GPU disappeared (fell off the bus, reset) after it was first read."""

    @property
    def bandwidth_bytes_per_s(self) -> float | None:
        """Peak memory bandwidth = bus width / 8 x max memory clock x 2 (double data rate)."""
        if not self.bus_width_bits or not self.max_memory_clock_mhz:
            return None
        return self.bus_width_bits / 8 * self.max_memory_clock_mhz * 1e6 * 2 * self.mig_memory_share


@dataclass(frozen=True, slots=True)
class NvmlSnapshot:
    """The GPUs of this machine as NVML saw them, or why none are listed."""

    state: str
    """``ok``, or one line saying why there are no GPUs ("no NVIDIA GPU found: NVML library not found")."""
    driver_version: str = ""
    """Driver version, when NVML started."""
    gpus: tuple[GpuReading, ...] = ()
    """Visible GPUs and MIG instances, in CUDA order."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Machine-level notes (CUDA_VISIBLE_DEVICES applied, entries not found)."""

    @property
    def ok(self) -> bool:
        """True when at least one GPU was read."""
        return self.state == "ok" and bool(self.gpus)


def _nvml() -> Any:
    """The pynvml module (imported late: paramtui.engine must not import it)."""
    import pynvml

    return pynvml


def _call(nv: Any, notes: list[str], what: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Call one NVML function; a failure becomes a note and None. GPU_IS_LOST raises _GpuLostError."""
    try:
        return fn(*args)
    except nv.NVMLError_GpuIsLost as exc:
        raise _GpuLostError(what) from exc
    except (nv.NVMLError_NotSupported, nv.NVMLError_FunctionNotFound):
        notes.append(f"{what}: not supported by this GPU or driver")
    except nv.NVMLError as exc:
        notes.append(f"{what}: {exc}")
    except Exception as exc:  # a broken binding must not take the app down
        notes.append(f"{what}: {type(exc).__name__}")
    return None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _start(nv: Any) -> str | None:
    """nvmlInit; None on success, else the one-line reason there are no GPUs."""
    try:
        nv.nvmlInit()
        return None
    except nv.NVMLError_LibraryNotFound:
        return "no NVIDIA GPU found: NVML library not found (no NVIDIA driver installed)"
    except nv.NVMLError_DriverNotLoaded:
        return "no NVIDIA GPU found: the NVIDIA driver is not loaded"
    except nv.NVMLError_LibRmVersionMismatch:
        return "NVML unusable: driver/library version mismatch (reboot after the driver update)"
    except nv.NVMLError_NoPermission:
        return "NVML unusable: no permission to open the NVIDIA devices"
    except nv.NVMLError as exc:
        return f"NVML unusable: {exc}"
    except Exception as exc:
        return f"NVML unusable: {type(exc).__name__}"


def _memory(nv: Any, handle: Any, notes: list[str]) -> tuple[int | None, int | None, int | None, int | None, bool]:
    """(total, used, free, reserved, unified): the v2 call where the driver has it, else v1."""
    scratch: list[str] = []
    mem = _call(nv, scratch, "memory (v2)", nv.nvmlDeviceGetMemoryInfo, handle, nv.nvmlMemory_v2)
    if mem is not None:
        return int(mem.total), int(mem.used), int(mem.free), int(mem.reserved), False
    mem = _call(nv, notes, "memory", nv.nvmlDeviceGetMemoryInfo, handle)
    if mem is not None and int(mem.total) > 0:
        return int(mem.total), int(mem.used), int(mem.free), None, False
    # Unified memory (GB10 / DGX Spark): no dedicated memory; use system RAM as nvitop does.
    from paramtui.engine.adapters.system import read_ram

    ram = read_ram()
    if ram.total_bytes is None:
        return None, None, None, None, False
    notes.append("unified memory: NVML reports no dedicated memory; using system RAM")
    used = ram.total_bytes - (ram.available_bytes or 0)
    return ram.total_bytes, used, ram.available_bytes, None, True


def _processes(nv: Any, handle: Any, notes: list[str]) -> tuple[GpuProcess, ...]:
    procs = _call(nv, notes, "processes", nv.nvmlDeviceGetComputeRunningProcesses, handle) or []
    out = []
    for p in procs:
        used = getattr(p, "usedGpuMemory", None)
        name = _process_name(nv, int(p.pid))
        out.append(GpuProcess(int(p.pid), int(used) if isinstance(used, int) and used >= 0 else None, name))
    return tuple(out)


def _process_name(nv: Any, pid: int) -> str:
    """A process's name from NVML, without its directory; empty when NVML cannot find it."""
    try:
        return _text(nv.nvmlSystemGetProcessName(pid)).rsplit("/", 1)[-1]
    except Exception:  # not found, no permission, another PID namespace: the pid and bytes still show
        return ""


def _dynamic(nv: Any, handle: Any, notes: list[str]) -> dict[str, Any]:
    """The cheap readings the dashboard refreshes."""
    total, used, free, reserved, unified = _memory(nv, handle, notes)
    util = _call(nv, notes, "utilization", nv.nvmlDeviceGetUtilizationRates, handle)
    temp = _call(nv, notes, "temperature", nv.nvmlDeviceGetTemperature, handle, nv.NVML_TEMPERATURE_GPU)
    power = _call(nv, notes, "power", nv.nvmlDeviceGetPowerUsage, handle)
    return {
        "memory_total": total,
        "memory_used": used,
        "memory_free": free,
        "memory_reserved": reserved,
        "unified_memory": unified,
        "utilization_pct": int(util.gpu) if util is not None else None,
        "temperature_c": int(temp) if temp is not None else None,
        "power_w": power / 1000 if power is not None else None,
        "processes": _processes(nv, handle, notes),
    }


def _static(nv: Any, handle: Any, notes: list[str]) -> dict[str, Any]:
    """Facts read once."""
    cc = _call(nv, notes, "compute capability", nv.nvmlDeviceGetCudaComputeCapability, handle)
    return {
        "bus_width_bits": _call(nv, notes, "memory bus width", nv.nvmlDeviceGetMemoryBusWidth, handle),
        "max_memory_clock_mhz": _call(
            nv, notes, "max memory clock", nv.nvmlDeviceGetMaxClockInfo, handle, nv.NVML_CLOCK_MEM
        ),
        "max_sm_clock_mhz": _call(nv, notes, "max SM clock", nv.nvmlDeviceGetMaxClockInfo, handle, nv.NVML_CLOCK_SM),
        "cores": _call(nv, notes, "core count", nv.nvmlDeviceGetNumGpuCores, handle),
        "compute_capability": float(f"{cc[0]}.{cc[1]}") if cc is not None else None,
    }


def _read_device(nv: Any, nvml_index: int, handle: Any) -> list[GpuReading]:
    """One physical GPU, or its MIG instances when MIG is on."""
    notes: list[str] = []
    name = _text(_call(nv, notes, "name", nv.nvmlDeviceGetName, handle) or f"GPU {nvml_index}")
    uuid = _text(_call(nv, notes, "uuid", nv.nvmlDeviceGetUUID, handle) or "")
    static = _static(nv, handle, notes)
    scratch: list[str] = []
    mode = _call(nv, scratch, "MIG mode", nv.nvmlDeviceGetMigMode, handle)
    if mode is not None and mode[0] == nv.NVML_DEVICE_MIG_ENABLE:
        parent = GpuReading(0, nvml_index, name, uuid, **static, **_dynamic(nv, handle, []))
        return _read_mig(nv, parent, handle, notes)
    return [GpuReading(0, nvml_index, name, uuid, **static, **_dynamic(nv, handle, notes), notes=tuple(notes))]


def _read_mig(nv: Any, parent: GpuReading, handle: Any, notes: list[str]) -> list[GpuReading]:
    """Each MIG instance as its own device, with the parent's static facts scaled by its share."""
    count = _call(nv, notes, "MIG device count", nv.nvmlDeviceGetMaxMigDeviceCount, handle) or 0
    out = []
    for i in range(int(count)):
        try:
            mig = nv.nvmlDeviceGetMigDeviceHandleByIndex(handle, i)
        except nv.NVMLError:
            continue  # empty slot
        mig_notes = list(notes)
        attrs = _call(nv, mig_notes, "MIG attributes", nv.nvmlDeviceGetAttributes, mig)
        dyn = _dynamic(nv, mig, mig_notes)
        slices = int(attrs.gpuInstanceSliceCount) if attrs is not None else 1
        total = dyn["memory_total"]
        memory_share = total / parent.memory_total if total and parent.memory_total else 1 / 8
        name = _text(_call(nv, mig_notes, "MIG name", nv.nvmlDeviceGetName, mig) or parent.name)
        profile = name.split("MIG", 1)[1].strip() if "MIG" in name else f"{slices}g"
        out.append(
            replace(
                parent,
                name=f"{parent.name} MIG {profile}" if "MIG" not in name else name,
                uuid=_text(_call(nv, mig_notes, "MIG uuid", nv.nvmlDeviceGetUUID, mig) or ""),
                cores=_mig_cores(parent, attrs),
                mig_profile=profile,
                mig_compute_share=slices / MIG_COMPUTE_SLICES,
                mig_memory_share=memory_share,
                notes=tuple(mig_notes),
                **dyn,
            )
        )
    return out


def _mig_cores(parent: GpuReading, attrs: Any) -> int | None:
    """CUDA cores of a MIG instance: its SMs x the cores per SM of the parent's architecture."""
    per_sm = cores_per_sm(parent.compute_capability)
    if attrs is None or per_sm is None:
        return None
    return int(attrs.multiprocessorCount) * per_sm


def _visible(readings: list[GpuReading], env: str | None, notes: list[str]) -> list[GpuReading]:
    """Apply CUDA_VISIBLE_DEVICES (indices or UUID prefixes; CUDA stops at the first bad entry)."""
    if env is None:
        return readings
    chosen: list[GpuReading] = []
    for raw in env.split(","):
        entry = raw.strip()
        if not entry:
            break
        match: GpuReading | None = None
        if entry.lstrip("-").isdigit():
            physical = [r for r in readings if r.nvml_index == int(entry)]
            match = physical[0] if len(physical) == 1 else None
        else:
            found = [r for r in readings if r.uuid.lower().startswith(entry.lower())]
            match = found[0] if len(found) == 1 else None
        if match is None:
            notes.append(f"CUDA_VISIBLE_DEVICES entry {entry!r} matches no GPU; later entries ignored, as CUDA does")
            break
        if match not in chosen:
            chosen.append(match)
    notes.append(f"CUDA_VISIBLE_DEVICES={env!r}: {len(chosen)} of {len(readings)} devices visible")
    return chosen


def read_gpus(
    select: Sequence[int] | None = None,
    environ: Mapping[str, str] | None = None,
) -> NvmlSnapshot:
    """Read every GPU NVML sees, honouring CUDA_VISIBLE_DEVICES, then ``select`` (``--gpus 0,2``).

    Never raises: no pynvml, no driver, no GPU and every failing call end up in ``state`` or notes.
    """
    env = os.environ if environ is None else environ
    try:
        nv = _nvml()
    except ImportError:
        return NvmlSnapshot("NVML unusable: the nvidia-ml-py package is not installed")
    reason = _start(nv)
    if reason is not None:
        return NvmlSnapshot(reason)
    try:
        return _read_all(nv, select, env.get("CUDA_VISIBLE_DEVICES"))
    except Exception as exc:  # last line of defence: the probe never raises into the app
        return NvmlSnapshot(f"NVML unusable: {type(exc).__name__}: {exc}")
    finally:
        with contextlib.suppress(Exception):
            nv.nvmlShutdown()


def _read_all(nv: Any, select: Sequence[int] | None, visible_env: str | None) -> NvmlSnapshot:
    notes: list[str] = []
    driver = _text(_call(nv, notes, "driver version", nv.nvmlSystemGetDriverVersion) or "")
    count = _call(nv, notes, "device count", nv.nvmlDeviceGetCount)
    if not count:
        return NvmlSnapshot("no NVIDIA GPU found: the driver reports no devices", driver, (), tuple(notes))
    readings: list[GpuReading] = []
    for i in range(int(count)):
        try:
            handle = nv.nvmlDeviceGetHandleByIndex(i)
            readings.extend(_read_device(nv, i, handle))
        except (_GpuLostError, nv.NVMLError) as exc:
            notes.append(f"GPU {i}: unreadable ({exc or 'lost'}); skipped")
    readings = _visible(readings, visible_env, notes)
    if select is not None:
        bad = [i for i in select if not 0 <= i < len(readings)]
        if bad:
            notes.append(f"--gpus {','.join(map(str, bad))}: no such device (visible: 0..{len(readings) - 1})")
        readings = [readings[i] for i in select if 0 <= i < len(readings)]
    readings = [replace(r, index=i) for i, r in enumerate(readings)]
    if not readings:
        return NvmlSnapshot("no NVIDIA GPU visible: none selected", driver, (), tuple(notes))
    return NvmlSnapshot("ok", driver, tuple(readings), tuple(notes))


def poll(snapshot: NvmlSnapshot, nvml_open: bool = False) -> NvmlSnapshot:
    """Refresh memory, utilisation, temperature, power and processes of ``snapshot``'s GPUs.

    A GPU that cannot be found or reports GPU_IS_LOST is kept, marked lost, with its last
    readings; the others are updated. ``nvml_open``: the caller (the poller) keeps NVML
    initialised between polls, so a poll costs a handful of cheap calls. Never raises.
    """
    if not snapshot.gpus:
        return snapshot
    try:
        nv = _nvml()
    except ImportError:
        return snapshot
    if not nvml_open and _start(nv) is not None:
        return replace(snapshot, gpus=tuple(replace(g, lost=True) for g in snapshot.gpus))
    try:
        return replace(snapshot, gpus=tuple(_poll_one(nv, g) for g in snapshot.gpus))
    finally:
        if not nvml_open:
            with contextlib.suppress(Exception):
                nv.nvmlShutdown()


class HardwarePoller:
    """Refreshes a snapshot on a daemon thread, off the UI thread, every ``interval`` seconds.

    Static facts are never re-read; NVML stays initialised while the poller runs, so an idle
    dashboard costs one short wake-up per interval (a few NVML calls per GPU).
    """

    def __init__(
        self, snapshot: NvmlSnapshot, on_update: Callable[[NvmlSnapshot], None], interval: float = 2.0
    ) -> None:
        self.snapshot = snapshot
        self.interval = max(0.05, interval)
        self._on_update = on_update
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start polling (no-op without GPUs: nothing changes that NVML could report)."""
        if self._thread is not None or not self.snapshot.gpus:
            return
        self._thread = threading.Thread(target=self._run, name="paramtui-nvml-poll", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop and wait for the thread (at most one NVML poll)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        try:
            nv = _nvml()
        except ImportError:
            return
        opened = _start(nv) is None
        try:
            while not self._stop.wait(self.interval):
                self.snapshot = poll(self.snapshot, nvml_open=opened)
                with contextlib.suppress(Exception):  # a UI callback error must not kill polling
                    self._on_update(self.snapshot)
        finally:
            if opened:
                with contextlib.suppress(Exception):
                    nv.nvmlShutdown()


def _poll_one(nv: Any, gpu: GpuReading) -> GpuReading:
    notes: list[str] = []
    try:
        handle = nv.nvmlDeviceGetHandleByUUID(gpu.uuid)
        return replace(gpu, **_dynamic(nv, handle, notes), lost=False)
    except (_GpuLostError, nv.NVMLError):
        return replace(gpu, lost=True)
    except Exception:
        return replace(gpu, lost=True)


# --- turning readings into the engine's GPU records ---------------------------------------


def match_preset(reading: GpuReading, presets: Mapping[str, GpuSpec], names: Mapping[str, str]) -> GpuSpec | None:
    """The GPU preset NVML's name belongs to (``names``: lower-case NVML name -> preset id)."""
    base = reading.name.split(" MIG ", 1)[0].strip().lower()
    preset_id = names.get(base)
    return presets.get(preset_id) if preset_id else None


def to_gpu_spec(reading: GpuReading, preset: GpuSpec | None) -> tuple[GpuSpec, list[str]]:
    """The live GPU as the engine plans with it, and what the user should know about the figures."""
    notes: list[str] = []
    bandwidth = reading.bandwidth_bytes_per_s
    if preset is not None:
        preset_bw = preset.bandwidth_bytes_per_s * reading.mig_memory_share
        if bandwidth is None:
            bandwidth = preset_bw
            notes.append(f"bandwidth from the {preset.id} preset (NVML could not give bus width and clock)")
        elif abs(bandwidth / preset_bw - 1) > BANDWIDTH_DISAGREEMENT:
            notes.append(
                f"NVML bandwidth {bandwidth / 1e9:,.0f} GB/s differs from the {preset.id} preset's "
                f"{preset_bw / 1e9:,.0f} GB/s by {abs(bandwidth / preset_bw - 1):.0%}"
            )
        share = reading.mig_compute_share
        fp16, fp8 = preset.fp16_flops * share, preset.fp8_flops * share
        int8, fp16_acc16 = preset.int8_ops * share, preset.fp16_acc16_flops * share
    else:
        rates = estimate_tensor_flops(
            reading.compute_capability, reading.cores, reading.max_sm_clock_mhz, geforce=is_geforce(reading.name)
        )
        share = reading.mig_compute_share
        fp16, fp8 = rates.fp16_flops * share, rates.fp8_flops * share
        int8, fp16_acc16 = rates.int8_ops * share, rates.fp16_acc16_flops * share
        notes.append(
            "FLOPS estimated from SMs x clock x the architecture's per-SM tensor rate"
            + (" (GeForce: FP32-accumulate at half rate)" if is_geforce(reading.name) else "")
            + " (no GPU preset of this name)"
        )
        if bandwidth is None:
            bandwidth = 0.0
            notes.append("bandwidth unknown: NVML could not give bus width and clock, and no preset matches")
    spec = GpuSpec(
        id=f"nvml:{reading.index}",
        name=reading.name,
        vendor="nvidia",
        memory_bytes=reading.memory_total or 0,
        bandwidth_bytes_per_s=bandwidth,
        fp16_flops=fp16,
        fp8_flops=fp8,
        int8_ops=int8,
        fp16_acc16_flops=fp16_acc16,
        compute_capability=reading.compute_capability,
        memory_free_bytes=reading.memory_free,
        source=f"NVML (matched preset {preset.id})" if preset else "NVML (no preset; FLOPS estimated)",
    )
    return spec, notes
