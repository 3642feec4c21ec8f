"""Running a program on a pseudo-terminal, for the benchmarks that time what a user sees.

Shared by benchmarks/startup.py and benchmarks/keypress_terminal.py (run as scripts, so this
module is imported from their folder).
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import tempfile
import termios
from collections.abc import Iterator
from contextlib import contextmanager


def private_env(prefix: str) -> tuple[str, dict[str, str]]:
    """A scratch folder and an environment whose data and config dirs are in it, so no
    autosave offer or user config changes what paramtui draws."""
    private = tempfile.mkdtemp(prefix=prefix)
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "PARAMTUI_DATA_DIR": os.path.join(private, "data"),
        "PARAMTUI_CONFIG": os.path.join(private, "config.toml"),
    }
    return private, env


@contextmanager
def spawned(argv: list[str], env: dict[str, str], columns: int = 120, rows: int = 36) -> Iterator[int]:
    """``argv`` running on a ``columns`` x ``rows`` pty; yields the terminal's fd, and ends the
    program when the block ends."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    try:
        yield fd
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
