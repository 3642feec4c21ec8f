"""Resolve a SOURCE argument (path, preset id, Hub repo id) to an imported architecture.

Order, as the design notes give it: an existing path (config.json, a directory, a .gguf, a
.safetensors), then a preset id, then ``owner/name[@revision][:QUANT]`` (a Hugging Face repo).
Weight files are read for their headers only; what they hold comes back as a
:class:`~paramtui.engine.checkpoint.CheckpointSummary` beside the architecture.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from paramtui.engine.adapters.bounded import InputFileError, read_json
from paramtui.engine.adapters.checkpoint_files import (
    CheckpointFileError,
    CheckpointRead,
    Progress,
    group_gguf_files,
    read_local_gguf,
    read_local_safetensors,
)
from paramtui.engine.checkpoint import (
    CheckpointSummary,
    breakdown_from_headers,
    cross_check,
    expert_count,
    summarize,
)
from paramtui.engine.importer import ConfigError, ImportResult, import_config
from paramtui.engine.limits import CONFIG_BYTES, RECORD_BYTES
from paramtui.engine.params import ParamBreakdown, count_params
from paramtui.engine.record import architecture_from_dict, is_saved_model
from paramtui.presets import Preset, UnknownPresetError, get_preset

MAX_CONFIG_BYTES = max(CONFIG_BYTES, RECORD_BYTES)
"""A config.json or saved model larger than this is not one (guards against pointing at a weights file)."""


MAX_SOURCE_CHARS = 4096
"""A SOURCE longer than this is no path (PATH_MAX), preset or repo id."""


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
    checkpoint: CheckpointSummary | None = None
    """Exact facts from the weight files' headers, when SOURCE had weight files."""
    read: CheckpointRead | None = None
    """What the file or Hub reader found (files, GGUF variants, mmproj files)."""
    header_breakdown: ParamBreakdown | None = None
    """Counts from the weight files' headers, for an architecture the importer does not map."""

    @property
    def breakdown(self) -> ParamBreakdown:
        """The counts shown: the headers' for an unmapped architecture, else the config's."""
        return self.header_breakdown or count_params(self.result.architecture)

    @property
    def approximate(self) -> tuple[str, ...]:
        """Config keys not understood when the counts rest on the fallback's guess; empty when exact."""
        return () if self.header_breakdown is not None else self.result.unread_keys

    @property
    def checkpoint_precision(self) -> str | None:
        """The precision the checkpoint's exact bytes stand for (GGUF file type; else None = auto)."""
        return self.read.precision if self.read is not None else None


def read_config_file(path: Path) -> dict[str, object]:
    """Read and parse a config.json (or a saved model), bounded, with one-line errors."""
    try:
        data = read_json(path, MAX_CONFIG_BYTES, "a config.json")
    except InputFileError as exc:
        raise SourceError(str(exc)) from None
    if not isinstance(data, dict):
        raise SourceError(f"{path} must hold a JSON object, not a {type(data).__name__}")
    return data


def load_path(path: Path, progress: Progress | None = None) -> LoadedSource:
    """Load a config.json, a .gguf, a .safetensors beside its config.json, or a model directory."""
    try:
        if path.is_file() and path.suffix == ".gguf":
            return from_read(read_local_gguf(path), str(path))
        if path.is_file() and path.suffix == ".safetensors":
            return _load_directory(path.parent, progress, path)
        if path.is_dir():
            return _load_directory(path, progress)
    except CheckpointFileError as exc:
        raise SourceError(str(exc)) from exc
    return _load_config_file(path)


def _load_config_file(target: Path) -> LoadedSource:
    return _load_config(read_config_file(target), target)


def _load_config(config: dict[str, object], target: Path) -> LoadedSource:
    """Import a parsed config.json, or a model saved from the dashboard."""
    if is_saved_model(config):
        try:
            return LoadedSource(ImportResult(architecture_from_dict(config), ()), str(target), None)
        except (ValueError, TypeError) as exc:
            raise SourceError(f"{target}: {exc}") from exc
    try:
        result = import_config(config, name=_config_name(config, target))
    except ConfigError as exc:
        raise SourceError(f"{target}: {exc}") from exc
    return LoadedSource(result, str(target), None)


def _config_name(config: dict[str, object], target: Path) -> str:
    """The model's name.

    The config's ``_name_or_path``, else a preset file's display name, else the directory's name
    for a ``config.json`` (a model directory) and the file's own name for any other file
    (``configs/deepseek-v3.json`` is deepseek-v3, not "configs").
    """
    block = config.get("paramtui")
    display = block.get("display_name") if isinstance(block, dict) else None
    if config.get("_name_or_path") or display:
        return str(config.get("_name_or_path") or display)
    if target.name == "config.json":
        return target.parent.name or target.stem
    return target.stem


