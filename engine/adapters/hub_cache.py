"""paramtui's own cache of what it read from the Hub, keyed by repo and commit sha.

``HfApi.get_safetensors_metadata`` caches nothing, and a repo's headers do not change for a
given commit, so each look is stored once: config.json, the weight files with their sizes and
every tensor's name, dtype, shape and bytes. A second look at the same commit costs no request,
and with HF_HUB_OFFLINE (or no network) a repo id resolves through the last revision seen.
Files live in the user cache directory (``PARAMTUI_CACHE_DIR`` overrides it) and are written
atomically.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from paramtui.engine.adapters.bounded import read_json
from paramtui.engine.adapters.store import atomic_write_text, user_dir
from paramtui.engine.limits import CACHE_ENTRY_BYTES

FORMAT = 1
"""Bumped when the entry layout changes; older entries are ignored."""


def cache_dir() -> Path:
    """The Hub cache directory (created on first use)."""
    path = user_dir("PARAMTUI_CACHE_DIR", "cache") / "hub"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _repo_dir(repo_id: str) -> Path:
    return cache_dir() / re.sub(r"[^A-Za-z0-9._-]", "--", repo_id)


def remember_revision(repo_id: str, revision: str, sha: str) -> None:
    """Record that ``revision`` of ``repo_id`` pointed at ``sha`` (for offline lookups)."""
    refs_path = _repo_dir(repo_id) / "refs.json"
    refs = _read(refs_path) or {}
    refs[revision] = sha
    atomic_write_text(refs_path, json.dumps(refs, indent=1))


def cached_sha(repo_id: str, revision: str) -> str | None:
    """The sha ``revision`` pointed at when last seen, or None."""
    refs = _read(_repo_dir(repo_id) / "refs.json") or {}
    sha = refs.get(revision)
    if sha is None and re.fullmatch(r"[0-9a-f]{40}", revision):
        sha = revision
    return sha if isinstance(sha, str) else None


def load_entry(repo_id: str, sha: str, key: str) -> dict[str, Any] | None:
    """A cached entry (``key`` names what was read: safetensors, or one GGUF variant)."""
    entry = _read(_repo_dir(repo_id) / f"{sha}.{key}.json")
    return entry if entry and entry.get("format") == FORMAT else None


def save_entry(repo_id: str, sha: str, key: str, entry: dict[str, Any]) -> None:
    """Store an entry atomically."""
    atomic_write_text(_repo_dir(repo_id) / f"{sha}.{key}.json", json.dumps({**entry, "format": FORMAT}))


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = read_json(path, CACHE_ENTRY_BYTES, "a cache entry")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
