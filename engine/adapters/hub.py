"""Read a Hugging Face repo's config.json and weight-file headers, never its weights.

One ``model_info`` call resolves the revision to a commit sha and lists the files with their
sizes; config.json is one GET; each safetensors shard's header is one range request for its
first 100 kB (a second one only when the header is longer), fetched concurrently by a bounded
pool; a GGUF file's header is read by growing range requests. Everything goes through
huggingface_hub, so its auth (HF_TOKEN, the saved login), HF_ENDPOINT and proxies apply.
What was read is cached per commit (:mod:`hub_cache`): a second look costs one request, and
none with HF_HUB_OFFLINE. No remote code is ever run; the token never appears in a message.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from paramtui.engine.adapters import hub_cache
from paramtui.engine.adapters.checkpoint_files import (
    CheckpointFileError,
    CheckpointRead,
    GgufVariant,
    Progress,
    gguf_read,
    group_gguf_files,
    missing_shards,
    safetensors_files,
)
from paramtui.engine.adapters.gguf_header import GgufError, read_gguf_header
from paramtui.engine.checkpoint import HeaderError, TensorEntry, decode_safetensors_header, parse_safetensors_header
from paramtui.engine.limits import CONFIG_BYTES

REPO_REF = re.compile(
    r"^(?P<repo>[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*)(@(?P<rev>[A-Za-z0-9._/-]+?))?"
    r"(:(?P<quant>[A-Za-z0-9_-]+))?$"
)
"""``owner/name[@revision][:QUANT]``."""

FIRST_RANGE = 100_000
"""Bytes asked for first: the whole header of almost every shard (huggingface_hub's measurement)."""
WORKERS = 16
"""Concurrent header requests."""
TIMEOUT_S = 10.0
"""Seconds to wait for a response before retrying."""
RETRIES = 3
"""Attempts per request on network errors, timeouts and 5xx/429, with backoff."""
BACKOFF_S = 0.5
"""First wait before a retry; doubled each time."""
DEFAULT_QUANT = "Q4_K_M"
"""The variant picked when a GGUF repo is named without ``:QUANT`` (llama.cpp's -hf default)."""

T = TypeVar("T")


class HubError(ValueError):
    """Anything that went wrong reading the Hub, as one line that says what to do."""


@dataclass(frozen=True, slots=True)
class RepoRef:
    """A parsed repo SOURCE."""

    repo_id: str
    """owner/name."""
    revision: str | None
    """Branch, tag or commit; None for main."""
    quant: str | None
    """GGUF variant asked for with ``:QUANT``."""


def parse_repo_ref(text: str) -> RepoRef | None:
    """``owner/name[@rev][:QUANT]`` -> RepoRef, or None when the text is not shaped like one."""
    match = REPO_REF.match(text.strip())
    if not match:
        return None
    return RepoRef(match["repo"], match["rev"], match["quant"].upper() if match["quant"] else None)


def endpoint() -> str:
    """The Hub endpoint (HF_ENDPOINT, read at call time so tests and users can point it anywhere)."""
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def offline() -> bool:
    """HF_HUB_OFFLINE set: use only what is cached."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def read_repo(ref: RepoRef, progress: Progress | None = None) -> CheckpointRead:
    """Read what paramtui needs from a Hub repo (cached per commit).

    Raises:
        HubError: gated, missing repo or revision, network failure after retries, offline with
            nothing cached, or a broken weight file.
    """
    revision = ref.revision or "main"
    key = f"gguf-{ref.quant}" if ref.quant else "auto"
    if offline():
        entry = _cached_entry(ref)
        if entry is None:
            raise HubError(
                f"offline (HF_HUB_OFFLINE is set) and nothing cached for {ref.repo_id}@{revision}; "
                "look at it once with the network on"
            )
        return _from_entry(entry, ("read from paramtui's cache (offline)",))
    try:
        info = _with_retries(lambda: _model_info(ref.repo_id, ref.revision), ref.repo_id, revision)
    except HubError as exc:
        known = hub_cache.cached_sha(ref.repo_id, revision)
        entry = hub_cache.load_entry(ref.repo_id, known, key) if known and "could not reach" in str(exc) else None
        if entry is None or known is None:
            raise
        return _from_entry(entry, (f"the Hub could not be reached; using the cached read of commit {known[:12]}",))
    sha = str(info.sha)
    hub_cache.remember_revision(ref.repo_id, revision, sha)
    cached = hub_cache.load_entry(ref.repo_id, sha, key)
    if cached is not None:
        return _from_entry(cached, ())
    siblings = [(s.rfilename, int(s.size or 0)) for s in info.siblings or ()]
    entry = _read_fresh(ref, sha, siblings, progress)
    hub_cache.save_entry(ref.repo_id, sha, key, entry)
    return _from_entry(entry, ())


def _cached_entry(ref: RepoRef) -> dict[str, Any] | None:
    """What paramtui's cache holds for the revision last seen of ``ref``, or None."""
    key = f"gguf-{ref.quant}" if ref.quant else "auto"
    sha = hub_cache.cached_sha(ref.repo_id, ref.revision or "main")
    return hub_cache.load_entry(ref.repo_id, sha, key) if sha else None


def read_cached_repo(ref: RepoRef) -> CheckpointRead | None:
    """The cached read of a repo without a request; None when nothing is cached.

    ``paramtui fits`` lists recent repos this way: a list of forty models must not wait on the network.
    """
    entry = _cached_entry(ref)
    return _from_entry(entry, ()) if entry is not None else None


def _read_fresh(ref: RepoRef, sha: str, siblings: list[tuple[str, int]], progress: Progress | None) -> dict[str, Any]:
    names = {name for name, _ in siblings}
    sizes = dict(siblings)
    variants, mmproj = group_gguf_files(siblings)
    weights = safetensors_files(names)
    notes: list[str] = []
    base = {"repo": ref.repo_id, "sha": sha, "variants": _variants_json(variants), "mmproj": list(mmproj)}
    if ref.quant or (variants and not weights):
        return {**base, **_read_gguf_variant(ref, sha, variants, sizes, progress)}
    if sizes.get("config.json", 0) > CONFIG_BYTES:  # refused before it is downloaded
        raise HubError(f"{ref.repo_id}: config.json is {sizes['config.json']:,} bytes; a config.json is a few kB")
    config = _get_json(ref.repo_id, sha, "config.json") if "config.json" in names else None
    if config is None:
        raise HubError(f"{ref.repo_id} has no config.json and no GGUF files; paramtui cannot tell what model it is")
    missing = missing_shards(weights)
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise HubError(f"{ref.repo_id} is an incomplete checkpoint: {missing[0]}{more} is not in the repo's files")
    tensors: list[TensorEntry] = []
    if not weights:
        notes.append("no safetensors weights in the repo: counted from config.json alone")
    else:
        tensors = _read_headers(ref.repo_id, sha, [(n, sizes.get(n, 0)) for n in weights], progress)
    return {
        **base,
        "config": config,
        "files": [[n, sizes.get(n, 0)] for n in weights],
        "tensors": [[t.name, t.dtype, list(t.shape), t.nbytes] for t in tensors],
        "precision": None,
        "notes": notes,
    }


def _read_gguf_variant(
    ref: RepoRef, sha: str, variants: tuple[GgufVariant, ...], sizes: dict[str, int], progress: Progress | None
) -> dict[str, Any]:
    if not variants:
        raise HubError(f"{ref.repo_id} has no GGUF files; drop the :{ref.quant} suffix to read its safetensors")
    wanted = ref.quant or DEFAULT_QUANT
    chosen = next((v for v in variants if v.label == wanted), None)
    notes = []
    if chosen is None and ref.quant is None:
        chosen = variants[0]
        notes.append(f"no {DEFAULT_QUANT} in the repo; read {chosen.label} (pick one with {ref.repo_id}:QUANT)")
    if chosen is None:
        have = ", ".join(v.label for v in variants)
        raise HubError(f"{ref.repo_id} has no {wanted} GGUF; it has {have}")
    headers = []
    for i, (name, size) in enumerate(chosen.files):
        read_at = _range_reader(ref.repo_id, sha, name)
        try:
            headers.append(read_gguf_header(read_at, size or None, name))
        except GgufError as exc:
            raise HubError(str(exc)) from exc
        if progress is not None:
            progress(i + 1, len(chosen.files), name)
    try:
        read = gguf_read(headers, list(chosen.files))
    except CheckpointFileError as exc:
        raise HubError(str(exc)) from exc
    return {
        "config": read.config,
        "files": [list(f) for f in chosen.files],
        "tensors": [[t.name, t.dtype, list(t.shape), t.nbytes] for t in read.tensors],
        "precision": read.precision,
        "notes": [*notes, *read.notes, f"GGUF variant {chosen.label} of {len(variants)} in the repo"],
    }


def _variants_json(variants: tuple[GgufVariant, ...]) -> list[list[Any]]:
    return [[v.label, [list(f) for f in v.files]] for v in variants]


def _from_entry(entry: dict[str, Any], extra_notes: tuple[str, ...]) -> CheckpointRead:
    tensors = tuple(TensorEntry(n, d, tuple(s), b) for n, d, s, b in entry.get("tensors", ()))
    variants = tuple(GgufVariant(label, tuple((n, s) for n, s in files)) for label, files in entry.get("variants", ()))
    config = entry.get("config")
    if isinstance(config, dict):
        config = {**config, "_name_or_path": config.get("_name_or_path") or entry["repo"]}
    return CheckpointRead(
        config,
        tuple((n, s) for n, s in entry.get("files", ())),
        tensors,
        entry.get("precision"),
        variants,
        tuple((n, s) for n, s in entry.get("mmproj", ())),
        (f"{entry['repo']} at commit {entry['sha'][:12]}", *entry.get("notes", ()), *extra_notes),
    )


# --- HTTP, through huggingface_hub -------------------------------------------------------------


def _model_info(repo_id: str, revision: str | None) -> Any:
    from huggingface_hub import HfApi

    return HfApi(endpoint=endpoint()).model_info(repo_id, revision=revision, files_metadata=True, timeout=TIMEOUT_S)


def _url(repo_id: str, sha: str, filename: str) -> str:
    from huggingface_hub import hf_hub_url

    return str(hf_hub_url(repo_id, filename, revision=sha, endpoint=endpoint()))


def _get(repo_id: str, sha: str, filename: str, byte_range: tuple[int, int] | None = None) -> bytes:
    """GET a file (or a byte range of it) with the user's auth headers, raising for errors."""
    from huggingface_hub import get_session, hf_raise_for_status
    from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]

    headers = build_hf_headers()
    if byte_range is not None:
        headers["Range"] = f"bytes={byte_range[0]}-{byte_range[1] - 1}"
    response = get_session().get(_url(repo_id, sha, filename), headers=headers, timeout=TIMEOUT_S)
    hf_raise_for_status(response)
    content: bytes = response.content
    if byte_range is not None and response.status_code == 200 and len(content) > byte_range[1] - byte_range[0]:
        content = content[byte_range[0] : byte_range[1]]  # a server that ignored Range
    return content


