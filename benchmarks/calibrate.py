"""Fit the speed constants on public measurements and report the error on models and GPUs left out.

Run: ``python benchmarks/calibrate.py`` (report) or ``python benchmarks/calibrate.py --write`` (also
store the constants and each runtime's band in ``presets/data/speed_calibration.json``).

Rows: ``benchmarks/decode.csv`` (llama-bench, Ollama, transformers runs) and
``benchmarks/serving.csv`` (vLLM and SGLang end-to-end runs: bench_serving median TPOT at a fixed
concurrency, bench_one_batch, benchmark_latency), each with its source.

What is fitted, per (runtime, GPU vendor):
- per-layer runtimes (llama.cpp, transformers): the bandwidth share and the fixed cost per
  reference layer's kernels;
- serving engines (vLLM, SGLang): the host time per step and one factor on the per-kernel floors;
  the floors, bandwidth shares and collective latencies themselves are per-operation measurements
  (``serving_shared`` in the JSON, from AIConfigurator's tables) and are not fitted here.

A row whose ``gpu`` starts with ``#`` stays in its CSV with its source but is left out; its note
says why (e.g. a build whose kernels differ from the modelled release's).

How the error is reported: leave-one-model-out (every row of a model is predicted by constants
fitted without any row of that model) and leave-one-GPU-kind-out (likewise per GPU kind), never
alternating rows of one run. A runtime's band is its leave-one-model-out p90 error.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from paramtui.engine import speed
from paramtui.engine.adapters.sources import load_path, load_preset
from paramtui.engine.architecture import Architecture
from paramtui.engine.calibration import Calibration, Efficiency, ServingConstants
from paramtui.engine.fit import Deployment, FitReport, PlanOptions, Workload, assess_fit
from paramtui.engine.hardware import Hardware, parse_gpu_spec
from paramtui.engine.kv_cache import resolve_kv_dtype
from paramtui.engine.math_path import expert_tile_factor
from paramtui.engine.params import ParamBreakdown, count_params, prompt_flops
from paramtui.engine.releases import ReleaseChoice, apply_release
from paramtui.engine.runtimes import RuntimeProfile, get_runtime
from paramtui.engine.serving import ServingPrefill, ServingStep
from paramtui.presets import get_preset, gpu_presets, speed_calibration

HERE = Path(__file__).parent
DECODE_CSV = HERE / "decode.csv"
SERVING_CSV = HERE / "serving.csv"
SERVING_HELDOUT_CSV = HERE / "serving_heldout.csv"
"""Decode rows never fitted on (tests/test_serving_heldout.py checks the shipped constants against them)."""
LLAMA_HELDOUT_CSV = HERE / "llama_heldout.csv"
"""llama.cpp decode rows never fitted on (tests/test_llama_heldout.py checks the shipped constants against them):
the longer llama-bench lengths (tg 1024 to 8192) of the M1 Max, M2 Ultra and M3 Max runs whose tg 512 rows
decode.csv fits, which test how decode slows as the cache grows. Kept out of the fit: 40 rows of three
machines from one source would outweigh every other Apple row."""
PREFILL_CSV = HERE / "prefill.csv"
SERVING_PREFILL_CSV = HERE / "serving_prefill.csv"
SERVING_PREFILL_HELDOUT_CSV = HERE / "serving_prefill_heldout.csv"
"""A row never fitted on (tests/test_serving_prefill.py checks the shipped constants against it)."""
CALIBRATION_JSON = HERE.parent / "presets" / "data" / "speed_calibration.json"

MEASURED_BANDWIDTH = {
    # Host-bound rows say little about bandwidth (the grid trades it for per-layer cost), so it is
    # pinned to what the GPU reached copying 1 GiB device to device in the same runs: 4.10-4.15
    # TB/s of the H200's 4.81 (benchmarks/measure_transformers.py output).
    ("transformers", "nvidia"): 0.85,
}
"""Bandwidth shares measured directly, used instead of fitting."""

BANDWIDTH_GRID = np.arange(0.40, 1.0001, 0.02)
LAYER_GRID = np.concatenate([np.arange(0, 101, 4), np.arange(125, 1501, 25)]) * 1e-6
FLOOR_SCALE_GRID = np.arange(0.5, 3.0001, 0.05)
HOST_GRID = np.arange(0.0, 8.0001, 0.05) * 1e-3
WIDTH_GRID = np.array([0.0])
"""Weights of the model's width in the per-layer cost tried by the fit. Fitting it (0-1 by 0.25) cut
llama.cpp's leave-one-model-out error (NVIDIA median 7.9% -> 6.1%, MoE p90 35% -> 22%) but broke
leave-one-GPU-kind-out: without the H100 rows the fit put NVIDIA's per-layer cost at 24 us and the
H100 came out 40-75% fast (NVIDIA p90 23% -> 55%). Kept at 0 until rows on more fast-memory GPUs
pin the per-layer cost down."""
WIDTH_RUNTIMES = ("llama.cpp",)
"""Runtimes whose per-layer cost may carry a width term (transformers' is host-bound, not width-bound)."""
HOST_SHARE_GRID = np.arange(0.0, 1.0001, 0.1)
"""Shares of the per-layer cost that scale with the host CPU's clock (``Efficiency.host_share``), tried
where the rows' hosts differ (Apple SoCs, whose CPU clock each preset carries)."""
DEQUANT_GRID = np.arange(0.0, 60.0001, 2.0)
"""Operations per quantized weight tried for llama.cpp's decode kernels (``Efficiency.dequant_ops``)."""
DEQUANT_RUNTIMES = ("llama.cpp",)
"""Runtimes whose decode kernels dequantize GGUF blocks (transformers reads float weights)."""
INTERFERENCE_GRID = np.concatenate([np.arange(0.0, 5.0001, 0.25), np.arange(5.5, 30.0001, 0.5)])
NODE_GPUS = 8
"""GPUs in one HGX/OAM node: a row on more is a multi-node run (InfiniBand between nodes)."""
INTER_NODE_BYTES_PER_S = 50e9
"""400 Gb/s InfiniBand/RoCE per GPU, the usual HGX fabric (AIConfigurator's inter_node_bw)."""
MIN_ROWS = 3
"""Fewest rows a (runtime, vendor) is fitted on; fewer keep the shipped constants."""
INTERFERENCE_GROUPS: tuple[tuple[str, ...], ...] = (("vllm", "sglang"),)
"""Engines that share one prefill-interference factor: one, pooled (x6.5 on a prompt's device time).
Measured on the rows above concurrency 1, median / p90: pooled, 16.1% / 35.1% held out by model and
22.4% / 47.8% held out by GPU kind; each engine its own (vLLM x5.5, SGLang x7.0), 18.9% / 39.2% and
28.8% / 86.4%. Before the factor applied to the device time alone it applied to the pass's whole time
(launches included): pooled x2.0, 20.8% / 65.0% and 33.3% / 76.3%; per engine (SGLang x1.0, vLLM x7.5)
the x7.5 made four vLLM requests on one RTX 4090 slower in total than one on an 8k workload."""


@dataclass(frozen=True)
class Case:
    """One measurement with its model, hardware and plan resolved once."""

    row: dict[str, str]
    arch: Architecture
    breakdown: ParamBreakdown
    fit: FitReport
    runtime: RuntimeProfile
    hardware: Hardware
    workload: Workload

    @property
    def key(self) -> tuple[str, str]:
        """(runtime, GPU vendor)."""
        return self.runtime.name, self.hardware.gpus[0].vendor

    @property
    def model(self) -> str:
        """Preset id."""
        return self.row["model"]

    @property
    def gpu_kind(self) -> str:
        """GPU preset id (without the count)."""
        return self.hardware.gpus[0].id

    @property
    def kind(self) -> str:
        """dense or moe."""
        return self.arch.kind

    @property
    def measured(self) -> float:
        """Measured tokens/s (per user for serving rows, aggregate for llama-bench batch rows)."""
        return float(self.row["tokens_per_s"])

    @property
    def gpus(self) -> int:
        """GPUs the plan uses."""
        return self.fit.attempt.plan.gpus

    @property
    def output_tokens(self) -> int:
        """Tokens each request generated: the row's ``output_tokens`` (the mean its source printed), or,
        where a row leaves it blank, input = output with ``context`` = input + output / 2, so
        output = context / 1.5 (an assumption, stated)."""
        given = self.row.get("output_tokens") or ""
        return max(1, int(given)) if given else max(1, round(self.workload.context / 1.5))

    @property
    def prompt_tokens(self) -> int:
        """Tokens of each request's prompt: ``context`` is input + output / 2 (the mean context of a decode)."""
        return max(1, round(self.workload.context - self.output_tokens / 2))

    def interference_s(self, cal: Calibration) -> float:
        """Seconds per output token the other requests' prompt prefills add at the row's concurrency."""
        batch = self.workload.batch
        if batch <= 1:
            return 0.0
        constants = cal.serving.get(self.key) or cal.serving[(self.key[0], "nvidia")]
        seconds = self.prefill(constants, self.prompt_tokens).device_s  # launches overlap under load (engine/speed.py)
        return (batch - 1) * seconds / self.output_tokens * constants.prefill_interference

    def prefill(self, constants: ServingConstants, tokens: int) -> ServingPrefill:
        """The serving model's prefill of one ``tokens``-token prompt on the row's plan."""
        return speed.serving_prefill_for(
            self.arch,
            self.breakdown,
            self.fit,
            self.runtime,
            self.hardware,
            tokens,
            constants,
            self.workload.expert_parallel,
            speed_calibration().ram_efficiency,
        )

    def serving_step(self, constants: ServingConstants) -> ServingStep:
        """The serving model's step at the row's concurrency."""
        return speed.serving_step_for(
            self.arch,
            self.breakdown,
            self.fit,
            self.runtime,
            self.hardware,
            self.workload.batch,
            constants,
            self.workload.expert_parallel,
        )


def load_rows(path: Path) -> list[dict[str, str]]:
    """A measurements CSV's rows as calibrate reads them (a ``#`` in the gpu column comments a row out)."""
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        return [r for r in csv.DictReader(fh) if not r["gpu"].startswith("#")]


MODELS_DIR = HERE / "models"
"""config.json files of models the public rows use that are not shipped presets (Llama 2 7B)."""


def load_arch(model_id: str) -> Architecture:
    """A row's model: a shipped preset, or a config.json under ``benchmarks/models/``."""
    local = MODELS_DIR / f"{model_id}.json"
    if local.exists():
        return load_path(local).result.architecture
    return load_preset(get_preset(model_id)).result.architecture


def load_cases(path: Path, context_column: str = "context") -> list[Case]:
    """The measurements of one CSV, with model, hardware and fit resolved once (rows that do not fit are skipped)."""
    presets = gpu_presets()
    cases = []
    for row in load_rows(path):
        arch = load_arch(row["model"])
        breakdown = count_params(arch)
        gpus, source = parse_gpu_spec(row["gpu"], presets)
        nodes = -(-len(gpus) // NODE_GPUS)
        hardware = Hardware(
            gpus, source, nodes=nodes, inter_node_bytes_per_s=INTER_NODE_BYTES_PER_S if nodes > 1 else None
        )
        runtime = get_runtime(row["runtime"])
        if runtime.name == "vllm":
            # vllm serve's max_num_batched_tokens by card (2048 on an A100), as the CLI applies it
            runtime = apply_release(runtime, ReleaseChoice(), gpus[0].memory_bytes, gpus[0].name)
        if "enforce-eager" in row.get("note", ""):
            runtime = replace(runtime, cuda_graphs=False)
        if runtime.name == "llama.cpp" and "flash attention off" in row.get("note", ""):
            runtime = replace(runtime, flash_attention=False)  # llama-bench -fa 0, the default before -fa auto
        batch = int(row.get("batch") or 1)
        ep = int(row.get("ep") or 1)
        workload = Workload(int(row[context_column]), batch, expert_parallel=ep > 1)
        tp = int(row["tp"]) if row.get("tp") else None
        options = PlanOptions(tp=tp) if tp else None
        precision = row.get("precision") or row["quant"]
        deployment = Deployment(arch, breakdown, runtime, hardware, workload)
        fit = assess_fit(deployment, precision, resolve_kv_dtype("auto", arch), options=options, search_best=False)
        if fit.verdict == "does_not_fit" and not tp:
            print(f"  skipped (does not fit): {row['gpu']} {row['model']} {precision} {row['runtime']}")
            continue
        cases.append(Case(row, arch, breakdown, fit, runtime, hardware, workload))
    return cases


def all_cases() -> list[Case]:
    """Every decode row of both CSVs."""
    return load_cases(DECODE_CSV) + load_cases(SERVING_CSV)


def p90(values: Sequence[float]) -> float:
    """90th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _score(errors: np.ndarray) -> np.ndarray:
    """Median plus half the p90 of |error| along the last axis."""
    absolute = np.abs(errors)
    return np.median(absolute, axis=-1) + 0.5 * np.quantile(absolute, 0.9, axis=-1, method="closest_observation")


# -- per-layer runtimes ---------------------------------------------------------------------------


def _per_layer_arrays(cases: Sequence[Case], cal: Calibration) -> dict[str, np.ndarray]:
    steps = []
    for c in cases:
        eff = cal.efficiency.get(c.key, cal.fallback)
        steps.append(
            speed.per_layer_step(
                c.arch,
                c.breakdown,
                c.fit,
                c.hardware,
                c.workload.batch,
                eff,
                cal.ram_efficiency,
                c.runtime.name,
                speed.kv_reads(c.arch, c.runtime),
            )
        )
    return {
        "bytes": np.array([s.gpu_bytes / s.bandwidth_bytes_per_s for s in steps]),
        "ram": np.array([s.ram_s for s in steps]),
        "compute": np.array([s.compute_s for s in steps]),
        "units": np.array([s.layer_units for s in steps]),
        "width": np.array([s.width for s in steps]),
        "coll": np.array([s.collective_s for s in steps]),
        "dequant": np.array([s.dequant_s for s in steps]),
        "host": np.array([s.host_speed for s in steps]),
        "batch": np.array([c.workload.batch for c in cases], dtype=float),
        "measured": np.array([c.measured for c in cases]),
    }


def fit_per_layer(key: tuple[str, str], cases: Sequence[Case], cal: Calibration) -> Efficiency:
    """Grid-search the bandwidth share and per-layer cost for one (runtime, vendor)."""
    base = cal.efficiency.get(key, cal.fallback)
    a = _per_layer_arrays(cases, cal)
    bw = np.array([MEASURED_BANDWIDTH[key]]) if key in MEASURED_BANDWIDTH else BANDWIDTH_GRID
    widths = WIDTH_GRID if key[0] in WIDTH_RUNTIMES else np.array([0.0])
    ops = DEQUANT_GRID if key[0] in DEQUANT_RUNTIMES else np.array([0.0])
    hosts = HOST_SHARE_GRID if np.ptp(a["host"]) > 0 else np.array([0.0])
    memory = a["bytes"][None, None, None, None, :] / bw[:, None, None, None, None] + a["ram"]
    dequant = ops[None, None, None, :, None] * a["dequant"]
    bound = np.maximum(np.maximum(memory, a["compute"]), dequant)  # bandwidths x 1 x 1 x dequant ops x rows
    width_scale = 1 - widths[:, None] + widths[:, None] * a["width"][None, :]  # widths x rows
    best: tuple[float, tuple[int, ...]] | None = None
    for h, share in enumerate(hosts):  # one host share at a time keeps the grid's arrays small
        scale = width_scale * (1 - share + share * a["host"])
        fixed = LAYER_GRID[None, :, None, None, None] * scale[None, None, :, None, :] * a["units"]
        errors = a["batch"] / (bound + fixed + a["coll"]) / a["measured"] - 1
        scores = _score(errors)  # bandwidths x layer costs x widths x dequant ops
        index = np.unravel_index(np.argmin(scores), scores.shape)
        if best is None or scores[index] < best[0]:
            best = (float(scores[index]), (*index, h))
    assert best is not None
    i, j, k, m, h = best[1]
    return replace(
        base,
        bandwidth=round(float(bw[i]), 2),
        per_layer_s=round(float(LAYER_GRID[j]), 7),
        per_layer_width=round(float(widths[k]), 2),
        dequant_ops=round(float(ops[m]), 1),
        host_share=round(float(hosts[h]), 2),
    )


def predict_per_layer(cases: Sequence[Case], eff: Efficiency, cal: Calibration) -> np.ndarray:
    """Predicted tokens/s of each row with these constants."""
    a = _per_layer_arrays(cases, cal)
    memory = a["bytes"] / eff.bandwidth + a["ram"]
    scale = (1 - eff.per_layer_width + eff.per_layer_width * a["width"]) * (
        1 - eff.host_share + eff.host_share * a["host"]
    )
    bound = np.maximum(np.maximum(memory, a["compute"]), eff.dequant_ops * a["dequant"])
    step = bound + eff.per_layer_s * scale * a["units"] + a["coll"]
    return a["batch"] / step


# -- serving engines ------------------------------------------------------------------------------


SERVING_RUNTIMES = ("vllm", "sglang")
"""Engines whose fitted scalars are pooled per vendor: the same CUDA-graph decode loop, each with its
own measured kernel table; too few public rows of either alone to fit them apart."""


def _constants(c: Case, cal: Calibration) -> ServingConstants:
    return cal.serving.get(c.key) or cal.serving[(c.key[0], "nvidia")]


def _gpu_seconds(cases: Sequence[Case], cal: Calibration) -> np.ndarray:
    """GPU time per output token of each row for every floor scale on the grid (rows x scales)."""
    out = np.empty((len(cases), len(FLOOR_SCALE_GRID)))
    for i, c in enumerate(cases):
        step = c.serving_step(_constants(c, cal))
        for j, scale in enumerate(FLOOR_SCALE_GRID):
            out[i, j] = step.seconds(float(scale), host_s=0.0)
    return out


def fit_serving(
    cases: Sequence[Case], cal: Calibration, vendors: Sequence[str]
) -> dict[tuple[str, str], ServingConstants]:
    """Grid-search the serving engines' scalars, in two stages.

    The host time per step and the kernel-floor factor on the single-request rows (all rows when
    fewer than three are single), then the prefill-interference factor on the rows under load. The
    scalars are shared by vLLM and SGLang on every vendor; each engine keeps its own kernel table.
    """
    keys = [(rt, vendor) for rt in SERVING_RUNTIMES for vendor in vendors]
    bases = {k: replace(cal.serving.get(k) or cal.serving[(k[0], "nvidia")], prefill_interference=1.0) for k in keys}
    plain = replace(cal, serving={**cal.serving, **bases})
    single = [c for c in cases if c.workload.batch == 1]
    if len(single) < MIN_ROWS:
        single = list(cases)
    gpu = _gpu_seconds(single, plain)  # rows x scales
    measured = np.array([c.measured for c in single])
    step = gpu.T[:, None, :] + HOST_GRID[None, :, None]  # scales x hosts x rows
    scores = _score(1 / step / measured - 1)
    i, j = np.unravel_index(np.argmin(scores), scores.shape)
    scale, host = round(float(FLOOR_SCALE_GRID[i]), 2), round(float(HOST_GRID[j]), 6)
    fitted = {k: replace(b, floor_scale=scale, host_step_s=host) for k, b in bases.items()}
    unit = replace(cal, serving={**cal.serving, **fitted})
    for group in INTERFERENCE_GROUPS:
        loaded = [c for c in cases if c.workload.batch > 1 and c.runtime.name in group]
        if len(loaded) < MIN_ROWS:
            continue
        decode = np.array([c.serving_step(_constants(c, unit)).seconds(scale, host) for c in loaded])
        extra = np.array([c.interference_s(unit) for c in loaded])
        measured = np.array([c.measured for c in loaded])
        errors = 1 / (decode[None, :] + INTERFERENCE_GRID[:, None] * extra[None, :]) / measured - 1
        factor = round(float(INTERFERENCE_GRID[int(np.argmin(_score(errors)))]), 2)
        fitted = {k: replace(v, prefill_interference=factor) if k[0] in group else v for k, v in fitted.items()}
    return fitted


def predict_serving(cases: Sequence[Case], constants: ServingConstants, cal: Calibration) -> np.ndarray:
    """Predicted per-user tokens/s of each row with these constants."""
    return np.array(
        [
            1
            / (c.serving_step(constants).seconds(constants.floor_scale, constants.host_step_s) + c.interference_s(cal))
            for c in cases
        ]
    )


# -- fitting and held-out evaluation --------------------------------------------------------------


def _is_serving(key: tuple[str, str]) -> bool:
    return get_runtime(key[0]).step_model == "serving"


def fit_all(cases: Sequence[Case], cal: Calibration) -> Calibration:
    """Constants fitted on ``cases`` for every (runtime, vendor) with enough rows; others kept."""
    efficiency = dict(cal.efficiency)
    serving = dict(cal.serving)
    for key in sorted({c.key for c in cases if not _is_serving(c.key)}):
        subset = [c for c in cases if c.key == key]
        if len(subset) >= MIN_ROWS:
            efficiency[key] = fit_per_layer(key, subset, cal)
    subset = [c for c in cases if _is_serving(c.key)]
    if len(subset) >= MIN_ROWS:
        # one set of scalars for every vendor: AMD runs are too few to fit apart (fitted alone they
        # did worse on held-out models than NVIDIA's scalars did on the MI300X held out)
        vendors = sorted({vendor for runtime, vendor in serving if runtime in SERVING_RUNTIMES})
        for vendor, constants in fit_serving(subset, cal, vendors).items():
            serving[vendor] = constants
    return replace(cal, efficiency=efficiency, serving=serving)


def predict(cases: Sequence[Case], cal: Calibration) -> np.ndarray:
    """Predicted tokens/s of each row under ``cal``."""
    out = np.empty(len(cases))
    for key in {c.key for c in cases}:
        idx = [i for i, c in enumerate(cases) if c.key == key]
        subset = [cases[i] for i in idx]
        if _is_serving(key):
            constants = cal.serving.get(key) or cal.serving[(key[0], "nvidia")]
            out[idx] = predict_serving(subset, constants, cal)
        else:
            out[idx] = predict_per_layer(subset, cal.efficiency.get(key, cal.fallback), cal)
    return out


def held_out_errors(cases: Sequence[Case], cal: Calibration, group: Callable[[Case], str]) -> np.ndarray:
    """Relative error of each row predicted by constants fitted without its group (model or GPU kind)."""
    errors = np.empty(len(cases))
    for name in sorted({group(c) for c in cases}):
        idx = [i for i, c in enumerate(cases) if group(c) == name]
        train = [c for c in cases if group(c) != name]
        fitted = fit_all(train, cal)
        held = [cases[i] for i in idx]
        errors[idx] = predict(held, fitted) / np.array([c.measured for c in held]) - 1
    return errors


@dataclass(frozen=True)
class Summary:
    """Median and p90 |error| of a subset."""

    label: str
    n: int
    median: float
    p90: float

    def line(self) -> str:
        """One printed line."""
        return f"  {self.label:44s} n={self.n:3d}  median {100 * self.median:5.1f}%  p90 {100 * self.p90:5.1f}%"


def summarise(label: str, errors: Iterable[float]) -> Summary | None:
    """Median and p90 of |errors|, or None when empty."""
    values = [abs(e) for e in errors]
    if not values:
        return None
    return Summary(label, len(values), statistics.median(values), p90(values))


def subsets(cases: Sequence[Case]) -> dict[str, list[int]]:
    """Named row subsets the accuracy targets are stated on."""
    named: dict[str, list[int]] = {}

    def add(name: str, pred: Callable[[Case], bool]) -> None:
        idx = [i for i, c in enumerate(cases) if pred(c)]
        if idx:
            named[name] = idx

    for runtime in sorted({c.runtime.name for c in cases}):
        add(f"{runtime}", lambda c, r=runtime: c.runtime.name == r)
        add(f"{runtime} single request", lambda c, r=runtime: c.runtime.name == r and c.workload.batch == 1)
        add(f"{runtime} dense", lambda c, r=runtime: c.runtime.name == r and c.kind == "dense")
        add(f"{runtime} moe", lambda c, r=runtime: c.runtime.name == r and c.kind == "moe")
        for vendor in sorted({c.key[1] for c in cases if c.runtime.name == runtime}):
            add(f"{runtime} {vendor}", lambda c, r=runtime, v=vendor: c.key == (r, v))
            if runtime != "llama.cpp":
                continue
            for kind in ("dense", "moe"):
                add(
                    f"{runtime} {vendor} {kind}", lambda c, r=runtime, v=vendor, k=kind: c.key == (r, v) and c.kind == k
                )
    llama = [c for c in cases if c.runtime.name == "llama.cpp"]
    for quant in sorted({c.row["quant"] for c in llama}):
        add(f"llama.cpp format {quant}", lambda c, q=quant: c.runtime.name == "llama.cpp" and c.row["quant"] == q)
    add("llama.cpp depth >= 8k", lambda c: c.runtime.name == "llama.cpp" and c.workload.context >= 8192)
    add("llama.cpp multi-GPU", lambda c: c.runtime.name == "llama.cpp" and c.gpus > 1)
    serving = [c for c in cases if c.runtime.step_model == "serving"]
    if serving:
        add("vllm+sglang single request", lambda c: c.runtime.step_model == "serving" and c.workload.batch == 1)
        add("vllm+sglang 4-16 GPUs", lambda c: c.runtime.step_model == "serving" and 4 <= c.gpus <= 16)
        add(
            "vllm+sglang DeepSeek-class MoE, 8-16 GPUs",
            lambda c: c.runtime.step_model == "serving" and c.arch.mla is not None and c.gpus >= 8,
        )
        add("vllm+sglang concurrency > 1", lambda c: c.runtime.step_model == "serving" and c.workload.batch > 1)
    return named


def print_held_out(
    errors_by_title: dict[str, np.ndarray], subset_rows: dict[str, list[int]]
) -> dict[str, dict[str, dict[str, float]]]:
    """Print each held-out split's median and p90 per subset (rows as indices into the errors);
    return them as the JSON stores them: title -> subset -> n, median, p90."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for title, errors in errors_by_title.items():
        print(f"\n{title}:")
        for name, idx in subset_rows.items():
            summary = summarise(name, errors[idx])
            if summary is not None:
                print(summary.line())
                out.setdefault(title, {})[name] = {
                    "n": summary.n,
                    "median": round(summary.median, 3),
                    "p90": round(summary.p90, 3),
                }
    return out


def report(cases: Sequence[Case], cal: Calibration) -> dict[str, dict[str, dict[str, float]]]:
    """Print the held-out errors per subset; return them for the JSON."""
    lomo = held_out_errors(cases, cal, lambda c: c.model)
    logo = held_out_errors(cases, cal, lambda c: c.gpu_kind)
    return print_held_out({"leave-one-model-out": lomo, "leave-one-GPU-kind-out": logo}, subsets(cases))


def report_heldout_decode(cal: Calibration, path: Path = SERVING_HELDOUT_CSV) -> None:
    """Print each decode row never fitted on: predicted and measured tok/s per user, signed error."""
    cases = load_cases(path)
    if not cases:
        return
    print("\ndecode rows never fitted on:")
    for c, predicted in zip(cases, predict(cases, cal), strict=True):
        print(
            f"  {c.model} on {c.row['gpu']} ({c.runtime.name}, {c.workload.context} tokens, batch {c.workload.batch}):"
            f" {predicted:.1f} tok/s predicted, {c.measured:.1f} measured ({100 * (predicted / c.measured - 1):+.0f}%)"
        )


def report_llama_heldout(cal: Calibration, path: Path = LLAMA_HELDOUT_CSV) -> None:
    """Print the held-out llama.cpp rows' error with the shipped constants, by machine and format."""
    cases = load_cases(path)
    if not cases:
        return
    errors = predict(cases, cal) / np.array([c.measured for c in cases]) - 1
    subsets = {"llama.cpp": list(range(len(cases)))} | _groups(cases, lambda c: f"{c.gpu_kind} {c.row['quant']}")
    print_held_out({f"llama.cpp rows never fitted on ({path.name})": errors}, subsets)


def _groups(cases: Sequence[Case], label: Callable[[Case], str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, c in enumerate(cases):
        out.setdefault(label(c), []).append(i)
    return out


def bands(cases: Sequence[Case], cal: Calibration) -> dict[tuple[str, str], float]:
    """Each (runtime, vendor)'s band: the leave-one-model-out p90 of its rows (of the runtime's rows when few)."""
    lomo = held_out_errors(cases, cal, lambda c: c.model)
    out: dict[tuple[str, str], float] = {}
    for key in sorted({c.key for c in cases}):
        own = [abs(e) for e, c in zip(lomo, cases, strict=True) if c.key == key]
        if len(own) < 5:
            own = [abs(e) for e, c in zip(lomo, cases, strict=True) if c.runtime.name == key[0]]
        out[key] = round(max(p90(own), 0.1), 2)
    return out


def calibrated(cases: Sequence[Case], cal: Calibration) -> Calibration:
    """Constants fitted on every row, with each runtime's band from its held-out error."""
    fitted = fit_all(cases, cal)
    efficiency = dict(fitted.efficiency)
    serving = dict(fitted.serving)
    for key, band in bands(cases, cal).items():
        if key in serving and _is_serving(key):
            serving[key] = replace(serving[key], band=band)
        elif key in efficiency:
            efficiency[key] = replace(efficiency[key], band=band)
    return replace(fitted, efficiency=efficiency, serving=serving)


def write(cal: Calibration, heldout: dict[str, dict[str, dict[str, float]]], path: Path = CALIBRATION_JSON) -> None:
    """Store the fitted constants, bands and held-out errors in the JSON the engine reads."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for (runtime, vendor), eff in cal.efficiency.items():
        entry = data["per_layer"].setdefault(f"{runtime}/{vendor}", {"compute": eff.compute})
        entry.update(bandwidth=eff.bandwidth, per_layer_s=eff.per_layer_s, band=eff.band)
        if eff.per_layer_width:
            entry.update(per_layer_width=eff.per_layer_width)
        if eff.dequant_ops:
            entry.update(dequant_ops=eff.dequant_ops)
        else:
            entry.pop("dequant_ops", None)
        if eff.host_share:
            entry.update(host_share=eff.host_share)
        else:
            entry.pop("host_share", None)
        if eff.compute_by_path:
            entry.update(
                compute_by_path=dict(eff.compute_by_path),
                moe_compute=eff.moe_compute,
                prefill_band_by_path=dict(eff.band_by_path),
            )
    for (runtime, vendor), constants in cal.serving.items():
        entry = data["serving"].setdefault(f"{runtime}/{vendor}", {})
        entry.update(
            host_step_s=constants.host_step_s,
            floor_scale=constants.floor_scale,
            prefill_interference=constants.prefill_interference,
            band=constants.band,
            compute=constants.compute,
            moe_compute=constants.moe_compute,
            prefill_launch_s=constants.prefill_launch_s,
            request_s=constants.request_s,
            prefill_collective_scale=constants.prefill_collective_scale,
            ttft_band=constants.ttft_band,
        )
    data["heldout"] = heldout
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


# -- serving engines' time to first token ---------------------------------------------------------


TTFT_COMPUTE_GRID = np.arange(0.20, 0.9501, 0.02)
TTFT_MOE_GRID = np.arange(0.30, 1.0001, 0.05)
TTFT_LAUNCH_GRID = np.arange(0.0, 200.0001, 5.0) * 1e-6
TTFT_REQUEST_GRID = np.arange(0.0, 60.0001, 2.0) * 1e-3
TTFT_COLLECTIVE_GRID = np.array([1.0])
"""Factors on the prefill all-reduce tried by the fit. Fitting it (0-1 by 0.25) put SGLang's at 0.25
and made the held-out TTFT worse (leave-one-model-out median 32.6% -> 38.5%, p90 94% -> 108%), so the
collective table's own figure stands."""


@dataclass(frozen=True)
class TtftCase:
    """One time-to-first-token measurement and the serving model's terms for it at share 1."""

    case: Case
    prefill: ServingPrefill

    @property
    def measured_s(self) -> float:
        """Measured time to first token."""
        return float(self.case.row["ttft_ms"]) / 1e3

    @property
    def is_moe(self) -> bool:
        """The model has MoE layers (the MoE factor applies)."""
        return self.case.arch.moe is not None and self.case.arch.num_moe_layers > 0


def ttft_cases(path: Path = SERVING_PREFILL_CSV) -> list[TtftCase]:
    """The rows of a time-to-first-token CSV with the serving model's prefill terms."""
    cal = speed_calibration()
    out = []
    for case in load_cases(path, context_column="prompt_tokens"):
        unit = replace(_constants(case, cal), prefill_collective_scale=1.0)  # the fit scales the all-reduce itself
        out.append(TtftCase(case, case.prefill(unit, case.workload.context)))
    return out


def _ttft_arrays(cases: Sequence[TtftCase]) -> dict[str, np.ndarray]:
    return {
        "flops_s": np.array([c.prefill.flops / c.prefill.peak_flops for c in cases]),
        "moe": np.array([c.is_moe for c in cases]),
        "weights": np.array([c.prefill.weights_s for c in cases]),
        "kernels": np.array([0.0 if c.prefill.graphs else c.prefill.kernels for c in cases]),
        "coll": np.array([c.prefill.collective_s for c in cases]),
        "measured": np.array([c.measured_s for c in cases]),
    }


def predict_ttft(cases: Sequence[TtftCase], cal: Calibration) -> np.ndarray:
    """Predicted time to first token of each row under ``cal``."""
    out = []
    for c in cases:
        constants = _constants(c.case, cal)
        out.append(c.case.prefill(constants, c.case.workload.context).seconds)
    return np.array(out)


def fit_ttft(cases: Sequence[TtftCase], cal: Calibration) -> Calibration:
    """Per serving engine (every vendor together): the prefill share of peak, the MoE factor, the
    host time per kernel outside CUDA graphs and the fixed time per request, by grid search."""
    serving = dict(cal.serving)
    for runtime in SERVING_RUNTIMES:
        own = [c for c in cases if c.case.runtime.name == runtime]
        if len(own) < MIN_ROWS:
            continue
        a = _ttft_arrays(own)
        moe_grid = TTFT_MOE_GRID if a["moe"].any() and (~a["moe"]).any() else np.array([1.0])
        best = (np.inf, 0.0, 1.0, 0.0, 0.0, 1.0)
        for moe, coll in ((m, k) for m in moe_grid for k in TTFT_COLLECTIVE_GRID):
            rate = TTFT_COMPUTE_GRID[:, None] * np.where(a["moe"], moe, 1.0)[None, :]  # shares x rows
            gpu = np.maximum(a["flops_s"][None, :] / rate, a["weights"][None, :]) + coll * a["coll"]
            # shares x launches x requests x rows
            ttft = (
                gpu[:, None, None, :]
                + TTFT_LAUNCH_GRID[None, :, None, None] * a["kernels"]
                + TTFT_REQUEST_GRID[None, None, :, None]
            )
            scores = _score(ttft / a["measured"] - 1)
            i, j, k = np.unravel_index(np.argmin(scores), scores.shape)
            if scores[i, j, k] < best[0]:
                best = (
                    float(scores[i, j, k]),
                    float(TTFT_COMPUTE_GRID[i]),
                    float(moe),
                    float(TTFT_LAUNCH_GRID[j]),
                    float(TTFT_REQUEST_GRID[k]),
                    float(coll),
                )
        _, share, moe, launch, request, coll = best
        for key in [k for k in serving if k[0] == runtime]:
            serving[key] = replace(
                serving[key],
                compute=round(share, 2),
                moe_compute=round(moe, 2),
                prefill_launch_s=round(launch, 7),
                request_s=round(request, 4),
                prefill_collective_scale=round(coll, 2),
            )
    return replace(cal, serving=serving)


def ttft_held_out(cases: Sequence[TtftCase], cal: Calibration, group: Callable[[TtftCase], str]) -> np.ndarray:
    """Relative error of each row's time to first token, predicted by constants fitted without its group."""
    errors = np.empty(len(cases))
    for name in sorted({group(c) for c in cases}):
        idx = [i for i, c in enumerate(cases) if group(c) == name]
        fitted = fit_ttft([c for c in cases if group(c) != name], cal)
        held = [cases[i] for i in idx]
        errors[idx] = predict_ttft(held, fitted) / np.array([c.measured_s for c in held]) - 1
    return errors


def ttft_subsets(cases: Sequence[TtftCase]) -> dict[str, list[int]]:
    """Named subsets of the time-to-first-token rows: per engine, at one request, dense and MoE."""
    named: dict[str, list[int]] = {}

    def add(name: str, pred: Callable[[TtftCase], bool]) -> None:
        idx = [i for i, c in enumerate(cases) if pred(c)]
        if idx:
            named[name] = idx

    add("TTFT vllm+sglang", lambda c: True)
    for runtime in SERVING_RUNTIMES:
        add(f"TTFT {runtime}", lambda c, r=runtime: c.case.runtime.name == r)
        add(
            f"TTFT {runtime} concurrency 1",
            lambda c, r=runtime: c.case.runtime.name == r and c.case.workload.batch == 1,
        )
    add("TTFT concurrency 1", lambda c: c.case.workload.batch == 1)
    add("TTFT dense", lambda c: not c.is_moe)
    add("TTFT moe", lambda c: c.is_moe)
    add("TTFT 4-16 GPUs", lambda c: 4 <= c.case.gpus <= 16)
    add("TTFT prompt > 512 tokens", lambda c: c.case.workload.context > 512)
    return named


def report_ttft(cal: Calibration) -> tuple[Calibration, dict[str, dict[str, dict[str, float]]]]:
    """Fit the serving engines' prefill constants, print the held-out errors; return both."""
    cases = ttft_cases()
    if not cases:
        return cal, {}
    fitted = fit_ttft(cases, cal)
    print(f"\ntime to first token: {len(cases)} rows ({SERVING_PREFILL_CSV.name})")
    for runtime in SERVING_RUNTIMES:
        k = fitted.serving.get((runtime, "nvidia"))
        if k is not None:
            print(
                f"  {runtime}: compute x{k.compute:.2f} of peak, MoE x{k.moe_compute:.2f},"
                f" {k.prefill_launch_s * 1e6:.0f} us per kernel outside CUDA graphs,"
                f" request {k.request_s * 1e3:.0f} ms, all-reduce x{k.prefill_collective_scale:.2f}"
            )
    lomo = ttft_held_out(cases, cal, lambda c: c.case.model)
    logo = ttft_held_out(cases, cal, lambda c: c.case.gpu_kind)
    out = print_held_out({"TTFT leave-one-model-out": lomo, "TTFT leave-one-GPU-kind-out": logo}, ttft_subsets(cases))
    serving = dict(fitted.serving)
    for runtime in SERVING_RUNTIMES:
        own = [abs(e) for e, c in zip(lomo, cases, strict=True) if c.case.runtime.name == runtime]
        if own:
            band = round(max(p90(own), 0.1), 2)
            serving.update({k: replace(v, ttft_band=band) for k, v in serving.items() if k[0] == runtime})
    heldout_cases = ttft_cases(SERVING_PREFILL_HELDOUT_CSV)
    if heldout_cases:
        print("\nTTFT rows never fitted on:")
        for c, predicted in zip(heldout_cases, predict_ttft(heldout_cases, fitted), strict=True):
            print(
                f"  {c.case.model} on {c.case.row['gpu']} ({c.case.runtime.name}, {c.case.workload.context} tokens):"
                f" {predicted * 1e3:.0f} ms predicted, {c.measured_s * 1e3:.0f} ms measured"
                f" ({100 * (predicted / c.measured_s - 1):+.0f}%)"
            )
    return replace(fitted, serving=serving), out


# -- prefill: share of the math path's peak ------------------------------------------------------


PREFILL_RUNTIMES = ("llama.cpp",)
"""Runtimes whose prefill shares are fitted on ``benchmarks/prefill.csv`` (others keep the shipped ones)."""


@dataclass(frozen=True)
class PrefillCase:
    """One prefill measurement: its case, the math path, and the share of that path's peak it reached."""

    case: Case
    path: str
    peak_flops: float
    """One GPU's peak on the path, times the GPUs of the plan."""
    flops_per_token: float
    """FLOPs per prompt token (the speed model's count, attention included)."""
    tile_factor: float = 1.0
    """The MMQ expert-tile factor the model applies to this row (1 for dense rows and other paths)."""

    @property
    def achieved(self) -> float:
        """Share of the path's peak the row reached (compute-bound, as the model has it), over the tile factor."""
        return self.flops_per_token * self.case.measured / self.peak_flops / self.tile_factor

    @property
    def key(self) -> tuple[str, str, str]:
        """(runtime, vendor, path)."""
        return (*self.case.key, self.path)


def prefill_cases() -> list[PrefillCase]:
    """The rows of ``benchmarks/prefill.csv`` for the fitted runtimes."""
    out = []
    cal = speed_calibration()
    for case in load_cases(PREFILL_CSV, context_column="prompt_tokens"):
        if case.runtime.name not in PREFILL_RUNTIMES:
            continue
        eff = cal.efficiency.get(case.key, cal.fallback)
        gpu = case.hardware.gpus[0]
        path, _ = speed.compute_path(eff, case.arch, gpu, case.runtime.name, case.fit.weights.precision)
        tokens = case.workload.context
        flops = prompt_flops(case.arch, case.breakdown, tokens) / tokens
        tile = expert_tile_factor(case.arch, case.breakdown, tokens) if path.path == "int8_mmq" else 1.0
        out.append(PrefillCase(case, path.path, path.peak_flops * case.fit.attempt.plan.tp, flops, tile))
    return out


def fit_prefill(cases: Sequence[PrefillCase], cal: Calibration) -> Calibration:
    """Per (runtime, vendor): the share of each math path's peak (median over dense rows) and the MoE factor."""
    efficiency = dict(cal.efficiency)
    for runtime, vendor in sorted({c.case.key for c in cases}):
        own = [c for c in cases if c.case.key == (runtime, vendor)]
        base = efficiency.get((runtime, vendor), cal.fallback)
        shares = dict(base.compute_by_path)
        for path in sorted({c.path for c in own}):
            dense = [c.achieved for c in own if c.path == path and c.case.kind == "dense"]
            if dense:
                shares[path] = round(statistics.median(dense), 3)
        moe = base.moe_compute
        ratios = [
            c.achieved / shares[c.path]
            for c in own
            if c.case.kind == "moe" and c.path in shares and c.path != "int8_mmq"  # MMQ: the tile model instead
        ]
        if ratios:
            moe = round(statistics.median(ratios), 3)
        efficiency[(runtime, vendor)] = replace(base, compute_by_path=tuple(sorted(shares.items())), moe_compute=moe)
    return replace(cal, efficiency=efficiency)


def predict_prefill(cases: Sequence[PrefillCase], cal: Calibration) -> np.ndarray:
    """Predicted prompt tokens/s of each row under ``cal`` (the speed model's prefill_seconds)."""
    out = []
    for c in cases:
        case = c.case
        eff = cal.efficiency.get(case.key, cal.fallback)
        gpu = case.hardware.gpus[0]
        tokens = case.workload.context
        path, share = speed.compute_path(
            eff, case.arch, gpu, case.runtime.name, case.fit.weights.precision, case.breakdown, tokens
        )
        seconds, _ = speed.prefill_seconds(
            case.arch, case.breakdown, case.fit, case.hardware, tokens, share, cal.ram_efficiency, path.peak_flops
        )
        out.append(tokens / seconds)
    return np.array(out)


def prefill_held_out(cases: Sequence[PrefillCase], cal: Calibration, group: Callable[[PrefillCase], str]) -> np.ndarray:
    """Relative error of each prefill row predicted by shares fitted without its group."""
    errors = np.empty(len(cases))
    for name in sorted({group(c) for c in cases}):
        idx = [i for i, c in enumerate(cases) if group(c) == name]
        fitted = fit_prefill([c for c in cases if group(c) != name], cal)
        held = [cases[i] for i in idx]
        errors[idx] = predict_prefill(held, fitted) / np.array([c.case.measured for c in held]) - 1
    return errors


def prefill_subsets(cases: Sequence[PrefillCase]) -> dict[str, list[int]]:
    """Named prefill row subsets: per vendor, per path, per class of card."""
    named: dict[str, list[int]] = {}

    def add(name: str, pred: Callable[[PrefillCase], bool]) -> None:
        idx = [i for i, c in enumerate(cases) if pred(c)]
        if idx:
            named[name] = idx

    add("llama.cpp prefill", lambda c: True)
    for vendor in sorted({c.case.key[1] for c in cases}):
        add(f"llama.cpp prefill {vendor}", lambda c, v=vendor: c.case.key[1] == v)
    for path in sorted({c.path for c in cases}):
        add(f"llama.cpp prefill path {path}", lambda c, p=path: c.path == p)
    add("llama.cpp prefill dense", lambda c: c.case.kind == "dense")
    add("llama.cpp prefill moe", lambda c: c.case.kind == "moe")
    return named


def report_prefill(cal: Calibration) -> tuple[Calibration, dict[str, dict[str, dict[str, float]]]]:
    """Fit the prefill shares on every row, print the held-out errors; return the fitted constants and errors."""
    cases = prefill_cases()
    if not cases:
        return cal, {}
    kinds = sorted({c.case.gpu_kind for c in cases})
    print(f"\nprefill: {len(cases)} rows over {len(kinds)} GPU kinds (share of the math path's peak)")
    fitted = fit_prefill(cases, cal)
    for key in sorted({c.case.key for c in cases}):
        eff = fitted.efficiency[key]
        shares = ", ".join(f"{p} {v:.3f}" for p, v in eff.compute_by_path)
        print(f"  {key}: {shares} (MoE on int8_mmq: the expert tile model; other paths x{eff.moe_compute:.2f})")
    lomo = prefill_held_out(cases, cal, lambda c: c.case.model)
    logo = prefill_held_out(cases, cal, lambda c: c.case.gpu_kind)
    out = print_held_out(
        {"prefill leave-one-model-out": lomo, "prefill leave-one-GPU-kind-out": logo}, prefill_subsets(cases)
    )
    efficiency = dict(fitted.efficiency)
    for key in sorted({c.case.key for c in cases}):
        bands = []
        for path in sorted({c.path for c in cases if c.case.key == key}):
            own = [abs(e) for e, c in zip(lomo, cases, strict=True) if c.case.key == key and c.path == path]
            bands.append((path, round(max(p90(own), 0.1), 2)))
        efficiency[key] = replace(efficiency[key], band_by_path=tuple(bands))
    return replace(fitted, efficiency=efficiency), out


def main(argv: Sequence[str] | None = None) -> int:
    """Fit, report, and with --write store the constants."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store constants, bands and errors in the JSON")
    ns = parser.parse_args(argv)
    shipped = speed_calibration()
    shipped, ttft_heldout = report_ttft(shipped)  # the decode fit's interference uses these prefill constants
    cases = all_cases()
    print(f"{len(cases)} rows: " + ", ".join(f"{k[0]}/{k[1]} {sum(c.key == k for c in cases)}" for k in
                                             sorted({c.key for c in cases})))  # fmt: skip
    cal = calibrated(cases, shipped)
    for key, eff in sorted(cal.efficiency.items()):
        print(
            f"  {key}: bandwidth {eff.bandwidth:.2f}, per layer {eff.per_layer_s * 1e6:.0f} us"
            f" (width weight {eff.per_layer_width:.2f}), dequant {eff.dequant_ops:.0f} ops/weight,"
            f" host share {eff.host_share:.1f}, band {eff.band:.2f}"
        )
    for key, constants in sorted(cal.serving.items()):
        print(
            f"  {key}: host {constants.host_step_s * 1e3:.2f} ms/step, floor x{constants.floor_scale:.2f},"
            f" prefill interference x{constants.prefill_interference:.2f}, band {constants.band:.2f},"
            f" TTFT band {constants.ttft_band:.2f}"
        )
    heldout = report(cases, shipped)
    report_heldout_decode(cal)
    report_llama_heldout(cal)
    heldout.update(ttft_heldout)
    cal, prefill_heldout = report_prefill(cal)
    heldout.update(prefill_heldout)
    if ns.write:
        write(cal, heldout)
        print(f"\nwrote {CALIBRATION_JSON}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
