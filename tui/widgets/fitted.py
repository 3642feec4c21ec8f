"""A widget that draws its content for the width it actually has.

The bars and the fit pane are laid out to the column (bar lengths, right-aligned numbers), so they
must be drawn for the width the layout gives them. Measuring a Static and updating it afterwards
draws with last frame's width whenever the layout changes (a resize, the narrow-mode tabs, a
scrollbar appearing). Here the drawing function is called at render time with the current width,
so every frame is drawn for its own layout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.geometry import Region, Size
from textual.widget import Widget

from paramtui.tui.bars import Styles

Draw = Callable[[int, Styles], Text]
"""Given the width in cells and the widget's styles (its COMPONENT_CLASSES by short name), the content."""

MIN_WIDTH = 30
"""Narrower than this the layouts stop making sense; the content is drawn at this width and cut."""


def _blank(width: int, styles: Styles) -> Text:
    return Text()


class Fitted(Widget):
    """Content drawn by a function of the width, re-run whenever the widget is rendered."""

    DEFAULT_CSS = "Fitted { height: auto; }"
    STYLE_PREFIX: ClassVar[str] = ""
    """A subclass's COMPONENT_CLASSES start with this (``bars--``); the drawing gets them by the rest."""

    def __init__(self, *, id: str | None = None, margin: int = 0) -> None:
        super().__init__(id=id)
        self._styles: Styles | None = None
        self._draw: Draw = _blank
        self._margin = margin
        """Cells kept free at the right (so a full-width line never touches a scrollbar)."""
        self._drawn: tuple[Draw, int, Text, list[Text]] | None = None
        """The last drawing: (function, width, content, its wrapped lines), so one frame draws and
        wraps once."""

    def show(self, draw: Draw) -> None:
        """Replace what is drawn. A new height needs a layout pass over the whole screen (tens of
        ms), so it is asked for only when the height changes. An edit that keeps the line count
        (almost every keystroke) repaints only the lines that changed: the frame then redraws the
        screen rows between those lines and the edited field, not every widget beside the bars."""
        width = self.content_size.width
        before = self._lines(width) if width > 0 and self._drawn is not None else None
        self._draw = draw
        if before is None:
            self.refresh(layout=True)
            return
        after = self._lines(width)
        if len(after) != len(before):
            self.refresh(layout=True)
            return
        changed = [Region(0, y, width, 1) for y, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
        if changed:
            self.refresh(*changed)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._restyle)

    def _restyle(self, _theme: object = None) -> None:
        """A new theme: take the component styles again and draw anew."""
        self._styles = None
        self._drawn = None
        self.refresh(layout=True)

    def styles_map(self) -> Styles:
        """The COMPONENT_CLASSES' styles by short name (``bars--active`` -> ``active``), from the theme."""
        if self._styles is None:
            prefix = self.STYLE_PREFIX
            self._styles = {
                name.removeprefix(prefix): self.get_component_rich_style(name, partial=True)
                for name in self.COMPONENT_CLASSES
                if name.startswith(prefix)
            }
        return self._styles

    def _lines(self, width: int) -> list[Text]:
        self._content(width)
        assert self._drawn is not None
        return self._drawn[3]

    def _content(self, width: int) -> Text:
        if self._drawn is None or self._drawn[0] is not self._draw or self._drawn[1] != width:
            text = self._draw(max(MIN_WIDTH, width - self._margin), self.styles_map())
            self._drawn = (self._draw, width, text, list(text.wrap(self.app.console, max(1, width))))
        return self._drawn[2]

    def _height(self, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> RenderableType:
        return self._content(self.content_size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._height(width)
