"""Modal screens: the help screen and the offer to restore an autosaved model."""

from __future__ import annotations

import time
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

HELP = """\
[b]paramtui[/b]: what an LLM is made of, whether it fits on these GPUs, how fast it runs.

[b]Left: the editor.[/b] Every field of the architecture. Type to change a value; a bad value
turns red with the reason, and the last valid model stays on screen. The workload fields on
top pick the GPU target (live, a preset such as h100-sxm, 2xrtx-4090, mem=24GiB,bw=1TB/s),
precision, KV cache type, context, batch and runtime. Switch a section (moe, mla,
linear attention) on with "yes" and its fields appear with sensible defaults.

[b]Middle: the bars.[/b] Stored parameters per component (shaded) with the active share
(green) over them, all on one scale. Memory follows stored parameters; compute per token
follows active ones. In compare mode the pinned model's bars are drawn under each row.

[b]Right: the fit.[/b] Each GPU's memory: used by other programs, weights, KV cache, runtime
overhead, free. The verdict, the largest context and the best precision that fit, decode and
prefill tokens/s with the error band and the numbers behind them.

[b]Keys[/b] (binding id in brackets, for [keymap] in config.toml)
  ctrl+z / ctrl+y   undo / redo an edit            [undo] [redo]
  ctrl+r            reset to the loaded model      [reset]
  ctrl+g            type a GPU target              [gpu]
  ctrl+s            save the model (JSON)          [save]
  ctrl+o            export report JSON + SVG       [export]
  ctrl+t            simple mode: N experts x S     [simple]
  ctrl+b            pin this model to compare      [compare]
  ctrl+p            palette: presets, files, GPU targets, runtimes, saved models, theme
  f1                this help                      [help]
  ctrl+q            quit                           [quit]

Files: saved models, the autosave and exports in {data_dir}; settings in {config_path}.
"""


class HelpScreen(ModalScreen[None]):
    """Everything the panes show and every key, with the ids the keymap uses."""

    BINDINGS: ClassVar = [Binding("escape,f1,q", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface; }
    """

    def __init__(self, data_dir: str, config_path: str) -> None:
        super().__init__()
        self._text = HELP.format(data_dir=data_dir, config_path=config_path)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._text)
            yield Static("[dim]escape closes[/dim]")


class RestoreScreen(ModalScreen[bool]):
    """Offers back the model that was being edited when paramtui last stopped."""

    BINDINGS: ClassVar = [
        Binding("r,enter", "restore", "Restore"),
        Binding("d,escape", "discard", "Discard"),
    ]
    DEFAULT_CSS = """
    RestoreScreen { align: center middle; }
    RestoreScreen > Vertical { width: 64; max-width: 100%; height: auto; border: round $warning;
        padding: 0 1; background: $surface; }
    RestoreScreen Horizontal { height: auto; margin-top: 1; }
    RestoreScreen Button { margin-right: 2; }
    """

    def __init__(self, name: str, source: str, saved_at: float) -> None:
        super().__init__()
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(saved_at)) if saved_at else "an earlier session"
        self._text = (
            f"Unsaved edits of [b]{name}[/b] (from {source or 'a new model'}) were kept at {when}.\n"
            "Restore them? (r restores, d discards)"
        )

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._text)
            with Horizontal():
                yield Button("Restore", id="restore", variant="primary")
                yield Button("Discard", id="discard")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "restore")

    def action_restore(self) -> None:
        self.dismiss(True)

    def action_discard(self) -> None:
        self.dismiss(False)
