"""The dashboard's screens: the main screen, the fits list, the Hub search and the modals."""

from paramtui.tui.screens.fits import FitsScreen
from paramtui.tui.screens.main import MainScreen
from paramtui.tui.screens.modals import HelpScreen, KeyRow, RestoreScreen
from paramtui.tui.screens.search import SearchScreen

__all__ = ["FitsScreen", "HelpScreen", "KeyRow", "MainScreen", "RestoreScreen", "SearchScreen"]