def _load_directory(path: Path, progress: Progress | None, only: Path | None = None) -> LoadedSource:
    """A directory: config.json (+ safetensors headers), or its GGUF file when it has no config."""
    target = path / "config.json"
    if not target.exists():
        variants, _ = group_gguf_files((p.name, p.stat().st_size) for p in path.glob("*.gguf") if p.is_file())
        if len(variants) == 1:
            return from_read(read_local_gguf(path / variants[0].files[0][0]), str(path))
        if variants:
            names = ", ".join(v.files[0][0] for v in variants)
            raise SourceError(f"{path} holds several GGUF models ({names}); pass one of them")
        raise SourceError(f"{path} has no config.json; point at a model directory or a config file")
    config = read_config_file(target)
    if is_saved_model(config):
        return _load_config(config, target)
    entries, files = read_local_safetensors(path, progress, [only.name] if only is not None else None)
    if not files:
        loaded = _load_config(config, target)
        notes = (*loaded.result.notes, "no safetensors files beside config.json: counted from config.json alone")
        return replace(loaded, result=replace(loaded.result, notes=notes), source=str(path))
    named = {**config, "_name_or_path": _config_name(config, target)}
    return from_read(CheckpointRead(named, tuple(files), tuple(entries), None), str(path))


def from_read(read: CheckpointRead, source: str) -> LoadedSource:
    """Import what a reader found, and summarize its weight files against the config."""
    if read.config is None:
        raise SourceError(f"{source}: no config.json to tell what model it is")
    name = str(read.config.get("_name_or_path") or source)
    try:
        result = import_config(read.config, name=name)
    except ConfigError as exc:
        raise SourceError(f"{source}: {exc}") from exc
    summary = None
    headers = None
    notes = [*result.notes, *read.notes]
    if read.tensors:
        arch = result.architecture
        summary = summarize(read.tensors, read.files, arch)
        if result.fallback or not result.exact:
            experts = expert_count(read.tensors) or (arch.moe.num_experts if arch.moe else 0)
            headers = breakdown_from_headers(summary, experts, arch.moe.top_k if arch.moe else 0)
            notes.insert(0, f"unknown architecture {arch.model_type}: counts from the checkpoint's headers")
        else:
            notes.append(cross_check(summary, count_params(arch)).describe())
    imported = replace(result, notes=tuple(notes))
    return LoadedSource(imported, source, None, summary, read, headers)


def load_preset(preset: Preset) -> LoadedSource:
    """Import a shipped preset."""
    result = import_config(preset.config, name=preset.display_name)
    arch = result.architecture
    if preset.checkpoint_quant_method and not arch.quantization:
        restored = replace(arch, quantization=preset.checkpoint_quant_method)
        result = replace(result, architecture=restored)
    return LoadedSource(result, f"preset:{preset.id}", preset)


def load_source(source: str, progress: Progress | None = None) -> LoadedSource:
    """Resolve SOURCE in the documented order.

    Raises:
        SourceError: nothing matched, or the file is broken; the message says what to do.
    """
    text = source.strip()
    if not text:
        raise SourceError("empty SOURCE; give a preset id, a config.json path or a directory")
    if len(text) > MAX_SOURCE_CHARS or "\0" in text:
        raise SourceError(f"SOURCE is {len(text):,} characters or holds a NUL; no path, preset or repo id is like that")
    path = Path(text).expanduser()
    if _exists(path):
        return load_path(path, progress)
    try:
        return load_preset(get_preset(text))
    except UnknownPresetError as exc:
        preset_error = str(exc)
    if _repo_shaped(text):
        return load_repo(text, progress)
    if any(sep in text for sep in ("/", "\\")) or text.endswith((".json", ".gguf")):
        raise SourceError(f"no such file or directory: {text}")
    raise SourceError(preset_error)


def _exists(path: Path) -> bool:
    """Whether the path exists; False for a name the system refuses (too long, a NUL)."""
    try:
        return path.exists() or path.is_symlink()
    except (OSError, ValueError):
        return False


def _repo_shaped(text: str) -> bool:
    """``owner/name[@rev][:QUANT]`` and not written as a path (``./``, ``/``, ``~``)."""
    from paramtui.engine.adapters.hub import parse_repo_ref

    return not text.startswith((".", "/", "~")) and parse_repo_ref(text) is not None


def is_hub_source(source: str) -> bool:
    """True when :func:`load_source` would read SOURCE from the Hub: not a path, not a preset, a repo id.

    The dashboard asks this to read a repo in a worker instead of blocking the screen.
    """
    text = source.strip()
    if not text or len(text) > MAX_SOURCE_CHARS or _exists(Path(text).expanduser()) or not _repo_shaped(text):
        return False
    try:
        get_preset(text)
    except UnknownPresetError:
        return True
    return False


def load_repo(text: str, progress: Progress | None = None) -> LoadedSource:
    """Read a Hub repo (``owner/name[@revision][:QUANT]``)."""
    from paramtui.engine.adapters.hub import HubError, parse_repo_ref, read_repo

    ref = parse_repo_ref(text)
    if ref is None:
        raise SourceError(f"{text!r} is not a Hugging Face repo id (owner/name[@revision][:QUANT])")
    try:
        read = read_repo(ref, progress)
    except HubError as exc:
        raise SourceError(str(exc)) from exc
    label = ref.repo_id + (f"@{ref.revision}" if ref.revision else "") + (f":{ref.quant}" if ref.quant else "")
    return from_read(read, label)
