"""Weight files on disk: safetensors headers and GGUF headers read from local files.

Only headers are read (the first bytes of each file); the weights themselves are never loaded.
Also holds :class:`CheckpointRead`, what every reader (local or Hub) hands to the source loader.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paramtui.engine.adapters.bounded import InputFileError, open_regular, read_json
from paramtui.engine.adapters.gguf_header import SPLIT, GgufError, GgufHeader, read_gguf_header
from paramtui.engine.checkpoint import HeaderError, TensorEntry, decode_safetensors_header, parse_safetensors_header
from paramtui.engine.gguf_config import GgufConfigError, ftype_precision, gguf_to_config
from paramtui.engine.limits import INDEX_BYTES

Progress = Callable[[int, int, str], None]
"""``progress(done, total, what)``: called as weight-file headers arrive."""

_SHARD = re.compile(r"^model(-\d{5}-of-\d{5})?\.safetensors$")
_SHARD_OF = re.compile(r"^(?P<stem>.+)-(?P<index>\d+)-of-(?P<count>\d+)(?P<ext>\.safetensors)$")
INDEX_NAME = "model.safetensors.index.json"
"""The index transformers writes beside a sharded checkpoint (tensor name -> shard file)."""
MAX_SHARDS = 100_000
"""Shards in one checkpoint (DeepSeek-V3 has 163)."""


class CheckpointFileError(ValueError):
    """A weight file that cannot be read; the message is one line naming the file."""


@dataclass(frozen=True, slots=True)
class GgufVariant:
    """One quantization of a model in a GGUF repo or directory (split files summed)."""

    label: str
    """Quant label from the file name (Q4_K_M, IQ4_XS, F16, ...)."""
    files: tuple[tuple[str, int], ...]
    """(file name, bytes) of its files, split parts in order."""

    @property
    def bytes(self) -> int:
        """Bytes of all its files."""
        return sum(size for _, size in self.files)


@dataclass(frozen=True, slots=True)
class CheckpointRead:
    """What a reader found: the config, the weight files and every tensor they declare."""

    config: dict[str, Any] | None
    """config.json (or the dict built from GGUF metadata); None when there is none."""
    files: tuple[tuple[str, int], ...]
    """(file name, bytes) of the weight files read."""
    tensors: tuple[TensorEntry, ...]
    """Every tensor the headers declare."""
    precision: str | None = None
    """For GGUF: the file type as a precision name (q4_k_m); None for safetensors."""
    variants: tuple[GgufVariant, ...] = ()
    """GGUF quantizations available beside the one read."""
    mmproj: tuple[tuple[str, int], ...] = ()
    """Vision projector (mmproj) GGUF files, listed apart: not part of the language model."""
    notes: tuple[str, ...] = ()
    """What the reader had to assume or fall back to."""


def safetensors_files(names: Iterable[str]) -> list[str]:
    """The weight files of a checkpoint among a directory's or repo's file names.

    ``model.safetensors`` or ``model-0000N-of-0000M.safetensors`` at the top level when present
    (Mistral repos also carry a ``consolidated.safetensors`` copy of the same weights); else
    every top-level ``*.safetensors``.
    """
    top = sorted(n for n in names if "/" not in n and n.endswith(".safetensors"))
    shards = [n for n in top if _SHARD.match(n)]
    return shards or [n for n in top if not n.startswith("consolidated")]


def missing_shards(names: Iterable[str]) -> list[str]:
    """Shards a ``-0000i-of-0000N`` set names by its count but lacks (every part must be there)."""
    present = set(names)
    missing: list[str] = []
    seen: set[str] = set()
    for name in sorted(present):
        match = _SHARD_OF.match(name)
        if match is None:
            continue
        count = int(match["count"])
        if count > MAX_SHARDS:
            return [name]  # a count past any real checkpoint: the name itself is the problem
        width = len(match["count"])
        for i in range(1, count + 1):
            part = f"{match['stem']}-{i:0{width}d}-of-{match['count']}{match['ext']}"
            if part not in present and part not in seen:
                seen.add(part)
                missing.append(part)
    return missing


def index_shards(path: Path) -> list[str] | None:
    """The shard files a local ``model.safetensors.index.json`` names, or None without one.

    Raises:
        CheckpointFileError: the index is not a regular file, too long, not JSON, or malformed.
    """
    index = path / INDEX_NAME
    if not index.exists() and not index.is_symlink():
        return None
    try:
        data = read_json(index, INDEX_BYTES, "a safetensors index")
    except InputFileError as exc:
        raise CheckpointFileError(str(exc)) from None
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
        raise CheckpointFileError(f"{index}: weight_map must map tensor names to shard file names")
    return sorted(set(weight_map.values()))


def _check_complete(path: Path, names: list[str]) -> None:
    """Refuse a checkpoint whose index or shard names say a file is not there."""
    listed = index_shards(path)
    missing = [n for n in listed or () if "/" in n or not (path / n).is_file()]
    missing += [n for n in missing_shards(names) if n not in missing]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise CheckpointFileError(
            f"{path} is an incomplete checkpoint: {missing[0]}{more} missing; "
            "finish the download or point at config.json"
        )


def read_local_safetensors(
    path: Path, progress: Progress | None = None, only: list[str] | None = None
) -> tuple[list[TensorEntry], list[tuple[str, int]]]:
    """Read the headers of a local directory's safetensors files (or only the named ones).

    Raises:
        CheckpointFileError: a file that is not a regular file, a broken header, or a shard that
            the directory's index or its shard names call for is missing (also when ``only`` names
            one shard: a set with a hole is refused, not read in part).
    """
    # every *.safetensors entry, files or not: a FIFO or a device under that name is refused, not skipped
    listing = [p.name for p in path.iterdir()]
    names = only or safetensors_files(listing)
    _check_complete(path, safetensors_files(listing))
    entries: list[TensorEntry] = []
    files: list[tuple[str, int]] = []
    for i, name in enumerate(names):
        file = path / name
        try:
            fh, size = open_regular(file, "a safetensors file")
            with fh:
                length, raw = parse_safetensors_header(fh.read(8), size, name)
                raw = fh.read(length)
            entries += decode_safetensors_header(raw, size, name)
        except (HeaderError, InputFileError) as exc:
            raise CheckpointFileError(str(exc)) from exc
        except OSError as exc:
            raise CheckpointFileError(f"cannot read {file}: {exc.strerror}") from exc
        files.append((name, size))
        if progress is not None:
            progress(i + 1, len(names), name)
    return entries, files


def split_parts(path: Path) -> list[Path]:
    """All parts of a split GGUF (``-00001-of-00003.gguf``), or just the file."""
    match = SPLIT.match(path.name)
    if not match:
        return [path]
    count = int(match["count"])
    parts = [path.with_name(f"{match['stem']}-{i:05d}-of-{count:05d}.gguf") for i in range(1, count + 1)]
    missing = [p.name for p in parts if not p.exists()]
    if missing:
        raise CheckpointFileError(f"{path.name} is part of a {count}-file split, but {missing[0]} is missing")
    return parts


def read_local_gguf(path: Path) -> CheckpointRead:
    """Read a local GGUF file (every part of a split one): metadata, tensors, exact bytes."""
    headers: list[GgufHeader] = []
    files = []
    for part in split_parts(path):
        try:
            fh, size = open_regular(part, "a GGUF file")
            with fh:

                def read_at(offset: int, n: int, fh: Any = fh) -> bytes:
                    fh.seek(offset)
                    data: bytes = fh.read(n)
                    return data

                headers.append(read_gguf_header(read_at, size, part.name))
        except (GgufError, InputFileError) as exc:
            raise CheckpointFileError(str(exc)) from exc
        except OSError as exc:
            raise CheckpointFileError(f"cannot read {part}: {exc.strerror}") from exc
        files.append((part.name, size))
    return gguf_read(headers, files)


def gguf_read(headers: list[GgufHeader], files: list[tuple[str, int]]) -> CheckpointRead:
    """Turn the headers of one GGUF model (its split parts) into a CheckpointRead."""
    import gguf

    meta = headers[0].metadata
    tensors = tuple(t for h in headers for t in h.tensors)
    tokens = meta.get("tokenizer.ggml.tokens")
    vocab = getattr(tokens, "length", None) or (len(tokens) if isinstance(tokens, tuple) else None)
    name = files[0][0]
    try:
        config = gguf_to_config(meta, [t.name for t in tensors], vocab)
    except GgufConfigError as exc:
        raise CheckpointFileError(f"{name}: {exc}") from exc
    config["_name_or_path"] = str(meta.get("general.name") or name)
    ftype = meta.get("general.file_type")
    try:
        ftype_name = gguf.LlamaFileType(int(ftype)).name if ftype is not None else ""
    except (ValueError, TypeError, OverflowError):
        ftype_name = ""
    precision = ftype_precision(ftype_name) if ftype_name else _precision_from_tensors(tensors)
    notes = (f"GGUF file type {ftype_name or 'unknown'} (counted as {precision} for the runtime rules)",)
    return CheckpointRead(config, tuple(files), tensors, precision, notes=notes)


def _precision_from_tensors(tensors: tuple[TensorEntry, ...]) -> str:
    """The most common tensor type as a precision, when the file type is missing."""
    weights: dict[str, int] = {}
    for t in tensors:
        weights[t.dtype] = weights.get(t.dtype, 0) + t.elements
    top = max(weights, key=lambda k: weights[k]) if weights else "F16"
    return ftype_precision(f"MOSTLY_{top}")


def group_gguf_files(files: Iterable[tuple[str, int]]) -> tuple[tuple[GgufVariant, ...], tuple[tuple[str, int], ...]]:
    """Group GGUF file names into quant variants (split parts summed) and mmproj files."""
    from paramtui.engine.adapters.gguf_header import quant_label

    variants: dict[str, list[tuple[str, int]]] = {}
    mmproj = []
    for name, size in sorted(files):
        if not name.endswith(".gguf"):
            continue
        if "mmproj" in name.rsplit("/", 1)[-1].lower():
            mmproj.append((name, size))
            continue
        label = quant_label(name) or name.rsplit("/", 1)[-1].removesuffix(".gguf")
        variants.setdefault(label, []).append((name, size))
    grouped = tuple(GgufVariant(label, tuple(parts)) for label, parts in variants.items())
    return grouped, tuple(mmproj)
