"""The fitted speed constants, as records: what ``benchmarks/calibrate.py`` writes and the speed model reads.

The numbers live in ``presets/data/speed_calibration.json`` (loaded by :func:`paramtui.presets.speed_calibration`),
never in code, so a refit changes data only and a test can refit and compare. Each record says what
it is a share or a duration of; the JSON says where each value comes from and the held-out error
that sets each runtime's band.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Efficiency:
    """How much of the hardware a per-layer runtime (llama.cpp, transformers) gets."""

    bandwidth: float
    """Share of peak memory bandwidth reached while decoding."""
    per_layer_s: float
    """Fixed seconds per step for each reference decoder layer's worth of kernels (launches, syncs,
    kernels too small to reach full bandwidth); a layer costs its ``layer_kernels`` share."""
    compute: float
    """Share of peak tensor FLOPS reached in prefill."""
    moe_compute: float = 1.0
    """Factor on ``compute`` for MoE prefill (per-expert GEMMs on few tokens each run below peak)."""
    compute_by_cc: tuple[tuple[float, float], ...] = ()
    """(compute capability, share) pairs that replace ``compute`` on those GPUs: a runtime whose
    kernels do not use an architecture's own tensor-core instructions reaches far less of its peak."""
    band: float = 0.35
    """Relative half-width of the low-high band: the 90th-percentile error on held-out rows."""
    per_layer_width: float = 0.0
    """Weight w of the model's width in the per-layer cost: ``per_layer_s x (1 - w + w x hidden / 4096)``
    (a small model's kernels finish sooner than a wide one's; 0 = the same cost at every width)."""
    compute_by_path: tuple[tuple[str, float], ...] = ()
    """(math path, share) pairs: the share of that path's peak prefill reaches (``int8_mmq``,
    ``fp16_acc16``, ``fp16``, ``fp8``, ``int8``; see :mod:`paramtui.engine.math_path`). A path
    listed here replaces ``compute`` and ``compute_by_cc``."""
    band_by_path: tuple[tuple[str, float], ...] = ()
    """(math path, prefill band) pairs: the held-out p90 error of prefill on that path."""
    dequant_ops: float = 0.0
    """Operations a decode step's matrix-vector kernels spend on each quantized weight (unpacking the
    block, scaling, the multiply-add), counted against the GPU's vector FP16 rate: the step cannot be
    shorter than ``dequant_ops x quantized weights / FP16 FLOPS``. Applied on GPUs without INT8 matrix
    units (Apple, RDNA 1/2), where that rate is the FP16 figure and is low next to the bandwidth
    (M1 Max 10.4 TFLOPS for 400 GB/s); 0 = decode is never bound by it."""

    host_share: float = 0.0
    """Share of the per-layer cost that is CPU work and scales with the host clock: llama.cpp's Metal
    backend re-encodes every kernel of a decode step on the CPU (ggml-org/llama.cpp#9507, #9698), so on
    Apple SoCs a faster CPU shortens the step. The cost is ``per_layer_s x (1 - h + h x reference /
    host clock)``, with ``per_layer_s`` quoted at :data:`paramtui.engine.speed.HOST_REFERENCE_GHZ`;
    0 = the same cost whatever the CPU."""

    def compute_share(self, path: str, compute_capability: float | None) -> float:
        """Share of a math path's peak reached in prefill (before the MoE factor)."""
        by_path = dict(self.compute_by_path)
        if path in by_path:
            return by_path[path]
        return dict(self.compute_by_cc).get(compute_capability or 0.0, self.compute)


@dataclass(frozen=True, slots=True)
class KernelCosts:
    """Decode kernel costs of a serving engine on one kind of GPU (measured per operation)."""

    gemm_floor_s: float
    """Time of a 16-bit GEMM at M = 1 beyond its bytes: launch, tail and split-K reduction."""
    gemm_fp8_floor_s: float
    """The same for FP8 weights (scaled GEMMs carry more epilogue work)."""
    attention_floor_s: float
    """Decode attention kernel of one layer at a one-token context (GQA)."""
    mla_attention_floor_s: float
    """MLA decode attention kernel of one layer at a one-token context."""
    moe_floor_s: float
    """The fused-MoE module of one layer at one token beyond its bytes (routing, alignment, grouped
    GEMMs), for 128 routed experts."""
    moe_floor_per_expert_s: float
    """What each routed expert beyond (or short of) 128 adds to that floor."""
    elementwise_s: float
    """One small memory-bound kernel: a norm, RoPE, activation, residual add."""
    bandwidth: float
    """Share of datasheet memory bandwidth that weight reads reach in these kernels."""
    source: str = ""
    """Where the figures come from."""


