"""An Architecture as plain JSON data and back: how edited models are saved, autosaved and reloaded.

A saved model is ``{"paramtui_architecture": 1, "architecture": {...}}`` with every field of the
record (nested MLA / MoE / linear-attention sections as objects or null). Reading checks every key
and type and then the record's own validation, so a hand-edited file gets a one-line reason.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from paramtui.engine.architecture import SECTIONS, Architecture

FORMAT_KEY = "paramtui_architecture"
"""Marks a JSON file as a saved paramtui model (the value is the format version)."""
FORMAT_VERSION = 1


def architecture_to_dict(arch: Architecture) -> dict[str, Any]:
    """The saved-model document for ``arch`` (tuples become lists)."""
    return {FORMAT_KEY: FORMAT_VERSION, "architecture": dataclasses.asdict(arch)}


def is_saved_model(data: dict[str, Any]) -> bool:
    """Whether a parsed JSON object is a saved paramtui model rather than a Hub config.json."""
    return FORMAT_KEY in data


def _check(owner: str, name: str, value: Any, annotation: Any) -> Any:
    """``value`` converted to the field's type, or ValueError naming the field."""
    origin = typing.get_origin(annotation)
    if origin is tuple:
        if not isinstance(value, list | tuple):  # a list from JSON, a tuple from dataclasses.asdict
            raise ValueError(f"{owner}.{name} must be a list, not {type(value).__name__}")
        inner = typing.get_args(annotation)[0]
        return tuple(_check(owner, f"{name}[{i}]", v, inner) for i, v in enumerate(value))
    if origin is typing.Literal:
        if value not in typing.get_args(annotation):
            raise ValueError(f"{owner}.{name} must be one of {', '.join(map(str, typing.get_args(annotation)))}")
        return value
    expected = annotation
    if expected is bool:
        ok = isinstance(value, bool)
    elif expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, expected)
    if not ok:
        raise ValueError(f"{owner}.{name} must be {expected.__name__}, not {type(value).__name__} {value!r}")
    return value


def _build(record: type, data: Any, owner: str) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"{owner} must be an object, not {type(data).__name__}")
    hints = typing.get_type_hints(record)
    fields = {f.name: f for f in dataclasses.fields(record)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(f"{owner} has unknown field {unknown[0]!r}")
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in data:
            if field.default is dataclasses.MISSING:
                raise ValueError(f"{owner} lacks the field {name!r}")
            continue
        value = data[name]
        if name in SECTIONS and record is Architecture:
            values[name] = None if value is None else _build(SECTIONS[name], value, f"{owner}.{name}")
            continue
        annotation = hints[name]
        if isinstance(annotation, types.UnionType):  # not used by plain fields today; kept strict
            raise ValueError(f"{owner}.{name} has an unsupported type")
        values[name] = _check(owner, name, value, annotation)
    return record(**values)


def architecture_from_dict(data: dict[str, Any]) -> Architecture:
    """Rebuild a saved model; ValueError says which field is wrong and why."""
    version = data.get(FORMAT_KEY)
    if version != FORMAT_VERSION:
        raise ValueError(f"saved model format {version!r} is not {FORMAT_VERSION}; save it again with this paramtui")
    arch = _build(Architecture, data.get("architecture"), "architecture")
    assert isinstance(arch, Architecture)
    return arch
