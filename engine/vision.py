"""The vision tower of a multimodal config.json, counted apart from the text model.

Each family's tower is counted from its ``vision_config`` the way transformers builds it
(transformers 5.25: Qwen2.5-VL's and Qwen3-VL's ``visual`` module, Gemma 3's SigLIP
``vision_tower`` and ``multi_modal_projector``, Gemma 4's ``vision_tower`` and ``embed_vision``,
LFM2-VL's SigLIP 2 tower and projector, Llama 4's ``vision_model`` and
``multi_modal_projector``). Audio towers (Gemma 4 E2B/E4B) are not counted.
tests/test_vision_towers.py checks each against transformers' own modules on the meta device
(scripts/reference_counts.py --vision).

Pure: a parsed config in, a count and its basis out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from paramtui.engine.limits import config_int

Config = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class VisionTower:
    """A vision tower's parameters, kept out of the text model's totals."""

    params: int
    """Parameters of the tower and its projector into the text model."""
    basis: str
    """How they were counted."""


def _int(cfg: Config, key: str, default: int) -> int:
    value = cfg.get(key)
    if value is None:
        return default
    return config_int({key: value}, key, what=f"vision_config.{key}")


def _linear(n_in: int, n_out: int, bias: bool = True) -> int:
    return n_in * n_out + (n_out if bias else 0)


def _text_hidden(outer: Config) -> int:
    text = outer.get("text_config")
    source = text if isinstance(text, Mapping) else outer
    return _int(source, "hidden_size", 0)


def _qwen2_5_vl(vc: Config, outer: Config) -> VisionTower:
    """Qwen2.5-VL: Conv3d patch embedding (no bias), RMSNorm blocks with a biased SwiGLU, a 2-layer merger."""
    h, inter, depth = _int(vc, "hidden_size", 3584), _int(vc, "intermediate_size", 3420), _int(vc, "depth", 32)
    patch, temporal = _int(vc, "patch_size", 14), _int(vc, "temporal_patch_size", 2)
    channels = _int(vc, "in_channels", _int(vc, "in_chans", 3))
    merged = h * _int(vc, "spatial_merge_size", 2) ** 2
    out = _int(vc, "out_hidden_size", 3584)
    block = 2 * h + _linear(h, 3 * h) + _linear(h, h) + 2 * _linear(h, inter) + _linear(inter, h)
    merger = h + _linear(merged, merged) + _linear(merged, out)
    total = channels * temporal * patch * patch * h + depth * block + merger
    return VisionTower(total, f"{depth} blocks x {block:,} (width {h}, SwiGLU {inter}) + patch embedding + merger")


def _qwen3_vl(vc: Config, outer: Config) -> VisionTower:
    """Qwen3-VL: biased Conv3d patches, learned positions, LayerNorm blocks, a merger plus DeepStack mergers."""
    h, inter, depth = _int(vc, "hidden_size", 1152), _int(vc, "intermediate_size", 4304), _int(vc, "depth", 27)
    patch, temporal = _int(vc, "patch_size", 16), _int(vc, "temporal_patch_size", 2)
    channels = _int(vc, "in_channels", 3)
    merged = h * _int(vc, "spatial_merge_size", 2) ** 2
    out = _int(vc, "out_hidden_size", 3584)
    indexes = vc.get("deepstack_visual_indexes")  # Qwen3.5 states an empty list: no DeepStack mergers
    deepstack = len(indexes) if isinstance(indexes, list) else 3
    block = 4 * h + _linear(h, 3 * h) + _linear(h, h) + _linear(h, inter) + _linear(inter, h)
    embed = _linear(channels * temporal * patch * patch, h) + _int(vc, "num_position_embeddings", 2304) * h
    merger = _linear(merged, merged) + _linear(merged, out)
    total = embed + depth * block + (2 * h + merger) + deepstack * (2 * merged + merger)
    return VisionTower(
        total,
        f"{depth} blocks x {block:,} (width {h}, MLP {inter}) + patch and position embeddings"
        f" + 1 + {deepstack} mergers",
    )


def _siglip_encoder(vc: Config, positions: int) -> tuple[int, int]:
    """(params, per-layer params) of a SigLIP / SigLIP 2 encoder.

    Biased patch embedding, learned positions, LayerNorm layers with biased attention and MLP,
    post-LayerNorm, the optional pooling head.
    """
    h, inter = _int(vc, "hidden_size", 768), _int(vc, "intermediate_size", 3072)
    layers, patch = _int(vc, "num_hidden_layers", 12), _int(vc, "patch_size", 16)
    channels = _int(vc, "num_channels", 3)
    layer = 4 * h + 4 * _linear(h, h) + _linear(h, inter) + _linear(inter, h)
    head = 0
    if vc.get("vision_use_head", True):
        head = h + _linear(h, 3 * h) + _linear(h, h) + 2 * h + _linear(h, inter) + _linear(inter, h)
    return _linear(channels * patch * patch, h) + positions * h + layers * layer + 2 * h + head, layer


def _siglip(vc: Config, outer: Config) -> VisionTower:
    """Gemma 3: a SigLIP encoder and the projector into the text width (with its RMSNorm)."""
    h, layers = _int(vc, "hidden_size", 768), _int(vc, "num_hidden_layers", 12)
    encoder, layer = _siglip_encoder(vc, (_int(vc, "image_size", 224) // _int(vc, "patch_size", 16)) ** 2)
    projector = h * _text_hidden(outer) + h  # mm_input_projection_weight and mm_soft_emb_norm
    return VisionTower(encoder + projector, f"SigLIP {layers} layers x {layer:,} (width {h}) + embeddings + projector")


def _lfm2_vl(vc: Config, outer: Config) -> VisionTower:
    """LFM2-VL: a SigLIP 2 (NaFlex) encoder, then pixel unshuffle, LayerNorm and a 2-layer projector."""
    h, layers = _int(vc, "hidden_size", 768), _int(vc, "num_hidden_layers", 12)
    encoder, layer = _siglip_encoder(vc, _int(vc, "num_patches", 256))
    unshuffled = h * _int(outer, "downsample_factor", 2) ** 2
    hidden = _int(outer, "projector_hidden_size", 2560)
    bias = bool(outer.get("projector_bias", True))
    norm = 2 * unshuffled if outer.get("projector_use_layernorm", True) else 0
    projector = norm + _linear(unshuffled, hidden, bias) + _linear(hidden, _text_hidden(outer), bias)
    return VisionTower(encoder + projector, f"SigLIP 2 {layers} layers x {layer:,} (width {h}) + projector")


def _llama4(vc: Config, outer: Config) -> VisionTower:
    """Llama 4: unfolded-patch linear embedding, class and position embeddings, biased layers, pixel-shuffle MLP."""
    h, inter = _int(vc, "hidden_size", 768), _int(vc, "intermediate_size", 5632)
    layers, patch = _int(vc, "num_hidden_layers", 34), _int(vc, "patch_size", 14)
    positions = (_int(vc, "image_size", 448) // patch) ** 2 + 1
    channels = _int(vc, "num_channels", 3)
    layer = 4 * _linear(h, h) + _linear(h, inter) + _linear(inter, h) + 4 * h
    adapter = inter * _int(vc, "projector_input_dim", 4096) + _int(vc, "projector_output_dim", 4096) ** 2
    projector = _int(vc, "vision_output_dim", 7680) * _text_hidden(outer)
    total = channels * patch * patch * h + h + positions * h + 4 * h + layers * layer + adapter + projector
    return VisionTower(total, f"{layers} layers x {layer:,} (width {h}) + embeddings + pixel-shuffle MLP + projector")


def _gemma4(vc: Config, outer: Config) -> VisionTower:
    """Gemma 4: a 2-axis position table, a bias-free patch projection, Gemma-style layers, a text projection.

    Each layer: q/k/v/o without biases, per-head q/k RMSNorms, a gated MLP and four RMSNorms. The
    clipped linears' bounds and the standardization vectors are buffers, not parameters.
    """
    h, inter = _int(vc, "hidden_size", 768), _int(vc, "intermediate_size", 3072)
    layers, patch = _int(vc, "num_hidden_layers", 16), _int(vc, "patch_size", 16)
    heads, head_dim = _int(vc, "num_attention_heads", 12), _int(vc, "head_dim", 64)
    kv = _int(vc, "num_key_value_heads", heads)
    attention = h * heads * head_dim * 2 + 2 * h * kv * head_dim + 2 * head_dim
    layer = attention + 3 * h * inter + 4 * h
    embed = 2 * _int(vc, "position_embedding_size", 10240) * h + 3 * patch * patch * h
    projector = h * _text_hidden(outer)
    total = embed + layers * layer + projector
    return VisionTower(total, f"{layers} layers x {layer:,} (width {h}) + patch and position embeddings + projector")


def _kimi_k25(vc: Config, outer: Config) -> VisionTower:
    """Kimi K2.5's MoonViT and its patch-merger projector.

    A biased patch conv, a learned 2-D position grid, LayerNorm blocks with biased attention and
    a GELU MLP, a final LayerNorm; the projector: a LayerNorm and two biased Linears over 2 x 2
    merged patches into the text width.
    """
    h = _int(vc, "vt_hidden_size", _int(vc, "hidden_size", 1152))
    inter = _int(vc, "vt_intermediate_size", _int(vc, "intermediate_size", 4304))
    layers = _int(vc, "vt_num_hidden_layers", _int(vc, "num_hidden_layers", 27))
    patch = _int(vc, "patch_size", 14)
    grid = _int(vc, "init_pos_emb_height", 64) * _int(vc, "init_pos_emb_width", 64)
    merge = vc.get("merge_kernel_size") or [2, 2]
    merged = h * int(merge[0]) * int(merge[1])
    block = 4 * h + 4 * _linear(h, h) + _linear(h, inter) + _linear(inter, h)
    embed = _linear(3 * patch * patch, h) + grid * h
    projector = 2 * _int(vc, "mm_hidden_size", h) + _linear(merged, merged) + _linear(merged, _text_hidden(outer))
    total = embed + layers * block + 2 * h + projector
    return VisionTower(total, f"{layers} layers x {block:,} (width {h}) + patch and position embeddings + projector")


_TOWERS: dict[str, Callable[[Config, Config], VisionTower]] = {
    "qwen2_5_vl": _qwen2_5_vl,
    "qwen3_vl": _qwen3_vl,
    "qwen3_vl_moe": _qwen3_vl,
    "qwen3_5": _qwen3_vl,
    "qwen3_5_moe": _qwen3_vl,
    "kimi_k25": _kimi_k25,
    "gemma3": _siglip,
    "llama4": _llama4,
    "gemma4": _gemma4,
    "lfm2_vl": _lfm2_vl,
}
"""Outer model_type -> its vision tower's count."""


def vision_tower(config: Config) -> VisionTower | None:
    """The vision tower of a multimodal config, or None when it has none or its family is not mapped."""
    vc = config.get("vision_config")
    counter = _TOWERS.get(str(config.get("model_type", "")))
    if not isinstance(vc, Mapping) or counter is None:
        return None
    return counter(vc, config)