@dataclass(frozen=True, slots=True)
class CollectiveCost:
    """Latency of one all-reduce: ``alpha`` plus bytes over the bus bandwidth."""

    alpha_s: float
    """Latency of a small message."""
    bytes_per_s: float
    """Bus bandwidth once the message is large."""

    def seconds(self, message_bytes: float) -> float:
        """Time of one all-reduce of ``message_bytes``."""
        return self.alpha_s + message_bytes / self.bytes_per_s


@dataclass(frozen=True, slots=True)
class ServingConstants:
    """A CUDA-graph serving engine (vLLM, SGLang) on one vendor's GPUs."""

    host_step_s: float
    """Host time per decode step not hidden behind the GPU: scheduling, sampling, detokenising,
    input preparation (fitted on end-to-end single-request measurements)."""
    floor_scale: float
    """Factor on every kernel floor: what end-to-end runs add to isolated kernel timings (fitted)."""
    launch_s: float
    """Host cost per kernel launch when CUDA graphs are off (``--enforce-eager``)."""
    compute: float
    """Share of peak tensor FLOPS reached in prefill."""
    moe_compute: float
    """Factor on ``compute`` for MoE prefill."""
    kernels: Mapping[str, KernelCosts]
    """Kernel costs by GPU class (``ampere``, ``ada``, ``hopper``, ``blackwell``, ``default``)."""
    collectives: Mapping[str, Mapping[int, CollectiveCost]]
    """All-reduce cost by link (``nvlink``, ``pcie``, ``ib``) and GPU count."""
    band: float = 0.4
    """Relative half-width of the low-high band: the held-out p90 error."""
    prefill_interference: float = 1.0
    """Factor on the other requests' prompt prefill time under load (fitted per engine on concurrency
    > 1 rows): chunked prefill runs below the prefill compute share and holds decode steps back."""
    prefill_launch_s: float = 0.0
    """Host time per kernel of a prefill forward pass that runs outside CUDA graphs (eager PyTorch
    dispatch, fitted on ``benchmarks/serving_prefill.csv``)."""
    request_s: float = 0.0
    """Host time of one request before its first token beyond the forward pass: HTTP, tokenising,
    scheduling, sampling and streaming the first token (fitted)."""
    prefill_collective_scale: float = 1.0
    """Factor on the all-reduce time of a prefill pass (fitted): large messages reach more bus bandwidth
    than the decode-sized ones the collective table was measured at, and overlap with compute."""
    ttft_band: float = 0.5
    """Relative half-width of the time-to-first-token band: its leave-one-model-out p90 error."""

    def kernel_costs(self, gpu_class: str) -> KernelCosts:
        """Kernel costs of a GPU class, or the default ones."""
        return self.kernels.get(gpu_class) or self.kernels["default"]

    def allreduce(self, link: str, gpus: int) -> CollectiveCost:
        """All-reduce cost over ``gpus`` GPUs on ``link`` (the nearest measured count above)."""
        table = self.collectives.get(link) or self.collectives["pcie"]
        counts = sorted(table)
        for count in counts:
            if count >= gpus:
                return table[count]
        return table[counts[-1]]


@dataclass(frozen=True, slots=True)
class Calibration:
    """Every fitted speed constant, by (runtime, vendor)."""

    efficiency: Mapping[tuple[str, str], Efficiency]
    """Per-layer model constants."""
    serving: Mapping[tuple[str, str], ServingConstants]
    """Serving-engine constants."""
    fallback: Efficiency
    """For runtime/vendor pairs with no calibration."""
    ram_efficiency: float
    """Share of RAM bandwidth reached when the CPU reads offloaded weights."""
    notes: Mapping[str, Any] = field(default_factory=dict)
    """Sources and held-out errors, as the JSON states them (shown, never computed with)."""


