"""The weight matrices of an architecture, by component, tensor class and layer.

Quantizers choose a format per tensor class and layer (llama.cpp keeps attn_v and some
ffn_down layers at more bits in its *_M mixes; int4 schemes keep the embedding in 16-bit),
so memory is computed over this inventory rather than over a single parameter total. Only
2-D matrices are listed; what a component holds beyond them (norms, biases, sinks, conv
kernels) is one ``vector`` group per component, so every component's elements add up to
its stored count in :func:`paramtui.engine.params.count_params` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from paramtui.engine.architecture import Architecture, LayerKind
from paramtui.engine.params import ComponentName, ParamBreakdown

TensorClass = Literal[
    "token_embd",
    "output",
    "attn_q",
    "attn_k",
    "attn_v",
    "attn_output",
    "attn_other",
    "ffn_gate",
    "ffn_up",
    "ffn_down",
    "router",
    "vector",
]
"""Tensor classes as llama.cpp's quantizer tells them apart (``vector`` = 1-D, never quantized)."""


@dataclass(frozen=True, slots=True)
class TensorGroup:
    """``count`` identical tensors of one class in one layer (count > 1 for routed experts)."""

    component: ComponentName
    """The breakdown component these weights belong to."""
    tensor_class: TensorClass
    """Quantizer's tensor class."""
    layer: int
    """Decoder layer index, -1 for tensors outside the layers."""
    count: int
    """Identical tensors (experts of one layer, or 1)."""
    elements: int
    """Weights per tensor."""
    in_features: int
    """Row length (GGML ``ne[0]``): block formats need it to be a multiple of their block."""
    routed: bool = False
    """Routed-expert weights: a token reads top-k of E of them."""

    @property
    def total_elements(self) -> int:
        """Weights of the whole group."""
        return self.count * self.elements


def _matrix(
    component: ComponentName, cls: TensorClass, layer: int, n_in: int, n_out: int, count: int = 1, routed: bool = False
) -> TensorGroup:
    return TensorGroup(component, cls, layer, count, n_in * n_out, n_in, routed)


def _attention(arch: Architecture, layer: int, kind: LayerKind) -> list[TensorGroup]:
    h = arch.hidden_size
    if kind == "none":
        return []
    if kind in ("ssm", "hybrid") and arch.ssm is not None:
        s = arch.ssm
        width = {"mamba2": 2 * s.inner_size + 2 * s.n_groups * s.state_size + s.num_heads, "mamba1": 2 * s.inner_size}
        mixer = [
            _matrix("attention", "attn_other", layer, h, width.get(s.variant, 3 * s.inner_size)),
            _matrix("attention", "attn_output", layer, s.inner_size, h),
        ]
        return mixer + (_attention(arch, layer, "full") if kind == "hybrid" else [])
    if kind == "linear" and arch.linear_attention is not None:
        la = arch.linear_attention
        return [
            _matrix("attention", "attn_other", layer, h, 2 * la.key_dim + 2 * la.value_dim),
            _matrix("attention", "attn_other", layer, h, 2 * la.num_value_heads),
            _matrix("attention", "attn_output", layer, la.value_dim, h),
        ]
    if arch.compressed is not None:
        return _compressed_attention(arch, layer)
    if arch.mla is not None:
        m, heads = arch.mla, arch.num_heads
        groups = []
        if m.q_lora_rank:
            groups.append(_matrix("attention", "attn_other", layer, h, m.q_lora_rank))
            groups.append(_matrix("attention", "attn_q", layer, m.q_lora_rank, heads * m.qk_head_dim))
        else:
            groups.append(_matrix("attention", "attn_q", layer, h, heads * m.qk_head_dim))
        groups.append(_matrix("attention", "attn_other", layer, h, m.kv_lora_rank + m.qk_rope_head_dim))
        # attn_kv_b counts as attn_v-like in llama.cpp (category_is_attn_v)
        groups.append(
            _matrix("attention", "attn_v", layer, m.kv_lora_rank, heads * (m.qk_nope_head_dim + m.v_head_dim))
        )
        groups.append(_matrix("attention", "attn_output", layer, heads * m.v_head_dim, h))
        if m.index_n_heads and layer not in m.shared_index_layers:  # the indexer's wq_b, wk and weights_proj
            groups.append(_matrix("attention", "attn_other", layer, m.q_lora_rank, m.index_n_heads * m.index_head_dim))
            groups.append(_matrix("attention", "attn_other", layer, h, m.index_head_dim))
            groups.append(_matrix("attention", "attn_other", layer, h, m.index_n_heads))
        return groups
    kv_heads, head, v_head, shared_kv = arch.attention_shape(kind)
    q_width = arch.num_heads * head
    out = [
        _matrix("attention", "attn_q", layer, h, q_width * (2 if arch.attention_output_gate else 1)),
        _matrix("attention", "attn_k", layer, h, kv_heads * head),
    ]
    if not shared_kv:
        out.append(_matrix("attention", "attn_v", layer, h, kv_heads * v_head))
    return [*out, _matrix("attention", "attn_output", layer, arch.num_heads * v_head, h)]


