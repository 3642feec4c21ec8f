"""The hardware pane: this machine's GPUs, RAM and CPU, and which GPUs the plan may use.

The screen hands it each new reading (at the poll interval) and each new plan; it redraws only
the lines that changed, and nothing at all when the reading did not change (Fitted.show). Space
or enter switches the GPU under the cursor in or out of the plan, a digit switches that GPU, and
a click on a GPU does the same: each posts ``GpuToggled`` and the screen re-plans at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message

from paramtui.tui.bars import Styles
from paramtui.tui.hw_view import render_hardware
from paramtui.tui.widgets.fitted import Fitted

if TYPE_CHECKING:
    from paramtui.engine.adapters.live import LiveMachine


class HardwarePane(Fitted, can_focus=True):
    """Each GPU's memory (others / this plan / free), load and processes; then RAM and CPU."""

    STYLE_PREFIX = "hw--"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "hw--others",
        "hw--plan",
        "hw--free",
        "hw--off",
        "hw--cursor",
        "hw--warning",
        "hw--dim",
    }
    """Memory held by other processes, by this plan, free; a GPU left out; the keyboard's GPU;
    warnings; secondary text."""
    DEFAULT_CSS = """
    HardwarePane {
        & > .hw--others { color: $error; }
        & > .hw--plan { color: $primary; }
        & > .hw--free { color: $foreground 30%; }
        & > .hw--off { color: $text-disabled; }
        & > .hw--cursor { text-style: reverse; }
        & > .hw--warning { color: $warning; }
        & > .hw--dim { color: $text-muted; }
    }
    """
    BINDINGS: ClassVar = [
        Binding("space,enter", "toggle_gpu", "Use GPU", tooltip="Use the GPU under the cursor in the plan, or not"),
        Binding("up", "move(-1)", "Previous GPU", show=False),
        Binding("down", "move(1)", "Next GPU", show=False),
        *[Binding(str(i), f"toggle_gpu({i})", f"GPU {i}", show=False) for i in range(10)],
    ]
    """Local keys: they work while the pane has focus (f3 gives it)."""

    @dataclass
    class GpuToggled(Message):
        """The user switched a GPU in or out of the plan."""

        pane: HardwarePane
        """The pane."""
        index: int
        """The live GPU index."""

        @property
        def control(self) -> HardwarePane:
            """The pane that posted it."""
            return self.pane

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._machine: LiveMachine | None = None
        self._state = "reading GPUs..."
        self._used: Mapping[int, bool] = {}
        self._plan: Mapping[int, int] = {}
        self._cursor = 0
        self._starts: tuple[int, ...] = ()

    def update_reading(
        self, machine: LiveMachine | None, state: str, used: Mapping[int, bool], plan: Mapping[int, int]
    ) -> None:
        """A new reading or plan; nothing is redrawn when what it shows is the same."""
        key = (machine, state, dict(used), dict(plan))
        if key == (self._machine, self._state, dict(self._used), dict(self._plan)) and self._drawn is not None:
            return
        self._machine, self._state, self._used, self._plan = machine, state, used, plan
        self._redraw()

    @property
    def gpu_count(self) -> int:
        """GPUs in the reading."""
        return len(self._machine.snapshot.gpus) if self._machine is not None else 0

    def _redraw(self) -> None:
        machine, state, used, plan = self._machine, self._state, self._used, self._plan
        cursor = self._cursor if self.has_focus and self.gpu_count else None

        def draw(width: int, styles: Styles) -> Text:
            text, self._starts = render_hardware(machine, state, width, used, plan, cursor, styles)
            return text

        self.show(draw)

    def on_focus(self) -> None:
        self._redraw()

    def on_blur(self) -> None:
        self._redraw()

    def action_move(self, step: int) -> None:
        if self.gpu_count:
            self._cursor = (self._cursor + step) % self.gpu_count
            self._redraw()

    def action_toggle_gpu(self, index: int | None = None) -> None:
        chosen = self._cursor if index is None else index
        if 0 <= chosen < self.gpu_count:
            self._cursor = chosen
            self.post_message(self.GpuToggled(self, chosen))

    def on_click(self, event: events.Click) -> None:
        for index, (start, end) in enumerate(zip(self._starts, self._starts[1:], strict=False)):
            if start <= event.y < end:
                self.action_toggle_gpu(index)
                return
