"""Reading one field of a parsed config.json, the same way for every model_type's mapping.

The importer and the per-family mappers (mappers_hybrid, mappers_dense_current,
mappers_moe_current) all read integers, flags and per-layer lists out of configs a user may have
written by hand. Reading them here once keeps one rule for all: a key set to null means the
mapping's default, a value out of its plausible range (engine/limits.py) is refused, and every
refusal is a ``ConfigError`` whose one-line message names the key.

Pure: parsed dicts in, values out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramtui.engine.limits import config_int

Config = Mapping[str, Any]


class ConfigError(ValueError):
    """A config that cannot be turned into an architecture; the message says why and what to do."""


def read_int(cfg: Config, key: str, default: int | None = None) -> int:
    """An integer key, the default where it is absent or null; a readable error when it is neither."""
    value = cfg.get(key)
    try:
        return config_int({key: default if value is None else value}, key, 0 if default == 0 else None)
    except ValueError as exc:
        raise ConfigError(f"config.json: {exc}" if "config.json" not in str(exc) else str(exc)) from None


def read_flag(cfg: Config, key: str, default: bool) -> bool:
    """A boolean key, the default where it is absent or null."""
    value = cfg.get(key)
    return default if value is None else bool(value)


def read_layer_list(cfg: Config, key: str, layers: int) -> list[Any] | None:
    """A per-layer list key, checked for length; None when the config leaves it out."""
    raw = cfg.get(key)
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != layers:
        raise ConfigError(f"config.json {key!r} must list one entry per layer ({layers})")
    return raw
