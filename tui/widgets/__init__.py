"""The dashboard's widgets, one module each."""

from paramtui.tui.widgets.curves import CurvesView
from paramtui.tui.widgets.editor import Editor, Heading
from paramtui.tui.widgets.field_input import FieldInput
from paramtui.tui.widgets.fits_table import FitsTable
from paramtui.tui.widgets.fitted import Fitted
from paramtui.tui.widgets.hardware import HardwarePane
from paramtui.tui.widgets.pane_tabs import PaneTabs
from paramtui.tui.widgets.views import BarsView, FitView

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
