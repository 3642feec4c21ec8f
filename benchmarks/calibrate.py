"""Fit the speed efficiencies on measurements and report the error on held-out rows.

Run: ``python benchmarks/calibrate.py``. Reads ``benchmarks/decode.csv`` (each row names its
source), predicts every row with :mod:`paramtui.engine.speed` (aggregate tokens/s at the row's
batch), fits bandwidth efficiency and per-layer cost (per reference layer's kernels) per
(runtime, vendor) on the even rows by grid search, and prints the median and 90th-percentile
absolute error on the odd (held-out) rows, for dense and MoE models, then the same over the
single-stream (batch 1) held-out rows with the kinds of GPU they cover: the figures the accuracy
target of 15% median and 35% p90 is stated in. Then, from
``benchmarks/prefill.csv``, the share of peak FLOPS each prefill measurement implies.
Paste the printed constants into ``engine/speed.py``.
"""

from __future__ import annotations

import csv
import statistics
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from paramtui.engine import speed
from paramtui.engine.adapters.sources import load_preset
from paramtui.engine.architecture import Architecture
from paramtui.engine.fit import FitReport, Workload, assess_fit
from paramtui.engine.hardware import Hardware, parse_gpu_spec
from paramtui.engine.kv_cache import resolve_kv_dtype
from paramtui.engine.params import ParamBreakdown, count_params
from paramtui.engine.runtimes import RuntimeProfile, get_runtime
from paramtui.presets import get_preset, gpu_presets

HERE = Path(__file__).parent
DECODE_CSV = HERE / "decode.csv"
PREFILL_CSV = HERE / "prefill.csv"


@dataclass(frozen=True)
class Case:
    """One measurement with everything but the efficiencies worked out (the grid search reuses it)."""

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
    def kind(self) -> str:
        """dense or moe."""
        return self.arch.kind

    def estimate(self) -> speed.SpeedEstimate:
        """The speed model's answer with the current efficiencies."""
        return speed.estimate_speed(self.arch, self.breakdown, self.fit, self.runtime, self.hardware, self.workload)

    def error(self) -> float:
        """Relative error of the predicted aggregate decode rate at the row's batch."""
        return self.estimate().decode_batch_tokens_per_s / float(self.row["tokens_per_s"]) - 1


def load_cases(path: Path, context_column: str = "context") -> list[Case]:
    """The measurements of one CSV, with model, hardware and fit resolved once."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    cases = []
    for row in rows:
        arch = load_preset(get_preset(row["model"])).result.architecture
        breakdown = count_params(arch)
        gpus, source = parse_gpu_spec(row["gpu"], gpu_presets())
        hardware = Hardware(gpus, source)
        runtime = get_runtime(row["runtime"])
        workload = Workload(int(row[context_column]), int(row.get("batch") or 1))
        kv_dtype = resolve_kv_dtype("auto", arch)
        fit = assess_fit(arch, breakdown, row["quant"], kv_dtype, runtime, hardware, workload, search_best=False)
        cases.append(Case(row, arch, breakdown, fit, runtime, hardware, workload))
    return cases


def p90(values: list[float]) -> float:
    """90th percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _score(cases: list[Case]) -> float:
    errs = [abs(c.error()) for c in cases]
    return statistics.median(errs) + 0.5 * p90(errs)


MEASURED_BANDWIDTH = {
    # Host-bound rows say little about bandwidth (the grid trades it for per-layer cost), so it is
    # pinned to what the GPU reached copying 1 GiB device to device in the same runs: 4.10-4.15
    # TB/s of the H200's 4.81 (benchmarks/measure_transformers.py output).
    ("transformers", "nvidia"): 0.85,
}
"""Bandwidth shares measured directly, used instead of fitting."""


def fit_key(key: tuple[str, str], cases: list[Case]) -> speed.Efficiency:
    """Grid-search bandwidth share and per-layer cost for one (runtime, vendor).

    The per-layer cost is per reference layer's kernels (:func:`speed.layer_kernels`), so MoE,
    shared-expert and bias-heavy layers cost more without a constant of their own.
    """
    base = speed.EFFICIENCY.get(key, speed.FALLBACK_EFFICIENCY)
    # transformers' eager decode loop is host-bound: its per-layer cost is ten times llama.cpp's
    layer_grid = list(range(0, 101, 4)) + list(range(125, 1501, 25))
    bandwidth_grid = [MEASURED_BANDWIDTH[key]] if key in MEASURED_BANDWIDTH else [x / 100 for x in range(40, 101, 2)]
    best = (float("inf"), base)
    for bw in bandwidth_grid:
        for layer_us in layer_grid:
            candidate = replace(base, bandwidth=bw, per_layer_s=layer_us * 1e-6)
            speed.EFFICIENCY[key] = candidate
            score = _score(cases)
            if score < best[0]:
                best = (score, candidate)
    speed.EFFICIENCY[key] = best[1]
    return best[1]


def report_decode() -> None:
    """Fit on the even rows, print constants and the held-out error."""
    cases = load_cases(DECODE_CSV)
    fit_cases, held = cases[::2], cases[1::2]
    for key in sorted({c.key for c in fit_cases}):
        subset = [c for c in fit_cases if c.key == key]
        if len(subset) >= 3:
            eff = fit_key(key, subset)
            print(
                f"{key}: bandwidth={eff.bandwidth:.2f} per_layer_s={eff.per_layer_s * 1e6:.0f}e-6 ({len(subset)} rows)"
            )
    print(f"\nheld-out rows: {len(held)} of {len(cases)}")
    for key in sorted({c.key for c in held}):
        _print_errors(str(key), [c for c in held if c.key == key])
    _print_errors("all", held)
    single = [c for c in held if c.workload.batch == 1]
    kinds = sorted({c.hardware.gpus[0].id for c in single})
    _print_errors(f"single-stream, {len(kinds)} kinds of GPU or chip ({', '.join(kinds)})", single)


def _print_errors(label: str, cases: list[Case]) -> None:
    print(label)
    for kind in ("dense", "moe", "all"):
        errs = [abs(c.error()) for c in cases if kind in (c.kind, "all")]
        if errs:
            median, high = 100 * statistics.median(errs), 100 * p90(errs)
            print(f"  {kind:5s}: n={len(errs):2d} median |error| {median:.1f}%  p90 {high:.1f}%")


def report_prefill() -> None:
    """Share of the GPU's peak 16-bit FLOPS each prefill measurement reached."""
    if not PREFILL_CSV.exists():
        return
    print("\nprefill: share of peak FLOPS reached (FLOP/token from the speed model)")
    shares: dict[tuple[str, str, str], list[float]] = {}
    for case in load_cases(PREFILL_CSV, context_column="prompt_tokens"):
        tokens = case.workload.context
        flops = 2 * case.breakdown.active_excluding_embeddings * tokens + speed.attention_flops(case.arch, tokens)
        share = flops / tokens * float(case.row["tokens_per_s"]) / case.hardware.gpus[0].fp16_flops
        shares.setdefault((*case.key, case.kind), []).append(share)
        print(f"  {case.row['gpu']} {case.row['model']} {case.row['quant']} {case.runtime.name}: {share:.2f}")
    for (runtime, vendor, kind), values in sorted(shares.items()):
        print(f"  {runtime}/{vendor} {kind}: median {statistics.median(values):.2f} (n={len(values)})")


def main() -> int:
    """Fit, report, print constants."""
    report_decode()
    report_prefill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