def _compressed_attention(arch: Architecture, layer: int) -> list[TensorGroup]:
    """DeepSeek-V4's matrices (engine/params.py compressed_attention_params lists them)."""
    c = arch.compressed
    if c is None:
        return []
    h, heads, d, r = arch.hidden_size, arch.num_heads, arch.head_dim, c.q_lora_rank
    groups = [
        _matrix("attention", "attn_other", layer, h, r),
        _matrix("attention", "attn_q", layer, r, heads * d),
        _matrix("attention", "attn_k", layer, h, d),  # one KV head, read as key and value
        _matrix("attention", "attn_output", layer, heads * d // c.o_groups, c.o_groups * c.o_lora_rank),
        _matrix("attention", "attn_output", layer, c.o_groups * c.o_lora_rank, h),
    ]
    ratio = c.compress_ratios[layer]
    if ratio:
        w = 2 * d if c.is_sparse(ratio) else d
        groups += [_matrix("attention", "attn_other", layer, h, w, count=2)]  # compressor kv and gate
        if c.is_sparse(ratio) and c.index_n_heads:
            groups += [
                _matrix("attention", "attn_other", layer, h, 2 * c.index_head_dim, count=2),
                _matrix("attention", "attn_other", layer, r, c.index_n_heads * c.index_head_dim),
                _matrix("attention", "attn_other", layer, h, c.index_n_heads),
            ]
    return groups


def _ffn(
    component: ComponentName, layer: int, h: int, inner: int, gated: bool, count: int = 1, routed: bool = False
) -> list[TensorGroup]:
    groups = [_matrix(component, "ffn_up", layer, h, inner, count, routed)]
    if gated:
        groups.append(_matrix(component, "ffn_gate", layer, h, inner, count, routed))
    groups.append(_matrix(component, "ffn_down", layer, inner, h, count, routed))
    return groups


@lru_cache(maxsize=128)
def tensor_inventory(arch: Architecture, breakdown: ParamBreakdown) -> tuple[TensorGroup, ...]:
    """Every weight matrix of the model, plus one 1-D ``vector`` group per component.

    Args:
        arch: the architecture.
        breakdown: its parameter breakdown (the vector groups are what the matrices leave over).

    Returns:
        Groups whose elements add up to ``breakdown.total`` exactly (cached per model: every
        precision of the same model walks the same inventory).
    """
    h, v = arch.hidden_size, arch.vocab_size
    groups: list[TensorGroup] = [_matrix("embedding", "token_embd", -1, h, v)]
    moe = arch.moe
    dense_layers = set(moe.dense_layers) if moe is not None else set()
    no_ffn = set(arch.no_ffn_layers)
    for layer, kind in enumerate(arch.layer_kinds):
        groups += _attention(arch, layer, kind)
        if layer in no_ffn:
            continue
        if moe is None or layer in dense_layers:
            groups += _ffn("dense_ffn", layer, h, arch.ffn_size, arch.gated_ffn)
            continue
        if arch.dense_ffn_with_moe:
            groups += _ffn("dense_ffn", layer, h, arch.ffn_size, arch.gated_ffn)
        groups += _ffn("routed_experts", layer, h, moe.expert_ffn_size, arch.gated_ffn, moe.num_experts, True)
        for _ in range(moe.num_shared_experts):
            groups += _ffn("shared_experts", layer, h, moe.shared_expert_ffn_size, arch.gated_ffn)
        groups.append(_matrix("router", "router", layer, h, moe.num_experts))
    if not arch.tie_embeddings:
        groups.append(_matrix("output_head", "output", -1, h, v))
    matrices: dict[str, int] = {}
    for g in groups:
        matrices[g.component] = matrices.get(g.component, 0) + g.total_elements
    for component in breakdown.components:
        rest = component.stored - matrices.get(component.name, 0)
        if rest < 0:  # the inventory must never claim more than the count
            raise ValueError(f"tensor inventory exceeds the {component.name} count by {-rest:,}")
        if rest:
            groups.append(TensorGroup(component.name, "vector", -1, 1, rest, rest))
    return tuple(groups)
