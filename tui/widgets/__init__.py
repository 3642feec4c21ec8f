"""The dashboard's widgets, one module each.

The names are imported on first use (PEP 562), so importing one screen or widget does not
import them all: the fits table and the Hub search pull in DataTable and the ranking, which the
first paint does not need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paramtui.tui.widgets.curves import CurvesView
    from paramtui.tui.widgets.editor import Editor, Heading
    from paramtui.tui.widgets.field_input import FieldInput
    from paramtui.tui.widgets.fits_table import FitsTable
    from paramtui.tui.widgets.fitted import Fitted
    from paramtui.tui.widgets.hardware import HardwarePane
    from paramtui.tui.widgets.pane_tabs import PaneTabs
    from paramtui.tui.widgets.views import BarsView, FitView

_HOMES = {
    "BarsView": "views",
    "CurvesView": "curves",
    "Editor": "editor",
    "FieldInput": "field_input",
    "FitView": "views",
    "FitsTable": "fits_table",
    "Fitted": "fitted",
    "HardwarePane": "hardware",
    "Heading": "editor",
    "PaneTabs": "pane_tabs",
}
"""Each exported name and the module that defines it."""

__all__ = [
    "BarsView",
    "CurvesView",
    "Editor",
    "FieldInput",
    "FitView",
    "FitsTable",
    "Fitted",
    "HardwarePane",
    "Heading",
    "PaneTabs",
]


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
