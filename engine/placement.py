"""Which GPUs of a machine a plan runs on, and how to select them.

On a shared server the GPUs are not alike: another process may hold most of one. The engines
behave differently there:

- vLLM claims ``gpu_memory_utilization x total`` on every rank and exits at start-up when less
  than that is free (vllm/v1/worker/gpu_worker.py); SGLang sizes its pool from what is free minus
  a reserve and so gets little from a busy card. Both put the same share on every rank, so a plan
  runs on the GPUs with the most room, and the user selects them with ``CUDA_VISIBLE_DEVICES``.
- llama.cpp, without ``--tensor-split``, splits the layers in proportion to each device's free
  memory (llama-model.cpp ``load_tensors``: "default split, by free memory"), so a busy card gets
  fewer layers, not an even share.
- A GPU that is lost or whose memory cannot be read is used by no plan and named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from paramtui.engine.hardware import Hardware
from paramtui.engine.memory import Plan
from paramtui.engine.runtimes import RuntimeProfile


def usable_positions(hardware: Hardware) -> tuple[int, ...]:
    """Positions of the GPUs a plan may use (not lost, memory readable)."""
    return tuple(i for i, g in enumerate(hardware.gpus) if not g.unavailable)


def place(plan: Plan, hardware: Hardware, runtime: RuntimeProfile, budgets: Sequence[tuple[int, str | None]]) -> Plan:
    """``plan`` with the GPUs it runs on, and the layer split where the runtime splits unevenly.

    Args:
        plan: a placement without devices.
        hardware: the machine.
        runtime: the engine (decides how GPUs are picked and split).
        budgets: per GPU of ``hardware``, (bytes the runtime may use, why it would refuse or None).
    """
    positions = usable_positions(hardware)
    if runtime.multi_gpu == "tp":
        # same share on every rank: the GPUs that would not refuse, the roomiest first
        ranked = sorted(positions, key=lambda i: (budgets[i][1] is not None, -budgets[i][0], i))
    else:
        ranked = sorted(positions, key=lambda i: (-budgets[i][0], i)) if plan.gpus == 1 else list(positions)
    chosen = tuple(sorted(ranked[: plan.gpus]))
    devices = () if chosen == tuple(range(plan.gpus)) else chosen
    split: tuple[float, ...] = ()
    if runtime.name == "llama.cpp" and plan.pp > 1 and plan.tp == 1 and len(chosen) == plan.pp:
        free = [max(budgets[i][0], 0) for i in chosen]
        if sum(free) and len(set(free)) > 1:
            split = tuple(f / sum(free) for f in free)
    return replace(plan, devices=devices, split=split)


def plan_positions(plan: Plan) -> tuple[int, ...]:
    """Positions in ``Hardware.gpus`` of the plan's GPUs."""
    return plan.devices or tuple(range(plan.gpus))


def device_numbers(plan: Plan, hardware: Hardware) -> tuple[str, ...]:
    """The numbers a user knows the plan's GPUs by (the live index for NVML GPUs)."""
    out = []
    for p in plan_positions(plan):
        gpu_id = hardware.gpus[p].id if p < len(hardware.gpus) else ""
        out.append(gpu_id.removeprefix("nvml:") if gpu_id.startswith("nvml:") else str(p))
    return tuple(out)


def selection(plan: Plan, hardware: Hardware) -> str | None:
    """How to run on the plan's GPUs when it leaves some of the machine's out (None when it does not)."""
    if not plan.devices or hardware.source != "nvml":
        return None
    numbers = ",".join(device_numbers(plan, hardware))
    return f"runs on GPU {numbers}: --gpus {numbers} here, CUDA_VISIBLE_DEVICES={numbers} for the engine"


def tensor_split(plan: Plan) -> str | None:
    """llama.cpp's ``--tensor-split`` value for an uneven layer split (None when even)."""
    if not plan.split:
        return None
    return ",".join(f"{share:.2f}".rstrip("0").rstrip(".") for share in plan.split)


def unavailable_notes(hardware: Hardware) -> tuple[str, ...]:
    """One line per GPU that no plan may use, and what the reading skipped."""
    notes = [
        f"GPU {g.id.removeprefix('nvml:')} ({g.name}) is {g.unavailable}; left out of the plan"
        for g in hardware.gpus
        if g.unavailable
    ]
    return (*notes, *hardware.notes)


def plan_nodes(plan: Plan, hardware: Hardware) -> int:
    """Nodes the plan's GPUs span: its GPU count over the GPUs of one node, rounded up."""
    if hardware.nodes <= 1 or not hardware.gpus:
        return 1
    per_node = max(1, len(hardware.gpus) // hardware.nodes)
    return min(hardware.nodes, -(-plan.gpus // per_node))
