"""The fit pane's plots: decode speed and memory against context, MoE speed against concurrency.

A Fitted drawing (redrawn for the width it is given) of :func:`paramtui.tui.curves_view.render_curves`,
its colours taken from the theme through COMPONENT_CLASSES. The curves arrive from a worker thread
with the fit; until then, and without a GPU to plan on, it is hidden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text

from paramtui.tui.bars import Styles
from paramtui.tui.widgets.fitted import Fitted

if TYPE_CHECKING:
    from paramtui.engine.curves import Curves


class CurvesView(Fitted):
    """Braille plots of the current plan against context (drawn by tui/curves_view.py)."""

    STYLE_PREFIX = "curve--"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "curve--line",
        "curve--second",
        "curve--budget",
        "curve--limit",
        "curve--axis",
        "curve--title",
        "curve--dim",
    }
    """The data line, a second line (per-user speed), the memory budget, the largest context that
    fits, the axes, plot titles and secondary text."""
    DEFAULT_CSS = """
    CurvesView {
        display: none;
        margin-top: 1;
        &.-shown { display: block; }
        & > .curve--line { color: $primary; }
        & > .curve--second { color: $secondary; }
        & > .curve--budget { color: $warning; }
        & > .curve--limit { color: $error; }
        & > .curve--axis { color: $foreground 40%; }
        & > .curve--title { text-style: bold; }
        & > .curve--dim { color: $text-muted; }
    }
    """

    def show_curves(self, curves: Curves | None) -> None:
        """Draw ``curves``; None (no GPU target to plan on) hides the plots and the space they take."""
        if curves is None:
            if self.has_class("-shown"):  # hidden already: no layout pass (every fit without a GPU)
                self.remove_class("-shown")
                self.show(lambda width, styles: Text())
            return
        self.add_class("-shown")
        from paramtui.tui.curves_view import render_curves

        def draw(width: int, styles: Styles) -> Text:
            return render_curves(curves, width, styles)

        self.show(draw)
