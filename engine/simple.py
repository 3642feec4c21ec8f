"""The thought experiment people start from: N experts of S parameters, top-k, plus shared ones.

"64 experts x 10B, top-2" stores 640B and activates 20B per token, whatever the layer shapes are.
This gives that arithmetic the same breakdown type as a full architecture, so the same bars draw
it, and the weights-only memory and decode ceiling it implies on a GPU target.
"""

from __future__ import annotations

from dataclasses import dataclass

from paramtui.engine.hardware import Hardware
from paramtui.engine.params import COMPONENTS, Component, ParamBreakdown
from paramtui.engine.units import format_bytes, format_params

NOMINAL_BITS = {"bf16": 16.0, "fp8": 8.0, "int4": 4.0}
"""Bits per weight for the weights-only memory lines (no scales, no unquantised tensors)."""


@dataclass(frozen=True, slots=True)
class SimpleMoe:
    """N routed experts of S parameters each, k of them per token, plus parameters every token uses."""

    num_experts: int = 64
    expert_params: int = 10_000_000_000
    top_k: int = 2
    shared_params: int = 0
    """Everything outside the routed experts: attention, embeddings, shared experts, router."""

    def __post_init__(self) -> None:
        if not 1 <= self.num_experts <= 100_000:
            raise ValueError(f"experts must be 1 to 100,000, not {self.num_experts}")
        if not 1 <= self.top_k <= self.num_experts:
            raise ValueError(f"top-k must be 1 to the number of experts ({self.num_experts}), not {self.top_k}")
        if self.expert_params < 0 or self.shared_params < 0:
            raise ValueError("parameter counts cannot be negative")
        if self.num_experts * self.expert_params + self.shared_params <= 0:
            raise ValueError("the model has no parameters; give the experts or the shared part a size")


def simple_breakdown(model: SimpleMoe) -> ParamBreakdown:
    """Stored = N x S + shared; active = k x S + shared, as a breakdown the bars can draw."""
    n, s, k, shared = model.num_experts, model.expert_params, model.top_k, model.shared_params
    parts = {
        "routed_experts": Component(
            "routed_experts",
            n * s,
            k * s,
            f"stored {n} experts x {format_params(s)}; active top-{k} x {format_params(s)}",
        ),
        "shared_experts": Component(
            "shared_experts", shared, shared, f"{format_params(shared)} shared parameters, used by every token"
        ),
    }
    components = tuple(parts.get(name, Component(name, 0, 0, "not part of the simple model")) for name in COMPONENTS)
    return ParamBreakdown(components, 0, "", tied_embeddings=False)


def simple_lines(model: SimpleMoe, hardware: Hardware | None) -> list[str]:
    """Weights-only memory at a few precisions and the batch-1 decode ceiling on ``hardware``.

    The ceiling reads the active weights once per token at the GPUs' full bandwidth: no KV cache,
    no overheads, no efficiency loss, so a real runtime is slower; it is what the idea allows.
    """
    bd = simple_breakdown(model)
    lines = []
    gpus = hardware.gpus if hardware is not None else ()
    for precision, bits in NOMINAL_BITS.items():
        stored = bd.total * bits / 8
        active = bd.active * bits / 8
        line = f"{precision}: weights {format_bytes(round(stored))}, reads {format_bytes(round(active))}/token"
        if gpus:
            per_gpu = gpus[0].memory_bytes
            need = -(-round(stored) // per_gpu)
            bandwidth = sum(g.bandwidth_bytes_per_s for g in gpus)
            line += (
                f"; weights alone need {need} x {gpus[0].name} ({format_bytes(per_gpu)} each)"
                f"; decode ceiling {bandwidth / active:,.0f} tok/s on {len(gpus)} GPU(s) at "
                f"{bandwidth / 1e12:.2f} TB/s"
            )
        lines.append(line)
    return lines
