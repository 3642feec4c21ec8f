"""Which engine release's memory rules apply: runtime versions, flash attention and batch defaults.

Each runtime profile follows one release (its ``release``); an earlier release is selected with
``--runtime-version`` or ``--runtime llama.cpp@b5500``, and only the rules that changed between the
two move. Every rule names the change it comes from:

llama.cpp (build numbers ``bNNNN``; the boundaries are the builds that first carried each PR, to
within a few dozen builds):

- MLA cache (DeepSeek-V2/V3/R1, Kimi K2, GLM-4.7-Flash). Before PR #12801 (April 2025, about b5100)
  the cache held full per-head K (heads x 192) and V (heads x 128). From #12801 it held the latent
  as K (kv_lora_rank + rope = 576) and V (kv_lora_rank = 512). PR #19067 ("kv-cache : support
  V-less cache", 2026-01-24, about b7800) dropped the V: K 576 only. A GGUF converted before #12801
  still runs the expanded layout on any build (no ``attn_k_b`` / ``attn_v_b`` tensors).
- Sliding-window layers. Before PR #13194 ("kv-cache : add SWA support", May 2025, about b5450)
  they held every token. From #13194 (src/llama-kv-cache-iswa.cpp) they hold ``n_swa x n_seq +
  n_ubatch`` cells padded to the cache padding: 256 with flash attention, 32 without
  (``llama_kv_cache_unified::get_padding``). PR #17046 (2025-11-06, about b6950) pads every cache
  to 256 whatever the attention kernel. Since the non-unified KV streams of PR #14363 (July 2025,
  about b5900) each sequence has its own window stream.
- Recurrent state (Mamba, Gated DeltaNet in Qwen3-Next / Qwen3.5): ``llama_memory_recurrent``
  keeps R (convolution) and S (SSM state) in f32 in every build.

vLLM:

- V0 engine (before 0.8, or ``VLLM_USE_V1=0``) and V1 before the hybrid KV-cache manager of 0.10
  give sliding-window layers every token (``unify_hybrid_kv_cache_specs`` turns them into full
  attention). From 0.10 (vllm/v1/kv_cache_interface.py ``SlidingWindowSpec``) a request reserves
  ``cdiv(min(window - 1 + max_num_batched_tokens, max_model_len), 16) + 1`` blocks.
- ``max_num_batched_tokens`` for ``vllm serve`` defaults by GPU class (vllm/engine/arg_utils.py
  ``get_batch_defaults``, asserted in tests/engine/test_arg_utils.py): 8192 on cards of 70 GiB and
  more other than A100 (H100, H200, MI300X), 2048 on A100 and smaller cards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from paramtui.engine.limits import MAX_CONTEXT
from paramtui.engine.runtimes import RuntimeProfile

LLAMA_CPP_MLA_SPLIT_BUILD = 5100
"""About the first build with PR #12801 (MLA latent cache, K 576 + V 512)."""
LLAMA_CPP_VLESS_BUILD = 7800
"""About the first build with PR #19067 (V-less MLA cache, K 576 only)."""
LLAMA_CPP_SWA_BUILD = 5450
"""About the first build with PR #13194 (sliding-window cache of window + n_ubatch)."""
LLAMA_CPP_STREAMS_BUILD = 5900
"""About the first build with PR #14363 (one KV stream per sequence)."""
LLAMA_CPP_PAD256_BUILD = 6950
"""About the first build with PR #17046 (every cache padded to 256, with or without flash attention)."""
LLAMA_CPP_CURRENT_BUILD = 8000
"""The build the default llama.cpp profile follows (after all of the above)."""

VLLM_CURRENT = (0, 11)
"""The vLLM release the default profile follows."""
VLLM_V1_DEFAULT = (0, 8)
"""First vLLM with the V1 engine on by default."""
VLLM_HYBRID_MANAGER = (0, 10)
"""First vLLM whose V1 KV-cache manager keeps only the window for sliding-window layers."""

GIB = 2**30


class RuntimeVersionError(ValueError):
    """A runtime version that cannot be read."""


