"""Runtime profiles: what vLLM, llama.cpp and transformers add on top of weights and KV cache.

Each constant says where it comes from. Overheads are per GPU: the CUDA context and library
workspaces, the activation or compute buffers the runtime reserves (scaled by the tokens it
processes at once), and vLLM's CUDA graphs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from paramtui.engine.architecture import Architecture
from paramtui.engine.kv_cache import KvRules
from paramtui.engine.precision import GGUF_PRECISIONS

GIB = 2**30
MIB = 2**20

BudgetRule = Literal["claim", "free_minus_reserve", "free"]
StepModel = Literal["serving", "per_layer"]


@dataclass(frozen=True, slots=True)
class RuntimeProfile:
    """One inference runtime's memory rules and format support."""

    name: str
    """Runtime id (``vllm``, ``llama.cpp``, ``transformers``)."""
    memory_fraction: float
    """Share of each card the runtime claims (vLLM's gpu_memory_utilization), 1.0 = what is free."""
    refuses_below_claim: bool
    """The runtime will not start when less than ``memory_fraction x total`` is free (vLLM)."""
    context_bytes: int
    """CUDA context, cuBLAS/NCCL workspaces and allocator slack per GPU."""
    graph_bytes: int
    """CUDA graph pools per GPU (vLLM captures graphs for decode batch sizes)."""
    tokens_in_flight: int
    """Tokens one forward pass may hold activations for (vLLM max_num_batched_tokens, llama.cpp n_ubatch)."""
    kv: KvRules
    """KV cache layout."""
    formats: Mapping[str, tuple[float, tuple[str, ...]]] = field(default_factory=dict)
    """Precision -> (minimum CUDA compute capability, vendors it runs on)."""
    offload: tuple[str, ...] = ("none",)
    """Offload modes the runtime has: ``layers`` (-ngl, cpu_offload_gb), ``experts`` (--n-cpu-moe)."""
    multi_gpu: str = "tp"
    """How it splits a model over several GPUs by default: ``tp`` (tensor) or ``pp`` (layers)."""
    loads_mtp: bool = False
    """Loads multi-token-prediction layers by default (none do without speculative decoding)."""
    loads_vision: bool = False
    """Loads a multimodal model's vision tower with the language model."""
    logits_rows: int = 1
    """Rows of fp32 logits it keeps at once (vLLM samples up to max_num_seqs sequences)."""
    release: str = ""
    """The release whose rules and defaults this profile follows."""
    budget_rule: BudgetRule = "free"
    """How the weights and KV budget is set: ``claim`` (vLLM: gpu_memory_utilization x total, refused
    when less is free), ``free_minus_reserve`` (SGLang: what is free minus (1 - mem_fraction_static)
    x total, kept for activations and CUDA graphs) or ``free`` (llama.cpp, transformers)."""
    step_model: StepModel = "per_layer"
    """Decode cost model: ``serving`` (CUDA-graph engines: kernel floors, collectives, host time per
    step; :mod:`paramtui.engine.serving`) or ``per_layer`` (bytes plus a fixed cost per layer)."""
    cuda_graphs: bool = False
    """Decode steps replay captured CUDA graphs (no per-kernel launch cost on the host)."""
    prefill_graph_tokens: int = 0
    """Largest prompt chunk whose forward pass replays a CUDA graph; longer prefills run eagerly and
    pay host time per kernel (vLLM V1 captures piecewise graphs up to 512 tokens; SGLang 0.5 runs
    prefill eagerly unless ``--enable-piecewise-cuda-graph``)."""
    flash_attention: bool = True
    """Decode attention runs as one fused kernel (llama.cpp ``-fa``; on by default, ``auto``). Off, llama.cpp
    builds attention from two matrix products (src/llama-graph.cpp ``build_attn_mha``: ``ggml_mul_mat(k, q)``
    and the same for V) that broadcast each KV head over its group of query heads, so the cache is read
    once per query head: the decode step reads ``heads / kv_heads`` times its KV bytes."""
    fuses_shared_expert: bool = False
    """Runs a DeepSeek-V3-style shared expert inside the routed fused-MoE kernel as one more expert
    (SGLang: ``determine_num_fused_shared_experts`` in python/sglang/srt/models/deepseek_v2.py, from
    sgl-project/sglang#4918); the rule for which models and GPUs is :func:`serving.shared_expert_fused`."""

    def claim_fraction(self, memory_bytes: int, gpus: int = 1) -> float:
        """Share of a card's memory the runtime plans weights and KV cache in.

        SGLang (python/sglang/srt/server_args.py, ``_handle_gpu_memory_settings``, sgl-project/sglang
        469c63e) derives ``mem_fraction_static`` from the card's memory: it reserves 512 MiB of
        metadata, 1.5 MiB per token of ``chunked_prefill_size`` (at least 2048), 2 MiB per CUDA-graph
        batch size up to ``cuda_graph_max_bs``, and tp x pp / 8 GiB, at least 10 GiB on cards over
        60 GiB; the tiers (MiB of memory -> chunk, graph max bs at tp < 4) are < 20 GiB: 2048, 8;
        < 35 GiB: 2048, 24; < 60 GiB: 4096, 32; < 160 GiB: 8192, 256; else 16384, 512.
        """
        if self.name != "sglang":
            return self.memory_fraction
        mib = memory_bytes / MIB
        if mib <= 0:
            return self.memory_fraction
        tiers = ((20, 2048, 8, 8), (35, 2048, 24, 80), (60, 4096, 32, 160), (160, 8192, 256, 512))
        chunk, graph_bs = 16384, 512
        for limit_gib, tier_chunk, bs_small, bs_large in tiers:
            if mib < limit_gib * 1024:
                chunk, graph_bs = tier_chunk, (bs_small if gpus < 4 else bs_large)
                break
        reserved = 512 + max(chunk, 2048) * 1.5 + graph_bs * 2 + gpus / 8 * 1024
        if mib > 60 * 1024:
            reserved = max(reserved, 10 * 1024)
        return round((mib - reserved) / mib, 3)

    def activation_bytes(self, arch: Architecture, batch: int, context: int) -> int:
        """Activation / compute buffer bytes for one forward pass.

        The widest intermediate is the FFN (gate and up outputs, or top-k experts' worth for
        MoE), plus a few hidden-size buffers, in 16-bit, for every token in flight; plus the
        fp32 logits rows. transformers processes the whole prompt at once, so its tokens in
        flight are batch x context.
        """
        ffn = arch.ffn_size
        if arch.moe is not None:
            ffn = max(ffn if arch.num_dense_ffn_layers else 0, arch.moe.expert_ffn_size * arch.moe.top_k)
        if self.budget_rule == "free_minus_reserve":
            return 0  # inside the share kept back from the budget (claim_fraction)
        tokens = self.tokens_in_flight if self.tokens_in_flight else batch * max(context, 1)
        per_token = 2 * (2 * ffn + 4 * arch.hidden_size)
        logits = 4 * arch.vocab_size * max(self.logits_rows, batch)
        return tokens * per_token + logits

    def overhead_bytes(self, arch: Architecture, batch: int, context: int) -> int:
        """Everything per GPU that is neither weights nor KV cache."""
        return self.context_bytes + self.graph_bytes + self.activation_bytes(arch, batch, context)

    def supports(self, precision: str, vendor: str, compute_capability: float | None) -> bool:
        """Whether this runtime runs ``precision`` on a GPU of that vendor and compute capability."""
        rule = self.formats.get(precision)
        if rule is None:
            return False
        min_cc, vendors = rule
        if vendor not in vendors:
            return False
        return vendor != "nvidia" or compute_capability is None or compute_capability >= min_cc


