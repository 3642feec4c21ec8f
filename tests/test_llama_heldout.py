"""llama.cpp decode rows never fitted on: the shipped Apple constants against longer runs of the same machines.

Why: the issue asks for rows at depth so the KV read is tested too, and the calibration rule is to
report error on rows left out. benchmarks/llama_heldout.csv holds the tg 1024-8192 results of the
XiongjieDai/GPU-Benchmarks-on-LLM-Inference notebooks (M1 Max, M2 Ultra, M3 Max; llama.cpp builds
b2795-b2797, May 2024, flash attention off, its default then) whose tg 512 rows decode.csv fits. None
is fitted on. Decode there slows with the cache far more than one read of it explains: unfused
attention reads each KV head once per query head (src/llama-graph.cpp ``build_attn_mha``), which the
engine applies for ``--flash-attn off``.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from pathlib import Path

from calibrate import load_rows

from paramtui.presets import speed_calibration

BENCH = Path(__file__).parents[1] / "benchmarks"
HELDOUT_CSV = BENCH / "llama_heldout.csv"
DECODE_CSV = BENCH / "decode.csv"


def test_same_header_and_never_in_decode_csv() -> None:
    with HELDOUT_CSV.open() as f, DECODE_CSV.open() as g:
        assert f.readline() == g.readline()
    fitted = {(r["source"], r["gpu"], r["model"], r["quant"], r["context"]) for r in load_rows(DECODE_CSV)}
    for row in load_rows(HELDOUT_CSV):
        assert (row["source"], row["gpu"], row["model"], row["quant"], row["context"]) not in fitted, row
        assert "flash attention off" in row["note"] and row["source"].startswith("https://github.com/"), row


def _errors(flash_attention: bool | None = None) -> tuple[list[float], list[str]]:
    """Signed errors of the held-out rows with the shipped constants, and each row's GPU."""
    import calibrate

    cases = calibrate.load_cases(calibrate.LLAMA_HELDOUT_CSV)
    assert len(cases) == len(load_rows(HELDOUT_CSV)), "every held-out row builds and fits"
    if flash_attention is not None:
        cases = [replace(c, runtime=replace(c.runtime, flash_attention=flash_attention)) for c in cases]
    predicted = calibrate.predict(cases, speed_calibration())
    return [float(p) / c.measured - 1 for p, c in zip(predicted, cases, strict=True)], [c.gpu_kind for c in cases]


def test_rows_never_fitted_on_land_near_the_measurements() -> None:
    """With the shipped constants: median 10.6% over the 40 rows when written; the M2 Ultra and M3 Max
    rows inside Apple's band. The M1 Max Q4_K_M rows are 50% fast: one dequantizing cost serves every
    GGUF type, and the K-quants cost the M1 generation more than it (stated in the README)."""
    errors, gpus = _errors()
    assert statistics.median(abs(e) for e in errors) <= 0.12
    band = speed_calibration().efficiency[("llama.cpp", "apple")].band
    assert all(abs(e) <= band for e, g in zip(errors, gpus, strict=True) if g in ("m2-ultra", "m3-max"))


def test_unfused_attention_is_what_the_long_rows_need() -> None:
    """Reading the cache once (flash attention on) leaves the same rows 16% off at the median (50% at
    the p90 when written); the per-query-head read brings them to the figure above."""
    fused, _ = _errors(flash_attention=True)
    unfused, _ = _errors()
    assert statistics.median(abs(e) for e in unfused) < statistics.median(abs(e) for e in fused) - 0.03
