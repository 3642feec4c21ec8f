"""benchmarks/serving.csv is well formed: every row names a preset, a GPU spec, a source and its basis.

Why: the vLLM/SGLang cost model is calibrated on these rows (issue 16), so a row that names a
model, GPU or precision paramtui cannot build, or whose tok/s is not what its note's TPOT
gives, would silently skew the fit. The check against the note is independent of the CSV's own
column: it re-derives 1000 / TPOT from the figure each source printed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from paramtui.engine import import_config
from paramtui.engine.hardware import parse_gpu_spec
from paramtui.engine.precision import SAFETENSORS_PRECISIONS
from paramtui.presets import all_presets, gpu_presets

SERVING_CSV = Path(__file__).parents[1] / "benchmarks" / "serving.csv"
HEADER_LINE = (
    "gpu,model,precision,runtime,runtime_version,tp,ep,context,batch,output_tokens,tokens_per_s,metric,source,note"
)
HEADER = HEADER_LINE.split(",")  # the header as it reads in the file
METRICS = {
    "tpot_median",
    "tpot_mean",
    "itl_median",
    "bench_one_batch",
    "benchmark_latency",
    "log_generation_throughput",
}


def _rows() -> list[dict[str, str]]:
    with SERVING_CSV.open(newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == HEADER
        return list(reader)


ROWS = _rows()


def test_coverage_targets_of_issue_16() -> None:
    """At least 40 rows, 15 MoE, 10 on 4-16 GPUs, 4 GPU kinds, 8 above concurrency 1."""
    presets = all_presets()
    moe = [r for r in ROWS if import_config(presets[r["model"]].config, r["model"]).architecture.kind == "moe"]
    specs = [parse_gpu_spec(r["gpu"], gpu_presets())[0] for r in ROWS]
    multi = [s for s in specs if 4 <= len(s) <= 16]
    kinds = {s[0].name for s in specs}
    assert len(ROWS) >= 40
    assert len(moe) >= 15
    assert len(multi) >= 10
    assert len(kinds) >= 4
    assert sum(int(r["batch"]) > 1 for r in ROWS) >= 8


@pytest.mark.parametrize("row", ROWS, ids=[f"{i + 2}:{r['model']}@{r['gpu']}" for i, r in enumerate(ROWS)])
def test_row_is_buildable_and_sourced(row: dict[str, str]) -> None:
    assert row["model"] in all_presets()
    gpus, _ = parse_gpu_spec(row["gpu"], gpu_presets())
    assert int(row["tp"]) <= len(gpus)
    assert row["precision"] in SAFETENSORS_PRECISIONS
    assert row["runtime"] in ("vllm", "sglang")
    assert row["metric"] in METRICS
    assert row["source"].startswith("https://")
    assert int(row["batch"]) >= 1 and int(row["context"]) > 0 and float(row["tokens_per_s"]) > 0
    if int(row["batch"]) > 1:
        assert "aggregate" in row["note"], "rows above concurrency 1 carry the aggregate in the note"


@pytest.mark.parametrize("row", [r for r in ROWS if r["metric"] in ("tpot_median", "tpot_mean")])
def test_tokens_per_s_is_1000_over_the_printed_tpot(row: dict[str, str]) -> None:
    match = re.search(r"TPOT (?:\(ms\) )?([0-9.]+) ms", row["note"]) or re.search(r"TPOT ([0-9.]+)", row["note"])
    assert match, row["note"]
    printed = match.group(1)
    half_digit = 0.5 * 10 ** -len(printed.partition(".")[2])  # the source rounded TPOT to this
    low, high = 1000.0 / (float(printed) + half_digit), 1000.0 / (float(printed) - half_digit)
    assert low - 0.005 <= float(row["tokens_per_s"]) <= high + 0.005


@pytest.mark.parametrize("row", [r for r in ROWS if int(r["batch"]) > 1])
def test_loaded_rows_give_the_output_length_and_context_agrees(row: dict[str, str]) -> None:
    """Under load the other requests' prompts arrive once per ``output_tokens`` steps, so each row above
    concurrency 1 states its mean output length; ``context`` (input + output / 2) must leave a prompt."""
    output = int(row["output_tokens"])
    assert output >= 1
    assert int(row["context"]) - output / 2 >= 1
    printed = re.search(r"(\d+) in / (\d+) out per (\d+)", row["note"])
    if printed:  # the totals bench_serving printed: output_tokens is their mean
        assert output == round(int(printed.group(2)) / int(printed.group(3)))
