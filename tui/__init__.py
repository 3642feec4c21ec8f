"""The terminal front end: the CLI entry and the Textual dashboard.

Kept light on purpose: importing this package must not import Textual, so `paramtui inspect`
starts fast and runs without a terminal. The version is looked up only when asked for
(importlib.metadata costs ~40 ms, a tenth of the dashboard's start-up budget).
"""

from __future__ import annotations


def package_version() -> str:
    """The installed distribution's version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paramtui")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0.0.0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return package_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["package_version"]
