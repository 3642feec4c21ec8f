"""Prefill peaks by math path: the tensor figures behind each path, and the path each runtime takes."""

from __future__ import annotations

import pytest
from helpers import gpu, hardware, model

from paramtui.engine.fit import Deployment, Workload, assess_fit
from paramtui.engine.hardware import estimate_tensor_flops, is_geforce, mma_sync_share
from paramtui.engine.math_path import prefill_path
from paramtui.engine.runtimes import LLAMA_CPP
from paramtui.engine.speed import estimate_speed

ADA_WHITEPAPER = "NVIDIA Ada GPU architecture whitepaper, RTX 4090 table"


def test_geforce_presets_carry_the_half_rate_and_the_other_paths() -> None:
    """NVIDIA Ada whitepaper (RTX 4090): FP16 tensor 165.2 TFLOPS with FP32 accumulate, 330.3 with
    FP16 accumulate, INT8 660.6 TOPS, dense. The RTX 6000 Ada datasheet: FP32-accumulate at full
    rate, 364.2 dense; INT8 twice that."""
    g4090 = gpu("rtx-4090")
    assert g4090.fp16_flops == pytest.approx(165.2e12)
    assert g4090.fp16_acc16_flops == pytest.approx(330.3e12, rel=1e-3)
    assert g4090.int8_ops == pytest.approx(660.6e12, rel=1e-3)
    ada = gpu("rtx-6000-ada")
    assert ada.fp16_flops == pytest.approx(364.2e12)
    assert ada.int8_ops == pytest.approx(728.5e12, rel=1e-3)
    assert gpu("h100-sxm").int8_ops == pytest.approx(1979e12, rel=1e-3)  # H100 SXM datasheet, dense
    assert gpu("m2-ultra").int8_ops == 0  # no INT8 matrix path in Metal


def test_nvml_derivation_halves_fp32_accumulate_on_geforce_only() -> None:
    """SMs x clock x per-SM rate: RTX 4090 128 SMs at 2520 MHz gives the whitepaper's 165.2 / 330.3 /
    660.6; RTX 6000 Ada (142 SMs at 2505 MHz) runs FP32-accumulate at full rate: 364.2 (datasheet)."""
    geforce = estimate_tensor_flops(8.9, 128 * 128, 2520, geforce=is_geforce("NVIDIA GeForce RTX 4090"))
    assert geforce.fp16_flops == pytest.approx(165.2e12, rel=2e-3)
    assert geforce.fp16_acc16_flops == pytest.approx(330.3e12, rel=2e-3)
    assert geforce.int8_ops == pytest.approx(660.6e12, rel=2e-3)
    assert geforce.fp8_flops == pytest.approx(330.3e12, rel=2e-3)
    workstation = estimate_tensor_flops(8.9, 142 * 128, 2505, geforce=is_geforce("NVIDIA RTX 6000 Ada Generation"))
    assert workstation.fp16_flops == pytest.approx(364.2e12, rel=2e-3)
    assert not is_geforce("NVIDIA H100 80GB HBM3")


def test_llama_cpp_paths() -> None:
    """ggml-cuda: quantized types run the MMQ kernels (INT8 mma.sync), F16 cuBLAS with FP16 compute;
    Metal dequantizes to half; serving engines run FP8 GEMMs for FP8 weights."""
    path = prefill_path("llama.cpp", "q4_k_m", gpu("rtx-4090"))
    assert (path.path, path.peak_flops) == ("int8_mmq", gpu("rtx-4090").int8_ops)
    hopper = prefill_path("llama.cpp", "q4_0", gpu("h100-sxm"))
    assert mma_sync_share(9.0) == 0.25  # mma.sync 2048 of Hopper's 8192 INT8 ops per SM per clock
    assert hopper.peak_flops == pytest.approx(0.25 * gpu("h100-sxm").int8_ops)
    assert prefill_path("llama.cpp", "f16", gpu("rtx-4090")).path == "fp16_acc16"
    assert prefill_path("llama.cpp", "q4_0", gpu("m2-ultra")).path == "fp16"
    assert prefill_path("llama.cpp", "q4_0", gpu("rx-5700-xt")).path == "fp16"  # RDNA 1: no matrix units
    assert prefill_path("vllm", "fp8", gpu("h100-sxm")).path == "fp8"
    assert prefill_path("vllm", "bf16", gpu("h100-sxm")).path == "fp16"


@pytest.mark.parametrize(
    ("gpu_id", "measured"),
    [("rtx-pro-6000", 16619), ("rtx-4090", 14771), ("h100-sxm", 11263), ("rtx-3090", 5175), ("rtx-5080", 9488)],
)
def test_prefill_against_the_cuda_scoreboard(gpu_id: str, measured: float) -> None:
    """llama.cpp discussion #15013 (CUDA scoreboard, Llama 2 7B Q4_0 pp512): workstation, datacenter
    and GeForce cards within 30% (the FP16 figure alone put the RTX PRO 6000 and H100 far apart)."""
    arch, bd = model("llama-2-7b")
    d = Deployment(arch, bd, LLAMA_CPP, hardware(gpu_id), Workload(512))
    fit = assess_fit(d, "q4_0", "fp16", search_best=False)
    speed = estimate_speed(d, fit)
    assert speed.prefill_tokens_per_s is not None
    assert speed.prefill_tokens_per_s == pytest.approx(measured, rel=0.30)
    assert "INT8 MMQ" in speed.basis


def test_moe_prefill_runs_its_experts_at_their_tile_fill() -> None:
    """llama.cpp's MMQ tiles are up to 128 tokens wide (ggml-cuda mmq.cuh) and a prompt goes in 512-token
    micro-batches: Mixtral's experts get 512 x 2 / 8 = 128 tokens each and keep the dense rate;
    Qwen3-30B-A3B's get 512 x 8 / 128 = 32, a quarter tile, so its routed-expert FLOPs run at a quarter.
    Measured on an H100 (benchmarks/prefill.csv, llama-bench pp512): Mixtral 5,748 tok/s, Qwen3-30B-A3B
    9,306; a single MoE factor put the two at -47% and +73% (held out by model)."""
    from paramtui.engine.math_path import expert_tile_factor

    mixtral, mixtral_bd = model("mixtral-8x7b")
    assert expert_tile_factor(mixtral, mixtral_bd, 512) == pytest.approx(1.0)
    qwen, qwen_bd = model("qwen3-30b-a3b")
    routed = 2 * qwen_bd.component("routed_experts").active * 512
    from paramtui.engine.params import prompt_flops

    share = routed / prompt_flops(qwen, qwen_bd, 512)
    assert expert_tile_factor(qwen, qwen_bd, 512) == pytest.approx(1 / (1 - share + share / 0.25))
    dense, dense_bd = model("llama-3.1-8b")
    assert expert_tile_factor(dense, dense_bd, 512) == 1.0
    for preset, measured in (("mixtral-8x7b", 5748), ("qwen3-30b-a3b", 9306)):
        arch, bd = model(preset)
        d = Deployment(arch, bd, LLAMA_CPP, hardware("h100-sxm"), Workload(512))
        speed = estimate_speed(d, assess_fit(d, "q4_k_m", "fp16", search_best=False))
        assert speed.prefill_tokens_per_s == pytest.approx(measured, rel=0.25)
