"""The tab line of a narrow terminal: which pane shows, and the verdict while another does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

TABS = (("bars", "Parameters"), ("fit", "Fit"), ("hardware", "Hardware"))
"""(tab id, title) in the order f2 goes through them."""


class PaneTabs(Widget):
    """One line: the tabs, then a note (the verdict). A click on a tab posts ``Selected``.

    One line high, so a new text only repaints it: a Static's update would ask for a layout pass
    over the whole screen on every verdict change, even while the line is hidden (wide screens).
    """

    DEFAULT_CSS = """
    PaneTabs { height: 1; }
    PaneTabs > .pane-tabs--active { text-style: bold reverse; }
    PaneTabs > .pane-tabs--dim { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"pane-tabs--active", "pane-tabs--dim"}
    """The shown tab, and the key hint."""

    @dataclass
    class Selected(Message):
        """A tab was clicked."""

        tabs: PaneTabs
        """The tab line."""
        tab: str
        """The tab id (``bars``, ``fit``, ``hardware``)."""

        @property
        def control(self) -> PaneTabs:
            """The tab line that posted it."""
            return self.tabs

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._active = "bars"
        self._note = Text()
        self._spans: list[tuple[int, int, str]] = []

    def show(self, active: str, note: Text) -> None:
        """Mark ``active`` and put ``note`` after the tabs; repaints only when something changed."""
        if (active, note) != (self._active, self._note):
            self._active, self._note = active, note
            self.refresh()

    def render(self) -> Text:
        line = Text(" ")
        self._spans = []
        for tab, title in TABS:
            start = len(line)
            style = self.get_component_rich_style("pane-tabs--active") if tab == self._active else ""
            line.append(f" {title} ", style=style)
            self._spans.append((start, len(line), tab))
            line.append("│")
        line.append(" f2  ", style=self.get_component_rich_style("pane-tabs--dim"))
        line.append_text(self._note)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, tab in self._spans:
            if start <= event.x < end:
                self.post_message(self.Selected(self, tab))
                return
