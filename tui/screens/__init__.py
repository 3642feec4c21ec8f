"""The dashboard's screens: the main screen and its modals."""

from paramtui.tui.screens.main import MainScreen
from paramtui.tui.screens.modals import HelpScreen, KeyRow, RestoreScreen

__all__ = ["HelpScreen", "KeyRow", "MainScreen", "RestoreScreen"]
