"""An editor field whose keystrokes reach the bars in the same frame, without a screen layout.

Two things made a keystroke take ~50 ms to reach the bars on a terminal
(benchmarks/keypress_terminal.py):

- Textual's Input sets its ``virtual_size`` to the width of its text on every value change, and
  ``virtual_size`` is a layout reactive, so each keystroke asked for a layout pass over the whole
  screen (~120 widgets here). The editor's fields have a fixed size, so nothing outside the field
  moves when its text grows: that one layout request becomes a repaint. Every other layout request
  (a class or style change, a resize) goes through unchanged.
- The edit reached the app as an ``Input.Changed`` message, handled after the frame that repainted
  the field, so the bars waited for the next frame (Textual paces frames at 60 per second). The
  field now calls its ``edited`` callback while the value changes, so the field and the bars are
  drawn in one frame.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Region
from textual.widgets import Input


class FieldInput(Input):
    """A fixed-size Input that reports edits synchronously and repaints without a screen layout."""

    _in_value_watch = False
    _edited: Callable[[FieldInput, str], None] | None = None

    def __init__(self, value: str, *, edited: Callable[[FieldInput, str], None], **kwargs: object) -> None:
        super().__init__(value, **kwargs)  # type: ignore[arg-type]
        self._edited = edited  # after construction: setting the first value is not an edit

    def _watch_value(self, value: str) -> None:
        self._in_value_watch = True
        try:
            super()._watch_value(value)
        finally:
            self._in_value_watch = False
        if self._edited is not None:
            self._edited(self, value)

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> FieldInput:
        """Downgrade the value watcher's layout request to a repaint when the size is fixed."""
        if layout and self._in_value_watch and not self.styles.auto_dimensions:
            layout = False
        super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        return self