@dataclass(frozen=True, slots=True)
class ReleaseChoice:
    """What the user asked of a runtime beyond its name (None = the profile's default)."""

    version: str | None = None
    """``b5500`` for llama.cpp, ``0.9.2`` for vLLM and SGLang."""
    flash_attn: bool | None = None
    """llama.cpp ``--flash-attn on|off`` (default on: ``auto`` enables it on CUDA)."""
    max_num_batched_tokens: int | None = None
    """vLLM ``--max-num-batched-tokens`` (default by GPU class)."""


def split_runtime_name(text: str) -> tuple[str, str | None]:
    """``llama.cpp@b5500`` -> (``llama.cpp``, ``b5500``); a bare name has no version."""
    name, sep, version = text.partition("@")
    if sep and not version.strip():
        raise RuntimeVersionError(f"--runtime {text!r}: give a version after '@' (llama.cpp@b5500, vllm@0.9)")
    return name.strip(), (version.strip() if sep else None)


def llama_cpp_build(version: str) -> int:
    """``b5500`` or ``5500`` -> 5500."""
    match = re.fullmatch(r"[bB]?(\d{3,6})", version.strip())
    if not match:
        raise RuntimeVersionError(f"llama.cpp version {version!r}: use a build number like b5500")
    return int(match.group(1))


def semver(version: str, runtime: str) -> tuple[int, int]:
    """``0.9.2`` / ``v0.10`` -> (0, 9) / (0, 10)."""
    match = re.fullmatch(r"[vV]?(\d+)\.(\d+)(?:\.\d+)?(?:\S*)", version.strip())
    if not match:
        raise RuntimeVersionError(f"{runtime} version {version!r}: use a release like 0.9.2")
    return int(match.group(1)), int(match.group(2))


def vllm_batched_tokens_default(memory_bytes: int | None, gpu_name: str) -> int:
    """``vllm serve``'s default max_num_batched_tokens on this GPU (vllm/engine/arg_utils.py).

    Without a card (``memory_bytes`` None) the profile's H100-class default, 8192.
    """
    if memory_bytes is None or (memory_bytes >= 70 * GIB and "a100" not in gpu_name.lower()):
        return 8192
    return 2048


def vllm_version_of(profile: RuntimeProfile) -> tuple[int, int]:
    """The (major, minor) vLLM release a profile follows (its ``release`` label)."""
    match = re.search(r"(\d+)\.(\d+)", profile.release)
    return (int(match.group(1)), int(match.group(2))) if match else VLLM_CURRENT


def _llama_cpp(profile: RuntimeProfile, choice: ReleaseChoice) -> RuntimeProfile:
    build = llama_cpp_build(choice.version) if choice.version else LLAMA_CPP_CURRENT_BUILD
    fa = True if choice.flash_attn is None else choice.flash_attn
    label = f"llama.cpp b{build}"
    if build < LLAMA_CPP_MLA_SPLIT_BUILD:
        mla = {"mla_latent": False, "mla_v_cache": False}
        mla_era = f"llama.cpp before PR #12801, < b{LLAMA_CPP_MLA_SPLIT_BUILD}"
    elif build < LLAMA_CPP_VLESS_BUILD:
        mla = {"mla_latent": True, "mla_v_cache": True}
        mla_era = f"llama.cpp b{LLAMA_CPP_MLA_SPLIT_BUILD}–b{LLAMA_CPP_VLESS_BUILD}, PR #12801"
    else:
        mla = {"mla_latent": True, "mla_v_cache": False}
        mla_era = f"llama.cpp ≥ b{LLAMA_CPP_VLESS_BUILD}, PR #19067"
    pad = 256 if (fa or build >= LLAMA_CPP_PAD256_BUILD) else 32
    if build < LLAMA_CPP_SWA_BUILD:
        sliding = "full"
        swa_era = f"llama.cpp before PR #13194, < b{LLAMA_CPP_SWA_BUILD}"
    else:
        sliding = "window_plus_ubatch"
        swa_era = (
            f"llama.cpp ≥ b{LLAMA_CPP_PAD256_BUILD}, PR #17046"
            if build >= LLAMA_CPP_PAD256_BUILD
            else f"llama.cpp b{LLAMA_CPP_SWA_BUILD}–b{LLAMA_CPP_PAD256_BUILD}, PR #13194, "
            f"flash attention {'on' if fa else 'off'}"
        )
    kv = replace(
        profile.kv,
        sliding=sliding,  # type: ignore[arg-type]
        pad_tokens=pad,
        full_pad_tokens=pad,
        sliding_per_sequence=build >= LLAMA_CPP_STREAMS_BUILD,
        recurrent_width_bytes=4,
        source=label,
        mla_source=mla_era,
        sliding_source=swa_era,
        recurrent_source="llama.cpp llama_memory_recurrent, R and S in f32",
        **mla,
    )
    return replace(profile, kv=kv, release=label + ("" if fa else ", flash attention off"), flash_attention=fa)


