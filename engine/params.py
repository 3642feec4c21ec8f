"""Stored and active parameters per component, counted the way transformers builds the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from paramtui.engine.architecture import Architecture, LayerKind

ComponentName = Literal[
    "embedding", "attention", "dense_ffn", "routed_experts", "shared_experts", "router", "norms", "output_head"
]
"""The components a breakdown reports, in display order."""

COMPONENTS: tuple[ComponentName, ...] = (
    "embedding",
    "attention",
    "dense_ffn",
    "routed_experts",
    "shared_experts",
    "router",
    "norms",
    "output_head",
)


@dataclass(frozen=True, slots=True)
class Component:
    """One component's parameters and how they were counted."""

    name: ComponentName
    """Component name."""
    stored: int
    """Parameters held in memory (every expert included)."""
    active: int
    """Parameters one token uses."""
    basis: str
    """The formula with its inputs, so every number can be traced."""


@dataclass(frozen=True, slots=True)
class ParamBreakdown:
    """Stored vs active parameters of an architecture, per component and in total."""

    components: tuple[Component, ...]
    """Every component in display order (zero-sized ones included)."""
    mtp: int
    """Multi-token-prediction parameters, kept out of the totals (as the authors' headlines do)."""
    mtp_basis: str
    """How ``mtp`` was counted."""
    tied_embeddings: bool
    """Whether the output head shares the embedding table."""

    @property
    def total(self) -> int:
        """Stored parameters: what memory follows."""
        return sum(c.stored for c in self.components)

    @property
    def active(self) -> int:
        """Active parameters per token, the input embedding table included (Mixtral/Qwen/DeepSeek)."""
        return sum(c.active for c in self.components)

    @property
    def active_excluding_embeddings(self) -> int:
        """Active parameters without the input table (gpt-oss convention); a tied table stays as the head."""
        if self.tied_embeddings:
            return self.active
        return self.active - self.component("embedding").active

    def component(self, name: ComponentName) -> Component:
        """Return the named component."""
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(name)


def _linear(n_in: int, n_out: int, bias: bool) -> int:
    """Parameters of a Linear layer."""
    return n_in * n_out + (n_out if bias else 0)


def norm_params(arch: Architecture, width: int) -> int:
    """Parameters of one norm of the given width (LayerNorm adds a bias)."""
    return width * (2 if arch.norm == "layernorm" else 1)


def ffn_params(hidden: int, inner: int, gated: bool, bias: bool) -> int:
    """Parameters of one FFN: gated (gate, up, down) or plain (up, down)."""
    ups = 2 if gated else 1
    return ups * _linear(hidden, inner, bias) + _linear(inner, hidden, bias)


def ssm_layer_params(arch: Architecture) -> tuple[int, int]:
    """Return (mixer params, mixer-internal norm params) of one SSM / short-convolution mixer."""
    s = arch.ssm
    if s is None:  # guarded by Architecture validation
        raise ValueError("ssm layer without ssm spec")
    h, inner, conv = arch.hidden_size, s.inner_size, s.conv_channels
    conv_params = conv * s.conv_kernel + (conv if s.conv_bias else 0)  # depthwise
    out = _linear(inner, h, s.out_proj_bias)
    if s.variant == "shortconv":
        return _linear(h, 3 * inner, s.in_proj_bias) + conv_params + out, 0
    if s.variant == "mamba1":
        params = (
            _linear(h, 2 * inner, s.in_proj_bias)
            + conv_params
            + inner * (s.dt_rank + 2 * s.state_size)  # x_proj, no bias
            + _linear(s.dt_rank, inner, True)  # dt_proj
            + inner * s.state_size  # A_log
            + inner  # D
            + out
        )
        return params, (s.dt_rank + 2 * s.state_size) if s.dt_norms else 0
    in_proj = _linear(h, inner + conv + s.num_heads, s.in_proj_bias)  # z, xBC, dt
    params = in_proj + conv_params + 3 * s.num_heads + out  # dt_bias, A_log, D
    return params, inner if s.gated_norm else 0