GGUF_EQUIVALENT: dict[str, str] = {
    # convert_hf_to_gguf.py keeps gpt-oss's MXFP4 experts as MXFP4 (the MXFP4_MOE file type)
    "mxfp4": "mxfp4_moe",
    # 8-bit checkpoints are published as Q8_0 GGUFs (e.g. DeepSeek-V3 FP8 -> Q8_0)
    "fp8": "q8_0",
    "int8": "q8_0",
    # 4-bit checkpoints (AWQ/GPTQ, NVFP4) do not load in llama.cpp; Q4_K_M is its usual 4-bit file
    "int4": "q4_k_m",
    "nvfp4": "q4_k_m",
    "fp16": "f16",
}
"""What ``auto`` precision means under llama.cpp when the checkpoint's own format is not GGUF."""

_ALL = ("nvidia", "amd", "apple")
_LLAMA_CPP_FORMATS: tuple[str, ...] = ("fp32", "bf16", *GGUF_PRECISIONS)
_NV_AMD = ("nvidia", "amd")

VLLM = RuntimeProfile(
    name="vllm",
    release="vLLM 0.11 (V1 engine)",
    budget_rule="claim",
    step_model="serving",
    cuda_graphs=True,
    # CompilationConfig.max_capture_size: cudagraph_capture_sizes run up to 512 tokens by default
    # (vllm/config/compilation.py), and V1 captures the whole forward pass (prefill chunks included)
    # as piecewise graphs around attention.
    prefill_graph_tokens=512,
    # EngineArgs.gpu_memory_utilization default 0.9; vLLM checks free memory at start-up and
    # exits when less than utilization x total is free (vllm/v1/worker/gpu_worker.py).
    memory_fraction=0.9,
    refuses_below_claim=True,
    # "non-torch memory" in vLLM's memory-profiling log line is typically 0.3-0.6 GiB per GPU.
    context_bytes=GIB // 2,
    # "Graph capturing finished ... took 0.3-1 GiB" in vLLM start-up logs for 1-70B models.
    graph_bytes=GIB // 2,
    # vllm/engine/arg_utils.py: default max_num_batched_tokens for the OpenAI server is 8192 on
    # H100-class cards, 2048 on A100 and smaller (engine.releases applies the card's default).
    tokens_in_flight=8192,
    # Hybrid KV-cache manager (default): a request's sliding layers keep window - 1 +
    # max_num_batched_tokens in 16-token blocks, plus one block (vllm/v1/kv_cache_interface.py);
    # MLA caches the latent (vllm/attention/backends/mla). Each attention type is padded to whole
    # KV-cache groups (vllm/v1/core/kv_cache_utils.py _get_kv_cache_groups_uniform_page_size).
    kv=KvRules(
        mla_latent=True,
        sliding="window_plus_batched_tokens",
        extra_tokens=8192,
        block_tokens=16,
        layer_groups=True,
        source="vLLM 0.11 (V1 engine)",
        sliding_source="vLLM ≥ 0.10 V1 hybrid KV-cache manager, max_num_batched_tokens 8,192",
    ),
    formats={
        "fp32": (7.0, _NV_AMD),
        "fp16": (7.0, _NV_AMD),
        "bf16": (8.0, _NV_AMD),
        "fp8": (8.0, _NV_AMD),  # native W8A8 from 8.9; Marlin weight-only FP8 on 8.0-8.6
        "int8": (7.5, _NV_AMD),
        "int4": (7.5, _NV_AMD),  # AWQ/GPTQ (Marlin kernels from 8.0)
        "mxfp4": (8.0, _NV_AMD),  # gpt-oss recipe: Ampere, Hopper, Blackwell
        "nvfp4": (8.0, ("nvidia",)),  # native on 10.0+, Marlin FP4 weight-only fallback on 8.0+
    },
    offload=("none", "layers"),  # --cpu-offload-gb
    multi_gpu="tp",
    loads_vision=True,
    # max_num_seqs default 256: the sampler's profiling run holds that many rows of fp32 logits
    logits_rows=256,
)

