"""The user's config file: theme, keymap, hardware poll interval and the dashboard's defaults.

``config.toml`` in the user config directory (``PARAMTUI_CONFIG`` names another file). Every
key is checked: an unknown key or a value of the wrong kind is reported by name, with what it
should be, and that one entry falls back to its default; the rest of the file still applies.

Example::

    theme = "textual-light"
    poll_interval = 5.0          # seconds between NVML polls, 0.5 to 60

    [defaults]
    source = "llama-3.1-70b"     # what `paramtui` opens without a SOURCE
    gpu = "2xh100-sxm"           # live, a preset, NxPRESET or mem=...
    runtime = "llama.cpp"        # a runtime of engine.runtimes.RUNTIMES
    context = 32768

    [keymap]                     # binding id = keys (see the help screen for the ids)
    undo = "ctrl+u"
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paramtui.engine.runtimes import RUNTIMES

BINDING_IDS = (
    "undo", "redo", "reset", "gpu", "save", "export", "simple", "compare", "pane", "copy", "hardware", "fits", "help",
    "quit"
)  # fmt: skip
"""Binding ids the keymap may name (tests/test_dashboard_features.py checks they are the bindings' ids)."""


@dataclass(frozen=True, slots=True)
class Config:
    """The settings, defaults filled in."""

    theme: str = "textual-dark"
    poll_interval: float = 2.0
    source: str = ""
    gpu: str = "live"
    runtime: str = ""
    context: int = 0
    keymap: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    """The file read (None when there was none)."""
    errors: tuple[str, ...] = ()
    """One line per bad key or value, shown at start."""


def config_path() -> Path:
    """Where the config file is looked for."""
    override = os.environ.get("PARAMTUI_CONFIG")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_config_path("paramtui", appauthor=False) / "config.toml"


def _take(table: dict[str, Any], key: str, kind: type, where: str, errors: list[str]) -> Any:
    value = table.pop(key, None)
    if value is None:
        return None
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        errors.append(f"{where}{key} must be a {kind.__name__}, not {value!r}")
        return None
    return value


def load_config(path: Path | None = None) -> Config:
    """Read and check the config file; a missing file is the defaults, never an error."""
    path = path or config_path()
    from paramtui.engine.adapters.bounded import InputFileError, read_bounded
    from paramtui.engine.limits import SETTINGS_BYTES

    if not path.exists():
        return Config()
    try:
        text = read_bounded(path, SETTINGS_BYTES, "a config.toml").decode("utf-8")
    except (InputFileError, UnicodeDecodeError) as exc:
        return Config(path=path, errors=(f"{path}: cannot read it ({exc}); using the defaults",))
    if sys.version_info >= (3, 11):  # imported here: most users have no config file
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Config(path=path, errors=(f"{path}: not valid TOML ({exc}); using the defaults",))
    errors: list[str] = []
    values: dict[str, Any] = {}
    theme = _take(raw, "theme", str, "", errors)
    if theme:
        values["theme"] = theme
    interval = _take(raw, "poll_interval", float, "", errors)
    if interval is not None:
        if 0.5 <= interval <= 60:
            values["poll_interval"] = interval
        else:
            errors.append(f"poll_interval must be 0.5 to 60 seconds, not {interval}")
    defaults = raw.pop("defaults", {})
    if not isinstance(defaults, dict):
        errors.append("[defaults] must be a table")
        defaults = {}
    for key in ("source", "gpu"):
        text = _take(defaults, key, str, "defaults.", errors)
        if text:
            values[key] = text
    runtime = _take(defaults, "runtime", str, "defaults.", errors)
    if runtime is not None:
        if runtime in RUNTIMES:
            values["runtime"] = runtime
        else:
            errors.append(f"defaults.runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}")
    context = _take(defaults, "context", int, "defaults.", errors)
    if context is not None:
        if context > 0:
            values["context"] = context
        else:
            errors.append(f"defaults.context must be a positive number of tokens, not {context}")
    errors += [f"unknown key defaults.{key}" for key in defaults]
    keymap = raw.pop("keymap", {})
    if not isinstance(keymap, dict):
        errors.append("[keymap] must be a table of binding id = keys")
        keymap = {}
    good_keys: dict[str, str] = {}
    for binding, keys in keymap.items():
        if binding not in BINDING_IDS:
            errors.append(f"keymap.{binding}: no such binding (ids: {', '.join(BINDING_IDS)})")
        elif not isinstance(keys, str) or not keys.strip():
            errors.append(f"keymap.{binding} must be a key string such as 'ctrl+u', not {keys!r}")
        else:
            good_keys[binding] = keys.strip()
    errors += [f"unknown key {key!r} (known: theme, poll_interval, [defaults], [keymap])" for key in raw]
    return Config(**values, keymap=good_keys, path=path, errors=tuple(f"config: {e}" for e in errors))
