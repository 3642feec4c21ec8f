"""Memory per device for one placement plan: weights, KV cache and runtime overhead.

Tensor parallelism splits every layer's matrices and the KV heads over ``tp`` GPUs (an MLA
latent is not split: each rank keeps the whole latent, as vLLM does); pipeline parallelism
puts a share of the layers on each of ``pp`` GPUs, the embedding on the first and the output
head on the last. Offload moves whole layers (llama.cpp -ngl, vLLM --cpu-offload-gb) or only
the routed experts (llama.cpp --n-cpu-moe) to system RAM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from paramtui.engine.architecture import Architecture
from paramtui.engine.kv_cache import KvEstimate
from paramtui.engine.precision import WeightsEstimate
from paramtui.engine.runtimes import RuntimeProfile

Offload = Literal["none", "layers", "experts"]
OFFLOAD_MODES: tuple[Offload, ...] = ("none", "layers", "experts")


@dataclass(frozen=True, slots=True)
class Plan:
    """How the model is placed."""

    tp: int = 1
    """Tensor-parallel GPUs."""
    pp: int = 1
    """Pipeline stages (GPUs holding a share of the layers)."""
    offload: Offload = "none"
    """What goes to system RAM."""
    offloaded_bytes: int = 0
    """Bytes of weights (and their KV) kept in RAM."""
    devices: tuple[int, ...] = ()
    """Positions in ``Hardware.gpus`` the plan runs on; empty: the first ``gpus`` of them."""
    split: tuple[float, ...] = ()
    """Share of the layers on each pipeline stage (llama.cpp splits by free memory); empty: even."""

    @property
    def gpus(self) -> int:
        """GPUs the plan uses."""
        return self.tp * self.pp


@dataclass(frozen=True, slots=True)
class DeviceUse:
    """One GPU's share."""

    device: int
    """GPU index."""
    weights_bytes: int
    """Weights on this GPU."""
    kv_cache_bytes: int
    """KV cache on this GPU."""
    overhead_bytes: int
    """Runtime overhead on this GPU."""
    budget_bytes: int
    """What the runtime may use on this GPU."""

    @property
    def total_bytes(self) -> int:
        """Everything on this GPU."""
        return self.weights_bytes + self.kv_cache_bytes + self.overhead_bytes

    @property
    def headroom_bytes(self) -> int:
        """Budget left (negative: does not fit)."""
        return self.budget_bytes - self.total_bytes


def device_totals(devices: Sequence[DeviceUse]) -> tuple[int, int, int]:
    """(weights, KV cache, overhead) bytes summed over the GPUs of a plan.

    What the plan puts on GPUs in all: offloaded weights are on no GPU, so they are not in the sum.
    """
    return (
        sum(d.weights_bytes for d in devices),
        sum(d.kv_cache_bytes for d in devices),
        sum(d.overhead_bytes for d in devices),
    )


def split_problem(arch: Architecture, tp: int) -> str | None:
    """Why ``tp`` cannot split this model's heads, or None when it can."""
    if tp < 1:
        return "--tp must be at least 1"
    if arch.num_heads % tp:
        return f"{arch.num_heads} attention heads do not divide over tp={tp}"
    if arch.mla is None and arch.num_kv_heads % tp and tp % arch.num_kv_heads:
        return f"{arch.num_kv_heads} KV heads do not divide over tp={tp} (nor tp over them)"
    return None


def kv_split_ways(arch: Architecture, tp: int) -> int:
    """Ranks the KV cache is divided over.

    The KV heads split over tp (replicated once tp exceeds them); an MLA latent is one head, so every
    rank keeps all of it (vLLM, SGLang MLATokenToKVPool).
    """
    return 1 if arch.mla is not None else max(1, min(tp, arch.num_kv_heads))


def pool_tokens(pool_bytes: float, bytes_per_token: int, plan: Plan, arch: Architecture, block: int = 1) -> int:
    """Tokens a KV pool of ``pool_bytes`` on one rank holds, in whole blocks.

    ``bytes_per_token`` is one token over all attention layers of the model; a rank holds its share
    (1/pp of the layers, 1/kv_split of the heads). vLLM 0.11 reports this as "GPU KV cache size: N
    tokens" (vllm/v1/core/kv_cache_utils.py: num_blocks // kv-cache groups x block_size, blocks of 16;
    later releases print max_concurrency x max_model_len instead, which differs for hybrid models),
    SGLang as "KV Cache is allocated. #tokens: N".
    """
    per_rank = bytes_per_token / plan.pp / kv_split_ways(arch, plan.tp)
    if per_rank <= 0 or pool_bytes <= 0:
        return 0
    block = max(block, 1)
    return int(pool_bytes // (per_rank * block)) * block


def device_usage(
    arch: Architecture,
    weights: WeightsEstimate,
    kv: KvEstimate,
    runtime: RuntimeProfile,
    plan: Plan,
    budgets: tuple[int, ...],
    batch: int,
    context: int,
) -> tuple[DeviceUse, ...]:
    """Bytes on each GPU of the plan.

    Args:
        arch: the architecture.
        weights: weights at the chosen precision.
        kv: KV cache for the workload.
        runtime: runtime profile (overhead).
        plan: placement; ``offloaded_bytes`` of weights are taken off the GPUs.
        budgets: what the runtime may use on each GPU of the plan (len == plan.gpus).
        batch: sequences.
        context: tokens per sequence.
    """
    edge = max(weights.component_bytes["embedding"], weights.component_bytes["output_head"])
    layer_bytes = weights.total_bytes - weights.component_bytes["embedding"] - weights.component_bytes["output_head"]
    gpu_share = 1.0 - (plan.offloaded_bytes / weights.total_bytes if weights.total_bytes else 0.0)
    kv_on_gpu = kv.bytes
    if plan.offload == "layers":
        kv_on_gpu = round(kv.bytes * max(0.0, gpu_share))  # llama.cpp keeps a layer's KV with the layer
    kv_split = kv_split_ways(arch, plan.tp)
    stage_weights = (layer_bytes - plan.offloaded_bytes) / plan.pp + (edge if plan.pp > 1 else 0)
    if plan.pp == 1:
        stage_weights = weights.total_bytes - plan.offloaded_bytes
    # vLLM / SGLang keep routers, norms and MLA down-projections whole on every TP rank (engine.loaded)
    replicated = weights.replicated_bytes / plan.pp if plan.tp > 1 else 0
    per_gpu_weights = round((stage_weights - replicated) / plan.tp + replicated)
    per_gpu_kv = round(kv_on_gpu / plan.pp / kv_split)
    overhead = runtime.overhead_bytes(arch, batch, context)
    uneven = len(plan.split) == plan.pp > 1
    uses = []
    for i in range(plan.gpus):
        weights_i, kv_i = per_gpu_weights, per_gpu_kv
        if uneven:  # a stage holds its share of the layers and of their KV
            share = plan.split[i // plan.tp]
            weights_i = round(((layer_bytes - plan.offloaded_bytes) * share + edge) / plan.tp)
            kv_i = round(kv_on_gpu * share / kv_split)
        uses.append(DeviceUse(i, weights_i, kv_i, overhead, budgets[i] if i < len(budgets) else 0))
    return tuple(uses)