def compressed_attention_params(arch: Architecture, ratio: int) -> tuple[int, int]:
    """(params, internal norm params) of one DeepSeek-V4 attention layer with compression ``ratio``.

    transformers' DeepseekV4Attention: q_a (H -> q rank) with its norm, q_b (rank -> heads x d),
    kv (H -> d) with its norm, o_a (heads x d / groups -> groups x o rank, per group: heads x d x
    o rank in all), o_b (groups x o rank -> H), a sink per head. A compressor adds kv and gate
    projections H -> w, a ratio x w position bias and a d-wide norm (w = 2d for CSA's overlapping
    windows, d for HCA); a CSA layer's indexer adds its own compressor at 2 x index width, its
    q_b (q rank -> index heads x index width) and weights_proj (H -> index heads).
    """
    c = arch.compressed
    if c is None:  # guarded by the callers
        raise ValueError("compressed attention without its spec")
    h, heads, d, r = arch.hidden_size, arch.num_heads, arch.head_dim, c.q_lora_rank
    params = h * r + r * heads * d + h * d + heads * d * c.o_lora_rank + c.o_groups * c.o_lora_rank * h + heads
    norms = r + d
    if ratio:
        w = 2 * d if c.is_sparse(ratio) else d
        params += 2 * h * w + ratio * w
        norms += d
        if c.is_sparse(ratio) and c.index_n_heads:
            iw = 2 * c.index_head_dim
            params += 2 * h * iw + ratio * iw + r * c.index_n_heads * c.index_head_dim + h * c.index_n_heads
            norms += c.index_head_dim
    return params, norms


def hyper_connection_params(arch: Architecture) -> int:
    """Hyper-connection mixers (DeepSeek-V4's mHC): two per layer and one before the head.

    Each layer mixer: fn (2 + m) x m rows over m x H, a base of (2 + m) x m and 3 scales; the
    head's: m rows over m x H, m bases and one scale (m = hc_mult streams).
    """
    c = arch.compressed
    if c is None or not c.hc_mult:
        return 0
    m, h = c.hc_mult, arch.hidden_size
    per_mixer = (2 + m) * m * m * h + (2 + m) * m + 3
    return arch.num_layers * 2 * per_mixer + m * m * h + m + 1


def attention_layer_params(arch: Architecture, kind: LayerKind, layer: int | None = None) -> tuple[int, int]:
    """Return (attention params, attention-internal norm params) of one layer of the given kind.

    ``layer`` picks the compression ratio of a DeepSeek-V4 layer (none when omitted).
    """
    h = arch.hidden_size
    if kind == "none":
        return 0, 0
    if arch.compressed is not None and kind not in ("linear", "ssm"):
        ratio = arch.compressed.compress_ratios[layer] if layer is not None else 0
        return compressed_attention_params(arch, ratio)
    if kind == "ssm":
        return ssm_layer_params(arch)
    if kind == "hybrid":
        mixer, mixer_norms = ssm_layer_params(arch)
        attn, attn_norms = attention_layer_params(arch, "full")
        return mixer + attn, mixer_norms + attn_norms
    if kind == "linear":
        la = arch.linear_attention
        if la is None:  # guarded by Architecture validation
            raise ValueError("linear layer without linear_attention spec")
        conv_dim = 2 * la.key_dim + la.value_dim
        params = (
            h * (2 * la.key_dim + 2 * la.value_dim)  # in_proj_qkvz
            + h * 2 * la.num_value_heads  # in_proj_ba (beta and decay inputs)
            + conv_dim * la.conv_kernel  # depthwise conv1d, no bias
            + 2 * la.num_value_heads  # dt_bias and A_log
            + la.value_dim * h  # out_proj
        )
        return params, la.value_head_dim  # gated RMSNorm over each value head
    if arch.mla is not None:
        m = arch.mla
        heads = arch.num_heads
        if m.q_lora_rank:
            q = _linear(h, m.q_lora_rank, arch.qkv_bias) + m.q_lora_rank * heads * m.qk_head_dim
            norms = m.q_lora_rank
        else:
            q = h * heads * m.qk_head_dim
            norms = 0
        kv = _linear(h, m.kv_lora_rank + m.qk_rope_head_dim, arch.qkv_bias)
        kv += m.kv_lora_rank * heads * (m.qk_nope_head_dim + m.v_head_dim)
        o = _linear(heads * m.v_head_dim, h, arch.out_bias)
        return q + kv + o, norms + m.kv_lora_rank
    kv_heads, head, v_head, shared_kv = arch.attention_shape(kind)
    q_width = arch.num_heads * head
    k_width = kv_heads * head
    q = _linear(h, q_width * (2 if arch.attention_output_gate else 1), arch.qkv_bias)
    kv = _linear(h, k_width, arch.qkv_bias) + (0 if shared_kv else _linear(h, kv_heads * v_head, arch.qkv_bias))
    o = _linear(arch.num_heads * v_head, h, arch.out_bias)
    sinks = arch.num_heads if arch.has_sinks(kind) else 0
    qk_norms = 0
    if arch.qk_norm:
        qk_norms = q_width + k_width if arch.qk_norm_all_heads else 2 * head
    return q + kv + o + sinks, qk_norms


