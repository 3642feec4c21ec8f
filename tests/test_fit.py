"""KV cache worked values, fit verdicts, plans, max context, best precision, GPU specs."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import gpu, hardware, model

from paramtui.engine.analysis import Request, analyze
from paramtui.engine.fit import Deployment, PlanOptions, Workload, assess_fit
from paramtui.engine.hardware import GpuSpecError, Hardware, parse_gpu_spec
from paramtui.engine.kv_cache import estimate_kv_cache
from paramtui.engine.runtimes import LLAMA_CPP, TRANSFORMERS, VLLM
from paramtui.presets import gpu_presets

GIB = 2**30


def test_llama_31_8b_bf16_kv_at_8192_is_exactly_one_gib() -> None:
    arch, _ = model("llama-3.1-8b")
    assert estimate_kv_cache(arch, 8192, 1, "bf16", VLLM.kv).bytes == GIB
    assert estimate_kv_cache(arch, 8192, 4, "fp8", VLLM.kv).bytes == 2 * GIB


def test_deepseek_v3_mla_latent_is_70272_bytes_per_token() -> None:
    """(512 + 64) x 61 layers x 2 bytes; transformers caches expanded per-head K and V instead."""
    arch, _ = model("deepseek-v3")
    assert estimate_kv_cache(arch, 1, 1, "bf16", VLLM.kv).bytes == 70_272
    expanded = 61 * 128 * (192 + 128) * 2
    assert estimate_kv_cache(arch, 1, 1, "bf16", TRANSFORMERS.kv).bytes == expanded


def test_quantized_kv_uses_llama_cpp_block_sizes() -> None:
    arch, _ = model("llama-3.1-8b")
    assert estimate_kv_cache(arch, 8192, 1, "q8_0", LLAMA_CPP.kv).bytes == GIB * 34 // 64
    assert estimate_kv_cache(arch, 8192, 1, "q4_0", LLAMA_CPP.kv).bytes == GIB * 18 // 64


def test_sliding_window_layers_are_capped_per_runtime() -> None:
    """gpt-oss alternates 128-token sliding and full layers (18 each)."""
    arch, _ = model("gpt-oss-120b")
    per_layer = 2 * 8 * 64 * 2
    context = 32768
    full = 18 * per_layer * context
    # llama.cpp: window x n_seq + n_ubatch, padded to 256 -> 768 tokens
    assert estimate_kv_cache(arch, context, 1, "bf16", LLAMA_CPP.kv).bytes == full + 18 * per_layer * 768
    # vLLM hybrid manager (vllm/v1/kv_cache_interface.py SlidingWindowSpec): cdiv(window - 1 +
    # max_num_batched_tokens, 16) + 1 blocks of 16 tokens = (520 + 1) x 16 = 8336 tokens
    assert estimate_kv_cache(arch, context, 1, "bf16", VLLM.kv).bytes == full + 18 * per_layer * 8336
    # vLLM with the hybrid manager off keeps the full length
    off = replace(VLLM.kv, sliding="full")
    assert estimate_kv_cache(arch, context, 1, "bf16", off).bytes == 2 * full
    # transformers: exactly the window
    assert estimate_kv_cache(arch, context, 1, "bf16", TRANSFORMERS.kv).bytes == full + 18 * per_layer * 128


def test_linear_attention_state_does_not_grow_with_context() -> None:
    """Qwen3-Next: 36 of 48 layers are Gated DeltaNet with a fixed state."""
    arch, _ = model("qwen3-next-80b-a3b")
    short = estimate_kv_cache(arch, 1000, 1, "bf16", VLLM.kv).bytes
    long = estimate_kv_cache(arch, 2000, 1, "bf16", VLLM.kv).bytes
    full_layers = sum(1 for k in arch.layer_kinds if k == "full")
    assert long - short == 1000 * full_layers * 2 * arch.num_kv_heads * arch.head_dim * 2


def test_llama_70b_bf16_does_not_fit_one_h100_and_fits_two_with_tp() -> None:
    arch, bd = model("llama-3.1-70b")
    one = assess_fit(Deployment(arch, bd, VLLM, hardware("h100-sxm"), Workload(8192)), "bf16", "bf16")
    assert one.verdict == "does_not_fit"
    two = assess_fit(Deployment(arch, bd, VLLM, hardware("2xh100-sxm"), Workload(8192)), "bf16", "bf16")
    assert two.verdict == "fits"
    assert two.attempt.plan.tp == 2
    assert all(d.weights_bytes == pytest.approx(131.42 * GIB / 2, rel=0.01) for d in two.attempt.devices)
    assert 8192 <= two.max_context <= arch.max_context


def test_llama_70b_q4_k_m_fits_one_48gb_card() -> None:
    arch, bd = model("llama-3.1-70b")
    report = assess_fit(Deployment(arch, bd, LLAMA_CPP, hardware("rtx-a6000"), Workload(8192)), "q4_k_m", "bf16")
    assert report.verdict == "fits"
    assert report.attempt.headroom_bytes > 0


def test_vllm_refuses_when_less_than_its_claim_is_free() -> None:
    """vLLM needs 0.9 x total free at start-up; a card with 60 of 80 GiB free is a refusal."""
    arch, bd = model("llama-3.1-8b")
    busy = replace(gpu("h100-sxm"), memory_free_bytes=60 * GIB)
    report = assess_fit(Deployment(arch, bd, VLLM, Hardware((busy,), "nvml"), Workload(8192)), "bf16", "bf16")
    assert report.verdict == "does_not_fit"
    assert "only 60.0 GiB is free" in report.reasons[0]
    # llama.cpp plans with what is free
    ok = assess_fit(Deployment(arch, bd, LLAMA_CPP, Hardware((busy,), "nvml"), Workload(8192)), "q4_k_m", "bf16")
    assert ok.verdict == "fits"


def test_moe_experts_offload_when_the_card_is_too_small() -> None:
    arch, bd = model("qwen3-30b-a3b")
    report = assess_fit(
        Deployment(arch, bd, LLAMA_CPP, hardware("rtx-3060-12gb", 64 * GIB), Workload(8192)), "q4_k_m", "bf16"
    )
    assert report.verdict == "fits_with_offload"
    assert report.attempt.plan.offload == "experts"
    assert 0 < report.attempt.plan.offloaded_bytes <= report.weights.routed_expert_bytes
    no_ram = assess_fit(
        Deployment(arch, bd, LLAMA_CPP, hardware("rtx-3060-12gb", GIB), Workload(8192)), "q4_k_m", "bf16"
    )
    assert no_ram.verdict == "does_not_fit"


def test_tensor_parallel_must_divide_the_heads() -> None:
    arch, bd = model("llama-3.1-8b")
    report = assess_fit(
        Deployment(arch, bd, VLLM, hardware("3xh100-sxm"), Workload(8192)), "bf16", "bf16", PlanOptions(tp=3)
    )
    assert report.verdict == "does_not_fit"
    assert "do not divide over tp=3" in report.reasons[0]


def test_max_context_never_exceeds_the_model_maximum() -> None:
    arch, bd = model("llama-3.2-1b")
    report = assess_fit(Deployment(arch, bd, VLLM, hardware("h200"), Workload(8192)), "bf16", "bf16")
    assert report.max_context == arch.max_context


def test_best_precision_follows_the_runtime_and_gpu() -> None:
    arch, bd = model("llama-3.1-70b")
    on_h100 = assess_fit(Deployment(arch, bd, VLLM, hardware("h100-sxm"), Workload(8192)), "bf16", "bf16")
    assert on_h100.best_precision in ("fp8", "int8", "nvfp4", "int4")
    on_a100 = assess_fit(Deployment(arch, bd, LLAMA_CPP, hardware("a100-sxm-80gb"), Workload(8192)), "q4_k_m", "bf16")
    assert on_a100.best_precision == "q8_0"  # 69.8 GiB + 2.5 GiB KV + buffers < 80 GiB; f16 is 131 GiB
    on_a6000 = assess_fit(Deployment(arch, bd, LLAMA_CPP, hardware("rtx-a6000"), Workload(8192)), "q2_k", "bf16")
    assert on_a6000.best_precision == "q4_k_m"  # q5_0 (45.3 GiB) + KV overflows 48 GiB


def test_gguf_on_vllm_is_refused_with_a_reason() -> None:
    arch, bd = model("llama-3.1-8b")
    report = assess_fit(Deployment(arch, bd, VLLM, hardware("h100-sxm"), Workload(8192)), "q4_k_m", "bf16")
    assert report.verdict == "does_not_fit"
    assert "vllm does not run q4_k_m" in report.reasons[0]


def test_gpu_presets_cover_the_required_ids_with_sources() -> None:
    required = [
        "h100-sxm",
        "h100-pcie",
        "h100-nvl",
        "h200",
        "b200",
        "gh200",
        "a100-sxm-80gb",
        "a100-pcie-40gb",
        "a10",
        "a10g",
        "l4",
        "l40s",
        "v100-32gb",
        "rtx-3060-12gb",
        "rtx-3090",
        "rtx-4060-ti-16gb",
        "rtx-4090",
        "rtx-5090",
        "rtx-a6000",
        "rtx-6000-ada",
        "rtx-pro-6000",
        "mi250x",
        "mi300x",
        "mi325x",
        "m1-max",
        "m2-ultra",
        "m3-max",
        "m4-max",
        "dgx-spark",
    ]
    presets = gpu_presets()
    assert len(presets) >= 40
    assert set(required) <= set(presets)
    for spec in presets.values():
        assert spec.source.startswith("https://")
        assert spec.memory_bytes > 0 and spec.bandwidth_bytes_per_s > 0
        assert spec.fp16_flops > 0 or spec.vendor == "cpu"  # CPU presets: decode from RAM, prefill unknown
    assert presets["h100-sxm"].bandwidth_bytes_per_s == 3.35e12  # 5120-bit x 2619 MHz x 2 (DESIGN.md)


def test_gpu_spec_forms() -> None:
    presets = gpu_presets()
    gpus, source = parse_gpu_spec("2xrtx-4090", presets)
    assert len(gpus) == 2 and source == "preset"
    gpus, source = parse_gpu_spec("mem=24GiB,bw=1008GB/s,fp16=165TFLOPS,fp8=330TFLOPS", presets)
    assert source == "custom"
    assert gpus[0].memory_bytes == 24 * GIB
    assert gpus[0].bandwidth_bytes_per_s == 1008e9
    assert gpus[0].fp16_flops == 165e12 and gpus[0].fp8_flops == 330e12
    with pytest.raises(GpuSpecError, match="did you mean rtx-4090"):
        parse_gpu_spec("rtx-4909", presets)
    with pytest.raises(GpuSpecError, match="needs mem"):
        parse_gpu_spec("bw=1008GB/s,fp16=165TFLOPS", presets)
    with pytest.raises(GpuSpecError, match="cannot read mem"):
        parse_gpu_spec("mem=lots,bw=1TB/s,fp16=1TFLOPS", presets)


def test_auto_precision_under_llama_cpp_is_the_gguf_people_run() -> None:
    """gpt-oss-20b's checkpoint is MXFP4 safetensors, which llama.cpp does not load; its GGUF
    (ggml-org/gpt-oss-20b-GGUF) is MXFP4_MOE. ``--runtime llama.cpp`` with auto precision must
    size that file rather than report an unsupported format, and DeepSeek-V3's FP8 maps to Q8_0."""
    hw = hardware("h100-sxm")
    arch, _ = model("gpt-oss-20b")
    result = analyze(arch, Request(runtime="llama.cpp"), hw)
    assert result.precision == "mxfp4_moe"
    assert result.fit is not None and result.fit.verdict == "fits"
    deepseek, _ = model("deepseek-v3")
    assert analyze(deepseek, Request(runtime="llama.cpp"), hw).precision == "q8_0"


def test_an_unsupported_format_is_not_reported_as_short_of_memory() -> None:
    """A format the runtime cannot run is the reason; a negative 'short by' is nonsense."""
    arch, bd = model("gpt-oss-20b")
    hw = hardware("h100-sxm")
    fit = assess_fit(Deployment(arch, bd, LLAMA_CPP, hw, Workload(8192)), "mxfp4", "bf16")
    assert fit.verdict == "does_not_fit"
    assert any("does not run mxfp4" in r for r in fit.reasons)
    assert not any("short by" in r for r in fit.reasons)