def _get_json(repo_id: str, sha: str, filename: str) -> dict[str, Any]:
    from paramtui.engine.adapters.bounded import parse_json
    from paramtui.engine.safe_json import JsonInputError

    raw = _with_retries(lambda: _get(repo_id, sha, filename), repo_id, sha)
    if len(raw) > CONFIG_BYTES:
        raise HubError(
            f"{repo_id}: {filename} is {len(raw):,} bytes, above the {CONFIG_BYTES // 2**20} MiB of a config"
        )
    try:
        data = parse_json(raw, f"{repo_id}: {filename}")
    except JsonInputError as exc:
        raise HubError(str(exc)) from None
    if not isinstance(data, dict):
        raise HubError(f"{repo_id}: {filename} must hold a JSON object")
    return data


def _range_reader(repo_id: str, sha: str, filename: str) -> Callable[[int, int], bytes]:
    def read_at(offset: int, n: int) -> bytes:
        return _with_retries(lambda: _get(repo_id, sha, filename, (offset, offset + n)), repo_id, sha)

    return read_at


def _read_headers(repo_id: str, sha: str, files: list[tuple[str, int]], progress: Progress | None) -> list[TensorEntry]:
    """Every shard's header, concurrently; at most two range requests per shard."""

    def one(file: tuple[str, int]) -> tuple[TensorEntry, ...]:
        name, size = file
        first = _with_retries(lambda: _get(repo_id, sha, name, (0, FIRST_RANGE)), repo_id, sha)
        try:
            length, raw = parse_safetensors_header(first, size or None, name)
            if raw is None:
                raw = _with_retries(lambda: _get(repo_id, sha, name, (8, 8 + length)), repo_id, sha)
            return decode_safetensors_header(raw, size or None, name)
        except HeaderError as exc:
            raise HubError(f"{repo_id}: {exc}") from exc

    results: list[TensorEntry] = []
    with ThreadPoolExecutor(max_workers=min(WORKERS, max(1, len(files)))) as pool:
        for done, entries in enumerate(pool.map(one, files), 1):
            results += entries
            if progress is not None:
                progress(done, len(files), files[done - 1][0])
    return results