class CalibrationError(ValueError):
    """The calibration data is malformed."""


def _number(data: Mapping[str, Any], key: str, default: float | None = None) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise CalibrationError(f"calibration value {key!r} must be a finite non-negative number, got {value!r}")
    return float(value)


def _efficiency(data: Mapping[str, Any]) -> Efficiency:
    return Efficiency(
        bandwidth=_number(data, "bandwidth"),
        per_layer_s=_number(data, "per_layer_s"),
        compute=_number(data, "compute"),
        moe_compute=_number(data, "moe_compute", 1.0),
        compute_by_cc=tuple((float(cc), float(share)) for cc, share in data.get("compute_by_cc", ())),
        band=_number(data, "band", 0.35),
        per_layer_width=_number(data, "per_layer_width", 0.0),
        dequant_ops=_number(data, "dequant_ops", 0.0),
        host_share=_number(data, "host_share", 0.0),
        compute_by_path=tuple(
            (str(k), _number(data.get("compute_by_path", {}), k)) for k in data.get("compute_by_path", {})
        ),
        band_by_path=tuple(
            (str(k), _number(data.get("prefill_band_by_path", {}), k)) for k in data.get("prefill_band_by_path", {})
        ),
    )


def _serving(data: Mapping[str, Any]) -> ServingConstants:
    kernels = {
        name: KernelCosts(
            gemm_floor_s=_number(k, "gemm_floor_s"),
            gemm_fp8_floor_s=_number(k, "gemm_fp8_floor_s"),
            attention_floor_s=_number(k, "attention_floor_s"),
            mla_attention_floor_s=_number(k, "mla_attention_floor_s"),
            moe_floor_s=_number(k, "moe_floor_s"),
            moe_floor_per_expert_s=_number(k, "moe_floor_per_expert_s", 0.0),
            elementwise_s=_number(k, "elementwise_s"),
            bandwidth=_number(k, "bandwidth"),
            source=str(k.get("source", "")),
        )
        for name, k in data["kernels"].items()
    }
    if "default" not in kernels:
        raise CalibrationError("serving kernels need a 'default' entry")
    collectives = {
        link: {int(n): CollectiveCost(_number(c, "alpha_s"), _number(c, "bytes_per_s")) for n, c in table.items()}
        for link, table in data["collectives"].items()
    }
    if "pcie" not in collectives:
        raise CalibrationError("serving collectives need a 'pcie' entry")
    return ServingConstants(
        host_step_s=_number(data, "host_step_s"),
        floor_scale=_number(data, "floor_scale", 1.0),
        launch_s=_number(data, "launch_s"),
        compute=_number(data, "compute"),
        moe_compute=_number(data, "moe_compute", 1.0),
        kernels=kernels,
        collectives=collectives,
        band=_number(data, "band", 0.4),
        prefill_interference=_number(data, "prefill_interference", 1.0),
        prefill_launch_s=_number(data, "prefill_launch_s", 0.0),
        request_s=_number(data, "request_s", 0.0),
        prefill_collective_scale=_number(data, "prefill_collective_scale", 1.0),
        ttft_band=_number(data, "ttft_band", 0.5),
    )


def _split_key(key: str) -> tuple[str, str]:
    runtime, _, vendor = key.partition("/")
    if not vendor:
        raise CalibrationError(f"calibration key {key!r} must be runtime/vendor")
    return runtime, vendor


def parse_calibration(data: Mapping[str, Any]) -> Calibration:
    """Build the records from the JSON's mapping.

    Raises:
        CalibrationError: a value is missing, negative or not finite.
    """
    try:
        shared = data.get("serving_shared", {})
        serving = {_split_key(k): _serving({**shared, **v}) for k, v in data.get("serving", {}).items()}
        return Calibration(
            efficiency={_split_key(k): _efficiency(v) for k, v in data["per_layer"].items()},
            serving=serving,
            fallback=_efficiency(data["fallback"]),
            ram_efficiency=_number(data, "ram_efficiency"),
            notes={k: v for k, v in data.items() if k in ("source", "heldout", "method")},
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise CalibrationError(f"calibration data is malformed: {exc}") from exc
