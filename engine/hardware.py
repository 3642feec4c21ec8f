"""The hardware a model is checked against: GPUs (live, preset or custom) and system RAM.

Specs come from three places, all ending up as the same frozen records: a live NVML reading
(memory free is known), a GPU preset (datasheet figures), or a custom ``--gpu`` spec such as
``mem=24GiB,bw=1008GB/s,fp16=165TFLOPS``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from paramtui.engine.limits import (
    COMPUTE_CAPABILITY,
    GPU_BANDWIDTH_BYTES_PER_S,
    GPU_FLOPS,
    GPU_MEMORY_BYTES,
    LINK_BYTES_PER_S,
    finite_number,
)

Vendor = Literal["nvidia", "amd", "apple", "cpu"]
"""``cpu``: no accelerator, llama.cpp's CPU backend reading the weights from system RAM (a CPU preset's
memory is the RAM, its bandwidth the DRAM peak)."""
HardwareSource = Literal["nvml", "preset", "custom", "none"]

DEFAULT_RAM_BANDWIDTH = 60e9
"""Bytes/s assumed for system RAM when nothing better is known: dual-channel DDR5-4800 is 76.8 GB/s
peak and sustains about 60 GB/s in STREAM; servers have several times more (give ``ram_bw=``)."""


_CORES_PER_SM = {7: 64, 8: 128, 9: 128, 10: 128, 12: 128}
"""CUDA cores per SM by compute-capability major (CUDA C Programming Guide, "Arithmetic
Instructions" throughput table); 8.0 (A100) is the exception with 64."""

_TENSOR_FP16_PER_SM_CLOCK = {
    7.0: 1024,
    7.2: 1024,
    7.5: 1024,
    8.0: 2048,
    8.6: 1024,
    8.7: 1024,
    8.9: 1024,
    9.0: 4096,
    10.0: 8192,
    12.0: 1024,
    12.1: 1024,
}
"""Dense FP16 tensor FLOP per SM per clock with FP32 accumulate at full rate (datacenter and
workstation parts), from NVIDIA's architecture whitepapers and datasheets: V100 125 TFLOPS = 80 SM x
1.53 GHz x 1024; A100 312 = 108 x 1.41 x 2048; A10 125 = 72 x 1.695 x 1024; RTX 6000 Ada 364 = 142 x
2.505 x 1024; H100 SXM 989 = 132 x 1.83 x 4096; B200 2250 = 148 x 1.86 x 8192. GeForce parts run
FP32-accumulate at half this rate (RTX 4090 165.2 = 128 x 2.52 x 512) and FP16-accumulate at the
full rate (330.3), see :func:`estimate_tensor_flops`."""

_TENSOR_INT8_PER_SM_CLOCK = {
    7.5: 2048,
    8.0: 4096,
    8.6: 2048,
    8.7: 2048,
    8.9: 2048,
    9.0: 8192,
    10.0: 16384,
    12.0: 2048,
    12.1: 2048,
}
"""Dense INT8 tensor ops per SM per clock (GeForce included: no halving for integer accumulate):
T4 130 TOPS = 40 x 1.59 x 2048; A100 624 = 108 x 1.41 x 4096; RTX 3090 285 = 82 x 1.695 x 2048;
RTX 4090 661 = 128 x 2.52 x 2048; H100 SXM 1979 = 132 x 1.83 x 8192; B200 4500 = 148 x 1.86 x 16384;
RTX 5090 838 = 170 x 2.41 x 2048. Volta (7.0) has no INT8 tensor cores."""

MMA_SYNC_INT8_PER_SM_CLOCK = 2048
"""INT8 ops per SM per clock that warp-level ``mma.sync`` (m16n8k32) issues, which llama.cpp's MMQ
kernels use on every architecture. Ampere-GeForce, Ada and Blackwell-RTX reach their INT8 peak this
way; A100 (4096), Hopper (8192, needs ``wgmma``) and B200 (16384, needs ``tcgen05``) do not, so MMQ
there is capped at this rate: a quarter of the H100's INT8 datasheet figure."""


def is_geforce(name: str) -> bool:
    """Whether a GPU name is a GeForce/TITAN part (FP32-accumulate tensor math at half rate)."""
    lowered = name.lower()
    return "geforce" in lowered or "titan" in lowered


def cores_per_sm(compute_capability: float | None) -> int | None:
    """CUDA cores per SM for a compute capability, None when unknown."""
    if compute_capability is None:
        return None
    if compute_capability == 8.0:
        return 64
    return _CORES_PER_SM.get(int(compute_capability))


@dataclass(frozen=True, slots=True)
class TensorRates:
    """Dense tensor throughput of one NVIDIA GPU derived from SMs x clock x per-SM rates (0 when unknown)."""

    fp16_flops: float
    """FP16 with FP32 accumulate (halved on GeForce)."""
    fp16_acc16_flops: float
    """FP16 with FP16 accumulate (full rate on every part)."""
    fp8_flops: float
    """FP8 (twice FP16, from compute capability 8.9 on; halved like FP16 on GeForce)."""
    int8_ops: float
    """INT8 tensor ops."""


def estimate_tensor_flops(
    compute_capability: float | None, cores: int | None, max_sm_clock_mhz: int | None, geforce: bool = False
) -> TensorRates:
    """Dense tensor rates of an NVIDIA GPU without a preset: SMs x clock x the per-SM rate of its architecture.

    An estimate (the boost clock NVML reports is above the sustained one); 0 when unknown. GeForce
    parts (``geforce``) run FP16/FP8 with FP32 accumulate at half rate.
    """
    per_sm = cores_per_sm(compute_capability)
    cc = compute_capability or 0.0
    rate = _TENSOR_FP16_PER_SM_CLOCK.get(cc)
    if not (per_sm and rate and cores and max_sm_clock_mhz):
        return TensorRates(0.0, 0.0, 0.0, 0.0)
    sm_clock = cores / per_sm * max_sm_clock_mhz * 1e6
    full = sm_clock * rate
    fp16 = full / 2 if geforce else full
    fp8 = 2 * fp16 if cc >= 8.9 else 0.0
    return TensorRates(fp16, full, fp8, sm_clock * _TENSOR_INT8_PER_SM_CLOCK.get(cc, 0))


def mma_sync_share(compute_capability: float | None) -> float:
    """Share of an NVIDIA GPU's INT8 peak that ``mma.sync`` reaches (1 when unknown)."""
    rate = _TENSOR_INT8_PER_SM_CLOCK.get(compute_capability or 0.0)
    return min(1.0, MMA_SYNC_INT8_PER_SM_CLOCK / rate) if rate else 1.0


class GpuSpecError(ValueError):
    """A ``--gpu`` value that is neither a preset id, ``NxID`` nor a valid custom spec."""


@dataclass(frozen=True, slots=True)
class GpuSpec:
    """One accelerator's memory, bandwidth and compute."""

    id: str
    """Preset id, ``custom``, or ``nvml:<index>``."""
    name: str
    """Marketing name."""
    vendor: Vendor
    """Maker: decides which runtimes and formats apply."""
    memory_bytes: int
    """Memory on the card (unified memory for Apple and GB10)."""
    bandwidth_bytes_per_s: float
    """Peak memory bandwidth."""
    fp16_flops: float
    """Dense FP16/BF16 tensor throughput (FP32 accumulate), FLOP/s."""
    fp8_flops: float = 0.0
    """Dense FP8 tensor throughput, 0 when the chip has no FP8 units."""
    int8_ops: float = 0.0
    """Dense INT8 tensor throughput, ops/s; 0 when the chip has no INT8 matrix units (or it is unknown)."""
    fp16_acc16_flops: float = 0.0
    """Dense FP16 tensor throughput with FP16 accumulate; 0 means the same as ``fp16_flops`` (GeForce
    parts run it at twice their FP32-accumulate figure, which cuBLAS uses for llama.cpp's F16 GEMMs)."""
    compute_capability: float | None = None
    """CUDA compute capability (NVIDIA only)."""
    usable_fraction: float = 1.0
    """Share of ``memory_bytes`` a GPU program may use (macOS wires ~75% of unified memory to the GPU)."""
    memory_free_bytes: int | None = None
    """Free memory from a live reading; None for presets and custom specs."""
    source: str = ""
    """Where the figures come from."""
    host_cpu_ghz: float | None = None
    """Peak clock of the CPU performance cores that drive this GPU, where they are on the same chip
    (Apple SoCs); llama.cpp's Metal backend encodes every decode step's kernels on them. None when unknown."""
    unavailable: str = ""
    """Why no plan may use this GPU (lost, memory unreadable); empty when it can be used."""

    @property
    def usable_bytes(self) -> int:
        """Memory a runtime can plan with: free when live, else the usable share of the total."""
        if self.memory_free_bytes is not None:
            return self.memory_free_bytes
        return int(self.memory_bytes * self.usable_fraction)


@dataclass(frozen=True, slots=True)
class Hardware:
    """The GPUs and RAM of one machine."""

    gpus: tuple[GpuSpec, ...]
    """Accelerators, in index order."""
    source: HardwareSource
    """Where the GPU figures come from."""
    ram_total_bytes: int | None = None
    """System RAM."""
    ram_available_bytes: int | None = None
    """RAM available for offloaded weights."""
    ram_bandwidth_bytes_per_s: float = DEFAULT_RAM_BANDWIDTH
    """RAM bandwidth for offloaded weights."""
    nodes: int = 1
    """Machines the GPUs are spread over (``2x8xh100-sxm``: 2)."""
    inter_node_bytes_per_s: float | None = None
    """Per-GPU link between nodes (InfiniBand/RoCE); None on one node."""
    notes: tuple[str, ...] = ()
    """What the reading could not use (a GPU that NVML could not read), said with the plan."""


_UNITS = {
    "": 1,
    "b": 1,
    "k": 1e3,
    "kb": 1e3,
    "m": 1e6,
    "mb": 1e6,
    "g": 1e9,
    "gb": 1e9,
    "t": 1e12,
    "tb": 1e12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
_QUANTITY = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([a-z]*)\s*$")


def _quantity(key: str, text: str) -> float:
    """Parse ``24GiB``, ``1008GB/s``, ``165TFLOPS`` into a number (bytes, bytes/s, FLOP/s)."""
    match = _QUANTITY.match(text.strip().lower().replace("/s", "").replace("flops", "").replace("ops", ""))
    if not match or match.group(2) not in _UNITS:
        raise GpuSpecError(f"cannot read {key}={text!r}; write it like mem=24GiB, bw=1008GB/s, fp16=165TFLOPS")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_custom_gpu(text: str) -> GpuSpec:
    """Parse ``mem=24GiB[,bw=1008GB/s][,fp16=165TFLOPS][,fp8=330TFLOPS][,int8=660TOPS][,cc=8.9][,vendor=nvidia]``.

    Only ``mem`` is needed (the fit); ``bw`` gives decode speed and ``fp16`` prefill. A figure left
    out is 0, which the speed estimate reads as unknown.
    """
    fields: dict[str, str] = {}
    for part in text.split(","):
        if "=" not in part:
            raise GpuSpecError(f"custom GPU spec part {part.strip()!r} is not key=value")
        key, value = (s.strip().lower() for s in part.split("=", 1))
        fields[key] = value
    if "mem" not in fields:
        raise GpuSpecError("custom GPU spec needs mem (e.g. mem=24GiB, or mem=24GiB,bw=1008GB/s,fp16=165TFLOPS)")
    unknown = sorted(set(fields) - {"mem", "bw", "fp16", "fp8", "int8", "cc", "vendor", "name", "ib"})
    if unknown:
        raise GpuSpecError(
            f"custom GPU spec has unknown keys {unknown}; use mem, bw, fp16, fp8, int8, cc, vendor, name, ib"
        )
    vendor = fields.get("vendor", "nvidia")
    if vendor not in ("nvidia", "amd", "apple", "cpu"):
        raise GpuSpecError(f"vendor must be nvidia, amd, apple or cpu, not {vendor!r}")
    try:
        cc = float(fields["cc"]) if "cc" in fields else None
    except ValueError:
        raise GpuSpecError(f"cc={fields['cc']!r} is not a compute capability like 8.9") from None
    given = [k for k in ("bw", "fp16") if k in fields]
    if _quantity("mem", fields["mem"]) <= 0 or any(_quantity(k, fields[k]) <= 0 for k in given):
        raise GpuSpecError(f"custom GPU spec needs positive {', '.join(['mem', *given])}")
    if cc is not None:
        _in_range("cc", cc, COMPUTE_CAPABILITY, "")
    name = fields.get("name", "custom GPU")
    if len(name) > 100:
        raise GpuSpecError(f"name= is {len(name):,} characters; 100 is the most this tool accepts")
    return GpuSpec(
        id="custom",
        name=name,
        vendor=vendor,  # type: ignore[arg-type]
        memory_bytes=int(_ranged("mem", fields, GPU_MEMORY_BYTES, " bytes")),
        bandwidth_bytes_per_s=_ranged("bw", fields, GPU_BANDWIDTH_BYTES_PER_S, " B/s"),
        fp16_flops=_ranged("fp16", fields, GPU_FLOPS, " FLOPS"),
        fp8_flops=_ranged("fp8", fields, GPU_FLOPS, " FLOPS"),
        int8_ops=_ranged("int8", fields, GPU_FLOPS, " OPS"),
        compute_capability=cc,
        source="custom --gpu spec",
    )


def _in_range(key: str, value: float, bounds: tuple[float, float], unit: str) -> float:
    try:
        return finite_number(value, key, bounds[0], bounds[1], unit)
    except ValueError as exc:
        raise GpuSpecError(str(exc)) from None


def _ranged(key: str, fields: Mapping[str, str], bounds: tuple[float, float], unit: str) -> float:
    """A figure of a custom spec within its plausible range (engine/limits.py); 0.0 when left out."""
    if key not in fields:
        return 0.0
    return _in_range(key, _quantity(key, fields[key]), bounds, unit)


_COUNT = re.compile(r"^\s*(\d+)\s*[x*]\s*(.+)$")
_NODES = re.compile(r"^\s*(\d+)\s*[x*]\s*(\d+)\s*[x*]\s*(.+)$")

DEFAULT_INTER_NODE_BYTES_PER_S = 400e9 / 8
"""InfiniBand NDR / RoCE at 400 Gb/s per GPU: one ConnectX-7 per GPU, as in NVIDIA's DGX H100
reference design (8 x 400 Gb/s compute fabric ports); ``ib=200Gb/s`` in a custom spec overrides it."""

_LINK = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([kmgt]?)(b|bit|bits|B)(/s|ps)?\s*$", re.IGNORECASE)


def parse_link(text: str) -> float:
    """``400Gb/s`` (bits) or ``50GB/s`` (bytes) -> bytes/s: the case of ``b`` decides, as in datasheets."""
    match = _LINK.match(text)
    if not match:
        raise GpuSpecError(f"cannot read ib={text!r}; write it like ib=400Gb/s (bits) or ib=50GB/s (bytes)")
    value = float(match.group(1)) * {"": 1, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12}[match.group(2).lower()]
    return _in_range("ib", value if match.group(3) == "B" else value / 8, LINK_BYTES_PER_S, " B/s")


def parse_nodes(text: str) -> tuple[int, float | None]:
    """(nodes, per-GPU link between them in bytes/s or None) of a ``--gpu`` value.

    ``2x8xh100-sxm`` is 2 nodes of 8; ``ib=200Gb/s`` in a custom spec sets the link. More than one
    node without ``ib=`` gets :data:`DEFAULT_INTER_NODE_BYTES_PER_S`.
    """
    match = _NODES.match(text.strip())
    nodes = int(match.group(1)) if match else 1
    if nodes < 1:
        raise GpuSpecError(f"node count must be at least 1, got {nodes}")
    link = None
    for part in text.split(","):
        key, _, value = part.partition("=")
        if key.strip().lower() == "ib":
            link = parse_link(value)
    if nodes > 1 and link is None:
        link = DEFAULT_INTER_NODE_BYTES_PER_S
    return nodes, link


def parse_gpu_spec(text: str, presets: Mapping[str, GpuSpec]) -> tuple[tuple[GpuSpec, ...], HardwareSource]:
    """Resolve a ``--gpu`` value: a preset id, ``NxID``, or a custom spec.

    Raises:
        GpuSpecError: the value is none of these; the message suggests close preset ids.
    """
    import difflib

    raw = text.strip()
    count = 1
    nodes = _NODES.match(raw)
    if nodes and "=" not in nodes.group(1) + nodes.group(2):
        per_node, raw = int(nodes.group(2)), f"{int(nodes.group(1)) * int(nodes.group(2))}x{nodes.group(3)}"
        if not 1 <= per_node <= 64:
            raise GpuSpecError(f"GPUs per node must be 1-64, got {per_node}")
    match = _COUNT.match(raw)
    if match:
        count, raw = int(match.group(1)), match.group(2).strip()
        if not 1 <= count <= 1024:
            raise GpuSpecError(f"GPU count must be 1-1024, got {count}")
    if "=" in raw:
        spec = parse_custom_gpu(raw)
        return tuple(replace(spec, id=f"custom:{i}") for i in range(count)), "custom"
    key = raw.lower()
    if key not in presets:
        close = difflib.get_close_matches(key, list(presets), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; run `paramtui gpus` to list them"
        raise GpuSpecError(f"no GPU preset named {raw!r}{hint}")
    return tuple(presets[key] for _ in range(count)), "preset"


def select_gpus(hardware: Hardware, select: Sequence[int] | None) -> Hardware:
    """``hardware`` with only the GPUs at positions ``select`` (all of them when None).

    Raises:
        ValueError: a position that is not one of the GPUs.
    """
    if select is None:
        return hardware
    bad = [i for i in select if not 0 <= i < len(hardware.gpus)]
    if bad:
        raise ValueError(f"no GPU {bad[0]} here: {len(hardware.gpus)} GPU(s), numbered from 0")
    chosen = tuple(hardware.gpus[i] for i in sorted(set(select)))
    return replace(hardware, gpus=chosen, source=hardware.source if chosen else "none")


def resolve_hardware(
    target: str | None, presets: Mapping[str, GpuSpec], host: Hardware, select: Sequence[int] | None = None
) -> Hardware:
    """The hardware a plan is made for, with the host's RAM.

    The one place the CLI's ``--gpu``/``--gpus`` and the dashboard's GPU field and GPU toggles
    are turned into GPUs and RAM.

    Args:
        target: ``live`` (or None / empty): the host's own GPUs; else a ``--gpu`` value (preset id,
            ``NxID`` or custom spec), planned with the host's RAM.
        presets: GPU presets by id.
        host: this machine as read (its GPUs, none when there is no GPU, and its RAM).
        select: positions of the host's GPUs to plan on (``--gpus 0,2``, the dashboard's toggles);
            only for ``live``.

    Raises:
        GpuSpecError: ``target`` is not a preset, ``NxID`` or custom spec.
        ValueError: ``select`` names a GPU the host does not have.
    """
    text = (target or "").strip()
    if not text or text.lower() == "live":
        return select_gpus(host, select)
    gpus, source = parse_gpu_spec(text, presets)
    nodes, link = parse_nodes(text)
    return replace(host, gpus=gpus, source=source, nodes=nodes, inter_node_bytes_per_s=link)
