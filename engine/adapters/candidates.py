"""The models ``paramtui fits`` ranks: every preset, every saved model and every recently read repo.

Presets are data and load in microseconds. Saved models and recent paths are read from disk (a
directory's weight-file headers, never the weights). A recent Hub repo is taken from paramtui's
own cache of what was read before, never fetched: a list of forty models does not wait on the
network, and offline it is the same list. Whatever cannot be read is reported, not fatal.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from paramtui.engine.adapters import store
from paramtui.engine.adapters.sources import LoadedSource, SourceError, from_read, load_path, load_preset
from paramtui.engine.importer import ConfigError
from paramtui.engine.ranking import Candidate
from paramtui.presets import all_presets, get_preset


@dataclass(frozen=True, slots=True)
class CandidateSet:
    """The candidates, the loaded sources behind them (by key), and what could not be read."""

    candidates: tuple[Candidate, ...]
    """In the order found: presets, saved models, recent sources."""
    loaded: dict[str, LoadedSource]
    """Candidate key -> what ``inspect`` loads for it (for reports and for loading into the editor)."""
    unreadable: tuple[tuple[str, str], ...] = ()
    """(source, one-line reason) for saved or recent models that could not be read."""


def candidate_of(key: str, loaded: LoadedSource, origin: str = "preset") -> Candidate:
    """The ranking's view of a loaded source."""
    arch = loaded.result.architecture
    preset = loaded.preset
    repo = preset.hf_repo if preset is not None and preset.hf_repo else loaded.source.removeprefix("preset:")
    return Candidate(
        key,
        preset.display_name if preset is not None else arch.name,
        arch,
        loaded.breakdown,
        loaded.checkpoint,
        loaded.checkpoint_precision,
        repo,
        "saved" if origin == "saved" else "recent" if origin == "recent" else "preset",
    )


def _load_recent(source: str) -> LoadedSource | None:
    """A recent SOURCE without the network: a path, or a Hub repo from the cache (None when not cached)."""
    from paramtui.engine.adapters.hub import parse_repo_ref, read_cached_repo

    path = Path(source).expanduser()
    if path.exists():
        return load_path(path)
    ref = parse_repo_ref(source)
    if ref is None:
        return None
    read = read_cached_repo(ref)
    return from_read(read, source) if read is not None else None


def gather_candidates() -> CandidateSet:
    """Every preset, every saved model in the user data directory, every recent SOURCE (deduplicated)."""
    candidates: list[Candidate] = []
    loaded: dict[str, LoadedSource] = {}
    unreadable: list[tuple[str, str]] = []

    def add(key: str, item: LoadedSource, origin: str) -> None:
        if key not in loaded:
            loaded[key] = item
            candidates.append(candidate_of(key, item, origin))

    for preset_id, preset in all_presets().items():
        add(preset_id, load_preset(preset), "preset")
    saved: list[Path] = []
    with contextlib.suppress(OSError):
        saved = sorted((store.data_dir() / "models").glob("*.json"))
    for path in saved:
        try:
            add(str(path), load_path(path), "saved")
        except (SourceError, ConfigError, ValueError) as exc:
            unreadable.append((str(path), str(exc)))
    for source in store.recent_sources():
        if source in loaded:
            continue
        with contextlib.suppress(LookupError):
            get_preset(source)
            continue  # a preset id: already listed
        try:
            item = _load_recent(source)
        except (SourceError, ConfigError, ValueError) as exc:
            unreadable.append((source, str(exc)))
            continue
        if item is not None:
            add(source, item, "recent")
    return CandidateSet(tuple(candidates), loaded, tuple(unreadable))