def _vllm(profile: RuntimeProfile, choice: ReleaseChoice, gpu_memory: int | None, gpu_name: str) -> RuntimeProfile:
    version = semver(choice.version, "vllm") if choice.version else VLLM_CURRENT
    batched = choice.max_num_batched_tokens or vllm_batched_tokens_default(gpu_memory, gpu_name)
    engine = "V1" if version >= VLLM_V1_DEFAULT else "V0"
    if version >= VLLM_HYBRID_MANAGER:
        sliding = "window_plus_batched_tokens"
        era = f"vLLM ≥ 0.10 V1 hybrid KV-cache manager, max_num_batched_tokens {batched:,}"
    else:
        sliding = "full"
        era = f"vLLM {version[0]}.{version[1]} {engine}: sliding-window layers kept as full attention"
    label = f"vLLM {version[0]}.{version[1]} ({engine} engine)"
    kv = replace(
        profile.kv,
        sliding=sliding,  # type: ignore[arg-type]
        extra_tokens=batched,
        block_tokens=16,
        layer_groups=sliding != "full",
        source=label,
        sliding_source=era,
        mla_source=f"{label}, MLA latent per rank (vllm/attention/backends/mla)",
    )
    return replace(profile, kv=kv, tokens_in_flight=batched, release=label)


def _sglang(profile: RuntimeProfile, choice: ReleaseChoice) -> RuntimeProfile:
    if choice.version is None:
        return profile
    version = semver(choice.version, "sglang")
    label = f"SGLang {version[0]}.{version[1]}"
    return replace(profile, release=label, kv=replace(profile.kv, source=label))


def apply_release(
    profile: RuntimeProfile, choice: ReleaseChoice, gpu_memory_bytes: int | None = None, gpu_name: str = ""
) -> RuntimeProfile:
    """The profile under the rules of the chosen release, flash-attention setting and batch size.

    Args:
        profile: a runtime profile (its defaults are the current release).
        choice: version, flash attention, max_num_batched_tokens (None = default).
        gpu_memory_bytes: memory of the card (vLLM's batch default depends on it); None = unknown.
        gpu_name: the card's name (A100 keeps the smaller vLLM default).

    Raises:
        RuntimeVersionError: a version the runtime does not use, or an option it does not have.
    """
    if choice.flash_attn is not None and profile.name != "llama.cpp":
        raise RuntimeVersionError("--flash-attn is a llama.cpp option; vLLM and SGLang always use flash kernels")
    if choice.max_num_batched_tokens is not None:
        if profile.name != "vllm":
            raise RuntimeVersionError("--max-num-batched-tokens is a vLLM option")
        if choice.max_num_batched_tokens < 1:
            raise RuntimeVersionError("--max-num-batched-tokens must be at least 1")
        if choice.max_num_batched_tokens > MAX_CONTEXT:
            raise RuntimeVersionError(f"--max-num-batched-tokens is above the {MAX_CONTEXT:,} this tool accepts")
    if profile.name == "llama.cpp":
        return _llama_cpp(profile, choice)
    if profile.name == "vllm":
        return _vllm(profile, choice, gpu_memory_bytes, gpu_name)
    if profile.name == "sglang":
        return _sglang(profile, choice)
    if choice.version is not None:
        raise RuntimeVersionError(
            f"{profile.name} has one set of rules; --runtime-version applies to llama.cpp and vLLM"
        )
    return profile
