"""The dashboard's screens: the main screen, the fits list, the Hub search and the modals.

The names are imported on first use (PEP 562), so importing one screen or widget does not
import them all: the fits table and the Hub search pull in DataTable and the ranking, which the
first paint does not need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paramtui.tui.screens.fits import FitsScreen
    from paramtui.tui.screens.main import MainScreen
    from paramtui.tui.screens.modals import HelpScreen, KeyRow, RestoreScreen
    from paramtui.tui.screens.search import SearchScreen

_HOMES = {
    "FitsScreen": "fits",
    "HelpScreen": "modals",
    "KeyRow": "modals",
    "MainScreen": "main",
    "RestoreScreen": "modals",
    "SearchScreen": "search",
}
"""Each exported name and the module that defines it."""

__all__ = ["FitsScreen", "HelpScreen", "KeyRow", "MainScreen", "RestoreScreen", "SearchScreen"]


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
