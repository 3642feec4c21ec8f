"""The command that runs a plan: one copy-paste line per engine, with the flags the plan implies.

Only flags the engine documents for the release :mod:`paramtui.engine.runtimes` names are used;
``presets/data/engine_flags.json`` lists them with their source, and a test checks every line
against that list. transformers has no server command, so it gets none.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass

from paramtui.engine.architecture import Architecture
from paramtui.engine.hardware import Hardware
from paramtui.engine.memory import Plan
from paramtui.engine.placement import device_numbers, plan_nodes
from paramtui.engine.precision import WeightsEstimate
from paramtui.engine.runtimes import RuntimeProfile

MULTI_NODE_NOTE = {
    "vllm": "on a Ray cluster: `ray start --head` on node 0, `ray start --address=NODE0:6379` on the others, "
    "then this line on node 0",
    "sglang": "the same line on every node with --node-rank 0, 1, ...; NODE0 is the first node's address",
}
"""How each engine is started over several nodes (vLLM's multi-node serving uses Ray; SGLang
starts one process per node with ``--nnodes``/``--node-rank``/``--dist-init-addr``)."""


@dataclass(frozen=True, slots=True)
class LaunchInput:
    """What a launch line is made from."""

    runtime: RuntimeProfile
    """The engine."""
    plan: Plan
    """The placement."""
    repo: str
    """Hugging Face repo id (or path) of the model."""
    precision: str
    """Weights precision of the plan."""
    native_precision: str
    """The checkpoint's own precision (a different one means on-the-fly quantization or another file)."""
    kv_dtype: str
    """KV cache dtype."""
    context: int
    """Tokens per sequence (the engine's maximum model length)."""
    arch: Architecture
    """The model (MoE layers for --n-cpu-moe, layers for -ngl)."""
    weights: WeightsEstimate
    """Weights at ``precision`` (bytes per offloaded layer)."""
    hardware: Hardware
    """The GPUs (device numbers, nodes)."""
    expert_parallel: bool = False
    """MoE experts spread over the ranks."""


def _visible(inp: LaunchInput) -> str:
    """``CUDA_VISIBLE_DEVICES=1 `` when the plan leaves GPUs of a live machine out."""
    if not inp.plan.devices or inp.hardware.source != "nvml":
        return ""
    return f"CUDA_VISIBLE_DEVICES={','.join(device_numbers(inp.plan, inp.hardware))} "


def _gguf_quant(precision: str) -> str:
    return precision.upper()


def is_local(repo: str) -> bool:
    """Whether the model argument is a path on this machine rather than a Hugging Face repo id.

    Repo ids are ``owner/name``; the paths a launch line is given are absolute (callers resolve them)
    or end in ``.gguf``.
    """
    return (
        repo.startswith(("/", "./", "../", "~"))
        or repo.lower().endswith(".gguf")
        or bool(re.match(r"[A-Za-z]:[\\/]", repo))
    )


def _model_argument(repo: str) -> str:
    """The model as a shell word: local paths quoted (they may hold spaces), repo ids as they are."""
    return shlex.quote(repo) if is_local(repo) else repo


def _llama_model(repo: str, precision: str) -> list[str]:
    """llama-server's model flags: a Hub repo by ``-hf repo:QUANT``, a local GGUF by ``-m`` and its path.

    A local safetensors checkpoint gets ``-m`` and the GGUF its conversion would write beside it
    (llama.cpp reads GGUF only: convert_hf_to_gguf.py, then llama-quantize to QUANT).
    """
    quant = _gguf_quant(precision)
    if not is_local(repo):
        return ["-hf", f"{repo}:{quant}"]
    if repo.lower().endswith(".gguf"):
        return ["-m", shlex.quote(repo)]
    return ["-m", shlex.quote(f"{repo.rstrip('/')}/model-{quant}.gguf")]


def cpu_moe_layers(inp: LaunchInput) -> int:
    """llama.cpp --n-cpu-moe: MoE layers whose experts stay in RAM for the plan's offloaded bytes."""
    layers = max(inp.arch.num_moe_layers, 1)
    per_layer = inp.weights.routed_expert_bytes / layers
    return min(layers, math.ceil(inp.plan.offloaded_bytes / per_layer)) if per_layer else 0