def indexer_params(arch: Architecture) -> int:
    """Matrices of one layer's sparse-attention lightning indexer (DeepSeek-V3.2, GLM-5).

    transformers' DeepseekV32Indexer: wq_b from the q latent to heads x head width, wk from the
    hidden state to one key, weights_proj from the hidden state to one weight per head; no biases.
    """
    m = arch.mla
    if m is None or not m.index_n_heads:
        return 0
    return m.q_lora_rank * m.index_n_heads * m.index_head_dim + arch.hidden_size * (m.index_head_dim + m.index_n_heads)


def indexer_norm_params(arch: Architecture) -> int:
    """The indexer's key LayerNorm (weight and bias over one key)."""
    m = arch.mla
    return 2 * m.index_head_dim if m is not None and m.index_n_heads else 0


def expert_params(arch: Architecture) -> int:
    """Parameters of one routed expert."""
    moe = arch.moe
    if moe is None:
        return 0
    return ffn_params(arch.hidden_size, moe.expert_ffn_size, arch.gated_ffn, moe.expert_bias)


def shared_expert_params(arch: Architecture) -> int:
    """Parameters of one MoE layer's shared experts, their sigmoid gate included."""
    moe = arch.moe
    if moe is None or not moe.num_shared_experts:
        return 0
    one = ffn_params(arch.hidden_size, moe.shared_expert_ffn_size, arch.gated_ffn, False)
    return moe.num_shared_experts * one + (arch.hidden_size if moe.shared_expert_gate else 0)


def router_params(arch: Architecture) -> int:
    """Parameters of one MoE layer's router.

    transformers registers DeepSeek-V3's e_score_correction_bias as a buffer, not a parameter
    (it is set by the balancing rule, not learned), so it is not counted; ERNIE 4.5 makes it a
    parameter (``learned_correction_bias``). Gemma 4's router adds a scale per hidden channel and
    one per expert.
    """
    moe = arch.moe
    if moe is None:
        return 0
    extra = (arch.hidden_size + moe.num_experts if moe.router_scales else 0) + (
        moe.num_experts if moe.learned_correction_bias else 0
    )
    return _linear(arch.hidden_size, moe.num_experts, moe.router_bias) + extra


