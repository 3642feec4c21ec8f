"""What a published checkpoint holds, from its tensor headers: exact parameters and bytes.

The adapters read safetensors headers (from disk or by HTTP range requests) and GGUF tensor
tables; this module turns the tensor list into facts: stored parameters per dtype, the exact
bytes of the files as published (FP8 with its scale tensors, int4 packs, MXFP4 blocks), the
split by component (per-expert ``experts.N.`` tensors and fused expert tensors are routed
experts), what is set aside before comparing with the config-derived count (MTP layers,
vision towers, scale tensors, buffers), and the remaining mismatch, which is shown, not hidden.

Pure: no I/O. Header bytes come in, frozen records go out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from paramtui.engine.architecture import Architecture
from paramtui.engine.limits import MAX_TENSOR_ELEMENTS, SAFETENSORS_HEADER_BYTES
from paramtui.engine.params import COMPONENTS, Component, ComponentName, ParamBreakdown
from paramtui.engine.precision import WeightsEstimate
from paramtui.engine.safe_json import JsonInputError, parse_json

MAX_HEADER_BYTES = SAFETENSORS_HEADER_BYTES
"""A safetensors header longer than this is refused (the format's own reader caps it at 100 MB)."""

DTYPE_BITS: Mapping[str, int] = {
    "F64": 64,
    "I64": 64,
    "U64": 64,
    "F32": 32,
    "I32": 32,
    "U32": 32,
    "F16": 16,
    "BF16": 16,
    "I16": 16,
    "U16": 16,
    "F8_E4M3": 8,
    "F8_E5M2": 8,
    "F8_E8M0": 8,
    "I8": 8,
    "U8": 8,
    "BOOL": 8,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
    "F4": 4,
}
"""Bits per stored element of each safetensors dtype (safetensors' ``Dtype`` enum)."""

Role = Literal["weight", "scale", "buffer", "mtp", "vision"]
"""What a tensor is for: a model weight, a quantization scale/zero/index, a non-learned buffer,
part of the multi-token-prediction module, or part of a vision/audio tower."""


class HeaderError(ValueError):
    """A safetensors header that is missing, too long, truncated or inconsistent."""


@dataclass(frozen=True, slots=True)
class TensorEntry:
    """One tensor as a checkpoint header declares it."""

    name: str
    """Tensor name (``model.layers.0.self_attn.q_proj.weight``)."""
    dtype: str
    """Stored dtype (safetensors names: BF16, F8_E4M3, U8, ...; GGUF type names for GGUF)."""
    shape: tuple[int, ...]
    """Stored shape (packed formats store fewer elements than they encode)."""
    nbytes: int
    """Exact bytes in the file."""

    @property
    def elements(self) -> int:
        """Stored elements (the product of the shape)."""
        n = 1
        for d in self.shape:
            n *= d
        return n


def parse_safetensors_header(prefix: bytes, file_size: int | None, filename: str) -> tuple[int, bytes | None]:
    """Read the 8-byte little-endian header length and return it with the header bytes if present.

    Args:
        prefix: the first bytes of the file (at least 8).
        file_size: the file's size when known, to refuse a header that runs past it.
        filename: named in error messages.

    Returns:
        (header length, the header JSON bytes when ``prefix`` already holds them, else None).

    Raises:
        HeaderError: the length is absurd or runs past the end of the file.
    """
    if len(prefix) < 8:
        raise HeaderError(f"{filename}: file is {len(prefix)} bytes, too short for a safetensors header")
    length = int.from_bytes(prefix[:8], "little")
    if length > MAX_HEADER_BYTES:
        raise HeaderError(
            f"{filename}: header length {length:,} bytes is above the 100 MB limit; not a safetensors file"
        )
    if file_size is not None and 8 + length > file_size:
        raise HeaderError(f"{filename}: header length {length:,} runs past the end of the {file_size:,}-byte file")
    if len(prefix) >= 8 + length:
        return length, prefix[8 : 8 + length]
    return length, None


def decode_safetensors_header(raw: bytes, file_size: int | None, filename: str) -> tuple[TensorEntry, ...]:
    """Decode a header's JSON into tensor entries, checking every offset and size.

    Raises:
        HeaderError: truncated or invalid JSON, a bad entry, or data offsets past the file.
    """
    try:
        header = parse_json(raw, f"{filename}: header")
    except JsonInputError as exc:
        raise HeaderError(f"{exc}; the file is truncated or not safetensors") from None
    if not isinstance(header, dict):
        raise HeaderError(f"{filename}: header must be a JSON object")
    data_size = None if file_size is None else file_size - 8 - len(raw)
    entries = []
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        entries.append(_entry(name, spec, data_size, filename))
    return tuple(entries)


def _entry(name: str, spec: object, data_size: int | None, filename: str) -> TensorEntry:
    if not isinstance(spec, dict):
        raise HeaderError(f"{filename}: tensor {name!r} has no dtype/shape/data_offsets object")
    dtype, shape, offsets = spec.get("dtype"), spec.get("shape"), spec.get("data_offsets")
    if not isinstance(dtype, str) or not isinstance(shape, list) or not isinstance(offsets, list) or len(offsets) != 2:
        raise HeaderError(f"{filename}: tensor {name!r} lacks dtype, shape or data_offsets")
    if len(shape) > 8 or not all(
        isinstance(d, int) and not isinstance(d, bool) and 0 <= d < MAX_TENSOR_ELEMENTS for d in (*shape, *offsets)
    ):
        raise HeaderError(f"{filename}: tensor {name!r} has a bad shape or offset")
    begin, end = offsets
    if end < begin or (data_size is not None and end > data_size):
        raise HeaderError(f"{filename}: tensor {name!r} data [{begin}, {end}) lies outside the file")
    entry = TensorEntry(name, dtype, tuple(shape), end - begin)
    bits = DTYPE_BITS.get(dtype)
    if bits is not None and entry.nbytes != (entry.elements * bits + 7) // 8:
        raise HeaderError(f"{filename}: tensor {name!r} holds {entry.nbytes:,} bytes, not what {dtype}{shape} needs")
    if bits is None:
        raise HeaderError(f"{filename}: tensor {name!r} has dtype {dtype[:20]!r}, which safetensors does not define")
    return entry


_SCALE = re.compile(
    r"(weight_scale(_inv|_2)?|input_scale|(?<!per_expert)_scales?|\.scales|qzeros|g_idx|zero_point|weight_zero_point|"
    r"\.SCB|weight_format|absmax|quant_map|quant_state\S*|nested_\w+)$"
)
_BUFFER = re.compile(
    r"((?<!moe_statics\.)e_score_correction_bias|rotary_emb\.inv_freq|\.attn\.bias|\.attn\.masked_bias|exp_probs_b(\.bias)?|"
    r"rope_freqs\.weight)$"
)
_VISION = re.compile(
    r"(^|\.)(vision_tower|vision_model|visual|vision_encoder|multi_modal_projector|mm_projector|audio_tower|"
    r"vision|image_newline|patch_embed|embed_vision|audio_model)\."
)
_MTP = re.compile(r"(^|\.)mtp\.|^model\.mtp|(^|\.)nextn\.")
_LAYER = re.compile(r"(?:^|\.)(?:layers|h|blocks|block|layer|blk)\.(\d+)\.")
_ROUTED = re.compile(r"\.experts\.|_exps\.")
_SHARED = re.compile(r"shared_expert|_shexp\.")
_ROUTER = re.compile(
    r"\.mlp\.gate\.|\.block_sparse_moe\.gate\.|\.router\.|\.moe\.gate\.|\.ffn_gate_inp\.|\.mixer\.gate\.|"
    r"\.moe_statics\."  # ERNIE 4.5's learned score-correction bias: a parameter, counted with the router
)
_EMBED = re.compile(
    r"(embed_tokens|\.wte\.|^wte\.|word_embeddings|tok_embeddings|\.wpe\.|^wpe\.|token_embd|^backbone\.embeddings\.)"
)
_HEADS = frozenset({"lm_head", "output", "embed_out"})
_NORM = re.compile(r"ln_\w+|ln|norm")
_ATTN = re.compile(r"self_attn|\.attn\.|\.attn_|attention|linear_attn|\.mixer\.|\.ssm_|\.mamba\.|\.conv\.")


def classify(name: str, num_layers: int) -> tuple[Role, ComponentName | None]:
    """The role of a tensor and, for model weights, the breakdown component it belongs to.

    Args:
        name: the tensor's name in the checkpoint.
        num_layers: decoder layers of the model; higher layer indices are MTP layers
            (DeepSeek-V3 stores its MTP module as ``model.layers.61``).
    """
    if _VISION.search(name):
        return "vision", None
    if _MTP.search(name):
        return "mtp", None
    layer = _LAYER.search(name)
    if layer is not None and int(layer.group(1)) >= num_layers:
        return "mtp", None
    if _BUFFER.search(name):
        return "buffer", None
    if _SCALE.search(name):
        return "scale", None
    return "weight", _component(name)


def _component(name: str) -> ComponentName:
    """The component of a weight, or of the weight a scale tensor belongs to.

    Scale tensors name their module as the weight does (``q_proj.weight_scale_inv``, ``lm_head.qzeros``).
    """
    parts = name.split(".")
    module = parts[-2] if len(parts) > 1 else name
    if _EMBED.search(name):
        return "embedding"
    if module in _HEADS:
        return "output_head"
    if _SHARED.search(name):
        return "shared_experts"
    if _ROUTED.search(name):
        return "routed_experts"
    if _ROUTER.search(name):
        return "router"
    if _NORM.fullmatch(module) or "norm" in module.lower():
        return "norms"
    if module.isdigit() and len(parts) > 2 and "norm" in parts[-3].lower():  # StableLM's q_layernorm.norms.<head>
        return "norms"
    if module in ("up_proj", "down_proj", "gate_proj", "gate_up_proj"):  # Nemotron-H's MLP blocks are mixers too
        return "dense_ffn"
    if _ATTN.search(name) or "rope" in name or "rotary" in name:
        return "attention"
    return "dense_ffn"


def _pack_factor(entry: TensorEntry, quant_method: str) -> int:
    """Parameters encoded per stored element of a packed tensor (1 when not packed).

    gpt-oss MXFP4 ``*_blocks`` and ModelOpt NVFP4 ``weight`` tensors hold two 4-bit values per
    byte; AWQ/GPTQ ``qweight`` and compressed-tensors ``weight_packed`` hold eight per int32.
    """
    if entry.name.endswith("_blocks") and entry.dtype == "U8":
        return 2
    if entry.name.endswith(("qweight", "weight_packed")) and entry.dtype == "I32":
        return 8
    if entry.dtype == "U8" and quant_method in ("modelopt", "nvfp4") and entry.name.endswith("weight"):
        return 2
    return 1


@dataclass(frozen=True, slots=True)
class CheckpointSummary:
    """Exact facts about a checkpoint's weights, grouped the way the dashboard shows them."""

    files: tuple[tuple[str, int], ...]
    """(file name, size in bytes) of every weight file read."""
    tensor_count: int
    """Tensors declared in the headers."""
    params_by_dtype: Mapping[str, int]
    """Stored elements per dtype, over every tensor (what the headers say, packed or not)."""
    bytes_by_dtype: Mapping[str, int]
    """Exact tensor bytes per dtype."""
    component_params: Mapping[ComponentName, int]
    """Model parameters per component (MTP, vision, scales and buffers set aside; packs unpacked)."""
    component_bytes: Mapping[ComponentName, int]
    """Exact bytes per component, each weight's scale tensors included with it."""
    routed_expert_params: int
    """Parameters in routed-expert tensors."""
    aside_params: Mapping[str, int]
    """Elements set aside before the cross-check, by role (mtp, vision, scale, buffer)."""
    aside_bytes: Mapping[str, int]
    """Bytes set aside, by role."""
    quant_method: str
    """The config's quantization_config.quant_method, or empty."""

    @property
    def total_params(self) -> int:
        """Model parameters (what the config-derived total counts)."""
        return sum(self.component_params.values())

    @property
    def model_bytes(self) -> int:
        """Bytes of the language model's weights as published (scales included, MTP and vision not)."""
        return sum(self.component_bytes.values())

    @property
    def file_bytes(self) -> int:
        """Bytes of every weight file read (headers included)."""
        return sum(size for _, size in self.files)


def summarize(
    entries: Iterable[TensorEntry], files: Iterable[tuple[str, int]], arch: Architecture
) -> CheckpointSummary:
    """Group a checkpoint's tensors into exact per-component parameters and bytes.

    Scale tensors (``weight_scale_inv``, ``_scales``, ``qzeros``, ...) are charged to the
    component of the weight they scale: the bytes are real memory, the values are not parameters.
    """
    params_by_dtype: dict[str, int] = {}
    bytes_by_dtype: dict[str, int] = {}
    component_params = dict.fromkeys(COMPONENTS, 0)
    component_bytes = dict.fromkeys(COMPONENTS, 0)
    aside_params: dict[str, int] = {}
    aside_bytes: dict[str, int] = {}
    routed = count = 0
    for entry in entries:
        count += 1
        params_by_dtype[entry.dtype] = params_by_dtype.get(entry.dtype, 0) + entry.elements
        bytes_by_dtype[entry.dtype] = bytes_by_dtype.get(entry.dtype, 0) + entry.nbytes
        role, component = classify(entry.name, arch.num_layers)
        if role in ("scale", "buffer"):  # loaded with the model: their bytes count, their values are not parameters
            component_bytes[_component(entry.name)] += entry.nbytes
        if role != "weight" or component is None:
            aside_params[role] = aside_params.get(role, 0) + entry.elements
            aside_bytes[role] = aside_bytes.get(role, 0) + entry.nbytes
            continue
        params = entry.elements * _pack_factor(entry, arch.quantization)
        component_params[component] += params
        component_bytes[component] += entry.nbytes
        if component == "routed_experts":
            routed += params
    return CheckpointSummary(
        tuple(files),
        count,
        params_by_dtype,
        bytes_by_dtype,
        component_params,
        component_bytes,
        routed,
        aside_params,
        aside_bytes,
        arch.quantization,
    )


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """The headers' parameter count against the config-derived one."""

    header_total: int
    """Model parameters found in the headers (MTP, vision, scales and buffers set aside)."""
    config_total: int
    """The engine's count from config.json."""
    per_component: tuple[tuple[ComponentName, int, int], ...]
    """(component, from headers, from config) where they differ."""

    @property
    def difference(self) -> int:
        """Headers minus config."""
        return self.header_total - self.config_total

    @property
    def matches(self) -> bool:
        """True when the totals agree exactly."""
        return self.difference == 0

    def describe(self) -> str:
        """One line for the report."""
        if self.matches:
            return f"headers and config.json agree: {self.header_total:,} parameters"
        parts = ", ".join(f"{name} {h - c:+,}" for name, h, c in self.per_component)
        return (
            f"headers hold {self.header_total:,} parameters, config.json gives {self.config_total:,} "
            f"({self.difference:+,}: {parts or 'spread over components'})"
        )


def cross_check(summary: CheckpointSummary, breakdown: ParamBreakdown) -> CrossCheck:
    """Compare the headers with the config-derived breakdown, per component and in total."""
    config = {c.name: c.stored for c in breakdown.components}
    diffs = tuple(
        (name, summary.component_params[name], config.get(name, 0))
        for name in COMPONENTS
        if summary.component_params[name] != config.get(name, 0)
    )
    return CrossCheck(summary.total_params, breakdown.total, diffs)


def active_params(summary: CheckpointSummary, arch: Architecture) -> int:
    """Parameters one token uses: everything outside the routed experts plus top-k of E of them."""
    if arch.moe is None or summary.routed_expert_params == 0:
        return summary.total_params
    share = arch.moe.top_k / arch.moe.num_experts
    return round(summary.total_params - summary.routed_expert_params * (1 - share))


def checkpoint_weights(
    summary: CheckpointSummary, arch: Architecture, precision: str, with_vision: bool = False, with_mtp: bool = False
) -> WeightsEstimate:
    """The weights estimate from exact checkpoint bytes, in the shape the fit and speed code use.

    Bytes read per decode step: every non-routed component's bytes except the input embedding
    table (a token reads one row; tied tables count, they are the output head too), plus the
    routed experts' bytes times top-k / E. A vision tower or MTP module adds to the stored
    bytes when the runtime loads it (``with_vision``, ``with_mtp``), not to the bytes per token.
    """
    parts = dict(summary.component_bytes)
    routed = parts["routed_experts"]
    share = arch.moe.top_k / arch.moe.num_experts if arch.moe is not None else 1.0
    read = sum(b for name, b in parts.items() if name not in ("routed_experts", "embedding"))
    if arch.tie_embeddings:
        read += parts["embedding"]
    active = round(read + routed * share)
    extras = {"vision": with_vision, "mtp": with_mtp}
    loaded = {role: summary.aside_bytes.get(role, 0) for role, on in extras.items() if on}
    total = sum(parts.values()) + sum(loaded.values())
    by_size = sorted(summary.bytes_by_dtype.items(), key=lambda x: -x[1])
    dtypes = ", ".join(f"{d} {b / 2**30:.2f} GiB" for d, b in by_size)
    left = [role for role, on in extras.items() if not on and summary.aside_bytes.get(role)]
    added = [f"{role} {b / 2**30:.2f} GiB loaded" for role, b in loaded.items() if b]
    basis = (
        f"exact: {total:,} bytes from the headers of {len(summary.files)} checkpoint file(s) ({dtypes})"
        + (f"; {', '.join(added)}" if added else "")
        + (f"; {' and '.join(left)} tensors not loaded by this runtime" if left else "")
    )
    encodings = dict(summary.params_by_dtype)
    return WeightsEstimate(precision, parts, total, active, routed, encodings, basis, exact=True)


_EXPERT_INDEX = re.compile(r"\.experts\.(\d+)\.")


def expert_count(entries: Iterable[TensorEntry]) -> int:
    """Routed experts per layer as the tensor names number them (``experts.N.``); 0 when unnumbered."""
    indices = {int(m.group(1)) for e in entries if (m := _EXPERT_INDEX.search(e.name)) and not _SHARED.search(e.name)}
    return max(indices) + 1 if indices else 0


def breakdown_from_headers(summary: CheckpointSummary, num_experts: int, top_k: int) -> ParamBreakdown:
    """A parameter breakdown from the headers alone: exact whatever the architecture.

    Stored parameters per component are the tensors' (MTP, vision, scales and buffers set
    aside, packs unpacked). Active: everything but the routed experts, plus top_k / num_experts
    of them; when either is unknown (0) every routed expert is counted active and the basis says so.
    """
    routed = summary.routed_expert_params
    known = bool(routed and num_experts and top_k and top_k <= num_experts)
    components = []
    for name in COMPONENTS:
        stored = summary.component_params[name]
        active = stored
        basis = f"from the checkpoint's headers: {stored:,} parameters"
        if name == "routed_experts" and routed:
            if known:
                active = stored * top_k // num_experts
                basis += f" (active: top-{top_k} of {num_experts} experts)"
            else:
                basis += " (top-k unknown: all counted active)"
        components.append(Component(name, stored, active, basis))
    aside = summary.aside_params.get("mtp", 0)
    return ParamBreakdown(
        tuple(components),
        aside,
        f"{aside:,} parameters in multi-token-prediction tensors (headers)",
        summary.component_params["output_head"] == 0,
    )
