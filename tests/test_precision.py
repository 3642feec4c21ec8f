"""Weights bytes per precision: block sizes, llama.cpp's K-quant mixes, published file sizes."""

from __future__ import annotations

import gguf
import pytest
from helpers import model

from paramtui.engine import formats
from paramtui.engine.precision import PRECISIONS, estimate_weights, resolve_precision
from paramtui.engine.tensors import tensor_inventory
from paramtui.presets import all_presets

GIB = 2**30


def test_ggml_block_sizes_match_the_gguf_package() -> None:
    """Our GGML table equals gguf-py's GGML_QUANT_SIZES (block weights, bytes per block)."""
    for name, enc in formats.GGML_TYPES.items():
        block, type_size = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[name.upper()]]
        assert (enc.block_weights, enc.block_bits // 8) == (block, type_size), name


def test_hand_computed_bits_per_weight() -> None:
    """Q4_K: 144 bytes per 256 = 4.5 bits; Q8_0 8.5; Q6_K 6.5625; MXFP4 4.25; NVFP4 4.5; AWQ g128 4.156."""
    assert formats.Q4_K.bits_per_weight == 4.5
    assert formats.Q8_0.bits_per_weight == 8.5
    assert formats.Q6_K.bits_per_weight == 6.5625
    assert formats.Q2_K.bits_per_weight == 2.625
    assert formats.MXFP4.bits_per_weight == 4.25
    assert formats.NVFP4.bits_per_weight == 4.5
    assert formats.INT4_G128.bits_per_weight == pytest.approx(4 + 20 / 128)
    assert formats.Q4_K.tensor_bytes(257) == 2 * 144  # whole blocks


@pytest.mark.parametrize("preset_id", sorted(all_presets()))
def test_inventory_adds_up_to_the_parameter_count(preset_id: str) -> None:
    arch, bd = model(preset_id)
    groups = tensor_inventory(arch, bd)
    assert sum(g.total_elements for g in groups) == bd.total
    for c in bd.components:
        assert sum(g.total_elements for g in groups if g.component == c.name) == c.stored


# Llama 3 70B GGUF sizes in GiB (dranger003, imatrix quants of the same shapes as 3.1 70B):
# https://github.com/ggml-org/llama.cpp/pull/6745#issuecomment-2093892514 (table copied in
# XiongjieDai/GPU-Benchmarks-on-LLM-Inference README.md @ 00dd2bde)
LLAMA3_70B_GIB = {
    "q2_k": 24.56,
    "q3_k_m": 31.91,
    "iq4_xs": 35.30,
    "q4_k_m": 39.60,
    "q5_k_m": 46.52,
    "q6_k": 53.91,
    "q8_0": 69.83,
    "f16": 131.43,
}


@pytest.mark.parametrize(("precision", "published_gib"), sorted(LLAMA3_70B_GIB.items()))
def test_gguf_sizes_of_llama3_70b_within_3_percent(precision: str, published_gib: float) -> None:
    arch, bd = model("llama-3.1-70b")
    ours = estimate_weights(arch, bd, precision).total_bytes / GIB
    assert ours == pytest.approx(published_gib, rel=0.03)


def test_gguf_k_quant_mixes_are_exact_where_no_imatrix_rule_applies() -> None:
    """The mix reproduces the file sizes to 0.05%: Q4_K_M 39.60, Q6_K 53.91 GiB (same source)."""
    arch, bd = model("llama-3.1-70b")
    assert estimate_weights(arch, bd, "q4_k_m").total_bytes / GIB == pytest.approx(39.60, rel=5e-4)
    assert estimate_weights(arch, bd, "q6_k").total_bytes / GIB == pytest.approx(53.91, rel=5e-4)
    q4 = estimate_weights(arch, bd, "q4_k_m").encodings
    assert set(q4) == {"q4_k", "q5_k", "q6_k", "f32"}  # attn_v of 70B goes to Q5_K, ffn_down layers to Q6_K


def test_small_and_moe_gguf_sizes() -> None:
    """Llama 3 8B: Q4_K_M 4.58 GiB, F16 14.96 GiB (XiongjieDai README "Total VRAM Requirements");
    gpt-oss-120b MXFP4_MOE 59.02 GiB (llama-bench in ggml-org/llama.cpp#19922); DeepSeek-R1 Q4_K_M
    404 GB (Ollama deepseek-r1:671b)."""
    arch, bd = model("llama-3.1-8b")
    assert estimate_weights(arch, bd, "q4_k_m").total_bytes / GIB == pytest.approx(4.58, rel=0.01)
    assert estimate_weights(arch, bd, "f16").total_bytes / GIB == pytest.approx(14.96, rel=0.005)
    arch, bd = model("gpt-oss-120b")
    assert estimate_weights(arch, bd, "mxfp4_moe").total_bytes / GIB == pytest.approx(59.02, rel=0.001)
    arch, bd = model("deepseek-v3")
    assert estimate_weights(arch, bd, "q4_k_m").total_bytes / 1e9 == pytest.approx(404, rel=0.01)


def test_gpt_oss_auto_is_mxfp4_experts_and_bf16_elsewhere() -> None:
    """OpenAI's model card: gpt-oss-120b checkpoint 60.8 GiB (MXFP4 MoE weights, BF16 rest)."""
    arch, bd = model("gpt-oss-120b")
    assert resolve_precision("auto", arch) == "mxfp4"
    w = estimate_weights(arch, bd, "mxfp4")
    assert w.total_bytes / GIB == pytest.approx(60.8, rel=0.005)
    assert w.component_bytes["attention"] == 2 * bd.component("attention").stored  # bf16


def test_gpt_oss_20b_preset_restores_the_mxfp4_checkpoint_format() -> None:
    """The vendored gpt-oss-20b config lost its quantization_config; the preset restores mxfp4.

    Reference: OpenAI's model card gives 12.8 GiB for the gpt-oss-20b checkpoint (MXFP4 experts).
    """
    arch, bd = model("gpt-oss-20b")
    assert resolve_precision("auto", arch) == "mxfp4"
    assert estimate_weights(arch, bd, "mxfp4").total_bytes / GIB == pytest.approx(12.8, rel=0.005)


def test_an_f16_gguf_of_gpt_oss_keeps_the_mxfp4_experts() -> None:
    """convert_hf_to_gguf.py copies gpt-oss's MXFP4 expert blocks as MXFP4 whatever --outtype, so
    the "F16" GGUF is MXFP4 experts and F16 elsewhere. llama-bench on gpt-oss-20b-F16.gguf reports
    model_size 13,779,630,336 bytes (12.83 GiB; lhl/strix-halo-testing
    llama-cpp-fix-wmma/gpt-oss-20b.default-hip.jsonl, and geerlingguy/ai-benchmarks#21)."""
    arch, bd = model("gpt-oss-20b")
    w = estimate_weights(arch, bd, "f16")
    assert w.total_bytes == pytest.approx(13_779_630_336, rel=0.002)
    assert w.component_bytes["attention"] == pytest.approx(2 * bd.component("attention").stored, rel=1e-3)  # f16
    arch, bd = model("llama-3.1-8b")  # a float checkpoint's F16 GGUF stays F16 throughout
    assert estimate_weights(arch, bd, "f16").total_bytes / GIB == pytest.approx(14.96, rel=0.005)


def test_int4_keeps_embeddings_and_head_in_16_bit() -> None:
    arch, bd = model("llama-3.1-8b")
    w = estimate_weights(arch, bd, "int4")
    assert w.component_bytes["embedding"] == 2 * bd.component("embedding").stored
    assert w.component_bytes["output_head"] == 2 * bd.component("output_head").stored
    assert w.component_bytes["dense_ffn"] < bd.component("dense_ffn").stored * 4.2 / 8


def test_active_bytes_exclude_the_input_table_and_scale_experts_by_k_over_e() -> None:
    arch, bd = model("qwen3-30b-a3b")
    w = estimate_weights(arch, bd, "bf16")
    moe = arch.moe
    assert moe is not None
    expected = 2 * (bd.active - bd.component("embedding").active)
    assert w.active_bytes_per_token == pytest.approx(expected, rel=1e-9)


def test_every_precision_is_monotone_in_size_with_bits() -> None:
    arch, bd = model("qwen3-8b")
    sizes = {p: estimate_weights(arch, bd, p).total_bytes for p in PRECISIONS}
    assert sizes["fp32"] > sizes["bf16"] > sizes["q8_0"] > sizes["q6_k"] > sizes["q5_k_m"] > sizes["q4_k_m"]
    assert sizes["q4_k_m"] > sizes["q3_k_m"] > sizes["q2_k"]


def test_unknown_precision_is_a_clear_error() -> None:
    arch, _ = model("qwen3-8b")
    with pytest.raises(ValueError, match="unknown precision 'q4_k_x'"):
        resolve_precision("q4_k_x", arch)