def count_params(arch: Architecture) -> ParamBreakdown:
    """Count stored and active parameters per component.

    The count matches transformers' modeling code built from the same config (see
    scripts/reference_counts.py); active = stored minus the routed experts a token skips.
    """
    h, v, n_layers = arch.hidden_size, arch.vocab_size, arch.num_layers

    embedding = v * h + arch.learned_positions * h
    emb_basis = f"vocab {v:,} x hidden {h:,}" + (
        f" + positions {arch.learned_positions:,} x {h:,}" if arch.learned_positions else ""
    )

    attention = 0
    attn_norms = 0
    kinds: dict[str, int] = {}
    for layer, kind in enumerate(arch.layer_kinds):
        params, norms = attention_layer_params(arch, kind, layer)
        attention += params
        attn_norms += norms
        kinds[kind] = kinds.get(kind, 0) + 1
    indexed = arch.num_indexed_layers
    attention += indexed * indexer_params(arch)
    attn_norms += indexed * indexer_norm_params(arch)
    attn_kind = "MLA" if arch.mla else ("MHA" if arch.num_kv_heads == arch.num_heads else "GQA")
    if arch.compressed is not None:
        ratios = [r for r in arch.compressed.compress_ratios if r]
        attn_kind = f"compressed (DeepSeek-V4: {len(ratios)} of {n_layers} layers compress, shared K/V)"
    attn_basis = f"{attn_kind}, {arch.num_heads} heads / {arch.num_kv_heads} kv heads x head_dim {arch.head_dim}"
    attn_basis += ", layers " + ", ".join(f"{n} {k}" for k, n in kinds.items())
    if indexed:
        attn_basis += f", sparse-attention indexer on {indexed} layers ({indexer_params(arch):,} each)"

    dense_layers = arch.num_dense_ffn_layers
    dense_ffn = dense_layers * ffn_params(h, arch.ffn_size, arch.gated_ffn, arch.mlp_bias)
    dense_basis = f"{dense_layers} layers x {'3' if arch.gated_ffn else '2'} x {h:,} x {arch.ffn_size:,}"

    moe = arch.moe
    moe_layers = arch.num_moe_layers
    per_expert = expert_params(arch)
    routed = shared = router = 0
    routed_active = 0
    routed_basis = shared_basis = router_basis = "dense model: none"
    if moe is not None and moe_layers:
        routed = moe_layers * moe.num_experts * per_expert
        routed_active = moe_layers * moe.top_k * per_expert
        routed_basis = (
            f"{moe_layers} MoE layers x {moe.num_experts} experts x {per_expert:,} "
            f"(active: top-{moe.top_k} of {moe.num_experts})"
        )
        shared_per_layer = shared_expert_params(arch)
        shared = moe_layers * shared_per_layer
        shared_basis = f"{moe_layers} layers x {moe.num_shared_experts} shared ({shared_per_layer:,} per layer)"
        router = moe_layers * router_params(arch)
        router_basis = f"{moe_layers} layers x Linear({h:,} -> {moe.num_experts}{', bias' if moe.router_bias else ''})"
        if moe.router_score_correction_bias:
            router_basis += f"; {moe.num_experts} score-correction biases per layer are buffers, not counted"

    norms = n_layers * arch.norms_per_layer * norm_params(arch, h) + attn_norms
    norms += norm_params(arch, h) if arch.final_norm else 0
    norm_basis = f"{n_layers} layers x {arch.norms_per_layer} {arch.norm} x {h:,} + attention-internal + final"
    hyper = hyper_connection_params(arch)
    if hyper:
        norms += hyper
        norm_basis += f" + hyper-connection mixers {hyper:,}"

    head = (0 if arch.tie_embeddings else v * h) + (v if arch.head_bias else 0)
    head_basis = "tied to the embedding table" if arch.tie_embeddings else f"vocab {v:,} x hidden {h:,}"
    head_basis += f" + bias {v:,}" if arch.head_bias else ""

    components = (
        Component("embedding", embedding, embedding, emb_basis),
        Component("attention", attention, attention, attn_basis),
        Component("dense_ffn", dense_ffn, dense_ffn, dense_basis),
        Component("routed_experts", routed, routed_active, routed_basis),
        Component("shared_experts", shared, shared, shared_basis),
        Component("router", router, router, router_basis),
        Component("norms", norms, norms, norm_basis),
        Component("output_head", head, head, head_basis),
    )
    mtp, mtp_basis = mtp_params(arch)
    return ParamBreakdown(components, mtp, mtp_basis, arch.tie_embeddings)