LLAMA_CPP = RuntimeProfile(
    name="llama.cpp",
    release="llama.cpp b8000",
    # llama.cpp allocates what it needs from what is free; no fixed claim.
    memory_fraction=1.0,
    refuses_below_claim=False,
    # CUDA context and cuBLAS workspace: ~300 MiB per device in nvidia-smi for llama-server.
    context_bytes=300 * MIB,
    graph_bytes=0,
    # n_ubatch default 512 (common/common.h); the compute buffer scales with it.
    tokens_in_flight=512,
    # llama_kv_cache_iswa: SWA cache = n_swa + n_ubatch per sequence stream, padded to 256 (PR #17046);
    # MLA keeps the K latent only (PR #19067); recurrent state in f32. Earlier builds: engine.releases.
    kv=KvRules(
        mla_latent=True,
        sliding="window_plus_ubatch",
        extra_tokens=512,
        pad_tokens=256,
        sliding_per_sequence=True,
        full_pad_tokens=256,
        recurrent_width_bytes=4,
        source="llama.cpp b8000",
        mla_source="llama.cpp ≥ b7800, PR #19067",
        sliding_source="llama.cpp ≥ b6950, PR #17046",
        recurrent_source="llama.cpp llama_memory_recurrent, R and S in f32",
    ),
    formats=dict.fromkeys(_LLAMA_CPP_FORMATS, (5.0, (*_ALL, "cpu"))),  # the CPU backend runs every type
    offload=("none", "layers", "experts"),  # -ngl, --n-cpu-moe
    multi_gpu="pp",  # --split-mode layer (default)
    loads_vision=False,  # the vision tower is a separate mmproj file
    logits_rows=512,  # n_ubatch rows of logits in the compute buffer
)

