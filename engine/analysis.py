"""One call from an architecture and a request to memory, fit and speed: what the CLI and TUI render."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from paramtui.engine.architecture import Architecture
from paramtui.engine.checkpoint import CheckpointSummary, checkpoint_weights
from paramtui.engine.fit import Deployment, FitReport, PlanOptions, Workload, assess_fit
from paramtui.engine.hardware import Hardware
from paramtui.engine.kv_cache import KvEstimate, estimate_kv_cache, resolve_kv_dtype
from paramtui.engine.limits import MAX_BATCH, MAX_CONTEXT, whole_number
from paramtui.engine.loaded import loaded_weights, mxfp4_backend
from paramtui.engine.params import ParamBreakdown, count_params
from paramtui.engine.precision import WeightsEstimate, estimate_weights, precision_kind, resolve_precision
from paramtui.engine.releases import ReleaseChoice, apply_release, split_runtime_name, vllm_version_of
from paramtui.engine.runtimes import GGUF_EQUIVALENT, RuntimeProfile, get_runtime
from paramtui.engine.speed import DEFAULT_OUTPUT_TOKENS, SpeedEstimate, estimate_speed

DEFAULT_CONTEXT = 8192
"""Default context: min(8192, the model's maximum) (DESIGN.md)."""


@dataclass(frozen=True, slots=True)
class Request:
    """What the user asked for; None means the documented default."""

    precision: str = "auto"
    """Weights precision or ``auto`` (the checkpoint's own)."""
    kv_dtype: str = "auto"
    """KV dtype or ``auto`` (the weights' 16-bit type)."""
    context: int | None = None
    """Tokens per sequence; default min(8192, model maximum)."""
    batch: int = 1
    """Concurrent sequences."""
    runtime: str | None = None
    """Runtime id; default vllm, llama.cpp for GGUF precisions or Apple GPUs."""
    options: PlanOptions = field(default_factory=PlanOptions)
    """tp / pp / offload overrides."""
    output_tokens: int = DEFAULT_OUTPUT_TOKENS
    """Tokens each request generates (under load, the others' prompts prefill in between)."""
    expert_parallel: bool = False
    """Spread MoE experts over the GPUs (vLLM --enable-expert-parallel, SGLang --ep)."""
    cuda_graphs: bool = True
    """False for an engine run with --enforce-eager / --disable-cuda-graph."""
    release: ReleaseChoice = field(default_factory=ReleaseChoice)
    """Runtime version, llama.cpp flash attention, vLLM max_num_batched_tokens (None = default)."""


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the report shows, computed once."""

    arch: Architecture
    """The model."""
    breakdown: ParamBreakdown
    """Its parameters."""
    precision: str
    """Resolved weights precision."""
    runtime: RuntimeProfile
    """Runtime profile used."""
    workload: Workload
    """Context and batch."""
    weights: WeightsEstimate
    """Weights bytes."""
    kv: KvEstimate
    """KV cache."""
    overhead_bytes: int
    """Runtime overhead on one GPU."""
    hardware: Hardware | None
    """The hardware checked against, if any."""
    fit: FitReport | None
    """Verdict (None without hardware)."""
    speed: SpeedEstimate | None
    """Speeds (None without hardware, when nothing fits, or without the GPU's bandwidth)."""
    notes: tuple[str, ...] = ()
    """What the user should know about how the request was read (context past the model's maximum,
    a precision mapped to the file a runtime loads, a figure the GPU spec lacks)."""

    @property
    def needed_bytes(self) -> int:
        """Weights + KV cache + one GPU's runtime overhead: what the request needs in all."""
        return self.weights.total_bytes + self.kv.bytes + self.overhead_bytes


def choose_runtime(request: Request, precision: str, hardware: Hardware | None) -> RuntimeProfile:
    """The requested runtime, or the default for this precision and hardware, under its release's rules.

    The release is ``--runtime llama.cpp@b5500`` or ``--runtime-version``; by default the current one.
    """
    choice = request.release
    if request.runtime:
        name, version = split_runtime_name(request.runtime)
        if version is not None:
            if choice.version is not None and choice.version != version:
                raise ValueError(f"--runtime {request.runtime} and --runtime-version {choice.version} disagree")
            choice = replace(choice, version=version)
        profile = get_runtime(name)
    elif precision_kind(precision) == "gguf" or (
        hardware is not None and hardware.gpus and hardware.gpus[0].vendor in ("apple", "cpu")
    ):
        profile = get_runtime("llama.cpp")
    else:
        profile = get_runtime("vllm")
    gpu = hardware.gpus[0] if hardware is not None and hardware.gpus else None
    return apply_release(profile, choice, gpu.memory_bytes if gpu else None, gpu.name if gpu else "")


def analyze(
    arch: Architecture,
    request: Request,
    hardware: Hardware | None,
    breakdown: ParamBreakdown | None = None,
    checkpoint: CheckpointSummary | None = None,
    checkpoint_precision: str | None = None,
) -> Analysis:
    """Memory, and with hardware the fit and speed, of ``arch`` under ``request``.

    With ``checkpoint`` (exact facts from the weight files' headers) the weights at the
    checkpoint's own precision are its exact bytes; other precisions are estimated.

    Raises:
        ValueError: a bad precision, KV dtype, runtime, context or batch (one-line message).
    """
    breakdown = breakdown or count_params(arch)
    own = checkpoint_precision or resolve_precision("auto", arch)
    auto = request.precision.strip().lower() == "auto"
    precision = own if auto and checkpoint is not None else resolve_precision(request.precision, arch)
    exact = checkpoint is not None and precision == own
    runtime = choose_runtime(request, precision, hardware)
    if not request.cuda_graphs and runtime.cuda_graphs:
        runtime = replace(runtime, cuda_graphs=False)
    notes: list[str] = []
    if auto and runtime.name == "llama.cpp" and precision not in runtime.formats:
        precision, exact = GGUF_EQUIVALENT.get(precision, precision), False  # the GGUF people would run
    elif runtime.name == "llama.cpp" and precision == "mxfp4":
        # llama.cpp runs gpt-oss from the MXFP4 GGUF (convert_hf_to_gguf.py keeps the experts MXFP4)
        precision, exact = "mxfp4_moe", False
        notes.append("mxfp4 under llama.cpp: the MXFP4 GGUF (MXFP4_MOE: experts MXFP4, other matrices Q8_0)")
    kv_dtype = resolve_kv_dtype(request.kv_dtype, arch)
    context = request.context if request.context is not None else min(DEFAULT_CONTEXT, arch.max_context)
    if context < 1:
        raise ValueError(f"--context must be at least 1, got {context}")
    whole_number(context, "--context", 1, MAX_CONTEXT)
    if context > arch.max_context:
        notes.append(
            f"context {context:,} is above the model's {arch.max_context:,}: needs rope scaling such as YaRN"
            f" (factor {context / arch.max_context:.2g}); memory and speed are computed as asked"
        )
    if request.batch < 1:
        raise ValueError(f"--batch must be at least 1, got {request.batch}")
    if request.output_tokens < 1:
        raise ValueError(f"--output-tokens must be at least 1, got {request.output_tokens}")
    whole_number(request.batch, "--batch", 1, MAX_BATCH)
    whole_number(request.output_tokens, "--output-tokens", 1, MAX_CONTEXT)
    workload = Workload(context, request.batch, request.output_tokens, request.expert_parallel)
    if checkpoint is not None and exact:
        weights = checkpoint_weights(checkpoint, arch, precision, runtime.loads_vision, runtime.loads_mtp)
    else:
        weights = estimate_weights(arch, breakdown, precision)
    gpu = hardware.gpus[0] if hardware is not None and hardware.gpus else None
    backend = mxfp4_backend(
        runtime.name, gpu.compute_capability if gpu else None, gpu.vendor if gpu else "", vllm_version_of(runtime)
    )
    weights = loaded_weights(arch, weights, backend, runtime.name).weights
    kv = estimate_kv_cache(arch, context, request.batch, kv_dtype, runtime.kv)
    overhead = runtime.overhead_bytes(arch, request.batch, context)
    fit = speed = None
    if hardware is not None and hardware.gpus:
        deployment = Deployment(arch, breakdown, runtime, hardware, workload)
        fit = assess_fit(deployment, precision, kv_dtype, request.options, weights=weights)
        gpu = hardware.gpus[0]
        if runtime.name == "llama.cpp" and fit.attempt.plan.tp > 1:
            notes.append(
                "llama.cpp with --tp: --split-mode row, computed as tensor parallel; public A/B runs put row split"
                " anywhere from 0.3x (8 x A100, anthony-chaudhary/fak#3075) to 1.7x (2 x RTX A6000 with NVLink,"
                " ollama/ollama#2191) the default layer split's decode"
            )
        if fit.verdict != "does_not_fit" and gpu.bandwidth_bytes_per_s <= 0:
            notes.append("no speed: the GPU's memory bandwidth is unknown (add bw=..., e.g. bw=1008GB/s, to --gpu)")
        elif fit.verdict != "does_not_fit":
            speed = estimate_speed(deployment, fit)
            notes.extend(speed.notes)
    return Analysis(
        arch, breakdown, precision, runtime, workload, weights, kv, overhead, hardware, fit, speed, tuple(notes)
    )
