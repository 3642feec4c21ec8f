"""Fit the decode efficiencies on public measurements and report the error on held-out rows.

Run: ``python benchmarks/calibrate.py``. Reads ``benchmarks/decode.csv`` (each row names its
source), predicts every row with :mod:`paramtui.engine.speed`, fits bandwidth efficiency and
per-layer cost per (runtime, vendor) on the even rows by grid search, and prints the median
and 90th-percentile absolute error on the odd (held-out) rows, for dense and MoE models.
Paste the printed constants into ``engine/speed.py``.
"""

from __future__ import annotations

import csv
import statistics
import sys
from dataclasses import replace
from pathlib import Path

from paramtui.engine import speed
from paramtui.engine.adapters.sources import load_preset
from paramtui.engine.fit import Workload, assess_fit
from paramtui.engine.hardware import Hardware, parse_gpu_spec
from paramtui.engine.kv_cache import resolve_kv_dtype
from paramtui.engine.params import count_params
from paramtui.engine.runtimes import get_runtime
from paramtui.presets import get_preset, gpu_presets

CSV = Path(__file__).with_name("decode.csv")


def load_rows() -> list[dict[str, str]]:
    """The measurements."""
    with CSV.open(newline="") as fh:
        return list(csv.DictReader(fh))


def predict(row: dict[str, str]) -> tuple[float, str, str]:
    """(predicted tok/s, runtime/vendor key, model kind) for one row."""
    arch = load_preset(get_preset(row["model"])).result.architecture
    breakdown = count_params(arch)
    gpus, source = parse_gpu_spec(row["gpu"], gpu_presets())
    hardware = Hardware(gpus, source)
    runtime = get_runtime(row["runtime"])
    workload = Workload(int(row["context"]), int(row["batch"]))
    fit = assess_fit(
        arch, breakdown, row["quant"], resolve_kv_dtype("auto", arch), runtime, hardware, workload, search_best=False
    )
    estimate = speed.estimate_speed(arch, breakdown, fit, runtime, hardware, workload)
    return estimate.decode_tokens_per_s, f"{runtime.name}/{gpus[0].vendor}", arch.kind


def errors(rows: list[dict[str, str]]) -> list[tuple[float, str, str]]:
    """(relative error, key, kind) per row."""
    out = []
    for row in rows:
        predicted, key, kind = predict(row)
        out.append((predicted / float(row["tokens_per_s"]) - 1, key, kind))
    return out


def p90(values: list[float]) -> float:
    """90th percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def fit_key(key: tuple[str, str], rows: list[dict[str, str]]) -> speed.Efficiency:
    """Grid-search bandwidth efficiency and per-layer cost for one (runtime, vendor)."""
    base = speed.EFFICIENCY.get(key, speed.FALLBACK_EFFICIENCY)
    best = (float("inf"), base)
    for bw in [x / 100 for x in range(40, 101, 2)]:
        for layer_us in range(0, 101, 4):
            candidate = replace(base, bandwidth=bw, per_layer_s=layer_us * 1e-6)
            speed.EFFICIENCY[key] = candidate
            errs = [abs(e) for e, _, _ in errors(rows)]
            score = statistics.median(errs) + 0.5 * p90(errs)
            if score < best[0]:
                best = (score, candidate)
    speed.EFFICIENCY[key] = best[1]
    return best[1]


def vendor_key(row: dict[str, str]) -> tuple[str, str]:
    """(runtime, GPU vendor) of a row."""
    gpus, _ = parse_gpu_spec(row["gpu"], gpu_presets())
    return row["runtime"], gpus[0].vendor


def main() -> int:
    """Fit, report, print constants."""
    rows = load_rows()
    fit_rows, held = rows[::2], rows[1::2]
    keys = sorted({vendor_key(r) for r in fit_rows})
    for key in keys:
        subset = [r for r in fit_rows if vendor_key(r) == key]
        if len(subset) >= 3:
            eff = fit_key(key, subset)
            print(
                f"{key}: bandwidth={eff.bandwidth:.2f} per_layer_s={eff.per_layer_s * 1e6:.0f}e-6 ({len(subset)} rows)"
            )
    print(f"\nheld-out rows: {len(held)} of {len(rows)}")
    results = errors(held)
    for kind in ("dense", "moe", "all"):
        errs = [abs(e) for e, _, k in results if kind in (k, "all")]
        if errs:
            median, high = 100 * statistics.median(errs), 100 * p90(errs)
            print(f"  {kind:5s}: n={len(errs):2d} median |error| {median:.1f}%  p90 {high:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
