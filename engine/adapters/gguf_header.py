"""A bounded, streaming parse of a GGUF file's header: metadata and the tensor table, never the data.

The ``gguf`` package's reader memory-maps the whole file, which a remote file cannot be, and
trusts every count in it. This parser pulls bytes through a ``read(offset, size)`` callable (a
local file or HTTP range requests), in chunks that grow as the header turns out longer, and
refuses absurd counts and string lengths before allocating anything, so a hostile or broken
file costs bounded memory and time. Types come from the ``gguf`` package.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from paramtui.engine.checkpoint import TensorEntry
from paramtui.engine.limits import (
    GGUF_ARRAY,
    GGUF_HEADER_BYTES,
    GGUF_KEPT_ITEMS,
    GGUF_KV,
    GGUF_STRING,
    GGUF_STRINGS,
    GGUF_TENSORS,
    MAX_TENSOR_ELEMENTS,
)

MAX_HEADER_BYTES = GGUF_HEADER_BYTES
"""The metadata and tensor table of a GGUF file never need more (engine/limits.py)."""
MAX_TENSORS = GGUF_TENSORS
"""Tensors per file."""
MAX_KV = GGUF_KV
"""Metadata keys per file."""
MAX_STRING = GGUF_STRING
"""Bytes in one string."""
MAX_ARRAY = GGUF_ARRAY
"""Elements in one metadata array."""
KEPT_STRING = 1 * 2**20
"""Strings up to this length are kept (chat templates are tens of kB); longer ones keep only their length."""
KEPT_ARRAY = 4096
"""Arrays up to this length are kept (per-layer head counts); longer ones keep only their length."""
FIRST_CHUNK = 1 * 2**20
"""Bytes fetched first; each further fetch doubles, so a header costs a handful of requests."""

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_U64 = struct.Struct("<Q")

ReadAt = Callable[[int, int], bytes]
"""``read(offset, size)``: up to ``size`` bytes at ``offset`` (fewer only at the end of the file)."""


class GgufError(ValueError):
    """A GGUF header that is not GGUF, truncated, or asks for absurd sizes."""


@dataclass(frozen=True, slots=True)
class ArrayInfo:
    """A long metadata array, kept as its length (and element type) only."""

    length: int
    """Elements."""
    element_type: int
    """GGUFValueType of the elements."""


@dataclass(frozen=True, slots=True)
class GgufHeader:
    """What a GGUF file declares: its metadata and its tensors with exact byte sizes."""

    version: int
    """GGUF format version."""
    metadata: dict[str, Any]
    """Key -> value (scalars, strings, short arrays as tuples, long arrays as ArrayInfo)."""
    tensors: tuple[TensorEntry, ...]
    """Tensor table: name, GGML type name, shape (GGML order), exact bytes."""
    header_bytes: int
    """Bytes the header spans (what was read)."""


class _Cursor:
    """Sequential reads over ``read_at``, fetching growing chunks and refusing to pass the limit."""

    def __init__(self, read_at: ReadAt, size: int | None, name: str) -> None:
        self._read_at, self._size, self._name = read_at, size, name
        self._buf = b""
        self._start = 0
        self.pos = 0
        self._chunk = FIRST_CHUNK
        self.strings = 0
        self.kept = 0

    def _check_end(self, end: int) -> None:
        if end > MAX_HEADER_BYTES:
            raise GgufError(f"{self._name}: header runs past {MAX_HEADER_BYTES // 2**20} MiB; not a sane GGUF file")
        if self._size is not None and end > self._size:
            raise GgufError(f"{self._name}: header runs past the end of the file (truncated GGUF)")

    def skip(self, n: int) -> None:
        """Move past ``n`` bytes without holding them (a long numeric array is never read into memory)."""
        end = self.pos + n
        self._check_end(end)
        if end > self._start + len(self._buf):
            self._buf, self._start = b"", end
        self.pos = end

    def take(self, n: int) -> bytes:
        end = self.pos + n
        self._check_end(end)
        while self._start + len(self._buf) < end:
            want = max(self._chunk, end - self._start - len(self._buf))
            got = self._read_at(self._start + len(self._buf), want)
            if not got:
                raise GgufError(f"{self._name}: file ends inside the header (truncated GGUF)")
            self._buf += got
            self._chunk = min(self._chunk * 2, 64 * 2**20)
        out = self._buf[self.pos - self._start : end - self._start]
        self.pos = end
        if self.pos - self._start > 8 * 2**20:  # drop consumed bytes so memory stays bounded
            self._buf = self._buf[self.pos - self._start :]
            self._start = self.pos
        return out

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def count(self, what: str, limit: int) -> int:
        value = int(self.unpack("<Q"))
        if value > limit:
            raise GgufError(f"{self._name}: {what} is {value:,}, above the limit of {limit:,}; the file is corrupt")
        return value

    def string(self) -> str:
        self._count_strings(1)
        n = self.count("a string length", MAX_STRING)
        if n > KEPT_STRING:  # kept as its length only: no real key needs a string this long
            self.skip(n)
            return f"<{n:,} bytes not kept>"
        return self.take(n).decode("utf-8", errors="replace")

    def keep(self, n: int) -> bool:
        """Whether ``n`` more array items may be kept (their total is capped: GGUF_KEPT_ITEMS)."""
        self.kept += n
        return self.kept <= GGUF_KEPT_ITEMS

    def skip_strings(self, n: int) -> None:
        """Read past ``n`` strings without decoding or keeping them."""
        self._count_strings(n)
        unpack = _U64.unpack_from
        for _ in range(n):
            rel = self.pos - self._start
            if rel + 8 <= len(self._buf):  # fast path: the string lies in the bytes already fetched
                end = rel + 8 + unpack(self._buf, rel)[0]
                if end <= len(self._buf) and self._start + end <= MAX_HEADER_BYTES:
                    self.pos = self._start + end
                    continue
            self.take(self.count("a string length", MAX_STRING))

    def _count_strings(self, n: int) -> None:
        """Strings cost time one by one, whatever their length: their number is capped (GGUF_STRINGS)."""
        self.strings += n
        if self.strings > GGUF_STRINGS:
            raise GgufError(f"{self._name}: more than {GGUF_STRINGS:,} strings in the header; the file is corrupt")


def _value(cur: _Cursor, vtype: int) -> Any:
    if vtype in _SCALARS:
        return cur.unpack(_SCALARS[vtype])
    if vtype == _STRING:
        return cur.string()
    if vtype == _ARRAY:
        etype = int(cur.unpack("<I"))
        length = cur.count("an array length", MAX_ARRAY)
        if etype not in _SCALARS and etype != _STRING:
            raise GgufError(f"{cur._name}: array of unknown element type {etype}")
        if length > KEPT_ARRAY or not cur.keep(length):  # a vocabulary or merges: keep only the length
            if etype in _SCALARS:
                cur.skip(length * struct.calcsize(_SCALARS[etype]))
            else:
                cur.skip_strings(length)
            return ArrayInfo(length, etype)
        if etype in _SCALARS:  # one read and one unpack for the whole array
            code = _SCALARS[etype][1]
            return struct.unpack(f"<{length}{code}", cur.take(length * struct.calcsize(code)))
        return tuple(_value(cur, etype) for _ in range(length))
    raise GgufError(f"{cur._name}: metadata value of unknown type {vtype}")


def read_gguf_header(read_at: ReadAt, size: int | None, name: str) -> GgufHeader:
    """Parse a GGUF header through ``read_at``.

    Args:
        read_at: reads bytes at an offset (file or HTTP range).
        size: the file's size when known; tensors must lie inside it.
        name: the file name, for messages.

    Raises:
        GgufError: not GGUF, truncated, an unknown type, or a count beyond the limits.
    """
    import gguf

    cur = _Cursor(read_at, size, name)
    if cur.take(4) != b"GGUF":
        raise GgufError(f"{name}: not a GGUF file (no GGUF magic at the start)")
    version = int(cur.unpack("<I"))
    if version not in (2, 3):
        raise GgufError(f"{name}: GGUF version {version} is not supported (2 and 3 are)")
    n_tensors = cur.count("the tensor count", MAX_TENSORS)
    n_kv = cur.count("the metadata key count", MAX_KV)
    metadata: dict[str, Any] = {}
    for _ in range(n_kv):
        key = cur.string()
        metadata[key] = _value(cur, int(cur.unpack("<I")))
    infos = []
    for _ in range(n_tensors):
        tname = cur.string()
        n_dims = int(cur.unpack("<I"))
        if not 1 <= n_dims <= 8:
            raise GgufError(f"{name}: tensor {tname!r} has {n_dims} dimensions; the file is corrupt")
        dims = tuple(cur.count(f"a dimension of {tname!r}", MAX_TENSOR_ELEMENTS) for _ in range(n_dims))
        ttype = int(cur.unpack("<I"))
        offset = int(cur.unpack("<Q"))
        infos.append((tname, dims, ttype, offset))
    tensors = tuple(_tensor(gguf, name, size, *info) for info in infos)
    if size is not None:
        _check_inside(name, size, cur.pos, metadata.get("general.alignment", 32), infos, tensors)
    return GgufHeader(version, metadata, tensors, cur.pos)


def _check_inside(
    name: str, size: int, header_end: int, alignment: Any, infos: list[Any], tensors: tuple[TensorEntry, ...]
) -> None:
    """Every tensor's bytes must lie inside the file, after the header padded to the alignment."""
    if isinstance(alignment, bool) or not isinstance(alignment, int) or not 1 <= alignment <= 2**20:
        raise GgufError(f"{name}: general.alignment {alignment!r} is not a sane alignment")
    data_start = -(-header_end // alignment) * alignment
    for (tname, _dims, _ttype, offset), tensor in zip(infos, tensors, strict=True):
        if data_start + offset + tensor.nbytes > size:
            raise GgufError(
                f"{name}: tensor {tname!r} ends at byte {data_start + offset + tensor.nbytes:,}, "
                f"past the end of the {size:,}-byte file (truncated or corrupt GGUF)"
            )


def _tensor(
    gguf: Any, name: str, size: int | None, tname: str, dims: tuple[int, ...], ttype: int, _offset: int
) -> TensorEntry:
    try:
        qtype = gguf.GGMLQuantizationType(ttype)
        block, type_size = gguf.GGML_QUANT_SIZES[qtype]
    except (ValueError, KeyError):
        raise GgufError(f"{name}: tensor {tname!r} has unknown GGML type {ttype}") from None
    elements = 1
    for d in dims:
        elements *= d
    if dims[0] % block:
        raise GgufError(f"{name}: tensor {tname!r} rows of {dims[0]} are not a multiple of {qtype.name}'s block")
    nbytes = elements // block * type_size
    if size is not None and nbytes > size:
        raise GgufError(f"{name}: tensor {tname!r} is larger than the file")
    return TensorEntry(tname, qtype.name, dims, nbytes)


SPLIT = re.compile(r"^(?P<stem>.*)-(?P<index>\d{5})-of-(?P<count>\d{5})\.gguf$")
"""llama.cpp's split-file names (``model-00001-of-00003.gguf``)."""

QUANT_LABEL = re.compile(
    r"(?i)(?<![A-Za-z0-9])(UD-)?(I?Q\d(_[0-9A-Z]+)*|BF16|F16|F32|MXFP4(_MOE)?|TQ\d_\d)(?![A-Za-z0-9])"
)
"""The quant label in a GGUF file name (``Llama-3.1-8B-Q4_K_M.gguf`` -> Q4_K_M), as llama.cpp's -hf uses it."""


def quant_label(filename: str) -> str:
    """The quant label of a GGUF file name, upper-cased, or ``""`` when it has none."""
    stem = filename.rsplit("/", 1)[-1]
    found = QUANT_LABEL.findall(stem)
    return (found[-1][0] + found[-1][1]).upper() if found else ""