def _with_retries(call: Callable[[], T], repo_id: str, revision: str) -> T:
    """Run ``call``, retrying network errors, timeouts, 429 and 5xx with backoff; map errors to one line."""
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    delay = BACKOFF_S
    for attempt in range(RETRIES):
        try:
            return call()
        except GatedRepoError:
            raise HubError(
                f"{repo_id} is gated: request access at {endpoint()}/{repo_id}, then set HF_TOKEN "
                "(or run `hf auth login`) with a token of the account that was granted access"
            ) from None
        except RevisionNotFoundError:
            raise HubError(f"{repo_id} has no revision {revision!r}; check the branch, tag or commit") from None
        except RepositoryNotFoundError:
            raise HubError(
                f"no repo {repo_id!r} on {endpoint()} (or it is private: set HF_TOKEN to a token that can read it)"
            ) from None
        except EntryNotFoundError:
            raise HubError(f"{repo_id}@{revision}: a file listed by the Hub is missing") from None
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            if status not in (408, 429) and status < 500:
                raise HubError(f"{repo_id}: the Hub answered HTTP {status}") from None
            reason = f"HTTP {status}"
        except HubError:
            raise
        except Exception as exc:  # network errors: httpx's, whichever module provides them
            reason = type(exc).__name__
        if attempt + 1 < RETRIES:
            time.sleep(delay)
            delay *= 2
    raise HubError(
        f"could not reach the Hub at {endpoint()} for {repo_id} ({reason}, {RETRIES} attempts); "
        "check the network, or set HF_HUB_OFFLINE=1 to use what paramtui cached"
    )
