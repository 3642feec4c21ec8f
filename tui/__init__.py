"""The terminal front end: the CLI entry and the Textual dashboard.

Kept light on purpose: importing this package must not import Textual, so `paramtui inspect`
starts fast and runs without a terminal.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("paramtui")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
