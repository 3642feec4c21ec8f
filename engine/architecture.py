"""The architecture record: every field that decides a decoder-only model's parameter count."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

# Sizes above these are typos, not models (engine/limits.py says why each is where it is).
from paramtui.engine.limits import MAX_CONTEXT, MAX_EXPERTS, MAX_HEADS, MAX_HIDDEN, MAX_LAYERS, MAX_VOCAB

LayerKind = Literal["full", "sliding", "chunked", "linear", "ssm", "hybrid", "none"]
"""How one decoder layer mixes tokens: full causal, sliding window, chunked (Llama 4), linear attention
(Gated DeltaNet), a state-space/convolution mixer (``ssm``: Mamba, LFM2's short convolution), full
attention and an SSM side by side (``hybrid``: Falcon-H1), or no token mixer (``none``: Nemotron-H's
FFN-only blocks)."""

SsmVariant = Literal["mamba2", "mamba1", "shortconv"]
"""Mamba-2 (multi-head SSD), Mamba-1 (selective scan with x/dt projections), or LFM2's gated short convolution."""

SSM_VARIANTS: tuple[SsmVariant, ...] = ("mamba2", "mamba1", "shortconv")

NormKind = Literal["rmsnorm", "layernorm", "layernorm_nobias"]
"""RMSNorm has a weight only; LayerNorm a weight and a bias, or a weight only (DBRX's bias=False)."""

NORM_KINDS: tuple[NormKind, ...] = ("rmsnorm", "layernorm", "layernorm_nobias")

LAYER_KINDS: tuple[LayerKind, ...] = ("full", "sliding", "chunked", "linear", "ssm", "hybrid", "none")

ATTENTION_KINDS: frozenset[LayerKind] = frozenset({"full", "sliding", "chunked", "hybrid"})
"""Kinds with softmax attention over cached keys and values."""


def _require_positive(owner: str, name: str, value: int, upper: int) -> None:
    """Raise a readable error unless ``0 < value <= upper``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{owner}.{name} must be an integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{owner}.{name} must be positive, got {value}")
    if value > upper:
        raise ValueError(f"{owner}.{name} = {value:,} is above the sane limit of {upper:,}")


def _require_non_negative(owner: str, name: str, value: int, upper: int) -> None:
    """Raise a readable error unless ``0 <= value <= upper``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{owner}.{name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{owner}.{name} must not be negative, got {value}")
    if value > upper:
        raise ValueError(f"{owner}.{name} = {value:,} is above the sane limit of {upper:,}")


@dataclass(frozen=True, slots=True)
class MlaSpec:
    """Multi-head latent attention (DeepSeek-V2/V3, Kimi K2): low-rank q and kv projections."""

    q_lora_rank: int
    """Rank of the query compression; 0 means a plain full-rank q projection (DeepSeek-V2-Lite)."""
    kv_lora_rank: int
    """Rank of the joint key/value latent; this latent is what the KV cache holds."""
    qk_nope_head_dim: int
    """Per-head query/key width without rotary embedding."""
    qk_rope_head_dim: int
    """Per-head query/key width with rotary embedding (the key part is shared across heads)."""
    v_head_dim: int
    """Per-head value width."""
    index_n_heads: int = 0
    """Heads of a DeepSeek sparse-attention lightning indexer (DeepSeek-V3.2, GLM-5); 0 means none."""
    index_head_dim: int = 0
    """Width of each indexer head; the indexer caches one key of this width per token and layer."""
    index_topk: int = 0
    """Tokens each query attends to where the indexer selects them (0: all of them)."""
    shared_index_layers: tuple[int, ...] = ()
    """Layers that reuse the previous layer's indexer selection: no indexer weights, no indexer cache (GLM-5.2)."""

    def __post_init__(self) -> None:
        """Validate ranks and head widths."""
        _require_non_negative("mla", "index_n_heads", self.index_n_heads, MAX_HEADS)
        _require_non_negative("mla", "index_head_dim", self.index_head_dim, MAX_HIDDEN)
        _require_non_negative("mla", "index_topk", self.index_topk, MAX_CONTEXT)
        if bool(self.index_n_heads) != bool(self.index_head_dim):
            raise ValueError("mla.index_n_heads and mla.index_head_dim must both be set or both be 0")
        if list(self.shared_index_layers) != sorted(set(self.shared_index_layers)):
            raise ValueError("mla.shared_index_layers must be sorted layer indices without repeats")
        if self.index_n_heads and not self.q_lora_rank:
            raise ValueError("an MLA indexer reads the q latent: mla.q_lora_rank must be positive")
        _require_non_negative("mla", "q_lora_rank", self.q_lora_rank, MAX_HIDDEN)
        _require_positive("mla", "kv_lora_rank", self.kv_lora_rank, MAX_HIDDEN)
        _require_positive("mla", "qk_nope_head_dim", self.qk_nope_head_dim, MAX_HIDDEN)
        _require_positive("mla", "qk_rope_head_dim", self.qk_rope_head_dim, MAX_HIDDEN)
        _require_positive("mla", "v_head_dim", self.v_head_dim, MAX_HIDDEN)

    @property
    def qk_head_dim(self) -> int:
        """Full query/key width per head."""
        return self.qk_nope_head_dim + self.qk_rope_head_dim


@dataclass(frozen=True, slots=True)
class LinearAttentionSpec:
    """Gated DeltaNet linear attention (Qwen3-Next): a fixed-size recurrent state per layer."""

    num_key_heads: int
    """Key (and query) heads."""
    num_value_heads: int
    """Value heads; must be a multiple of the key heads."""
    key_head_dim: int
    """Width of each key head."""
    value_head_dim: int
    """Width of each value head."""
    conv_kernel: int
    """Depthwise short-convolution kernel length over q, k and v."""

    def __post_init__(self) -> None:
        """Validate head counts and widths."""
        for name in ("num_key_heads", "num_value_heads", "key_head_dim", "value_head_dim", "conv_kernel"):
            _require_positive("linear_attention", name, getattr(self, name), MAX_HIDDEN)
        if self.num_value_heads % self.num_key_heads:
            raise ValueError(
                "linear_attention.num_value_heads must be a multiple of num_key_heads "
                f"({self.num_value_heads} is not a multiple of {self.num_key_heads})"
            )

    @property
    def key_dim(self) -> int:
        """Total key width."""
        return self.num_key_heads * self.key_head_dim

    @property
    def value_dim(self) -> int:
        """Total value width."""
        return self.num_value_heads * self.value_head_dim


@dataclass(frozen=True, slots=True)
class SsmSpec:
    """A state-space or short-convolution token mixer (Mamba-1/2, LFM2): a fixed-size state per sequence.

    Mamba-2 (transformers' Mamba2Mixer, also Bamba, Nemotron-H, Falcon-H1, Granite 4.0-H):
    in_proj H -> 2 inner + 2 groups x state + heads; a depthwise conv over inner + 2 groups x
    state channels; dt_bias, A_log and D per head; a gated RMSNorm over inner; out_proj.
    Mamba-1 (Jamba): in_proj H -> 2 inner; conv over inner; x_proj inner -> dt_rank + 2 state;
    dt_proj dt_rank -> inner with bias; A_log inner x state; D; out_proj. Short convolution
    (LFM2): in_proj H -> 3 H, a depthwise conv over H, out_proj H -> H.
    """

    inner_size: int
    """Mixer width (d_inner; the hidden size for a short convolution)."""
    state_size: int = 0
    """SSM state per channel (d_state, N); 0 for a short convolution."""
    num_heads: int = 0
    """Mamba-2 heads (each head_dim = inner / heads); 0 otherwise."""
    n_groups: int = 1
    """Mamba-2 B/C groups."""
    conv_kernel: int = 4
    """Depthwise convolution length (d_conv, LFM2's conv_L_cache)."""
    dt_rank: int = 0
    """Mamba-1 rank of the time-step projection; 0 otherwise."""
    variant: SsmVariant = "mamba2"
    """Which mixer."""
    conv_bias: bool = True
    """The convolution has a bias."""
    in_proj_bias: bool = False
    """The input projection has a bias."""
    out_proj_bias: bool = False
    """The output projection has a bias."""
    gated_norm: bool = True
    """Mamba-2's gated RMSNorm over inner (Falcon-H1's mamba_rms_norm may switch it off)."""
    dt_norms: bool = False
    """Mamba-1 RMSNorms over dt, B and C (Jamba)."""
    state_bytes: int = 2
    """Bytes per cached SSM state value (4 where the config keeps the state in float32)."""

    def __post_init__(self) -> None:
        """Validate widths and the variant's own requirements."""
        if self.variant not in SSM_VARIANTS:
            raise ValueError(f"ssm.variant must be one of {', '.join(SSM_VARIANTS)}, got {self.variant!r}")
        _require_positive("ssm", "inner_size", self.inner_size, MAX_HIDDEN * 16)
        _require_positive("ssm", "conv_kernel", self.conv_kernel, 1024)
        _require_positive("ssm", "n_groups", self.n_groups, MAX_HEADS)
        _require_positive("ssm", "state_bytes", self.state_bytes, 8)
        for name in ("state_size", "num_heads", "dt_rank"):
            _require_non_negative("ssm", name, getattr(self, name), MAX_HIDDEN)
        if self.variant != "shortconv" and not self.state_size:
            raise ValueError(f"ssm.state_size must be positive for {self.variant}")
        if self.variant == "mamba2" and (not self.num_heads or self.inner_size % self.num_heads):
            raise ValueError("ssm.num_heads must be positive and divide inner_size for mamba2")
        if self.variant == "mamba1" and not self.dt_rank:
            raise ValueError("ssm.dt_rank must be positive for mamba1")

    @property
    def conv_channels(self) -> int:
        """Channels of the depthwise convolution (Mamba-2 convolves x, B and C together)."""
        if self.variant == "mamba2":
            return self.inner_size + 2 * self.n_groups * self.state_size
        return self.inner_size


@dataclass(frozen=True, slots=True)
class MoeSpec:
    """Routed mixture-of-experts feed-forward layers."""

    num_experts: int
    """Routed experts per MoE layer (E)."""
    top_k: int
    """Routed experts each token uses (k)."""
    expert_ffn_size: int
    """Intermediate width of one routed expert."""
    num_shared_experts: int = 0
    """Experts every token uses, beside the routed ones."""
    shared_expert_ffn_size: int = 0
    """Intermediate width of one shared expert."""
    shared_expert_gate: bool = False
    """A sigmoid gate Linear(hidden, 1) on the shared expert output (Qwen2-MoE, Qwen3-Next)."""
    router_bias: bool = False
    """The router Linear has a bias (gpt-oss)."""
    router_score_correction_bias: bool = False
    """A per-expert score-correction bias for aux-loss-free balancing (DeepSeek-V3)."""
    expert_bias: bool = False
    """Each expert's projections carry biases (gpt-oss)."""
    dense_layers: tuple[int, ...] = ()
    """Indices of decoder layers that use a dense FFN instead (first_k_dense_replace, interleaving)."""
    learned_correction_bias: bool = False
    """The per-expert score-correction bias is a learned parameter, counted (ERNIE 4.5's moe_statics)."""
    router_scales: bool = False
    """The router scales its input per hidden channel and its scores per expert (Gemma 4)."""

    def __post_init__(self) -> None:
        """Validate expert counts and sizes."""
        _require_positive("moe", "num_experts", self.num_experts, MAX_EXPERTS)
        _require_positive("moe", "top_k", self.top_k, MAX_EXPERTS)
        _require_positive("moe", "expert_ffn_size", self.expert_ffn_size, MAX_HIDDEN * 16)
        _require_non_negative("moe", "num_shared_experts", self.num_shared_experts, MAX_EXPERTS)
        _require_non_negative("moe", "shared_expert_ffn_size", self.shared_expert_ffn_size, MAX_HIDDEN * 16)
        if self.top_k > self.num_experts:
            raise ValueError(
                f"moe.top_k ({self.top_k}) cannot exceed moe.num_experts ({self.num_experts}): "
                "a token cannot use more experts than exist"
            )
        if self.num_shared_experts and not self.shared_expert_ffn_size:
            raise ValueError("moe.shared_expert_ffn_size must be positive when num_shared_experts > 0")
        if list(self.dense_layers) != sorted(set(self.dense_layers)):
            raise ValueError("moe.dense_layers must be sorted layer indices without repeats")


@dataclass(frozen=True, slots=True)
class CompressedAttentionSpec:
    """DeepSeek-V4's attention: one shared 512-wide KV head over a sliding window, plus compressed history.

    Every layer (transformers' DeepseekV4Attention) has a low-rank query (q_a, q_b), one kv
    projection whose output serves as key and value, a grouped low-rank output (o_a per group of
    heads, o_b mixing the groups) and a sink per head. A layer with a compression ratio m also
    keeps one compressed KV entry per m tokens: at ``sparse_ratio`` (CSA, m = 4) through an
    overlapping compressor twice head_dim wide plus a lightning indexer that picks index_topk
    entries; at other ratios (HCA, m = 128) through a plain compressor read in full. Hyper-
    connections (mHC) keep hc_mult residual streams, mixed around attention and the FFN.
    """

    q_lora_rank: int
    """Rank of the query compression."""
    o_groups: int
    """Head groups of the grouped output projection."""
    o_lora_rank: int
    """Width each group is projected to before o_b mixes them."""
    compress_ratios: tuple[int, ...]
    """Compression ratio of each layer; 0 = the sliding window only."""
    sparse_ratio: int = 4
    """Layers with this ratio use compressed sparse attention (overlapping compressor and indexer)."""
    index_n_heads: int = 0
    """Heads of the CSA layers' lightning indexer."""
    index_head_dim: int = 0
    """Width of each indexer head (its compressed keys are cached)."""
    index_topk: int = 0
    """Compressed entries each query attends to in a CSA layer."""
    hc_mult: int = 0
    """Hyper-connection residual streams (0: a plain residual)."""

    def __post_init__(self) -> None:
        """Validate ranks, groups and ratios."""
        for name in ("q_lora_rank", "o_groups", "o_lora_rank", "sparse_ratio"):
            _require_positive("compressed", name, getattr(self, name), MAX_HIDDEN)
        for name in ("index_n_heads", "index_head_dim", "index_topk", "hc_mult"):
            _require_non_negative("compressed", name, getattr(self, name), MAX_CONTEXT)
        for ratio in self.compress_ratios:
            _require_non_negative("compressed", "compress_ratios[]", ratio, MAX_CONTEXT)

    def is_sparse(self, ratio: int) -> bool:
        """Whether a layer of this ratio is a CSA layer (with an indexer)."""
        return ratio == self.sparse_ratio


@dataclass(frozen=True, slots=True)
class Architecture:
    """A decoder-only transformer, dense or MoE, as its parameter count sees it.

    Frozen: an edit makes a new record (``dataclasses.replace``), so the dashboard can keep the
    last valid one on screen while the user types an invalid value.
    """

    name: str
    """Display name."""
    model_type: str
    """The Hugging Face ``model_type`` the record came from or exports to."""
    vocab_size: int
    """Rows of the embedding table."""
    hidden_size: int
    """Residual stream width."""
    num_layers: int
    """Decoder layers (multi-token-prediction layers excluded; see ``mtp_layers``)."""
    num_heads: int
    """Query heads."""
    num_kv_heads: int
    """Key/value heads (GQA; equal to num_heads for MHA, 1 for MQA)."""
    head_dim: int
    """Per-head width; may differ from hidden_size / num_heads."""
    ffn_size: int
    """Intermediate width of the dense FFN (dense models, and dense layers of MoE models)."""
    max_context: int
    """The longest context the model supports."""
    gated_ffn: bool = True
    """SwiGLU-style FFN with three matrices (gate, up, down); False means two (up, down)."""
    qkv_bias: bool = False
    """Biases on the q, k, v projections (Qwen2, gpt-oss, GPT-2)."""
    out_bias: bool = False
    """Bias on the attention output projection."""
    mlp_bias: bool = False
    """Biases on the dense FFN projections."""
    tie_embeddings: bool = False
    """The output head shares the embedding table."""
    head_bias: bool = False
    """The output head has a bias of vocab_size (Phi-3.5-MoE's lm_head_bias)."""
    norm: NormKind = "rmsnorm"
    """Normalisation kind for every norm in the model."""
    norms_per_layer: int = 2
    """Hidden-size norms per decoder layer (2: pre-attention, pre-FFN; Gemma 2/3 have 4)."""
    qk_norm: bool = False
    """RMSNorm on queries and keys (Qwen3, Gemma 3: one head wide; OLMoE: all heads wide)."""
    qk_norm_all_heads: bool = False
    """The q/k norms span every head (OLMoE: heads x head_dim and kv_heads x head_dim), not one head."""
    attention_output_gate: bool = False
    """The q projection also produces a sigmoid output gate (Qwen3-Next): q is twice as wide."""
    attention_sinks: bool = False
    """One learned sink logit per head and layer (gpt-oss)."""
    learned_positions: int = 0
    """Rows of a learned absolute position table (GPT-2); 0 for rotary models."""
    final_norm: bool = True
    """A norm after the last layer."""
    v_head_dim: int = 0
    """Per-head value width where it differs from head_dim (MiMo-V2-Flash); 0 means head_dim."""
    full_num_kv_heads: int = 0
    """Key/value heads of the full-attention layers where they differ (Gemma 4's global layers,
    MiMo-V2-Flash's full layers); 0 means num_kv_heads."""
    full_head_dim: int = 0
    """Query/key head width of the full-attention layers where it differs; 0 means head_dim."""
    full_v_head_dim: int = 0
    """Value head width of the full-attention layers where it differs; 0 means their head width."""
    full_shared_kv: bool = False
    """Full-attention layers use their keys as values (Gemma 4's attention_k_eq_v): no v projection."""
    full_no_sinks: bool = False
    """With attention_sinks: only the sliding layers have sinks (MiMo-V2-Flash)."""
    dense_ffn_with_moe: bool = False
    """Each MoE layer also runs the dense FFN beside its experts (Gemma 4 26B-A4B)."""
    mla: MlaSpec | None = None
    """Multi-head latent attention, or None for MHA/GQA/MQA."""
    moe: MoeSpec | None = None
    """Routed experts, or None for a dense model."""
    linear_attention: LinearAttentionSpec | None = None
    """Linear-attention spec for the layers whose kind is ``linear``."""
    ssm: SsmSpec | None = None
    """State-space / short-convolution mixer of the layers whose kind is ``ssm`` or ``hybrid``."""
    compressed: CompressedAttentionSpec | None = None
    """DeepSeek-V4's compressed attention, replacing the q/k/v/o layout of every layer."""
    no_ffn_layers: tuple[int, ...] = ()
    """Layers without any FFN (Nemotron-H's mixer-only blocks, Mamba-2): neither dense nor MoE."""
    layer_types: tuple[LayerKind, ...] = ()
    """Attention kind of each layer; empty means every layer is full attention."""
    sliding_window: int = 0
    """Window of sliding layers (and chunk size of chunked layers), in tokens."""
    mtp_layers: int = 0
    """Multi-token-prediction layers: kept out of total and active, reported apart."""
    weights_dtype: str = "bf16"
    """The checkpoint's 16/32-bit dtype (``torch_dtype``)."""
    quantization: str = ""
    """The checkpoint's ``quantization_config.quant_method`` (fp8, mxfp4, awq, ...), or empty."""

    def __post_init__(self) -> None:
        """Validate every field; raise ValueError naming the field and the rule."""
        if not self.name.strip():
            raise ValueError("name must not be empty")
        _require_positive("architecture", "vocab_size", self.vocab_size, MAX_VOCAB)
        _require_positive("architecture", "hidden_size", self.hidden_size, MAX_HIDDEN)
        _require_positive("architecture", "num_layers", self.num_layers, MAX_LAYERS)
        _require_positive("architecture", "num_heads", self.num_heads, MAX_HEADS)
        _require_positive("architecture", "num_kv_heads", self.num_kv_heads, MAX_HEADS)
        _require_positive("architecture", "head_dim", self.head_dim, MAX_HIDDEN)
        _require_positive("architecture", "ffn_size", self.ffn_size, MAX_HIDDEN * 16)
        _require_positive("architecture", "max_context", self.max_context, MAX_CONTEXT)
        _require_non_negative("architecture", "norms_per_layer", self.norms_per_layer, 64)
        _require_non_negative("architecture", "learned_positions", self.learned_positions, MAX_CONTEXT)
        _require_non_negative("architecture", "sliding_window", self.sliding_window, MAX_CONTEXT)
        _require_non_negative("architecture", "mtp_layers", self.mtp_layers, 64)
        for name in ("v_head_dim", "full_head_dim", "full_v_head_dim"):
            _require_non_negative("architecture", name, getattr(self, name), MAX_HIDDEN)
        _require_non_negative("architecture", "full_num_kv_heads", self.full_num_kv_heads, MAX_HEADS)
        if self.full_num_kv_heads and self.num_heads % self.full_num_kv_heads:
            raise ValueError(
                f"num_heads ({self.num_heads}) must be divisible by full_num_kv_heads ({self.full_num_kv_heads})"
            )
        if self.norm not in NORM_KINDS:
            raise ValueError(f"norm must be one of {', '.join(NORM_KINDS)}, got {self.norm!r}")
        if self.num_kv_heads > self.num_heads:
            raise ValueError(f"num_kv_heads ({self.num_kv_heads}) cannot exceed num_heads ({self.num_heads})")
        if self.mla is None and self.num_heads % self.num_kv_heads:
            raise ValueError(
                f"num_heads ({self.num_heads}) must be divisible by num_kv_heads ({self.num_kv_heads}): "
                "each key/value head serves a whole group of query heads"
            )
        if self.layer_types:
            if len(self.layer_types) != self.num_layers:
                raise ValueError(f"layer_types has {len(self.layer_types)} entries but num_layers is {self.num_layers}")
            unknown = sorted(set(self.layer_types) - set(LAYER_KINDS))
            if unknown:
                raise ValueError(f"layer_types has unknown kinds {unknown}; use {', '.join(LAYER_KINDS)}")
            if "linear" in self.layer_types and self.linear_attention is None:
                raise ValueError("layer_types has linear layers but linear_attention is not set")
            if ("ssm" in self.layer_types or "hybrid" in self.layer_types) and self.ssm is None:
                raise ValueError("layer_types has ssm or hybrid layers but ssm is not set")
            if ("sliding" in self.layer_types or "chunked" in self.layer_types) and not self.sliding_window:
                raise ValueError("sliding_window must be positive when some layers are sliding or chunked")
        if self.compressed is not None and len(self.compressed.compress_ratios) != self.num_layers:
            raise ValueError(
                f"compressed.compress_ratios has {len(self.compressed.compress_ratios)} entries "
                f"but num_layers is {self.num_layers}"
            )
        if self.moe is not None and self.moe.dense_layers and self.moe.dense_layers[-1] >= self.num_layers:
            raise ValueError(
                f"moe.dense_layers names layer {self.moe.dense_layers[-1]} but there are only {self.num_layers} layers"
            )

        if list(self.no_ffn_layers) != sorted(set(self.no_ffn_layers)):
            raise ValueError("no_ffn_layers must be sorted layer indices without repeats")
        if self.no_ffn_layers and self.no_ffn_layers[-1] >= self.num_layers:
            raise ValueError(f"no_ffn_layers names layer {self.no_ffn_layers[-1]} but there are {self.num_layers}")
        if self.moe is not None and set(self.moe.dense_layers) & set(self.no_ffn_layers):
            raise ValueError("a layer cannot be both in moe.dense_layers and in no_ffn_layers")

    @property
    def kind(self) -> Literal["dense", "moe"]:
        """``moe`` when any layer has routed experts."""
        return "moe" if self.moe is not None and self.num_moe_layers > 0 else "dense"

    @property
    def layer_kinds(self) -> tuple[LayerKind, ...]:
        """The attention kind of every layer (all ``full`` when layer_types is empty)."""
        if self.layer_types:
            return self.layer_types
        full: LayerKind = "full"
        return tuple(full for _ in range(self.num_layers))

    def attention_shape(self, kind: LayerKind) -> tuple[int, int, int, bool]:
        """(kv heads, q/k head width, v head width, keys double as values) of a softmax layer of ``kind``.

        Full-attention layers may have their own shape (Gemma 4's global layers: fewer, wider kv
        heads); sliding and chunked layers use the record's own.
        """
        if kind in ("full", "hybrid"):
            head = self.full_head_dim or self.head_dim
            v_head = self.full_v_head_dim or (head if self.full_head_dim else self.v_head_dim or head)
            return self.full_num_kv_heads or self.num_kv_heads, head, v_head, self.full_shared_kv
        return self.num_kv_heads, self.head_dim, self.v_head_dim or self.head_dim, False

    @property
    def num_indexed_layers(self) -> int:
        """Layers with their own sparse-attention indexer (weights and key cache)."""
        if self.mla is None or not self.mla.index_n_heads:
            return 0
        return self.num_layers - len(self.mla.shared_index_layers)

    def has_sinks(self, kind: LayerKind) -> bool:
        """Whether a softmax layer of ``kind`` has one learned sink logit per head."""
        return self.attention_sinks and not (self.full_no_sinks and kind in ("full", "hybrid"))

    @property
    def num_moe_layers(self) -> int:
        """Layers with routed experts."""
        if self.moe is None:
            return 0
        return self.num_layers - len(self.moe.dense_layers) - len(self.no_ffn_layers)

    @property
    def num_dense_ffn_layers(self) -> int:
        """Layers with a dense FFN (every MoE layer too where ``dense_ffn_with_moe``)."""
        if self.dense_ffn_with_moe:
            return self.num_layers - len(self.no_ffn_layers)
        return self.num_layers - self.num_moe_layers - len(self.no_ffn_layers)


def field_names(record: type) -> tuple[str, ...]:
    """Names of a record's fields, in declaration order (the editor walks these)."""
    return tuple(f.name for f in fields(record))


SECTIONS: dict[str, type] = {
    "mla": MlaSpec,
    "moe": MoeSpec,
    "linear_attention": LinearAttentionSpec,
    "ssm": SsmSpec,
    "compressed": CompressedAttentionSpec,
}
"""The record's optional sections (None when absent) and the spec type each one holds."""