def mtp_params(arch: Architecture) -> tuple[int, str]:
    """Unique parameters of the multi-token-prediction modules (DeepSeek-V3 layout).

    Each module is one more decoder layer (MoE where the model is), plus two norms (enorm,
    hnorm), a projection 2H -> H and the shared head's norm; it shares the embedding and
    output head with the main model, so those are not counted again.
    """
    if not arch.mtp_layers:
        return 0, "no multi-token-prediction layers"
    h = arch.hidden_size
    attn, attn_norms = attention_layer_params(arch, "full")
    ffn = ffn_params(h, arch.ffn_size, arch.gated_ffn, arch.mlp_bias)
    if arch.moe is not None:
        ffn = arch.moe.num_experts * expert_params(arch) + shared_expert_params(arch) + router_params(arch)
    attn += indexer_params(arch)  # an MTP layer of a sparse-attention model has its own indexer
    attn_norms += indexer_norm_params(arch)
    layer = attn + attn_norms + ffn + arch.norms_per_layer * norm_params(arch, h)
    extra = 3 * norm_params(arch, h) + 2 * h * h
    per_module = layer + extra
    return arch.mtp_layers * per_module, (
        f"{arch.mtp_layers} x (one decoder layer {layer:,} + enorm, hnorm, head norm and 2H x H projection "
        f"{extra:,}); embedding and head shared"
    )


def attention_flops_per_token(arch: Architecture, context: float) -> float:
    """FLOPs of one token's attention scores and weighted sum over ``context`` earlier tokens.

    2 x heads x (qk width + v width) x attended tokens per full or sliding layer (a sliding layer
    attends to at most its window); linear-attention layers add no context term. A layer with a
    DeepSeek sparse-attention indexer attends to its index_topk tokens and scores all. A DeepSeek-V4
    layer attends to its window plus its compressed entries (context / ratio; a CSA layer only
    the index_topk its indexer picks).
    """
    total = 0.0
    c = arch.compressed
    for layer, kind in enumerate(arch.layer_kinds):
        if kind in ("linear", "ssm", "none"):
            continue
        if c is not None:
            ratio = c.compress_ratios[layer]
            attended = min(context, arch.sliding_window or context)
            if ratio:
                entries = context / ratio
                attended += min(entries, c.index_topk) if c.is_sparse(ratio) and c.index_topk else entries
            total += 2 * arch.num_heads * 2 * arch.head_dim * attended
            continue
        if arch.mla is not None:
            width = arch.mla.qk_head_dim + arch.mla.v_head_dim
        else:
            _, head, v_head, _ = arch.attention_shape(kind)
            width = head + v_head
        attended = context if kind in ("full", "hybrid") else min(context, arch.sliding_window)
        m = arch.mla
        if m is not None and m.index_n_heads:
            # DeepSeek sparse attention: the indexer scores every earlier token (fp8, index heads x
            # index width each), the attention reads only the index_topk it keeps.
            if layer not in m.shared_index_layers:
                total += 2 * m.index_n_heads * m.index_head_dim * context
            attended = min(attended, m.index_topk or attended)
        total += 2 * arch.num_heads * width * attended
    return total


def flops_per_token(arch: Architecture, breakdown: ParamBreakdown, context: int) -> int:
    """Forward FLOPs for one token at the given context length: the one FLOPs formula.

    2 x active parameters without the input table (one multiply-add per weight), plus the
    attention over the context (:func:`attention_flops_per_token`). A prompt's prefill is this
    summed over its positions (:func:`prompt_flops`).
    """
    return 2 * breakdown.active_excluding_embeddings + round(attention_flops_per_token(arch, context))


def prompt_flops(arch: Architecture, breakdown: ParamBreakdown, tokens: int) -> float:
    """Forward FLOPs of a causal prompt of ``tokens``.

    Each position's :func:`flops_per_token`, summed: position t attends to t tokens, so the
    attention term is taken at the mean, tokens / 2.
    """
    return tokens * (2 * breakdown.active_excluding_embeddings + attention_flops_per_token(arch, tokens / 2))
