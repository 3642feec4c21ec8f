"""KV cache and weights against the engines' own start-up log lines, in the engines' own units.

Each case quotes the log line and where it was posted. KV figures must land within 2% of the
log, weights as loaded within 3%. llama.cpp prints MiB (2**20 bytes); vLLM prints tokens and GiB;
SGLang prints "GB" that are GiB (bytes / 2**30).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from helpers import model

from paramtui.engine.adapters.sources import load_path
from paramtui.engine.kv_cache import (
    attention_bytes_per_token,
    dsa_fp8_latent_bytes,
    estimate_kv_cache,
    vllm_group_padding,
)
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
    """ggml-org/llama.cpp#16188 (https://github.com/ggml-org/llama.cpp/issues/16188), llama.cpp build 6182
    (1fe00296f), gpt-oss-20b MXFP4 on an Apple M2 Pro through Vulkan, ``llama-cli`` defaults (n_ctx 4096,
    n_ubatch 512, ``flash_attn = 0``, kv_unified = false):

        llama_kv_cache_unified: size =   96.00 MiB (  4096 cells,  12 layers,  1/1 seqs),
                                K (f16):   48.00 MiB, V (f16):   48.00 MiB
        llama_kv_cache_unified_iswa: creating     SWA KV cache, size = 640 cells
        llama_kv_cache_unified: size =   15.00 MiB (   640 cells,  12 layers,  1/1 seqs),
                                K (f16):    7.50 MiB, V (f16):    7.50 MiB

    Between PR #13194 and PR #17046 the cache was padded to 32 cells without flash attention
    (``llama_kv_cache_unified::get_padding``): 128 + 512 = 640 cells; with flash attention the same run
    pads to 256, 768 cells and 18.00 MiB (+20% on the sliding layers).
    """
    arch, _ = model("gpt-oss-20b")
    off = estimate_kv_cache(arch, 4096, 1, "fp16", _llama_cpp("b6182", flash_attn=False))
    full, sliding = off.by_kind
    assert (full.cells, full.layers, sliding.cells, sliding.layers) == (4096, 12, 640, 12)
    assert full.bytes / MIB == pytest.approx(96.00, rel=0.02)
    assert sliding.bytes / MIB == pytest.approx(15.00, rel=0.02)
    assert "padded to 32" in off.rule and "flash attention off" in off.rule
    on = estimate_kv_cache(arch, 4096, 1, "fp16", _llama_cpp("b6182", flash_attn=True))
    assert (on.by_kind[1].cells, on.by_kind[1].bytes / MIB) == (768, 18.0)
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


def test_llama_cpp_mla_k_and_v_between_pr_12801_and_pr_19067() -> None:
    """ikawrakow/ik_llama.cpp#394 (https://github.com/ikawrakow/ik_llama.cpp/pull/394), Panchovix's
    mainline run of 2025-05-09 for comparison: llama.cpp build 5331 (33eff402), DeepSeek-V3-0324
    UD-Q2_K_XL (converted after PR #12801: key_length 576, value_length 512), ``-c 16384 -fa -ub 1024``,
    RTX 5090 + 2 x RTX 4090 + RTX A6000, layers split 15 / 12 / 12 / 22:

        llama_kv_cache_unified: kv_size = 16384, type_k = 'f16', type_v = 'f16', n_layer = 61,
                                can_shift = 1, padding = 256
        llama_kv_cache_unified:      CUDA0 KV buffer size =   510.00 MiB
        llama_kv_cache_unified:      CUDA1 KV buffer size =   408.00 MiB
        llama_kv_cache_unified:      CUDA2 KV buffer size =   408.00 MiB
        llama_kv_cache_unified:      CUDA3 KV buffer size =   748.00 MiB
        llama_kv_cache_unified: KV self size  = 2074.00 MiB, K (f16): 1098.00 MiB, V (f16):  976.00 MiB

    K is the latent 512 + rope 64 = 576 and V the latent again, 512, per token per layer; the K-only
    current rule gives 1098 MiB alone (-47%).
    """
    arch, _ = model("deepseek-v3")
    kv = estimate_kv_cache(arch, 16384, 1, "fp16", _llama_cpp("b5331", flash_attn=True, n_ubatch=1024))
    assert kv.k_bytes / MIB == pytest.approx(1098.00, rel=0.02)
    assert kv.v_bytes / MIB == pytest.approx(976.00, rel=0.02)
    assert kv.bytes / MIB == pytest.approx(2074.00, rel=0.02)
    assert kv.rule.startswith("MLA: K 576 + V 512 per token per layer (llama.cpp b5100–b7800")
    per_layer = kv.bytes / 61 / MIB
    assert [n * per_layer for n in (15, 12, 12, 22)] == pytest.approx([510.0, 408.0, 408.0, 748.0], rel=0.02)
    current = estimate_kv_cache(arch, 16384, 1, "fp16", _llama_cpp(n_ubatch=1024))
    assert current.bytes / kv.bytes == pytest.approx(1098 / 2074, rel=0.001)


def test_llama_cpp_mla_full_per_head_cache_before_pr_12801() -> None:
    """ArmDeveloperEcosystem/arm-learning-paths, content/learning-paths/servers-and-cloud-computing/
    deepseek-cpu/deepseek-chatbot.md (https://github.com/ArmDeveloperEcosystem/arm-learning-paths):
    llama.cpp build 4963 (02082f15), bartowski DeepSeek-R1 Q4_0 on an AWS Graviton4 r8g.24xlarge (CPU),
    ``llama-cli`` default n_ctx 4096, flash attention off:

        init: kv_size = 4096, offload = 1, type_k = 'f16', type_v = 'f16', n_layer = 61, can_shift = 0
        llama_context: KV self size  = 19520.00 MiB, K (f16): 11712.00 MiB, V (f16): 7808.00 MiB

    Before the MLA rework every layer cached per-head K (128 heads x 192) and V (128 x 128): 34 times
    the K-only latent.
    """
    arch, _ = model("deepseek-r1")
    kv = estimate_kv_cache(arch, 4096, 1, "fp16", _llama_cpp("b4963", flash_attn=False))
    assert kv.k_bytes / MIB == pytest.approx(11712.00, rel=0.02)
    assert kv.v_bytes / MIB == pytest.approx(7808.00, rel=0.02)
    assert kv.bytes / MIB == pytest.approx(19520.00, rel=0.02)
    assert kv.rule.startswith("MLA: full per-head K 128 x 192 + V 128 x 128")
    latent = estimate_kv_cache(arch, 4096, 1, "fp16", _llama_cpp())
    assert kv.bytes / latent.bytes == pytest.approx(19520 / 274.5, rel=0.001)


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


def test_vllm_sliding_window_charge_with_max_num_batched_tokens() -> None:
    """vllm-project/vllm#27508 (https://github.com/vllm-project/vllm/issues/27508), matheusfvesco's
    comment of 2025-10-31: gpt-oss-120b on one H100, ``vllm serve openai/gpt-oss-120b
    --gpu-memory-utilization 0.95 --max-num-batched-tokens 1024``, max_model_len 131072:

        Available KV cache memory: 1.71 GiB
        ValueError: To serve at least one request with the models's max seq len (131072),
        (4.54 GiB KV cache is needed, which is larger than the available KV cache memory (1.71 GiB).

    The 18 full layers hold 131,072 tokens (4.50 GiB); the 18 sliding layers (window 128) hold
    cdiv(127 + 1024, 16) + 1 = 73 blocks of 16 tokens, 0.04 GiB. Without the window saving (V0, or
    V1 before 0.10) one request would need 9.00 GiB; at the H100 default of 8192 batched tokens
    4.79 GiB (+5.4%), so the log also shows that the flag, not the default, set the charge.
    """
    arch, _ = model("gpt-oss-120b")
    h100 = (80 * GIB, "NVIDIA H100 80GB HBM3")
    asked = apply_release(VLLM, ReleaseChoice(max_num_batched_tokens=1024), *h100).kv
    one = estimate_kv_cache(arch, 131072, 1, "bf16", asked)
    assert one.by_kind[1].cells == 73 * 16
    assert one.bytes / GIB == pytest.approx(4.54, rel=0.02)
    default = estimate_kv_cache(arch, 131072, 1, "bf16", apply_release(VLLM, ReleaseChoice(), *h100).kv)
    assert default.bytes / GIB == pytest.approx(4.79, abs=0.005)
    assert default.bytes / GIB > 4.54 * 1.02
    before_hybrid = apply_release(VLLM, ReleaseChoice("0.9.2"), *h100).kv
    assert estimate_kv_cache(arch, 131072, 1, "bf16", before_hybrid).bytes / GIB == pytest.approx(9.0)


def test_vllm_sliding_window_charge_at_the_h100_default_batch() -> None:
    """tonghuikang/blog _posts/2025-12-28-vllm-logs.md (commit 034b47cfaf722bbf5ae60d05552b1dac14492489;
    https://blog.huikang.dev/2025/12/28/vllm-logs.html, log of the Kaggle notebook
    https://www.kaggle.com/code/huikang/streaming-inference?scriptVersionId=282411196): gpt-oss-120b
    on one GPU, vLLM 0.11.2 V1, tensor_parallel_size=1, kv_cache_dtype=auto (bf16), Marlin MXFP4
    ("Your GPU does not have native support for FP4"), model loading 65.9651 GiB:

        non-default args: {'host': '0.0.0.0', 'model': '/kaggle/input/gpt-oss-120b/...',
            'max_model_len': 98304, 'served_model_name': ['vllm-model'],
            'gpu_memory_utilization': 0.96, 'max_num_seqs': 6}
        (APIServer) Chunked prefill is enabled with max_num_batched_tokens=8192.
        Available KV cache memory: 8.99 GiB
        GPU KV cache size: 130,960 tokens
        Maximum concurrency for 98,304 tokens per request: 2.46x

    max_num_batched_tokens is not among the non-default args, so the 8192 the API server prints is
    ``vllm serve``'s default for a card of 70 GiB or more other than A100. Per request the 18 full
    layers hold 98,304 tokens and the 18 sliding layers (window 128) cdiv(127 + 8192, 16) + 1 = 521
    blocks of 16: 3.661 GiB, 8.99 / 3.661 = 2.456. At the A100 default of 2048 the sliding layers
    would hold 137 blocks and the log would read 2.61x (+6%), so the log pins the default's class.
    (GPU KV cache size is num_blocks over the two KV-cache groups and does not test the rule.)
    """
    arch, _ = model("gpt-oss-120b")
    h100 = apply_release(VLLM, ReleaseChoice(), 80 * GIB, "NVIDIA H100 80GB HBM3").kv
    one = estimate_kv_cache(arch, 98304, 1, "bf16", h100)
    assert one.by_kind[1].cells == 521 * 16
    assert 8.99 * GIB / one.bytes == pytest.approx(2.46, rel=0.02)
    a100 = apply_release(VLLM, ReleaseChoice(), 80 * GIB, "NVIDIA A100-SXM4-80GB").kv
    assert 8.99 * GIB / estimate_kv_cache(arch, 98304, 1, "bf16", a100).bytes > 2.46 * 1.02


def test_vllm_sliding_window_charge_counts_the_padding_layers_of_kv_cache_groups() -> None:
    """A vLLM V1 start-up log of google/gemma-3-27b-it on ROCm (found by find_string as stored file
    id 9297248278; repository and path were not shown), vLLM 0.11.0rc2.dev98+g393de22d2,
    tensor_parallel_size=1, kv_cache_dtype=auto (bf16), 109.86 GiB for KV (a 192 GB MI300X-class card):

        non-default args: {'model_tag': '/google/gemma-3-27b-it', 'model': '/google/gemma-3-27b-it',
            'max_model_len': 4096, 'limit_mm_per_prompt': {'image': 2}}
        (APIServer) Chunked prefill is enabled with max_num_batched_tokens=8192.
        Available KV cache memory: 109.86 GiB
        WARNING [kv_cache_utils.py:982] Add 8 padding layers, may waste at most 15.38% KV cache memory
        GPU KV cache size: 205,696 tokens
        Maximum concurrency for 4,096 tokens per request: 50.05x
        vllm cache_config_info with initialization after num_gpu_blocks is: 89994

    max_num_batched_tokens is the ``vllm serve`` default of a card of 70 GiB or more. The 52 sliding
    layers (window 1024) are padded to 60 so that each KV-cache group holds 10 layers
    (vllm/v1/core/kv_cache_utils.py ``_get_kv_cache_groups_uniform_page_size``, commit 001cabc1be16),
    and ``get_max_concurrency_for_kv_cache_config`` charges a request for every group: 10 full layers
    x 256 blocks + 60 sliding layers x (cdiv(min(1023 + 8192, 4096), 16) + 1 = 257) blocks, 2.195 GiB,
    89,994 / 1,798 blocks = 50.05. Without the padding it would read 56.5x (+13%); at the A100
    default of 2048 batched tokens (193 sliding blocks) 63.6x.
    """
    arch, _ = model("gemma-3-27b")
    mi300x = apply_release(VLLM, ReleaseChoice(), 192 * GIB, "AMD Instinct MI300X").kv
    one = estimate_kv_cache(arch, 4096, 1, "bf16", mi300x)
    assert vllm_group_padding(10, 52) == (0, 8)
    assert one.by_kind[1].cells == 257 * 16
    assert 109.86 * GIB / one.bytes == pytest.approx(50.05, rel=0.02)
    a100 = apply_release(VLLM, ReleaseChoice(), 80 * GIB, "NVIDIA A100-SXM4-80GB").kv
    assert 109.86 * GIB / estimate_kv_cache(arch, 4096, 1, "bf16", a100).bytes > 50.05 * 1.02
    # gpt-oss (18 + 18) and a speculative drafter's 12 sliding + 13 full need no or one padding layer.
    assert vllm_group_padding(18, 18) == (0, 0)
    assert vllm_group_padding(13, 12) == (0, 1)


def test_vllm_kv_cache_group_padding_of_gemma_3_1b() -> None:
    """eole-nlp/eole benchmarks/genai/results.md (commit 38d4e46084f82556531175d49434c0fec626fe9a),
    google/gemma-3-1b-it through vLLM's offline ``LLM`` class, vLLM 0.13.0 V1, tensor_parallel_size=1,
    kv_cache_dtype=auto (bf16):

        non-default args: {'max_model_len': 2048, 'gpu_memory_utilization': 0.95,
            'disable_log_stats': True, 'model': 'google/gemma-3-1b-it'}
        Chunked prefill is enabled with max_num_batched_tokens=8192.
        Available KV cache memory: 25.39 GiB
        WARNING [kv_cache_utils.py:1033] Add 2 padding layers, may waste at most 9.09% KV cache memory
        Maximum concurrency for 2,048 tokens per request: 461.21x

    4 full and 22 sliding layers (window 512) make groups of 4, the sliding layers padded to 24.
    min(511 + 8192, 2048) caps the sliding charge at the request, cdiv(2048, 16) + 1 = 129 blocks, so
    either batch default gives the same figure; the log checks the padding (without it 496x, +7.6%).
    """
    arch, _ = model("gemma-3-1b")
    logged = apply_release(VLLM, ReleaseChoice(max_num_batched_tokens=8192)).kv
    one = estimate_kv_cache(arch, 2048, 1, "bf16", logged)
    assert vllm_group_padding(4, 22) == (0, 2)
    assert one.by_kind[1].cells == 129 * 16
    assert 25.39 * GIB / one.bytes == pytest.approx(461.21, rel=0.02)


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


def test_vllm_gpt_oss_120b_weights_as_loaded_with_triton() -> None:
    """vllm-project/vllm#33155 (https://github.com/vllm-project/vllm/issues/33155), gpt-oss-120b on one
    H100, vLLM 0.14.1 ("Using Triton backend"):

        Model loading took 64.38 GiB memory and 14.380607 seconds

    create_weights pads the intermediate size to 64 only (2880 already is), so the checkpoint's
    60.77 GiB alone is 5.6% short. The Hopper swizzle pads nothing here: triton_kernels'
    ``HopperMXValueLayout.swizzle_data`` pads rows to 16 and K to 32 bytes, which gpt-oss's
    5760 x 1440-byte and 2880 x 1440-byte expert matrices already are. What stays is in
    vllm/model_executor/layers/quantization/mxfp4.py ``process_weights_after_loading`` (Triton
    branch): the swizzled scales are new tensors while the loaded ``w13_weight_scale`` /
    ``w2_weight_scale`` parameters are not deleted (3.34 GiB held twice), and the expert biases
    become fp32 (+0.07 GiB): 64.18 GiB, -0.3%.
    """
    arch, bd = model("gpt-oss-120b")
    weights = estimate_weights(arch, bd, "mxfp4")
    loaded = loaded_weights(arch, weights, mxfp4_backend("vllm", 9.0, "nvidia", (0, 14)), "vllm").weights
    assert loaded.total_bytes / GIB == pytest.approx(64.38, rel=0.03)
    assert (loaded.total_bytes - weights.total_bytes) / GIB == pytest.approx(3.41, abs=0.01)
    assert "keeps the loaded expert scales" in loaded.basis


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


def test_vllm_v0_gpu_blocks_full_attention() -> None:
    """vllm-project/vllm#10517 (https://github.com/vllm-project/vllm/issues/10517), a vLLM V0 engine of
    late 2024, Llama-3.1-8B-Instruct on an RTX 3090, two runs (``--max-model-len`` 20000 and 29000):

        ... kv_cache_size=3.81GiB gpu_memory_utilization=0.90
        # GPU blocks: 1952, # CPU blocks: 2048
        Maximum concurrency for 20000 tokens per request: 1.56x
        ... kv_cache_size=2.89GiB ...
        The model's max seq len (29000) is larger than the maximum number of tokens that can be stored
        in KV cache (23648).

    V0 pages 16-token blocks of 128 KiB per token (32 layers x 8 KV heads x 128 x 2 x 2 B). The V0 and
    V1 managers differ only on sliding-window layers (V0 keeps every token); no public V0 log of a
    sliding-window model was found, so that half of the rule rests on vllm/v1/kv_cache_interface.py.
    """
    arch, _ = model("llama-3.1-8b")
    v0 = apply_release(VLLM, ReleaseChoice("0.6.4"), 24 * GIB, "NVIDIA GeForce RTX 3090").kv
    per_token = attention_bytes_per_token(arch, "bf16", v0)
    tokens = pool_tokens(3.81 * GIB, per_token, Plan(), arch, v0.block_tokens)
    assert tokens / 16 == pytest.approx(1952, rel=0.02)
    assert tokens / 20000 == pytest.approx(1.56, abs=0.02)
    assert pool_tokens(2.89 * GIB, per_token, Plan(), arch, 16) == pytest.approx(23648, rel=0.02)
    assert v0.sliding == "full"


def test_sglang_kv_pool_gqa_one_gpu() -> None:
    """SGLang's documentation notebooks as executed in its CI (the rendered pages mirrored in
    wxsms/sgl-project.github.io, markdown/, February 2026), Meta-Llama-3.1-8B-Instruct, bf16 KV,
    ``--max-total-tokens 20480``:

        KV Cache is allocated. #tokens: 20480, K size: 1.25 GB, V size: 1.25 GB

    SGLang's "GB" is bytes / 2**30 (python/sglang/srt/mem_cache/memory_pool.py ``get_kv_size_bytes``).
    """
    arch, _ = model("llama-3.1-8b")
    kv = estimate_kv_cache(arch, 20480, 1, "bf16", SGLANG.kv)
    assert kv.k_bytes / GIB == pytest.approx(1.25, rel=0.02)
    assert kv.v_bytes / GIB == pytest.approx(1.25, rel=0.02)


def test_sglang_mem_fraction_static_default_on_an_80gb_h100() -> None:
    """SGLang's ``offline_engine_api`` notebook as executed in CI on 2026-02-05 (wxsms/sgl-project.github.io,
    markdown/basic_usage/offline_engine_api.md), qwen2.5-0.5b-instruct, tp 1, no memory flags:

        server_args=ServerArgs(... mem_fraction_static=0.835, ... chunked_prefill_size=8192, ...)

    python/sglang/srt/server_args.py ``_handle_gpu_memory_settings`` (SGLang 0.5): on a card of 60-160
    GiB it reserves 512 MiB + 8192 x 1.5 MiB + 256 x 2 MiB + 1/8 GiB = 13,440 MiB; an H100 80GB HBM3
    reports 81,559 MiB to CUDA, (81559 - 13440) / 81559 = 0.835. The GPU preset's nominal 80 GiB gives
    0.836; on an H200 (141 GB) the same tier gives 0.907.
    """
    from helpers import gpu

    assert SGLANG.claim_fraction(81559 * MIB) == 0.835
    assert SGLANG.claim_fraction(gpu("h100-sxm").memory_bytes) == pytest.approx(0.835, abs=0.002)
    assert SGLANG.claim_fraction(gpu("h200").memory_bytes) == pytest.approx(0.907, abs=0.002)


GLM5_CONFIG = Path(__file__).parent / "data" / "current_configs" / "glm-5.json"
"""zai-org/GLM-5's config.json as vendored by ai-dynamo/aiconfigurator (source in the file)."""


def test_sglang_mla_pool_per_rank_with_the_fp8_dsa_layout() -> None:
    """ajith-sirra-amd/Issues, GLM-5-FP8-MI355X-SGLANG-ERROR.md (https://github.com/ajith-sirra-amd/Issues),
    SGLang rocm/sgl-dev:v0.5.8.post1 on 8 x MI355X, ``--model-path zai-org/GLM-5-FP8 --tp-size 8
    --kv-cache-dtype fp8_e4m3`` (``attn_tp_size=8``, no DP attention):

        [TP0] Using KV cache dtype: torch.float8_e4m3fn
        [TP7] KV Cache is allocated. #tokens: 3262823, KV size: 186.77 GB

    Every rank holds the whole latent of all 78 layers (one KV head, not split over tp). With fp8 a
    DSA model's latent row is 512 fp8 values + 4 fp32 scales + the rope part in bf16 = 656 bytes
    (sgl-project/sglang python/sglang/srt/model_executor/model_runner_kv_cache_mixin.py
    ``calculate_mla_kv_cache_dim``, commit 001ccef), beside the indexer's 128 + 4 bytes:
    788 x 78 x 3,262,823 = 186.77 GiB. One byte a latent value (576 + 132) would give 167.81 (-10%).
    """
    arch = load_path(GLM5_CONFIG).result.architecture
    assert arch.num_layers == arch.num_indexed_layers == 78
    kv = estimate_kv_cache(arch, 3262823, 1, "fp8", SGLANG.kv)
    assert kv.bytes / kv_split_ways(arch, 8) / GIB == pytest.approx(186.77, rel=0.02)
    assert dsa_fp8_latent_bytes(arch) == 656
    assert "fp8 sparse-attention latent of 656 bytes" in kv.rule
    unscaled = estimate_kv_cache(arch, 3262823, 1, "fp8", replace(SGLANG.kv, dsa_fp8_scaled=False))
    assert unscaled.bytes / GIB == pytest.approx(167.81, abs=0.01)


def test_sglang_dsa_kv_pool_of_deepseek_v3_2() -> None:
    """sgl-project/sglang#11309 (https://github.com/sgl-project/sglang/pull/11309), "[DeepSeek-V3.2]
    Include indexer kv cache when estimating kv cache size", DeepSeek-V3.2-Exp on 8 x B200,
    ``--tp 8 --dp 8 --enable-dp-attention``:

        With this PR:  KV Cache is allocated. #tokens: 975424, KV size: 43.67 GB
        With main:     KV Cache is allocated. #tokens: 1462784, KV size: 54.52 GB

    The log does not print the KV dtype. Before the PR the printed size left the indexer out:
    54.52 GiB / 1,462,784 tokens / 61 layers = 656 bytes, the fp8 DSA row; after it, 788 bytes with
    the indexer's 132. A bf16 latent would be 1,152 bytes. Every DP-attention rank keeps the whole
    latent of its own requests.
    """
    arch, _ = model("deepseek-v3.2")
    kv = estimate_kv_cache(arch, 975424, 1, "fp8", SGLANG.kv)
    assert kv.bytes / GIB == pytest.approx(43.67, rel=0.02)
    latent_only = 1462784 * arch.num_layers * dsa_fp8_latent_bytes(arch)
    assert latent_only / GIB == pytest.approx(54.52, rel=0.02)


def test_sglang_weights_per_rank_with_shared_experts_fused() -> None:
    """The GLM-5 run above (ajith-sirra-amd/Issues, GLM-5-FP8-MI355X-SGLANG-ERROR.md), SGLang with
    ``disable_shared_experts_fusion=False`` on ``--tp-size 8`` (``ep_size=1``):

        [TP0] Shared experts fusion optimization enabled.
        [TP4] Load weight end. elapsed=228.09 s, type=GlmMoeDsaForCausalLM, dtype=torch.bfloat16,
              avail mem=194.04 GB, mem usage=89.58 GB.

    sgl-project/sglang#18804 ("Fix GLM-5 fused shared expert") gave GlmMoeDsaForCausalLM the
    ``determine_num_fused_shared_experts`` of DeepSeek-V3. Without expert parallelism the fused
    shared expert is one more expert of the tensor-parallel MoE, its intermediate size split over
    the 8 ranks like the routed experts' and like the unfused shared MLP's, so fusion moves no
    bytes between ranks here. paramtui's rank: 88.14 GiB (-1.6%); a plain eighth of the FP8
    checkpoint, without the tensors every rank keeps whole, 86.86 GiB (-3.0%). No public SGLang
    log with expert parallelism and fusion was found to test the case where it would.
    """
    from helpers import hardware

    from paramtui.engine.analysis import Request, analyze
    from paramtui.engine.fit import PlanOptions

    arch = load_path(GLM5_CONFIG).result.architecture
    request = Request(runtime="sglang", precision="fp8", options=PlanOptions(tp=8))
    analysis = analyze(arch, request, hardware("8xmi325x"))
    assert analysis.fit is not None
    rank = analysis.fit.attempt.devices[0].weights_bytes / GIB
    assert rank == pytest.approx(89.58, rel=0.03)
    assert abs(rank - 89.58) < abs(analysis.weights.total_bytes / 8 / GIB - 89.58)
