"""The thought experiment people start from: N experts of S parameters, top-k, plus shared ones.

"64 experts x 10B, top-2" stores 640B and activates 20B per token, whatever the layer shapes are.
This gives that arithmetic the same breakdown type as a full architecture, so the same bars draw
it, and the weights-only memory and decode ceiling it implies on a GPU target.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from paramtui.engine.architecture import Architecture, MoeSpec
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


TOY_SHAPE = {"hidden_size": 8192, "num_layers": 64, "num_heads": 64, "num_kv_heads": 8, "head_dim": 128}
"""The layer shapes the toy is given for a fit and a speed (the toy has none): Llama 3.1 70B's
attention (hidden 8192, 64 query and 8 KV heads of 128) over 64 layers, its 128,256-token
vocabulary and 128k context. The experts and the shared part are sized to the toy's counts."""
TOY_VOCAB = 128_256
TOY_CONTEXT = 131_072


def simple_architecture(model: SimpleMoe) -> tuple[Architecture, str]:
    """A full architecture with the toy's expert and shared counts, for the fit, speed and options.

    Each expert's S parameters are spread over the layers as SwiGLU matrices (3 x hidden x ffn per
    layer). Attention, norms and the embedding tables (:data:`TOY_SHAPE`) are the minimum shared
    part; shared parameters beyond it become a shared expert. Returns the record and a line saying
    what was assumed (and by how much the shared part exceeds the toy's, when it does).
    """
    h, layers = TOY_SHAPE["hidden_size"], TOY_SHAPE["num_layers"]
    per_layer_matrix = 3 * h * layers
    expert_ffn = max(1, round(model.expert_params / per_layer_matrix))
    base = Architecture(
        name=f"toy {model.num_experts} x {format_params(model.expert_params)}, top-{model.top_k}",
        model_type="toy_moe",
        vocab_size=TOY_VOCAB,
        ffn_size=expert_ffn,
        max_context=TOY_CONTEXT,
        moe=MoeSpec(num_experts=model.num_experts, top_k=model.top_k, expert_ffn_size=expert_ffn),
        hidden_size=h,
        num_layers=layers,
        num_heads=TOY_SHAPE["num_heads"],
        num_kv_heads=TOY_SHAPE["num_kv_heads"],
        head_dim=TOY_SHAPE["head_dim"],
    )
    from paramtui.engine.params import count_params  # params imports this module's neighbours only

    floor = count_params(base).total - model.num_experts * expert_ffn * per_layer_matrix
    extra = model.shared_params - floor
    arch = base
    if extra > per_layer_matrix and base.moe is not None:
        shared_ffn = round(extra / per_layer_matrix)
        arch = replace(base, moe=replace(base.moe, num_shared_experts=1, shared_expert_ffn_size=shared_ffn))
    note = (
        f"fit and speed assume Llama-70B-like layers (64 x hidden 8192, 8 KV heads): "
        f"{format_params(max(floor, model.shared_params))} shared"
        + (f" (the toy says {format_params(model.shared_params)}; attention needs at least that)" if extra < 0 else "")
    )
    return arch, note
