"""Resolve a SOURCE argument (path, preset id, Hub repo id) to an imported architecture.

Order, as the design notes give it: an existing path (config.json, a directory holding one),
then a preset id, then ``owner/name`` (a Hugging Face repo; not readable yet).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from paramtui.engine.importer import ConfigError, ImportResult, import_config
from paramtui.engine.record import architecture_from_dict, is_saved_model
from paramtui.presets import Preset, UnknownPresetError, get_preset

MAX_CONFIG_BYTES = 16 * 2**20
"""A config.json larger than this is not a config (guards against pointing at a weights file)."""


class SourceError(ValueError):
    """A SOURCE that cannot be loaded; the message is one line saying what was wrong and what to do."""


@dataclass(frozen=True, slots=True)
class LoadedSource:
    """An architecture together with where it came from."""

    result: ImportResult
    """The imported architecture and importer notes."""
    source: str
    """The SOURCE as resolved: a path, ``preset:<id>`` or a repo id."""
    preset: Preset | None
    """The preset, when SOURCE named one (carries the published figures)."""


def read_config_file(path: Path) -> dict[str, object]:
    """Read and parse a config.json, with one-line errors."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from exc
    if size > MAX_CONFIG_BYTES:
        raise SourceError(f"{path} is {size:,} bytes, too large for a config.json; point at the config file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path} is not a text file; point at a config.json") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from exc
    if not isinstance(data, dict):
        raise SourceError(f"{path} must hold a JSON object, not a {type(data).__name__}")
    return data


def load_path(path: Path) -> LoadedSource:
    """Load a config.json file or a directory holding one."""
    target = path / "config.json" if path.is_dir() else path
    if path.is_dir() and not target.exists():
        raise SourceError(f"{path} has no config.json; point at a model directory or a config file")
    if target.suffix == ".gguf":
        raise SourceError(f"{target}: GGUF files are not readable yet; use the model's config.json")
    config = read_config_file(target)
    if is_saved_model(config):  # a model saved from the dashboard
        try:
            return LoadedSource(ImportResult(architecture_from_dict(config), ()), str(target), None)
        except (ValueError, TypeError) as exc:
            raise SourceError(f"{target}: {exc}") from exc
    try:
        result = import_config(config, name=str(config.get("_name_or_path") or target.parent.name or target.stem))
    except ConfigError as exc:
        raise SourceError(f"{target}: {exc}") from exc
    return LoadedSource(result, str(target), None)


def load_preset(preset: Preset) -> LoadedSource:
    """Import a shipped preset."""
    result = import_config(preset.config, name=preset.display_name)
    arch = result.architecture
    if preset.checkpoint_quant_method and not arch.quantization:
        restored = replace(arch, quantization=preset.checkpoint_quant_method)
        result = ImportResult(restored, result.notes)
    return LoadedSource(result, f"preset:{preset.id}", preset)


def load_source(source: str) -> LoadedSource:
    """Resolve SOURCE in the documented order.

    Raises:
        SourceError: nothing matched, or the file is broken; the message says what to do.
    """
    text = source.strip()
    if not text:
        raise SourceError("empty SOURCE; give a preset id, a config.json path or a directory")
    path = Path(text).expanduser()
    if path.exists():
        return load_path(path)
    try:
        return load_preset(get_preset(text))
    except UnknownPresetError as exc:
        preset_error = str(exc)
    if "/" in text and not text.startswith((".", "/", "~")) and text.count("/") == 1:
        raise SourceError(
            f"{text!r} looks like a Hugging Face repo id, but reading the Hub is not available yet; "
            "download its config.json and pass the file"
        )
    if any(sep in text for sep in ("/", "\\")) or text.endswith((".json", ".gguf")):
        raise SourceError(f"no such file or directory: {text}")
    raise SourceError(preset_error)
