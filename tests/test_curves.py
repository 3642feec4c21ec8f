"""Curves: each sampled point is what `inspect --context N` says, and the fit line is inspect's largest context.

The reference is paramtui's own `inspect --json` run at each sampled context (the curves must not
compute anything the report does not): the decode speed, every GPU's bytes and, for MoE, the per-user
and total speed at `--batch N`.
"""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from paramtui.engine.adapters.live import host_hardware
from paramtui.engine.adapters.sources import load_preset
from paramtui.engine.analysis import Analysis, Request, analyze
from paramtui.engine.curves import compute_curves, concurrency_points, context_points
from paramtui.engine.hardware import resolve_hardware
from paramtui.presets import get_preset, gpu_presets
from paramtui.tui.cli import main
from paramtui.tui.curves_view import BUDGET_GLYPH, LIMIT_GLYPH, SECOND_GLYPH, render_curves


def _analysis(preset: str, gpu: str) -> Analysis:
    loaded = load_preset(get_preset(preset))
    hardware = resolve_hardware(gpu, gpu_presets(), host_hardware())
    return analyze(loaded.result.architecture, Request(), hardware, loaded.breakdown)


def _inspect(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    assert main(["inspect", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_context_points_are_log_spaced_from_1k_to_the_maximum() -> None:
    assert context_points(131072) == (1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072)
    assert context_points(40960)[0] == 1024 and context_points(40960)[-1] == 40960
    assert context_points(512) == (512,)
    assert concurrency_points(18.4) == (1, 2, 4, 8, 16, 18)
    assert concurrency_points(0.5) == ()


@pytest.mark.parametrize(("preset", "gpu"), [("llama-3.1-8b", "h100-sxm"), ("qwen3-30b-a3b", "h100-sxm")])
def test_each_point_equals_inspect_at_that_context(preset: str, gpu: str, capsys: pytest.CaptureFixture[str]) -> None:
    curves = compute_curves(_analysis(preset, gpu))
    assert curves is not None
    for point in curves.points:
        report = _inspect(capsys, preset, "--gpu", gpu, "--context", str(point.context))
        assert report["memory"]["plan"]["tp"] == 1  # the same plan as the curves'
        per_device = report["memory"]["per_device"]
        assert point.device_bytes == tuple(
            d["weights_bytes"] + d["kv_cache_bytes"] + d["overhead_bytes"] for d in per_device
        )
        assert point.fits
        assert point.decode_tokens_per_s == pytest.approx(report["speed"]["decode_tokens_per_s"], abs=0.006)


def test_moe_concurrency_equals_inspect_with_batch(capsys: pytest.CaptureFixture[str]) -> None:
    curves = compute_curves(_analysis("qwen3-30b-a3b", "h100-sxm"))
    assert curves is not None and len(curves.concurrency) > 2
    for point in curves.concurrency:
        report = _inspect(capsys, "qwen3-30b-a3b", "--gpu", "h100-sxm", "--batch", str(point.concurrency))
        assert point.per_user_tokens_per_s == pytest.approx(report["speed"]["per_user_tokens_per_s"], abs=0.006)
        assert point.total_tokens_per_s == pytest.approx(report["speed"]["total_tokens_per_s"], abs=0.006)
    # the KV pool decides the last point: inspect's fit.max_concurrency requests of 8k tokens
    report = _inspect(capsys, "qwen3-30b-a3b", "--gpu", "h100-sxm")
    assert curves.concurrency[-1].concurrency == int(report["fit"]["max_concurrency"])


def test_dense_models_have_no_concurrency_curve() -> None:
    curves = compute_curves(_analysis("llama-3.1-8b", "h100-sxm"))
    assert curves is not None and curves.concurrency == ()


def test_the_fit_line_is_inspects_largest_context(capsys: pytest.CaptureFixture[str]) -> None:
    # Llama 3.1 8B in bf16 on a 24 GiB RTX 4090 under vLLM: the KV cache runs out before 128k
    curves = compute_curves(_analysis("llama-3.1-8b", "rtx-4090"))
    assert curves is not None
    largest = _inspect(capsys, "llama-3.1-8b", "--gpu", "rtx-4090")["fit"]["max_context"]
    assert 8192 < curves.max_context == largest < 131072
    for point in curves.points:
        assert point.fits == (point.context <= largest)
        assert (point.decode_tokens_per_s is not None) == point.fits
    # inspect agrees on both sides of the line
    at = _inspect(capsys, "llama-3.1-8b", "--gpu", "rtx-4090", "--context", str(largest))
    past = _inspect(capsys, "llama-3.1-8b", "--gpu", "rtx-4090", "--context", str(largest + 256))
    assert at["fit"]["verdict"] == "fits" and past["fit"]["verdict"] != "fits"
    # and the memory curve crosses the budget between the points either side of it
    below = max((p for p in curves.points if p.context <= largest), key=lambda p: p.context)
    above = min((p for p in curves.points if p.context > largest), key=lambda p: p.context)
    assert below.device_bytes[0] <= curves.budgets_bytes[0] < above.device_bytes[0]


def test_plot_draws_the_fit_line_with_glyphs_not_colours() -> None:
    curves = compute_curves(_analysis("llama-3.1-8b", "rtx-4090"))
    assert curves is not None
    text = render_curves(curves, 60).plain
    assert "fits to 42.8k" in text  # 43,813 tokens
    assert LIMIT_GLYPH in text and BUDGET_GLYPH in text
    assert any(0x2800 < ord(ch) <= 0x28FF for ch in text)  # braille line
    assert all(len(line) <= 60 for line in text.splitlines())


def test_moe_plot_has_both_concurrency_lines() -> None:
    curves = compute_curves(_analysis("qwen3-30b-a3b", "h100-sxm"))
    assert curves is not None
    text = render_curves(curves, 42).plain
    assert "tok/s vs requests" in text and SECOND_GLYPH in text
    assert "fits up to the model's maximum, 40k" in text


def test_inspect_plot_and_no_gpu(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "llama-3.1-8b", "--gpu", "rtx-4090", "--plot"]) == 0
    out = capsys.readouterr().out
    assert "decode tok/s (1 request) vs context" in out and LIMIT_GLYPH in out
    assert main(["inspect", "llama-3.1-8b", "--plot"]) == 0
    assert "no curves: no GPU to plan on" in capsys.readouterr().out


def test_console_width_is_respected() -> None:
    curves = compute_curves(_analysis("llama-3.1-8b", "rtx-4090"))
    assert curves is not None
    console = Console(width=44, record=True, color_system=None)
    console.print(render_curves(curves, 44))
    assert max(len(line) for line in console.export_text().splitlines()) <= 44
