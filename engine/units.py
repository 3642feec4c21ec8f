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