TRANSFORMERS = RuntimeProfile(
    name="transformers",
    release="transformers 5.x, eager generate()",
    memory_fraction=1.0,
    refuses_below_claim=False,
    # PyTorch CUDA context + caching-allocator slack.
    context_bytes=GIB // 2,
    graph_bytes=0,
    tokens_in_flight=0,  # the whole prompt: batch x context
    # DynamicCache keeps every token of full layers; sliding layers keep the window; MLA is
    # expanded to per-head K and V (modeling_deepseek_v3 caches key_states/value_states).
    kv=KvRules(mla_latent=False, sliding="window", extra_tokens=0),
    formats={
        "fp32": (3.5, _ALL),
        "fp16": (5.3, _ALL),
        "bf16": (8.0, _ALL),
        "fp8": (8.9, ("nvidia",)),  # FineGrainedFP8 Triton kernels need Ada/Hopper
        "int8": (7.5, ("nvidia",)),  # bitsandbytes LLM.int8
        "int4": (7.5, ("nvidia",)),  # bitsandbytes 4-bit / AWQ / GPTQ
        "mxfp4": (9.0, ("nvidia",)),  # triton_kernels MXFP4 needs Hopper+; older GPUs dequantize to bf16
    },
    offload=("none", "layers"),  # device_map="auto" spills layers to CPU
    multi_gpu="pp",  # device_map="auto" splits layers
    loads_vision=True,
)

SGLANG = RuntimeProfile(
    name="sglang",
    release="SGLang 0.5",
    # mem_fraction_static depends on the card (claim_fraction); 0.88 is its default when unknown.
    memory_fraction=0.88,
    refuses_below_claim=False,
    budget_rule="free_minus_reserve",
    step_model="serving",
    cuda_graphs=True,
    fuses_shared_expert=True,
    # torch's CUDA context and NCCL buffers are taken before SGLang measures free memory.
    context_bytes=GIB // 2,
    graph_bytes=0,
    tokens_in_flight=8192,
    # MLA latent per token (python/sglang/srt/mem_cache/memory_pool.py MLATokenToKVPool); sliding
    # layers get their own pool of the window plus the chunk (SWATokenToKVPool); an fp8 DSA latent
    # keeps its scales and a bf16 rope part (model_runner_kv_cache_mixin.py calculate_mla_kv_cache_dim).
    kv=KvRules(
        mla_latent=True,
        sliding="window_plus_chunk",
        extra_tokens=8192,
        dsa_fp8_scaled=True,
        source="SGLang 0.5, python/sglang/srt/mem_cache/memory_pool.py",
    ),
    formats={
        "fp16": (7.0, _NV_AMD),
        "bf16": (8.0, _NV_AMD),
        "fp8": (8.0, _NV_AMD),  # block FP8 (DeepSeek) on Hopper+, w8a16 Marlin on Ampere
        "int8": (7.5, _NV_AMD),
        "int4": (8.0, _NV_AMD),  # AWQ/GPTQ Marlin
        "mxfp4": (8.0, _NV_AMD),  # gpt-oss: triton_kernels on Hopper, flashinfer on Blackwell
        "nvfp4": (10.0, ("nvidia",)),  # ModelOpt FP4: Blackwell only
    },
    offload=("none",),
    multi_gpu="tp",
    loads_vision=True,
    logits_rows=256,
)

RUNTIMES: dict[str, RuntimeProfile] = {r.name: r for r in (VLLM, SGLANG, LLAMA_CPP, TRANSFORMERS)}
"""Profiles by id."""


class UnknownRuntimeError(ValueError):
    """An unknown runtime name."""


def get_runtime(name: str) -> RuntimeProfile:
    """Look a runtime up by id (``llamacpp`` and ``hf`` are accepted aliases).

    Raises:
        UnknownRuntimeError: no such runtime.
    """
    key = name.strip().lower()
    key = {"llamacpp": "llama.cpp", "llama-cpp": "llama.cpp", "hf": "transformers"}.get(key, key)
    if key not in RUNTIMES:
        raise UnknownRuntimeError(f"unknown runtime {name!r}; use one of {', '.join(RUNTIMES)}")
    return RUNTIMES[key]
