"""Number formatting: SI for parameter counts, binary (KiB, MiB, GiB) for memory."""

from __future__ import annotations

_SI = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))
_BINARY = ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB"))


def format_params(count: int, precision: int = 2) -> str:
    """Parameter count in SI units, the way model cards write them (671.03B, 8.03B, 126.2M).

    Args:
        count: number of parameters.
        precision: decimals after the point.

    Returns:
        The count with a unit suffix; counts under a thousand are printed whole.
    """
    for scale, suffix in _SI:
        if abs(count) >= scale:
            return f"{count / scale:.{precision}f}{suffix}"
    return str(count)


def format_bytes(count: int, precision: int = 2) -> str:
    """Byte count in binary units (GiB), as memory is sold and reported by NVML.

    Args:
        count: number of bytes.
        precision: decimals after the point.

    Returns:
        The size with a binary unit suffix; sizes under 1 KiB are printed in bytes.
    """
    for scale, suffix in _BINARY:
        if abs(count) >= scale:
            return f"{count / scale:.{precision}f} {suffix}"
    return f"{count} B"


def format_share(part: int, whole: int) -> str:
    """Percentage of ``part`` in ``whole``, '-' when the whole is zero."""
    if whole == 0:
        return "-"
    return f"{100 * part / whole:.1f}%"


def parse_count(text: str) -> int:
    """A parameter count as people write it: ``10B``, ``1.5T``, ``500M``, ``7e9``, ``10_000``.

    Raises:
        ValueError: with a one-line reason and an example.
    """
    cleaned = text.strip().replace("_", "").replace(",", "")
    scale = 1.0
    for factor, suffix in _SI:
        if cleaned.upper().endswith(suffix):
            cleaned, scale = cleaned[: -len(suffix)], factor
            break
    try:
        value = float(cleaned) * scale
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a count; write e.g. 10B, 1.5T, 500M or 7e9") from None
    if value < 0 or value != value or value > 1e16:
        raise ValueError(f"{text.strip()!r} is out of range; counts run from 0 to 10,000T")
    return round(value)


_TOKEN_UNITS = {"K": 2**10, "M": 2**20}
"""Context lengths are written in binary units: a "32K" model holds 32,768 tokens (Qwen's
``max_position_embeddings``), "128K" is 131,072 (Llama 3.1), "10M" is 10,485,760 (Llama 4 Scout)."""


def parse_tokens(text: str) -> int:
    """A token count as context lengths are written: ``32k`` (32,768), ``128K``, ``1M``, ``32768``, ``32_768``.

    Raises:
        ValueError: with a one-line reason and an example.
    """
    cleaned = text.strip().replace("_", "").replace(",", "")
    scale = _TOKEN_UNITS.get(cleaned[-1:].upper(), 1)
    digits = cleaned[:-1] if scale != 1 else cleaned
    try:
        value = float(digits) * scale
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a token count; write e.g. 32768, 32k or 1M") from None
    if not value.is_integer() or value < 1:
        raise ValueError(f"{text.strip()!r} is not a whole, positive number of tokens")
    return int(value)


def format_tokens(count: int) -> str:
    """A token count as context lengths are written: 32768 -> ``32k``, 1048576 -> ``1M``, 1000 -> ``1000``.

    Binary thousands (1k = 1,024), as ``parse_tokens`` reads them; counts that are not a whole
    number of k are shown with one decimal (``40.5k``).
    """
    for scale, suffix in ((2**20, "M"), (2**10, "k")):
        if count >= scale:
            value = count / scale
            return f"{value:.0f}{suffix}" if value.is_integer() else f"{value:.1f}{suffix}"
    return str(count)
