"""KV cache and weights against the engines' own start-up log lines, in the engines' own units.

Each case quotes the log line and where it was posted. KV figures must land within 2% of the
log, weights as loaded within 3%. llama.cpp prints MiB (2**20 bytes); vLLM prints tokens and GiB;
SGLang prints "GB" that are GiB (bytes / 2**30).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import model

from paramtui.engine.kv_cache import attention_bytes_per_token, estimate_kv_cache
from paramtui.engine.loaded import loaded_weights, mxfp4_backend
from paramtui.engine.memory import Plan, kv_split_ways, pool_tokens
from paramtui.engine.precision import estimate_weights
from paramtui.engine.releases import ReleaseChoice, apply_release, vllm_batched_tokens_default
from paramtui.engine.runtimes import LLAMA_CPP, SGLANG, VLLM

MIB = 2**20
GIB = 2**30


def _llama_cpp(version: str | None = None, flash_attn: bool | None = None, n_ubatch: int = 512):
    rules = apply_release(LLAMA_CPP, ReleaseChoice(version, flash_attn)).kv
    return replace(rules, extra_tokens=n_ubatch)


def test_llama_cpp_current_gpt_oss_120b_full_and_swa_caches() -> None:
    """ollama/ollama#16480 (https://github.com/ollama/ollama/issues/16480), llama.cpp 2026, flash
    attention enabled, n_ctx_seq 131072, 2 sequences (kv_unified = false), n_ubatch 1024:

        llama_kv_cache: size = 9216.00 MiB (131072 cells,  18 layers,  2/2 seqs),
                        K (f16): 4608.00 MiB, V (f16): 4608.00 MiB
        llama_kv_cache_iswa: creating     SWA KV cache, size = 1280 cells
        llama_kv_cache:      ROCm0 KV buffer size =    90.00 MiB

    SWA cells per stream: GGML_PAD(128 + 1024, 256) = 1280 (PR #17046 pads to 256).
    """
    arch, _ = model("gpt-oss-120b")
    kv = estimate_kv_cache(arch, 131072, 2, "fp16", _llama_cpp(n_ubatch=1024))
    full, sliding = kv.by_kind
    assert full.bytes / MIB == pytest.approx(9216.00, rel=0.02)
    assert sliding.cells == 2 * 1280
    assert sliding.bytes / MIB == pytest.approx(90.00, rel=0.02)


def test_llama_cpp_without_flash_attention_pads_the_swa_cache_to_32() -> None:
    """Builds from PR #13194 to PR #17046 padded each cache to 256 cells with flash attention and to 32
    without (``llama_kv_cache_unified::get_padding``). gpt-oss at n_ubatch 512: 128 + 512 = 640 cells
    without flash attention, 768 with (+20% on the sliding layers). No public log of the 640-cell
    cache was found; the arithmetic is that of the source, and the current rule is the 1280-cell log above.
    """
    arch, _ = model("gpt-oss-120b")
    off = estimate_kv_cache(arch, 8192, 1, "fp16", _llama_cpp("b6500", flash_attn=False))
    on = estimate_kv_cache(arch, 8192, 1, "fp16", _llama_cpp("b6500", flash_attn=True))
    assert off.by_kind[1].cells == 640
    assert on.by_kind[1].cells == 768
    before_swa = estimate_kv_cache(arch, 8192, 1, "fp16", _llama_cpp("b5000"))
    assert before_swa.by_kind[1].cells == 8192  # before PR #13194 sliding layers kept every token


def test_llama_cpp_recurrent_state_is_f32() -> None:
    """JamePeng/llama-cpp-python#78 (https://github.com/JamePeng/llama-cpp-python/issues/78), Qwen3.5
    with 32 layers, 24 of them Gated DeltaNet (every 4th layer "skipped": full attention):

        llama_memory_recurrent: size =   50.25 MiB (     1 cells,  32 layers,  1 seqs),
                                R (f32):    2.25 MiB, S (f32):   48.00 MiB

    Its DeltaNet has Qwen3-Next's shape (16 key heads and 32 value heads of 128, kernel 4); S is
    32 x 128 x 128 x 4 B = 2 MiB a layer. Counting the state in 16-bit (vLLM's default) gives half.
    """
    next_arch, _ = model("qwen3-next-80b-a3b")
    arch = replace(next_arch, num_layers=32, layer_types=(("linear",) * 3 + ("full",)) * 8)
    kv = estimate_kv_cache(arch, 4096, 1, "fp16", _llama_cpp())
    recurrent = next(c for c in kv.by_kind if c.kind == "recurrent")
    assert recurrent.layers == 24
    assert recurrent.bytes / MIB == pytest.approx(50.25, rel=0.02)
    half = next(c for c in estimate_kv_cache(arch, 4096, 1, "fp16", VLLM.kv).by_kind if c.kind == "recurrent")
    assert half.bytes / MIB == pytest.approx(50.25 / 2, rel=0.02)


def test_llama_cpp_mla_latent_k_only() -> None:
    """The V-less MLA cache (mainline PR #19067): K = kv_lora_rank + rope = 576 per token per layer.

    r/LocalLLaMA "MLA optimization with flashattention for llama.cpp" (PR #13529, the same K-only
    layout; https://www.reddit.com/r/LocalLLaMA/comments/1kmrfoo/), DeepSeek, 61 layers:

        llama_kv_cache_unified: kv_size = 163840, type_k = 'f16', type_v = 'f16', n_layer = 61
        llama_kv_cache_unified: KV self size = 10980.00 MiB, K (f16): 10980.00 MiB, V (f16): 0.00 MiB

    ikawrakow/ik_llama.cpp#259 (https://github.com/ikawrakow/ik_llama.cpp/pull/259), DeepSeek-R1,
    n_ctx_slot 32768, q8_0 latent:

        llama_new_context_with_model: KV self size  = 1166.62 MiB, c^KV (q8_0): 1166.62 MiB, kv^T: not used
    """
    arch, _ = model("deepseek-r1")
    kv = estimate_kv_cache(arch, 163840, 1, "fp16", _llama_cpp())
    assert kv.k_bytes / MIB == pytest.approx(10980.00, rel=0.02)
    assert kv.v_bytes == 0
    assert "K 576 only" in kv.rule and "#19067" in kv.rule
    q8 = estimate_kv_cache(arch, 32768, 1, "q8_0", _llama_cpp())
    assert q8.bytes / MIB == pytest.approx(1166.62, rel=0.02)


def test_llama_cpp_mla_eras() -> None:
    """The three llama.cpp MLA layouts, DeepSeek-R1 at 163,840 tokens in f16: K 576 + V 512 between PR
    #12801 and PR #19067 (the K-only figure above plus 9760 MiB of V, "almost x2", as #19067 says),
    and full per-head K (128 x 192) and V (128 x 128) before #12801 (or with a GGUF converted before it)."""
    arch, _ = model("deepseek-r1")
    mid = estimate_kv_cache(arch, 163840, 1, "fp16", _llama_cpp("b6000"))
    assert (mid.k_bytes / MIB, mid.v_bytes / MIB) == (10980.0, 9760.0)
    assert mid.rule.startswith("MLA: K 576 + V 512 per token per layer (llama.cpp b5100–b7800")
    old = estimate_kv_cache(arch, 4096, 1, "fp16", _llama_cpp("b4500"))
    assert (old.k_bytes / MIB, old.v_bytes / MIB) == (4096 * 61 * 128 * 192 * 2 / MIB, 4096 * 61 * 128 * 128 * 2 / MIB)


def test_vllm_gpu_kv_cache_size_in_tokens_one_gpu() -> None:
    """LMCache/LMCache#1739 (https://github.com/LMCache/LMCache/issues/1739), Qwen3-14B, vLLM V1:

    Available KV cache memory: 6.51 GiB
    GPU KV cache size: 42,656 tokens
    Maximum concurrency for 32,768 tokens per request: 1.30x
    """
    arch, _ = model("qwen3-14b")
    per_token = attention_bytes_per_token(arch, "bf16", VLLM.kv)
    tokens = pool_tokens(6.51 * GIB, per_token, Plan(), arch, VLLM.kv.block_tokens)
    assert tokens == pytest.approx(42656, rel=0.02)
    one = estimate_kv_cache(arch, 32768, 1, "bf16", VLLM.kv)
    assert 6.51 * GIB / one.bytes == pytest.approx(1.30, abs=0.02)


def test_vllm_and_sglang_kv_per_rank_under_tensor_parallelism() -> None:
    """vllm-project/vllm#21348 (https://github.com/vllm-project/vllm/issues/21348), Qwen3-235B-A22B-FP8
    on 4 x H100, tensor parallel 4 (4 KV heads: one per rank):

        vLLM:   Available KV cache memory: 8.11 GiB / GPU KV cache size: 178,880 tokens
        SGLang: KV Cache is allocated. #tokens: 367404, K size: 8.23 GB, V size: 8.23 GB
    """
    arch, _ = model("qwen3-235b-a22b")
    plan = Plan(tp=4)
    per_token = attention_bytes_per_token(arch, "bf16", VLLM.kv)
    assert pool_tokens(8.11 * GIB, per_token, plan, arch, 16) == pytest.approx(178880, rel=0.02)
    kv = estimate_kv_cache(arch, 367404, 1, "bf16", SGLANG.kv)
    split = kv_split_ways(arch, 4)
    assert kv.k_bytes / split / GIB == pytest.approx(8.23, rel=0.02)
    assert kv.v_bytes / split / GIB == pytest.approx(8.23, rel=0.02)


def test_vllm_batched_tokens_default_by_gpu_class() -> None:
    """vllm/engine/arg_utils.py get_batch_defaults, asserted in vLLM's tests/engine/test_arg_utils.py:
    8192 for ``vllm serve`` on cards of 70 GiB or more other than A100, else 2048."""
    assert vllm_batched_tokens_default(80 * GIB, "NVIDIA H100 80GB HBM3") == 8192
    assert vllm_batched_tokens_default(80 * GIB, "NVIDIA A100-SXM4-80GB") == 2048
    assert vllm_batched_tokens_default(24 * GIB, "NVIDIA GeForce RTX 4090") == 2048
    arch, _ = model("gpt-oss-120b")
    a100 = apply_release(VLLM, ReleaseChoice(), 80 * GIB, "NVIDIA A100-SXM4-80GB")
    h100 = apply_release(VLLM, ReleaseChoice(), 80 * GIB, "NVIDIA H100 80GB HBM3")
    # per request the sliding layers reserve cdiv(127 + mnbt, 16) + 1 blocks of 16 tokens
    assert estimate_kv_cache(arch, 32768, 1, "bf16", a100.kv).by_kind[1].cells == (136 + 1) * 16
    assert estimate_kv_cache(arch, 32768, 1, "bf16", h100.kv).by_kind[1].cells == (520 + 1) * 16
    v0 = apply_release(VLLM, ReleaseChoice("0.7.3"), 80 * GIB, "NVIDIA H100 80GB HBM3")
    assert estimate_kv_cache(arch, 32768, 1, "bf16", v0.kv).by_kind[1].cells == 32768


def test_vllm_gpt_oss_120b_weights_as_loaded_with_marlin() -> None:
    """vllm-project/vllm#23278 (https://github.com/vllm-project/vllm/issues/23278), gpt-oss-120b on one
    H100, vLLM 0.10 (Marlin MXFP4 MoE: "Your GPU does not have native support for FP4"):

        Model loading took 65.9651 GiB and 12.799889 seconds

    The checkpoint holds 60.77 GiB; Marlin pads the experts 2880 x 2880 to 2944 x 3072.
    """
    arch, bd = model("gpt-oss-120b")
    weights = estimate_weights(arch, bd, "mxfp4")
    backend = mxfp4_backend("vllm", 9.0, "nvidia", (0, 10))
    assert backend == "marlin"
    loaded = loaded_weights(arch, weights, backend, "vllm").weights
    assert loaded.total_bytes / GIB == pytest.approx(65.9651, rel=0.03)
    assert weights.total_bytes / GIB < 65.9651 * 0.94  # the checkpoint's bytes alone are 8% short


@pytest.mark.xfail(
    strict=True, reason="vLLM's Triton MXFP4 path on Hopper loads ~3.6 GiB beyond the padding paramtui models"
)
def test_vllm_gpt_oss_120b_weights_as_loaded_with_triton() -> None:
    """vllm-project/vllm#33155 (https://github.com/vllm-project/vllm/issues/33155), gpt-oss-120b on one
    H100, vLLM 0.14.1 ("Using Triton backend"):

        Model loading took 64.38 GiB memory and 14.380607 seconds

    create_weights pads the intermediate size to 64 only (2880 already is), so paramtui predicts the
    checkpoint's 60.77 GiB, 5.6% short; where the rest goes (the triton_kernels swizzled layouts, or
    buffers kept from loading) is not modelled. Kept as a known miss.
    """
    arch, bd = model("gpt-oss-120b")
    weights = estimate_weights(arch, bd, "mxfp4")
    loaded = loaded_weights(arch, weights, mxfp4_backend("vllm", 9.0, "nvidia", (0, 14)), "vllm").weights
    assert loaded.total_bytes / GIB == pytest.approx(64.38, rel=0.03)


def test_vllm_tensor_parallel_rank_keeps_replicated_tensors_whole() -> None:
    """HabanaAI/vllm-fork#809 (https://github.com/HabanaAI/vllm-fork/issues/809), DeepSeek-R1 (FP8)
    over 8 ranks with tensor parallelism (the Gaudi fork of vLLM):

        Pre-loading model weights on hpu:0 took 79.41 GiB of device memory

    Routers, norms and the MLA down-projections (about 1.06 GiB) stay whole on every rank; the rest
    divides by 8. A plain division gives 78.37 GiB (-1.3%), with the replicated tensors 79.29 GiB
    (-0.15%). Both are within 3%, so this log separates the two rules only weakly.
    """
    from helpers import hardware

    from paramtui.engine.analysis import Request, analyze
    from paramtui.engine.fit import PlanOptions

    arch, _ = model("deepseek-r1")
    analysis = analyze(arch, Request(runtime="vllm", options=PlanOptions(tp=8)), hardware("8xh200"))
    assert analysis.fit is not None
    rank = analysis.fit.attempt.devices[0].weights_bytes / GIB
    assert rank == pytest.approx(79.41, rel=0.03)
    assert abs(rank - 79.41) < abs(analysis.weights.total_bytes / 8 / GIB - 79.41)
    # the MLA latent is one KV head: every rank keeps the whole cache (vLLM, SGLang MLATokenToKVPool)
    assert kv_split_ways(arch, 8) == 1
