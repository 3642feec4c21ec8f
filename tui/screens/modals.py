"""Modal screens: the help screen and the offer to restore an autosaved model."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

HELP = (
    ("paramtui", "what an LLM is made of, whether it fits on these GPUs, how fast it runs."),
    (
        "Left: the editor.",
        "Every field of the architecture. Type to change a value; a bad value turns red with the reason, "
        "and the last valid model stays on screen. The workload fields on top pick the GPU target (live, "
        "a preset such as h100-sxm, 2xrtx-4090, mem=24GiB,bw=1TB/s), precision, KV cache type, context "
        "(32k = 32,768 tokens), batch and runtime. Switch a section (moe, mla, linear attention) on with "
        '"yes" and its fields appear with sensible defaults.',
    ),
    (
        "Middle: the bars.",
        "Stored and Active first, then stored parameters per component (shaded) with the active share "
        "(solid) over them, all on one scale. Memory follows stored parameters; compute per token follows "
        "active ones. In compare mode the pinned model's bars are drawn under each row.",
    ),
    (
        "Right: the fit.",
        "Each GPU's memory: used by other programs, weights, KV cache, runtime overhead, free. The verdict, "
        "the largest context and the best precision that fit, decode and prefill tokens/s with the error "
        "band and the numbers behind them. Under them, the curves: decode tok/s and the fullest GPU's "
        "memory against context (the ┆ line is the largest context that fits, ┄ the budget), and for MoE "
        "models tok/s against the number of requests (palette: Curves).",
    ),
    (
        "Search the Hub.",
        "Palette: Search the Hub (or type words into the palette). Enter on a repo reads its headers and "
        "loads it; a GGUF repo lists its quants against the GPU target, ✓ fits, ~ part in RAM, ✗ does not "
        "fit; enter loads the quant picked, escape goes back.",
    ),
    (
        "Hardware.",
        "Each live GPU: memory held by other processes, by this plan, and free; bandwidth, utilisation, "
        "temperature, power and the processes holding memory; then RAM and CPU. f3 goes there; space, "
        "enter, a digit or a click takes a GPU out of the plan or back, like --gpus. Below 110 columns "
        "the bars, the fit and the hardware are tabs (f2).",
    ),
    (
        "What fits here (f4).",
        "Every preset, saved model and recently read repo ranked on the GPUs the fit uses: those that fit, "
        "fastest decode first, then the near misses (fits at a lower precision, needs more GPUs). Type to "
        "filter, ctrl+s sorts by the next column (ctrl+r reverses, or click a header), enter loads the "
        "model, esc goes back. The same list as `paramtui fits`.",
    ),
)
"""(title, paragraph) pairs; paragraphs are single lines, wrapped by the screen to its width."""


@dataclass(frozen=True, slots=True)
class KeyRow:
    """One key of the help's table, read from the live bindings (so a remapped key shows as remapped)."""

    keys: str
    """The keys as displayed (``ctrl+z``)."""
    description: str
    """What it does."""
    binding_id: str
    """The id config.toml's [keymap] uses; empty for keys that cannot be remapped."""


def help_text(keys: list[KeyRow], data_dir: str, config_path: str) -> Text:
    """The help as Text (no markup: ``[keymap]`` and ``[undo]`` are shown as typed).

    The keys come first: at 80x24 they are what fits on the first screen.
    """
    title, intro = HELP[0]
    out = Text()
    out.append(title, style="bold")
    out.append(f" {intro}\n\n")
    out.append("Keys", style="bold")
    out.append(" (binding id in brackets, for [keymap] in config.toml)\n")
    width = max((len(k.keys) for k in keys), default=8) + 2
    for row in keys:
        out.append(f"  {row.keys:<{width}}", style="bold")
        out.append(row.description)
        if row.binding_id:
            out.append(f"  [{row.binding_id}]", style="dim")
        out.append("\n")
    for title, paragraph in HELP[1:]:
        out.append("\n")
        out.append(title, style="bold")
        out.append(f" {paragraph}\n")
    out.append(f"\nFiles: saved models, the autosave and exports in {data_dir}; settings in {config_path}.")
    return out


class HelpScreen(ModalScreen[None]):
    """Everything the panes show and every key, with the ids the keymap uses."""

    BINDINGS: ClassVar = [Binding("escape,f1,q", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 100%; max-width: 110; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface; }
    """

    def __init__(self, keys: list[KeyRow], data_dir: str, config_path: str) -> None:
        super().__init__()
        self._text = help_text(keys, data_dir, config_path)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._text, id="help-text")
            yield Static("escape closes", classes="dim")


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
            f"Unsaved edits of [b]{escape(name)}[/b] (from {escape(source or 'a new model')}) were kept at {when}.\n"
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
