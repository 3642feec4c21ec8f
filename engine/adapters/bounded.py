"""The one way paramtui reads a file: regular files only, a byte cap by kind, JSON with a depth limit.

A path that is a device (``/dev/zero``, ``/dev/urandom``), a FIFO or a directory, or a symlink to
one, is refused before it is opened, so nothing is read forever or blocks on a pipe; a file longer
than its kind's cap (engine/limits.py) is refused before it is read. JSON is parsed with NaN,
Infinity and overflowing numbers refused and its nesting limited, so a hostile file gives one line,
never a RecursionError or a float that turns into ``inf`` later.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO, Any

from paramtui.engine.safe_json import JsonInputError, parse_json

__all__ = ["InputFileError", "open_regular", "parse_json", "read_bounded", "read_json", "regular_size"]


class InputFileError(ValueError):
    """A file that cannot be read as asked; the message is one line naming the file and why."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def regular_size(path: Path, what: str = "") -> int:
    """The size of ``path`` (symlinks followed) if it is a regular file; else InputFileError.

    Args:
        path: the file.
        what: what the file should be, for the message ("a config.json").
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        target = f" (it points at {os.path.realpath(path)})" if os.path.islink(path) else ""
        want = f"; point at {what}" if what else ""
        raise InputFileError(f"{path} is {_kind(info.st_mode)}{target}, not a regular file{want}")
    return info.st_size


def open_regular(path: Path, what: str = "") -> tuple[IO[bytes], int]:
    """Open a regular file for reading: (binary file, size). Checked before opening and after.

    The check after opening (``fstat``) catches a path swapped for a FIFO or device in between.
    """
    regular_size(path, what)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise InputFileError(f"{path} is {_kind(info.st_mode)}, not a regular file")
    return os.fdopen(fd, "rb"), info.st_size


def read_bounded(path: Path, cap: int, what: str) -> bytes:
    """All bytes of a regular file no longer than ``cap``; InputFileError otherwise.

    Args:
        path: the file.
        cap: most bytes accepted (a limit from engine/limits.py).
        what: what the file is, for messages ("a config.json").
    """
    fh, size = open_regular(path, what)
    with fh:
        if size > cap:
            raise InputFileError(f"{path} is {size:,} bytes, above the {_mb(cap)} this tool reads for {what}")
        try:
            data = fh.read(cap + 1)
        except OSError as exc:
            raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > cap:
        raise InputFileError(f"{path} grew past the {_mb(cap)} this tool reads for {what}")
    return data


def _mb(n: int) -> str:
    return f"{n / 2**20:g} MiB"


def read_json(path: Path, cap: int, what: str) -> Any:
    """A regular file's JSON, read under ``cap`` bytes and parsed with :func:`parse_json`."""
    raw = read_bounded(path, cap, what)
    try:
        return parse_json(raw, str(path))
    except JsonInputError as exc:
        raise InputFileError(str(exc)) from None
