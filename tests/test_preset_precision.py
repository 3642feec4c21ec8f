"""Every preset's ``auto`` precision is the format its authors publish the checkpoint in.

Why: ``--precision auto`` sizes weights from the preset's config. A vendored config that lost
its ``quantization_config`` makes an fp8 checkpoint look bf16 and doubles its memory (issue 16:
Kimi K2 "does not fit" on 8xB200). The table below is independent of the preset files: each
entry names the Hugging Face repository page that states the published format.
"""

from __future__ import annotations

import pytest

from paramtui.engine.adapters.sources import load_preset
from paramtui.engine.precision import resolve_precision
from paramtui.presets import all_presets

HF = "https://huggingface.co/"

PUBLISHED_PRECISION: dict[str, tuple[str, str]] = {
    "deepseek-r1": ("fp8", HF + "deepseek-ai/DeepSeek-R1: FP8 e4m3 weights, 128x128 block scales (as DeepSeek-V3)"),
    "deepseek-v3": ("fp8", HF + "deepseek-ai/DeepSeek-V3: README_WEIGHTS.md, FP8 e4m3 weights, 128x128 block scales"),
    "deepseek-v3.2": ("fp8", HF + "deepseek-ai/DeepSeek-V3.2: FP8 e4m3 weights with ue8m0 128x128 block scales"),
    "glm-5": ("bf16", HF + "zai-org/GLM-5: safetensors BF16 (FP8 is the zai-org/GLM-5-FP8 repo)"),
    "minimax-m2.5": (
        "fp8",
        HF + "MiniMaxAI/MiniMax-M2.5: FP8 e4m3 weights, 128x128 blocks (config.json quantization_config)",
    ),
    "mimo-v2-flash": (
        "fp8",
        HF + "XiaomiMiMo/MiMo-V2-Flash: FP8 e4m3 weights, 128x128 blocks (config.json quantization_config)",
    ),
    "qwen3.5-397b-a17b": ("bf16", HF + "Qwen/Qwen3.5-397B-A17B: safetensors BF16 (FP8 is the -FP8 repo)"),
    "devstral-small-2-24b": ("fp8", HF + "mistralai/Devstral-Small-2-24B-Instruct-2512: weights published in FP8"),
    "exaone-4.0-32b": ("bf16", HF + "LGAI-EXAONE/EXAONE-4.0-32B: safetensors BF16"),
    "gemma-2-9b": ("bf16", HF + "google/gemma-2-9b-it: safetensors BF16"),
    "gemma-3-1b": ("bf16", HF + "google/gemma-3-1b-it: safetensors BF16"),
    "gemma-3-27b": ("bf16", HF + "google/gemma-3-27b-it: safetensors BF16"),
    "gpt-oss-120b": ("mxfp4", HF + "openai/gpt-oss-120b: MoE weights in MXFP4, the rest BF16"),
    "gpt-oss-20b": ("mxfp4", HF + "openai/gpt-oss-20b: MoE weights in MXFP4, the rest BF16"),
    "gpt2": ("fp32", HF + "openai-community/gpt2: float32 weights"),
    "kimi-k2": (
        "fp8",
        HF + "moonshotai/Kimi-K2-Instruct: block-fp8 checkpoint (config.json quantization_config fp8 e4m3)",
    ),
    "llama-3.1-70b": ("bf16", HF + "meta-llama/Llama-3.1-70B-Instruct: safetensors BF16"),
    "llama-3.1-8b": ("bf16", HF + "meta-llama/Llama-3.1-8B: safetensors BF16"),
    "llama-3.2-1b": ("bf16", HF + "meta-llama/Llama-3.2-1B-Instruct: safetensors BF16"),
    "llama-3.2-3b": ("bf16", HF + "meta-llama/Llama-3.2-3B: safetensors BF16"),
    "llama-3.3-70b": ("bf16", HF + "meta-llama/Llama-3.3-70B-Instruct: safetensors BF16"),
    "llama-4-maverick": ("bf16", HF + "meta-llama/Llama-4-Maverick-17B-128E-Instruct: BF16 (FP8 is the -FP8 repo)"),
    "llama-4-scout": ("bf16", HF + "meta-llama/Llama-4-Scout-17B-16E-Instruct: safetensors BF16"),
    "mistral-7b-v0.3": ("bf16", HF + "mistralai/Mistral-7B-Instruct-v0.3: safetensors BF16"),
    "mistral-nemo-12b": ("bf16", HF + "mistralai/Mistral-Nemo-Base-2407: safetensors BF16"),
    "mixtral-8x7b": ("bf16", HF + "mistralai/Mixtral-8x7B-v0.1: safetensors BF16"),
    "olmo-3.1-32b-instruct": ("bf16", HF + "allenai/Olmo-3.1-32B-Instruct: safetensors BF16"),
    "olmoe-1b-7b": ("bf16", HF + "allenai/OLMoE-1B-7B-0125-Instruct: safetensors BF16"),
    "phi-4": ("bf16", HF + "microsoft/phi-4: safetensors BF16"),
    "qwen2-57b-a14b": ("bf16", HF + "Qwen/Qwen2-57B-A14B: safetensors BF16"),
    "qwen2.5-14b": ("bf16", HF + "Qwen/Qwen2.5-14B: safetensors BF16"),
    "qwen2.5-32b": ("bf16", HF + "Qwen/Qwen2.5-32B: safetensors BF16"),
    "qwen2.5-3b": ("bf16", HF + "Qwen/Qwen2.5-3B: safetensors BF16"),
    "qwen2.5-7b": ("bf16", HF + "Qwen/Qwen2.5-7B: safetensors BF16"),
    "qwen3-14b": ("bf16", HF + "Qwen/Qwen3-14B: safetensors BF16 (FP8 is the -FP8 repo)"),
    "qwen3-235b-a22b": ("bf16", HF + "Qwen/Qwen3-235B-A22B: safetensors BF16 (FP8 is the -FP8 repo)"),
    "qwen3-30b-a3b": ("bf16", HF + "Qwen/Qwen3-30B-A3B: safetensors BF16 (FP8 is the -FP8 repo)"),
    "qwen3-32b": ("bf16", HF + "Qwen/Qwen3-32B: safetensors BF16 (FP8 is the -FP8 repo)"),
    "qwen3-4b": ("bf16", HF + "Qwen/Qwen3-4B: safetensors BF16"),
    "qwen3-8b": ("bf16", HF + "Qwen/Qwen3-8B: safetensors BF16 (FP8 is the -FP8 repo)"),
    "qwen3-coder-480b-a35b": ("bf16", HF + "Qwen/Qwen3-Coder-480B-A35B-Instruct: BF16 (FP8 is the -FP8 repo)"),
    "jamba-1.5-mini": ("bf16", HF + "ai21labs/AI21-Jamba-1.5-Mini: safetensors BF16"),
    "lfm2-1.2b": ("bf16", HF + "LiquidAI/LFM2-1.2B: safetensors BF16"),
    "nemotron-3-nano-30b-a3b": (
        "bf16",
        HF + "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16: safetensors BF16 (FP8 is the -FP8 repo)",
    ),
    "qwen3-next-80b-a3b": ("bf16", HF + "Qwen/Qwen3-Next-80B-A3B-Thinking: safetensors BF16 (FP8 is the -FP8 repo)"),
    # Presets vendored from the verbatim fixtures: the format their Hub config.json states.
    "gemma-4-26b-a4b": ("bf16", HF + "google/gemma-4-26B-A4B: config.json dtype bfloat16, no quantization_config"),
    "qwen3.5-27b": ("bf16", HF + "Qwen/Qwen3.5-27B: config.json dtype bfloat16, no quantization_config"),
    "glm-4.7-flash": ("bf16", HF + "zai-org/GLM-4.7-Flash: config.json torch_dtype bfloat16, no quantization_config"),
    "deepseek-v4-flash": (
        "mxfp4",
        HF + "deepseek-ai/DeepSeek-V4-Flash: config.json expert_dtype fp4 (routed experts), fp8 e4m3 128x128 elsewhere",
    ),
    "deepseek-v4-pro": (
        "mxfp4",
        HF + "deepseek-ai/DeepSeek-V4-Pro: config.json expert_dtype fp4 (routed experts), fp8 e4m3 128x128 elsewhere",
    ),
    "kimi-k2.5": (
        "int4",
        HF + "moonshotai/Kimi-K2.5: native INT4 (config.json quantization_config compressed-tensors pack-quantized)",
    ),
    "qwen3-vl-30b-a3b-instruct": (
        "bf16",
        HF + "Qwen/Qwen3-VL-30B-A3B-Instruct: text_config dtype bfloat16 (FP8 is the -FP8 repo)",
    ),
    "qwen3-vl-8b-instruct": (
        "bf16",
        HF + "Qwen/Qwen3-VL-8B-Instruct: text_config dtype bfloat16, no quantization_config",
    ),
    "granite-4.0-h-small": ("bf16", HF + "ibm-granite/granite-4.0-h-small: config.json torch_dtype bfloat16"),
    "hunyuan-a13b": ("bf16", HF + "tencent/Hunyuan-A13B-Instruct: BF16 (FP8 and GPTQ-Int4 are separate repos)"),
    "dots.llm1.inst": ("bf16", HF + "rednote-hilab/dots.llm1.inst: config.json torch_dtype bfloat16"),
    "smollm3-3b": ("bf16", HF + "HuggingFaceTB/SmolLM3-3B: config.json torch_dtype bfloat16"),
    "command-a-03-2025": ("bf16", HF + "CohereLabs/c4ai-command-a-03-2025: config.json torch_dtype bfloat16"),
}
"""Preset id -> (precision ``auto`` must give, where the published format is stated)."""


def test_every_preset_has_a_published_precision() -> None:
    assert sorted(PUBLISHED_PRECISION) == sorted(all_presets())


@pytest.mark.parametrize("preset_id", sorted(PUBLISHED_PRECISION))
def test_auto_precision_is_the_published_one(preset_id: str) -> None:
    expected, source = PUBLISHED_PRECISION[preset_id]
    arch = load_preset(all_presets()[preset_id]).result.architecture
    assert resolve_precision("auto", arch) == expected, source


def test_kimi_k2_keeps_its_fp8_quantization_config() -> None:
    """Issue 16 item 5: the copy is the verbatim Hub config.json, quantization_config included."""
    qc = all_presets()["kimi-k2"].config["quantization_config"]
    assert qc == {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8", "weight_block_size": [128, 128]}