def gpu_layers(inp: LaunchInput) -> int:
    """llama.cpp -ngl: layers on the GPUs (99 = all) for the plan's offloaded bytes."""
    if inp.plan.offload != "layers" or not inp.plan.offloaded_bytes:
        return 99
    edges = inp.weights.component_bytes["embedding"] + inp.weights.component_bytes["output_head"]
    per_layer = (inp.weights.total_bytes - edges) / inp.arch.num_layers
    return max(0, inp.arch.num_layers - math.ceil(inp.plan.offloaded_bytes / per_layer)) if per_layer else 99


def launch_line(inp: LaunchInput) -> str:
    """The command for the plan, or ``""`` for an engine without a server command."""
    plan, runtime = inp.plan, inp.runtime
    nodes = plan_nodes(plan, inp.hardware)
    quantize = inp.precision == "fp8" and inp.native_precision != "fp8"
    if runtime.name == "vllm":
        parts = ["vllm serve", _model_argument(inp.repo)]
        if plan.tp > 1:
            parts += ["--tensor-parallel-size", str(plan.tp)]
        if plan.pp > 1:
            parts += ["--pipeline-parallel-size", str(plan.pp)]
        parts += ["--max-model-len", str(inp.context), "--gpu-memory-utilization", f"{runtime.memory_fraction:g}"]
        if inp.kv_dtype == "fp8":
            parts += ["--kv-cache-dtype", "fp8"]
        if quantize:
            parts += ["--quantization", "fp8"]
        if plan.offload == "layers" and plan.offloaded_bytes:
            parts += ["--cpu-offload-gb", str(math.ceil(plan.offloaded_bytes / plan.gpus / 1e9))]
        if inp.expert_parallel:
            parts.append("--enable-expert-parallel")
        if nodes > 1:
            parts += ["--distributed-executor-backend", "ray"]
        if not runtime.cuda_graphs:
            parts.append("--enforce-eager")
        return _visible(inp) + " ".join(parts)
    if runtime.name == "sglang":
        parts = ["python -m sglang.launch_server", "--model-path", _model_argument(inp.repo), "--tp", str(plan.tp)]
        if plan.pp > 1:
            parts += ["--pp-size", str(plan.pp)]
        if inp.expert_parallel:
            parts += ["--ep-size", str(plan.tp)]
        parts += ["--context-length", str(inp.context)]
        if inp.kv_dtype == "fp8":
            parts += ["--kv-cache-dtype", "fp8_e4m3"]
        if quantize:
            parts += ["--quantization", "fp8"]
        if nodes > 1:
            parts += ["--nnodes", str(nodes), "--node-rank", "0", "--dist-init-addr", "NODE0:50000"]
        if not runtime.cuda_graphs:
            parts.append("--disable-cuda-graph")
        return _visible(inp) + " ".join(parts)
    if runtime.name == "llama.cpp":
        parts = ["llama-server", *_llama_model(inp.repo, inp.precision), "-ngl", str(gpu_layers(inp))]
        if plan.offload == "experts" and plan.offloaded_bytes:
            parts += ["--n-cpu-moe", str(cpu_moe_layers(inp))]
        parts += ["-c", str(inp.context)]
        if plan.split:
            parts += ["--tensor-split", ",".join(f"{s:.2f}".rstrip("0").rstrip(".") for s in plan.split)]
        if inp.kv_dtype in ("q8_0", "q4_0"):
            parts += ["-ctk", inp.kv_dtype, "-ctv", inp.kv_dtype]
        if not runtime.flash_attention:
            parts += ["-fa", "off"]
        return _visible(inp) + " ".join(parts)
    return ""


def flags_of(line: str) -> tuple[str, ...]:
    """The flags a launch line uses (words starting with ``-``)."""
    return tuple(word for word in line.split() if word.startswith("-") and not word[1:2].isdigit())
