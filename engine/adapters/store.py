"""Files the dashboard keeps for the user: saved models, the autosave, the recent list, exports.

Everything lives in the user data directory (platformdirs; ``PARAMTUI_DATA_DIR`` overrides it, as
the tests do). Every write is atomic (a temporary file in the same directory, flushed, then
renamed over the target), so a crash or a dropped SSH session never leaves half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from paramtui.engine.adapters.bounded import read_json
from paramtui.engine.architecture import Architecture
from paramtui.engine.limits import RECORD_BYTES
from paramtui.engine.record import architecture_from_dict, architecture_to_dict

MAX_RECENT = 10
"""Entries kept in the recent list."""


def user_dir(override_env: str, kind: Literal["data", "cache"]) -> Path:
    """Paramtui's user data or cache directory (platformdirs), or the path in ``override_env``; created."""
    override = os.environ.get(override_env)
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs

        find = platformdirs.user_data_path if kind == "data" else platformdirs.user_cache_path
        path = find("paramtui", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """The user data directory (``PARAMTUI_DATA_DIR`` overrides it)."""
    return user_dir("PARAMTUI_DATA_DIR", "data")


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def slug(name: str) -> str:
    """A file-name-safe version of a model name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:80] or "model"


def save_model(arch: Architecture, name: str | None = None) -> Path:
    """Save ``arch`` as ``models/<name>.json`` and put it first in the recent list."""
    path = data_dir() / "models" / f"{slug(name or arch.name)}.json"
    atomic_write_text(path, json.dumps(architecture_to_dict(arch), indent=1) + "\n")
    remember(str(path))
    return path


def _recent_file() -> Path:
    return data_dir() / "recent.json"


def recent_sources() -> list[str]:
    """Recently opened or saved SOURCEs, newest first (paths that vanished are dropped)."""
    try:
        items = read_json(_recent_file(), RECORD_BYTES, "the recent list")
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    out = [s for s in items if isinstance(s, str)]
    return [s for s in out if not s.startswith(("/", "~")) or Path(s).expanduser().exists()]


def remember(source: str) -> None:
    """Put ``source`` first in the recent list."""
    items = [source, *(s for s in recent_sources() if s != source)][:MAX_RECENT]
    atomic_write_text(_recent_file(), json.dumps(items, indent=1) + "\n")


@dataclass(frozen=True, slots=True)
class Autosave:
    """The model being edited when paramtui last wrote its autosave."""

    architecture: Architecture
    source: str
    """What it was loaded from before the edits."""
    saved_at: float
    """Unix time of the write."""


def _autosave_file() -> Path:
    return data_dir() / "autosave.json"


def write_autosave(arch: Architecture, source: str) -> None:
    """Keep the edited model (called shortly after every edit)."""
    doc: dict[str, Any] = {**architecture_to_dict(arch), "source": source, "saved_at": time.time()}
    atomic_write_text(_autosave_file(), json.dumps(doc, indent=1) + "\n")


def read_autosave() -> Autosave | None:
    """The autosaved model, or None when there is none or it cannot be read (never raises)."""
    try:
        doc = read_json(_autosave_file(), RECORD_BYTES, "the autosave")
        arch = architecture_from_dict(doc)
        return Autosave(arch, str(doc.get("source", "")), float(doc.get("saved_at", 0.0)))
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def clear_autosave() -> None:
    """Forget the autosave (the user restored or discarded it)."""
    with contextlib.suppress(FileNotFoundError):
        _autosave_file().unlink()


def export_path(name: str, suffix: str) -> Path:
    """Where an export of model ``name`` goes: ``exports/<name>-<time>.<suffix>``."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return data_dir() / "exports" / f"{slug(name)}-{stamp}.{suffix}"
