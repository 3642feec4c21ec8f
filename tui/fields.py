"""Which architecture fields the editor shows, how text becomes a value, and how an edit applies.

Derived from the Architecture dataclass itself, so a field added to the record gets an input
without touching the UI (the test walks the record and fails on any field without one).
Nested specs (MLA, MoE, linear attention) appear as ``moe.top_k`` and so on; their section is
switched on with defaults that make a sensible model (Mixtral-like MoE, DeepSeek-like MLA).
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from paramtui.engine.architecture import (
    SECTIONS,
    Architecture,
    CompressedAttentionSpec,
    LinearAttentionSpec,
    MlaSpec,
    MoeSpec,
    SsmSpec,
)

# SECTIONS (from the record): the optional nested specs, each switched on or off as a whole.

GROUPS: dict[str, tuple[str, ...]] = {
    "model": ("name", "model_type", "vocab_size", "hidden_size", "num_layers", "max_context", "tie_embeddings",
              "head_bias", "learned_positions", "weights_dtype", "quantization", "mtp_layers"),
    "attention": ("num_heads", "num_kv_heads", "head_dim", "qkv_bias", "out_bias", "qk_norm",
                  "qk_norm_all_heads", "attention_output_gate", "attention_sinks", "sliding_window", "layer_types",
                  "v_head_dim", "full_num_kv_heads", "full_head_dim", "full_v_head_dim", "full_shared_kv",
                  "full_no_sinks"),
    "ffn": ("ffn_size", "gated_ffn", "mlp_bias", "no_ffn_layers", "dense_ffn_with_moe"),
    "norms": ("norm", "norms_per_layer", "final_norm"),
}  # fmt: skip
"""Top-level fields by editor group; the nested specs form their own groups."""


def default_section(name: str, arch: Architecture) -> Any:
    """The spec a section starts with when the user switches it on."""
    if name == "moe":
        return MoeSpec(num_experts=8, top_k=2, expert_ffn_size=arch.ffn_size)
    if name == "ssm":  # Mamba-2 as Nemotron-H / Bamba build it
        return SsmSpec(inner_size=2 * arch.hidden_size, state_size=128, num_heads=2 * arch.hidden_size // 64)
    if name == "compressed":  # DeepSeek-V4-Flash's layout: CSA and HCA layers alternate after two plain ones
        ratios = tuple(0 if i < 2 else (4 if i % 2 == 0 else 128) for i in range(arch.num_layers))
        return CompressedAttentionSpec(
            q_lora_rank=1024, o_groups=8, o_lora_rank=1024, compress_ratios=ratios,
            index_n_heads=64, index_head_dim=128, index_topk=512, hc_mult=4,
        )  # fmt: skip
    if name == "mla":
        return MlaSpec(q_lora_rank=1536, kv_lora_rank=512, qk_nope_head_dim=128, qk_rope_head_dim=64, v_head_dim=128)
    return LinearAttentionSpec(
        num_key_heads=16, num_value_heads=32, key_head_dim=128, value_head_dim=128, conv_kernel=4
    )


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One editable field."""

    path: str
    """``hidden_size`` or ``moe.top_k``."""
    kind: str
    """int, bool, str or tuple."""


def _kind(annotation: Any) -> str:
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if typing.get_origin(annotation) is tuple:
        return "tuple"
    return "str"  # str and Literal choices (norm); the record validates the choice


def _fields_of(cls: type, prefix: str) -> list[FieldSpec]:
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if f.name in SECTIONS:
            continue
        out.append(FieldSpec(prefix + f.name, _kind(hints[f.name])))
    return out


@cache
def all_fields() -> tuple[FieldSpec, ...]:
    """Every field of the record, top level first, then each section's (computed once)."""
    fields = _fields_of(Architecture, "")
    for name, cls in SECTIONS.items():
        fields += _fields_of(cls, f"{name}.")
    return tuple(fields)


@cache
def field_spec(path: str) -> FieldSpec:
    """The spec of one field path."""
    return next(f for f in all_fields() if f.path == path)


def display(value: Any) -> str:
    """A field value as the editor shows it."""
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def parse(spec: FieldSpec, text: str, current: Any) -> Any:
    """Text typed into an input -> a value of the field's type.

    Raises:
        ValueError: one line naming the field and what it accepts.
    """
    raw = text.strip()
    if spec.kind == "int":
        cleaned = raw.replace("_", "").replace(",", "")
        try:
            return int(cleaned)
        except ValueError:
            raise ValueError(f"{spec.path} takes a whole number, not {raw!r}") from None
    if spec.kind == "bool":
        if raw.lower() in ("yes", "y", "true", "1", "on"):
            return True
        if raw.lower() in ("no", "n", "false", "0", "off"):
            return False
        raise ValueError(f"{spec.path} takes yes or no, not {raw!r}")
    if spec.kind == "tuple":
        items = [part.strip() for part in raw.split(",") if part.strip()]
        sample = current[0] if current else None
        if isinstance(sample, int) or spec.path.endswith(("dense_layers", "no_ffn_layers")):
            try:
                return tuple(int(i) for i in items)
            except ValueError:
                raise ValueError(f"{spec.path} takes layer indices like 0,1,2") from None
        return tuple(items)
    return raw


def current_value(arch: Architecture, path: str) -> Any:
    """The value at ``path``; None when its section is off."""
    if "." in path:
        section, name = path.split(".", 1)
        spec = getattr(arch, section)
        return None if spec is None else getattr(spec, name)
    return getattr(arch, path)


def apply(arch: Architecture, path: str, value: Any) -> Architecture:
    """A new record with one field changed; the record's own validation runs.

    Raises:
        ValueError: the change makes an impossible model (message names the field and the rule).
    """
    try:
        if "." in path:
            section, name = path.split(".", 1)
            spec = getattr(arch, section) or default_section(section, arch)
            return replace(arch, **{section: replace(spec, **{name: value})})
        return replace(arch, **{path: value})
    except TypeError as exc:
        raise ValueError(f"{path}: {exc}") from None


def toggle_section(arch: Architecture, section: str, on: bool) -> Architecture:
    """Switch a nested spec on (with defaults) or off. Raises ValueError if the result is invalid."""
    if on == (getattr(arch, section) is not None):
        return arch
    changes: dict[str, Any] = {section: default_section(section, arch) if on else None}
    if section == "mla" and on:
        changes["head_dim"] = changes["mla"].qk_head_dim
    if section == "linear_attention" and not on:
        changes["layer_types"] = tuple("full" if k == "linear" else k for k in arch.layer_types)
    if section == "ssm" and not on:
        changes["layer_types"] = tuple("full" if k in ("ssm", "hybrid") else k for k in arch.layer_types)
    return replace(arch, **changes)
