"""Serving engines (vLLM, SGLang): memory rules, the kernel-level decode model, load figures, calibration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import hardware, model

from paramtui.engine.analysis import Request, analyze
from paramtui.engine.fit import Deployment, PlanOptions, Workload, assess_fit, gpu_budget
from paramtui.engine.runtimes import SGLANG, VLLM, get_runtime
from paramtui.engine.speed import estimate_speed
from paramtui.presets import gpu_presets, speed_calibration

ROOT = Path(__file__).parents[1]


def test_sglang_mem_fraction_static_follows_the_card() -> None:
    """sgl-project/sglang#29092 (2026-06): "in practice, I found the value to be 0.828 for H100" (the
    dynamic default of python/sglang/srt/server_args.py). Our rule from that file gives 0.835 on
    the 80 GiB card; the same rule leaves the 10 GiB floor on bigger cards and 2-4 GiB on small ones."""
    h100 = gpu_presets()["h100-sxm"]
    assert SGLANG.claim_fraction(h100.memory_bytes) == pytest.approx(0.828, abs=0.01)
    assert SGLANG.claim_fraction(gpu_presets()["h200"].memory_bytes) == pytest.approx(0.91, abs=0.01)
    assert SGLANG.claim_fraction(gpu_presets()["rtx-4090"].memory_bytes) == pytest.approx(0.85, abs=0.02)
    assert VLLM.claim_fraction(h100.memory_bytes) == 0.9


def test_sglang_budget_is_free_memory_minus_its_reserve() -> None:
    """SGLang keeps (1 - mem_fraction_static) x total free for activations and graphs and plans
    weights and KV in what is left of the free memory: a card half taken by another process
    leaves it half its claim, where vLLM refuses outright."""
    h100 = gpu_presets()["h100-sxm"]
    busy = h100.__class__(
        **{**{f: getattr(h100, f) for f in h100.__slots__}, "memory_free_bytes": h100.memory_bytes // 2}
    )
    claim = SGLANG.claim_fraction(h100.memory_bytes) * h100.memory_bytes
    budget, refusal = gpu_budget(busy, SGLANG)
    assert refusal is None
    assert budget == pytest.approx(h100.memory_bytes / 2 - (h100.memory_bytes - claim), rel=1e-6)
    assert gpu_budget(busy, VLLM)[1] is not None


def _deepseek(gpu: str, runtime: str = "sglang", batch: int = 1, tp: int | None = 8):
    arch, bd = model("deepseek-v3")
    hw = hardware(gpu)
    rt = get_runtime(runtime)
    w = Workload(1024, batch)
    deployment = Deployment(arch, bd, rt, hw, w)
    fit = assess_fit(deployment, "fp8", "bf16", PlanOptions(tp=tp), search_best=False)
    return estimate_speed(deployment, fit), fit


def test_deepseek_r1_on_8_b200_runs_at_about_100_tok_s_and_the_basis_says_why() -> None:
    """SGLang 0.5.6.post1 on 8 x B200, DeepSeek-R1 FP8, one request: 109.3 tok/s (bench_serving
    median TPOT, benchmarks/serving.csv). The bandwidth roofline alone would say several hundred; the
    basis names the kernel, all-reduce and host terms with their values. Within 35%."""
    s, _ = _deepseek("8xb200")
    assert s.decode_tokens_per_s == pytest.approx(109.3, rel=0.35)
    for term in ("GB/rank", "kernels", "all-reduce", "host", "ms/step"):
        assert term in s.basis


def test_sglang_fuses_deepseeks_shared_expert_into_the_moe_kernel() -> None:
    """SGLang's determine_num_fused_shared_experts (python/sglang/srt/models/deepseek_v2.py,
    sgl-project/sglang#4918) runs DeepSeek-V3/R1's shared expert as expert 257 of the fused MoE on
    CUDA GPUs of compute capability 8.0+ without expert parallelism; vLLM keeps it apart; Kimi K2's
    384 experts are not on SGLang's allow-list. Fused, the step has three GEMMs per layer fewer."""
    from paramtui.engine.serving import shared_expert_fused

    sg, _ = _deepseek("8xb200")
    vl, _ = _deepseek("8xb200", runtime="vllm")
    assert "shared expert fused into the MoE kernel (SGLang)" in sg.basis
    assert "shared expert fused" not in vl.basis
    v3, _ = model("deepseek-v3")
    kimi, _ = model("kimi-k2")
    b200 = hardware("b200").gpus[0]
    a100 = hardware("a100-sxm-80gb").gpus[0]
    assert shared_expert_fused(v3, b200, expert_parallel=False)
    assert shared_expert_fused(v3, a100, expert_parallel=False)
    assert not shared_expert_fused(v3, b200, expert_parallel=True)
    assert not shared_expert_fused(kimi, b200, expert_parallel=False)


def test_concurrency_gives_per_user_and_total_rates() -> None:
    """At 16 requests each user sees less than at one, and the total is 16 times the per-user rate."""
    one, _ = _deepseek("8xh200")
    many, _ = _deepseek("8xh200", batch=16)
    assert many.concurrency == 16
    assert many.per_user_tokens_per_s < one.decode_tokens_per_s
    assert many.total_tokens_per_s == pytest.approx(16 * many.per_user_tokens_per_s)
    assert many.total_tokens_per_s > 4 * one.decode_tokens_per_s
    assert "prompts once per 512 output tokens" in many.load_basis


def test_cuda_graphs_off_costs_a_launch_per_kernel() -> None:
    arch, _bd = model("llama-3.1-8b")
    hw = hardware("h100-sxm")
    graphs = analyze(arch, Request(precision="bf16"), hw).speed
    eager = analyze(arch, Request(precision="bf16", cuda_graphs=False), hw).speed
    assert graphs is not None and eager is not None
    assert eager.decode_tokens_per_s < graphs.decode_tokens_per_s
    assert "eager" in eager.basis


def test_max_concurrency_in_vllm_wording_and_json() -> None:
    """vLLM prints "Maximum concurrency for N tokens per request: X x" from its KV pool; the pool here
    is each GPU's budget left after weights and overhead over one sequence's KV."""
    arch, _bd = model("llama-3.1-8b")
    analysis = analyze(arch, Request(precision="bf16", context=32768), hardware("h100-sxm"))
    fit = analysis.fit
    assert fit is not None
    per_token = 128 * 1024  # Llama 3.1 8B bf16: 2 x 8 x 128 x 2 bytes x 32 layers
    device = fit.attempt.devices[0]
    pool = device.budget_bytes - device.weights_bytes - device.overhead_bytes
    assert fit.max_concurrency == pytest.approx(pool / (per_token * 32768), rel=0.01)
    assert 10 < fit.max_concurrency < 20


def test_inspect_json_has_the_load_fields(capsys: pytest.CaptureFixture[str]) -> None:
    from paramtui.tui.cli import main

    assert (
        main(["inspect", "qwen3-30b-a3b", "--gpu", "h100-sxm", "--runtime", "sglang", "--concurrency", "8", "--json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["speed"]["concurrency"] == 8
    assert data["speed"]["total_tokens_per_s"] == pytest.approx(8 * data["speed"]["per_user_tokens_per_s"], rel=1e-3)
    assert data["fit"]["max_concurrency"] > 8
    assert data["memory"]["runtime"] == "sglang"


def test_stored_constants_and_bands_are_what_the_data_gives() -> None:
    """benchmarks/calibrate.py refits every constant from benchmarks/decode.csv and serving.csv; the
    shipped presets/data/speed_calibration.json must hold exactly those (run --write after new rows)."""
    import calibrate

    cases = calibrate.all_cases()
    shipped = speed_calibration()
    refit = calibrate.calibrated(cases, shipped)
    refit_prefill = calibrate.fit_prefill(calibrate.prefill_cases(), shipped)
    for key, eff in refit_prefill.efficiency.items():
        if eff.compute_by_path:  # the prefill shares per math path (benchmarks/prefill.csv)
            stored = shipped.efficiency[key]
            assert dict(stored.compute_by_path) == pytest.approx(dict(eff.compute_by_path)), key
            assert stored.moe_compute == pytest.approx(eff.moe_compute), key
    for key, eff in refit.efficiency.items():
        stored = shipped.efficiency[key]
        assert (
            stored.bandwidth,
            stored.per_layer_s,
            stored.per_layer_width,
            stored.dequant_ops,
            stored.host_share,
            stored.band,
        ) == pytest.approx(
            (eff.bandwidth, eff.per_layer_s, eff.per_layer_width, eff.dequant_ops, eff.host_share, eff.band)
        ), key
    for key, constants in refit.serving.items():
        stored_serving = shipped.serving[key]
        assert (
            stored_serving.host_step_s,
            stored_serving.floor_scale,
            stored_serving.band,
            stored_serving.prefill_interference,
        ) == pytest.approx(
            (constants.host_step_s, constants.floor_scale, constants.band, constants.prefill_interference)
        ), key
