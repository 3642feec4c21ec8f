"""The Textual dashboard: architecture editor, stored-vs-active bars, hardware and fit.

Data flow is one way (DESIGN.md): an edit produces a new validated Architecture; the bars are
redrawn at once from the engine's breakdown (microseconds); the fit and speed, which search
contexts and precisions (about 10 ms for DeepSeek-V3 on 8 GPUs), run on a worker thread and
land when done, so typing never waits for them. The live GPU reading is taken on a worker at
start and refreshed by the NVML poller's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import Hit, Hits, Provider
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from paramtui.engine.adapters import store
from paramtui.engine.adapters.sources import LoadedSource, SourceError, is_hub_source, load_preset, load_source
from paramtui.engine.architecture import SECTIONS, Architecture
from paramtui.engine.importer import ConfigError, ImportResult
from paramtui.engine.params import ParamBreakdown, count_params
from paramtui.engine.runtimes import RUNTIMES
from paramtui.engine.simple import SimpleMoe, simple_breakdown, simple_lines
from paramtui.engine.units import format_bytes, format_params, parse_count
from paramtui.presets import DEFAULT_PRESET, all_presets, get_preset, gpu_presets
from paramtui.tui.bars import render_bars
from paramtui.tui.config import Config, config_path, load_config
from paramtui.tui.field_input import FieldInput
from paramtui.tui.fields import (
    GROUPS,
    FieldSpec,
    all_fields,
    apply,
    current_value,
    display,
    field_spec,
    parse,
    toggle_section,
)
from paramtui.tui.fit_view import render_fit, verdict_text
from paramtui.tui.fitted import Fitted

if TYPE_CHECKING:  # imported where used: the first paint needs none of them (benchmarks/startup.py)
    from paramtui.engine.adapters.live import LiveMachine
    from paramtui.engine.adapters.nvml import HardwarePoller, NvmlSnapshot
    from paramtui.engine.analysis import Analysis, Request
    from paramtui.engine.hardware import Hardware

NARROW = 110
"""Below this many columns the editor sits on top and the bars and the fit share the space under
it as two tabs (f2 or a click on the tab line switches), so 80x24 shows the editor and one answer."""

WIDE = 150
"""From this many columns the fit pane gets 60 columns instead of 44 (fewer wrapped lines)."""

WORKLOAD_FIELDS = ("gpu", "precision", "kv_dtype", "context", "batch", "runtime")
"""Inputs that shape the request rather than the architecture."""

SIMPLE_FIELDS = (
    ("num_experts", "experts"),
    ("expert_params", "params/expert"),
    ("top_k", "top-k"),
    ("shared_params", "shared params"),
)
"""Simple mode's inputs: (SimpleMoe field, label)."""

AUTOSAVE_DELAY_S = 0.5
"""An edit is written to the autosave this long after typing pauses."""


def _input_id(path: str) -> str:
    return "f-" + path.replace(".", "__")


@dataclass(frozen=True, slots=True)
class RequestInputs:
    """The workload inputs as typed (turned into an engine Request for each fit)."""

    gpu: str = "live"
    precision: str = "auto"
    kv_dtype: str = "auto"
    context: str = ""
    batch: str = "1"
    runtime: str = ""


class PresetCommands(Provider):
    """Command palette: load a preset, switch the GPU target or the runtime (fuzzy search)."""

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, ParamApp)
        matcher = self.matcher(query)
        commands: list[tuple[str, Any, str]] = []
        for pid, preset in all_presets().items():
            commands.append((f"Load preset: {pid}", lambda p=pid: app.load_preset_id(p), preset.display_name))
        commands.append(("GPU target: live", lambda: app.set_workload("gpu", "live"), "this machine's GPUs"))
        for gid, gpu in gpu_presets().items():
            commands.append((f"GPU target: {gid}", lambda g=gid: app.set_workload("gpu", g), gpu.name))
        for runtime in RUNTIMES:
            commands.append((f"Runtime: {runtime}", lambda r=runtime: app.set_workload("runtime", r), ""))
        for source in store.recent_sources():
            commands.append((f"Open recent: {source}", lambda s=source: app.open_source(s), "saved or opened before"))
        commands.append(("Compare: pin this model", app.action_compare, "then load or edit another"))
        commands.append(("Simple mode: N experts x S params", app.action_simple, "the thought experiment"))
        commands.append(("Save model", app.action_save, "JSON in the user data directory"))
        commands.append(("Export report (JSON + SVG)", app.action_export, "inspect --json and a screenshot"))
        typed = query.strip()
        if typed and (typed.startswith(("/", "~", ".")) or typed.endswith((".json", ".gguf"))):
            yield Hit(1.0, f"Open file: {typed}", lambda: app.open_source(typed), help="a config.json or saved model")
        elif typed and is_hub_source(typed):
            yield Hit(
                1.0,
                f"Load Hugging Face repo: {typed}",
                lambda: app.open_source(typed),
                help="config.json and weight-file headers only, never the weights",
            )
        else:
            hint = "Load Hugging Face repo..."
            score = matcher.match(hint)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(hint),
                    lambda: app.notify("type the repo id in the palette: owner/name[@revision][:QUANT]"),
                    help="type owner/name here",
                )
        for text, action, help_text in commands:
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), action, help=help_text)


class Heading(Static):
    """A group's place in the inputs column: two blank lines, the second carrying an optional
    note; the group's title is drawn in the labels column beside it."""

    def __init__(self, title: str, note: str = "", classes: str = "") -> None:
        super().__init__(f"\n[dim]{note}[/dim]" if note else "", classes=classes)
        self.title = title


class PaneTabs(Widget):
    """The tab line of a narrow terminal; a click switches like f2.

    One line high, so a new text only repaints it: a Static's update would ask for a layout pass
    over the whole screen on every verdict change, even while the line is hidden (wide screens).
    """

    DEFAULT_CSS = "PaneTabs { height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._line = Text()

    def show(self, line: Text) -> None:
        if line != self._line:
            self._line = line
            self.refresh()

    def render(self) -> Text:
        return self._line

    def on_click(self) -> None:
        app = self.app
        assert isinstance(app, ParamApp)
        app.action_switch_pane()


class ParamApp(App[None]):
    """paramtui's dashboard."""

    TITLE = "paramtui"
    CSS = """
    #panes { height: 1fr; }
    #editor { width: 36; border-right: solid $primary-darken-2; }
    #bars-pane { width: 1fr; padding: 0 1; }
    #fit-pane { width: 44; border-left: solid $primary-darken-2; padding: 0 1; }
    #editor-grid { height: auto; }
    #labels { width: 18; padding-right: 1; height: auto; color: $text-muted; }
    #labels { text-wrap: nowrap; text-overflow: ellipsis; }
    #inputs { width: 1fr; height: auto; }
    #inputs Input { height: 1; border: none; padding: 0 0; width: 1fr; }
    #inputs Input.invalid { background: $error 30%; }
    Heading { height: 2; color: $text-muted; content-align: left bottom; }
    .off { display: none; }
    #status { display: none; height: auto; max-height: 3; color: $error; padding: 0 1; }
    #status.shown { display: block; }
    #status.info { color: $accent; }
    #panes.wide > #fit-pane { width: 60; }
    #pane-tabs { display: none; height: 1; }
    #panes.narrow { layout: vertical; }
    #panes.narrow > #editor { width: 1fr; height: 8; border-right: none; border-bottom: solid $primary-darken-2; }
    #panes.narrow > #pane-tabs { display: block; }
    #panes.narrow > #bars-pane { height: 1fr; }
    #panes.narrow > #fit-pane { display: none; width: 1fr; height: 1fr; border-left: none; }
    #panes.narrow.show-fit > #fit-pane { display: block; }
    #panes.narrow.show-fit > #bars-pane { display: none; }
    .simple { display: none; }
    .simple-mode .simple { display: block; }
    .simple-mode .arch { display: none; }
    """
    COMMANDS: ClassVar = App.COMMANDS | {PresetCommands}
    BINDINGS: ClassVar = [
        Binding("ctrl+z", "undo", "Undo", tooltip="Undo the last valid edit", id="undo"),
        Binding("ctrl+y", "redo", "Redo", tooltip="Redo an undone edit", id="redo", show=False),
        Binding("ctrl+r", "reset", "Reset", tooltip="Reset to the loaded preset or file", id="reset", show=False),
        Binding(
            "ctrl+g", "gpu_target", "GPU", tooltip="Type a GPU target: live, h100-sxm, 2xrtx-4090, mem=...", id="gpu"
        ),
        Binding("ctrl+s", "save", "Save", tooltip="Save the model as JSON in the user data directory", id="save"),
        Binding(
            "ctrl+o",
            "export",
            "Export",
            tooltip="Write the report as JSON and a screenshot as SVG",
            id="export",
            show=False,
        ),
        Binding("ctrl+t", "simple", "Simple", tooltip="N experts x S parameters, top-k, shared", id="simple"),
        Binding(
            "ctrl+b", "compare", "Compare", tooltip="Pin this model and compare the next one with it", id="compare"
        ),
        Binding("f1", "help", "Help", tooltip="What the panes show, every key", id="help"),
        Binding("f2", "switch_pane", "Pane", tooltip="Narrow terminal: show the bars or the fit", id="pane"),
        Binding(
            "ctrl+q", "quit", "Quit", tooltip="Quit (edits stay in the autosave)", id="quit", show=False, priority=True
        ),
    ]

    def __init__(
        self, source: str | None = None, probe: bool = True, config: Config | None = None, offer_restore: bool = True
    ) -> None:
        super().__init__()
        self.config = config if config is not None else load_config()
        self.startup_errors: list[str] = list(self.config.errors)
        wanted = source or self.config.source
        self._pending_repo = wanted if wanted and is_hub_source(wanted) else ""
        """A Hub repo SOURCE, read by a worker after the first paint (the default shows meanwhile)."""
        try:
            if wanted and not self._pending_repo:
                self.loaded: LoadedSource = load_source(wanted)
            else:
                self.loaded = load_preset(get_preset(DEFAULT_PRESET))
        except (SourceError, ConfigError) as exc:  # still open, on the default, and say why
            self.startup_errors.append(f"{exc} (showing {DEFAULT_PRESET} instead)")
            self.loaded = load_preset(get_preset(DEFAULT_PRESET))
        self.arch: Architecture = self.loaded.result.architecture
        self.breakdown: ParamBreakdown = count_params(self.arch)
        self.workload = RequestInputs(
            gpu=self.config.gpu,
            context=str(self.config.context) if self.config.context else "",
            runtime=self.config.runtime,
        )
        self.simple: SimpleMoe | None = None
        self._simple_model = SimpleMoe()
        self.pinned: tuple[Architecture, ParamBreakdown] | None = None
        self._offer_restore = offer_restore
        self._autosave_timer: Any = None
        self._status_note = ""
        """A start-up problem (bad SOURCE, bad config) kept in the status line until the first edit."""
        self.machine: LiveMachine | None = None
        self.live_state = "reading GPUs..." if probe else "no live reading"
        self._probe = probe
        self._poller: HardwarePoller | None = None
        self._undo: list[Architecture] = []
        self._redo: list[Architecture] = []
        self._syncing = False
        self.analysis: Analysis | None = None
        self._narrow = False
        self._editor_ready = False
        """True once the editor's rows are mounted (after the first paint)."""
        self._focus_when_ready = ""
        """The id of an input a key asked for before the editor was built."""
        self._label_of: dict[str, str] = {}
        """Each input's label, by input id (see _row)."""
        self._static_content: dict[str, str | Text] = {}
        """What each Static last showed (see _update_static)."""

    # --- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with VerticalScroll(id="editor"), Horizontal(id="editor-grid"):
                yield Static(id="labels")
                with Vertical(id="inputs"):
                    yield Heading("workload")
            yield PaneTabs(id="pane-tabs")
            with VerticalScroll(id="bars-pane"):
                yield Static(id="title")
                yield Fitted(id="bars", margin=1)
            with VerticalScroll(id="fit-pane"):
                yield Fitted(id="fit")
        yield Static(id="status")
        yield Footer()

    def _row(self, path: str, value: str, group: str = "", label_text: str = "") -> FieldInput:
        """One field: its Input in the inputs column; its label is a line of the labels column
        (one Static for all labels keeps the editor at ~120 widgets rather than ~350, and the
        screen's layout pass, paid on every keystroke, scales with the widget count)."""
        field = FieldInput(value, edited=self.field_edited, id=_input_id(path), select_on_focus=True, classes=group)
        field.tooltip = path
        self._label_of[field.id or ""] = label_text or path.split(".")[-1].replace("_", " ")
        return field

    def _shown(self, widget: Widget) -> bool:
        """Whether an editor row is displayed (the same rules as the CSS: off sections, and
        simple mode swapping the simple rows for the architecture's)."""
        if widget.has_class("off"):
            return False
        if widget.has_class("simple"):
            return self.simple is not None
        return not (widget.has_class("arch") and self.simple is not None)

    def _refresh_labels(self) -> None:
        """Redraw the labels column to match the rows shown in the inputs column."""
        lines: list[str] = []
        for widget in self.query_one("#inputs").children:
            if not self._shown(widget):
                continue
            if isinstance(widget, Heading):
                lines += ["", f"[b $accent]{widget.title}[/]"]
            else:
                lines.append(self._label_of.get(widget.id or "", ""))
        self._update_static("labels", "\n".join(lines))

    def _editor_groups(self) -> list[list[Widget]]:
        """The editor's rows, mounted after the first paint (see _mount_editor): the workload
        inputs, the simple-mode rows, each group of the architecture record, then each optional
        section (MLA, MoE, linear attention) with its on/off switch."""
        workload: list[Widget] = [self._row(f"w.{name}", getattr(self.workload, name)) for name in WORKLOAD_FIELDS]
        heading = Heading("simple model", "ctrl+t: back", classes="simple")
        groups: list[list[Widget]] = [workload, [heading]]
        for name, label in SIMPLE_FIELDS:
            value = getattr(self._simple_model, name)
            text = format_params(value) if "params" in name else str(value)
            groups[1].append(self._row(f"m.{name}", text, "simple", label))
        for group, names in GROUPS.items():
            rows: list[Widget] = [Heading(group, classes="arch")]
            rows += [self._row(name, display(current_value(self.arch, name)), "arch") for name in names]
            groups.append(rows)
        for section in SECTIONS:
            on_now = getattr(self.arch, section) is not None
            rows = [Heading(section.replace("_", " "), classes="arch")]
            rows.append(self._row(f"s.{section}", "yes" if on_now else "no", "arch"))
            for spec in all_fields():
                if spec.path.startswith(section + "."):
                    value = current_value(self.arch, spec.path)
                    hidden = "" if on_now else " off"
                    text = display(value) if value is not None else ""
                    rows.append(self._row(spec.path, text, f"arch sec-{section}{hidden}"))
            groups.append(rows)
        return groups

    @work(group="start")
    async def _mount_editor(self) -> None:
        """After the first paint: add the editor's ~110 rows a group at a time, so keys typed
        meanwhile are handled between groups. Styling them takes ~0.4 s, and the first frame
        (the bars) must come within 1.5x of a bare Textual app's (benchmarks/startup.py).
        The fit starts first, on its thread. Started from on_mount (so tests and benchmarks
        can wait for it like any worker), it waits for the first frame before building."""
        painted = asyncio.Event()
        self.call_after_refresh(painted.set)
        await painted.wait()
        self.refresh_fit()
        editor = self.query_one("#inputs")
        for rows in self._editor_groups():
            await editor.mount_all(rows)
            if not rows[-1].is_attached:
                return  # the app is quitting: the rows were never mounted
            self._refresh_labels()
        self._editor_ready = True
        self._sync_all_inputs()  # a model loaded or restored while the rows were being built
        if self._focus_when_ready:
            self.query_one(f"#{self._focus_when_ready}", Input).focus()
        if self._probe:
            self.read_machine()
        if self._offer_restore:
            self._offer_autosave()

    def on_mount(self) -> None:
        self._apply_config()
        self._apply_section_visibility()
        self.refresh_bars()
        self.query_one("#fit", Fitted).show(lambda width: Text("computing the fit...", style="dim"))
        self._show_pane_tabs()
        for message in self.startup_errors:
            self.notify(message, severity="error", timeout=15)
        if self.startup_errors:
            self._status_note = self.startup_errors[-1]  # stays until the first edit
            self._set_status(self._status_note)
        self._mount_editor()
        if self._pending_repo:
            self._read_repo(self._pending_repo)

    def _apply_config(self) -> None:
        """Theme and keymap from config.toml; a name that does not exist is reported, not ignored."""
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            known = ", ".join(sorted(self.available_themes))
            self.startup_errors.append(f"config: theme {self.config.theme!r} does not exist (themes: {known})")
        if self.config.keymap:
            self.set_keymap(self.config.keymap)

    def _offer_autosave(self) -> None:
        saved = store.read_autosave()
        if saved is None or saved.architecture == self.arch:
            return

        def answered(restore: bool | None) -> None:
            if restore:
                self._commit(saved.architecture)
                self._sync_all_inputs()
                self.notify(f"restored the unsaved edits of {saved.architecture.name}")
            else:
                store.clear_autosave()

        from paramtui.tui.screens import RestoreScreen

        self.push_screen(RestoreScreen(saved.architecture.name, saved.source, saved.saved_at), answered)

    def on_resize(self, event: events.Resize) -> None:
        self._narrow = event.size.width < NARROW
        self.query_one("#panes").set_class(self._narrow, "narrow")
        self.query_one("#panes").set_class(event.size.width >= WIDE, "wide")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """f2 only means something when the panes are tabbed (it is hidden from the footer otherwise)."""
        if action == "switch_pane":
            return self._narrow
        return True

    def action_switch_pane(self) -> None:
        panes = self.query_one("#panes")
        panes.toggle_class("show-fit")
        self._show_pane_tabs()

    def _show_pane_tabs(self) -> None:
        """The tab line: which pane shows, and the verdict even while the bars are shown."""
        showing_fit = self.query_one("#panes").has_class("show-fit")
        line = Text(" ")
        line.append(" Parameters ", style="reverse bold" if not showing_fit else "")
        line.append("│")
        line.append(" Fit ", style="reverse bold" if showing_fit else "")
        line.append("  f2  ", style="dim")
        a = self.analysis
        if not showing_fit and self.simple is None and a is not None and a.arch is self.arch:
            if a.fit is not None:
                line.append_text(verdict_text(a.fit.verdict))
            else:
                line.append("no GPU to check against (ctrl+g)", style="yellow")
            if a.speed is not None:
                line.append(f"  decode {a.speed.decode_tokens_per_s:,.0f} tok/s", style="dim")
        self.query_one(PaneTabs).show(line)

    # --- editing -----------------------------------------------------------------------------

    def field_edited(self, field: Input, value: str) -> None:
        """A keystroke in an editor field (called by the field while its value changes, so the
        bars are redrawn in the same frame as the field)."""
        if self._syncing or field.id is None:
            return
        path = field.id[2:].replace("__", ".")
        try:
            if path.startswith("w."):
                self._set_workload_text(path[2:], value)
            elif path.startswith("m."):
                self._set_simple_text(path[2:], value)
            elif path.startswith("s."):
                on_ = parse(FieldSpec(path, "bool"), value, None)
                self._commit(toggle_section(self.arch, path[2:], on_))
                self._apply_section_visibility()
            else:
                spec = field_spec(path)
                parsed = parse(spec, value, current_value(self.arch, path))
                self._commit(apply(self.arch, path, parsed))
        except ValueError as exc:
            field.add_class("invalid")
            field.tooltip = str(exc)
            self._set_status(str(exc))
            return
        field.remove_class("invalid")
        field.tooltip = path
        self._set_status(self._status_note)

    def _set_simple_text(self, name: str, value: str) -> None:
        number = parse_count(value) if "params" in name else int(parse_count(value))
        model = replace(self._simple_model, **{name: number})  # validates
        if model == self._simple_model:
            return
        self._simple_model = model
        if self.simple is not None:
            self.simple = model
            self.refresh_bars()
            self.refresh_fit()

    def _commit(self, arch: Architecture) -> None:
        if arch == self.arch:
            return
        self._undo.append(self.arch)
        self._redo.clear()
        self._status_note = ""
        self._set_arch(arch)
        self._schedule_autosave()

    def _schedule_autosave(self) -> None:
        """Write the edited model shortly after typing pauses (atomic; survives a dropped session)."""
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        self._autosave_timer = self.set_timer(AUTOSAVE_DELAY_S, self._write_autosave)

    def on_unmount(self) -> None:
        """Stop the hardware poll; quitting within the autosave delay must not lose the last
        keystrokes, so a pending autosave is written now."""
        if self._poller is not None:
            self._poller.stop()
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._write_autosave()

    def _write_autosave(self) -> None:
        self._autosave_timer = None
        if self.arch == self.loaded.result.architecture:
            store.clear_autosave()  # back to the loaded model: nothing unsaved
            return
        try:
            store.write_autosave(self.arch, self.loaded.source)
        except OSError as exc:
            self.notify(f"autosave failed: {exc}; save with ctrl+s to another place", severity="error")

    def _set_arch(self, arch: Architecture) -> None:
        self.arch = arch
        self.breakdown = count_params(arch)
        self.refresh_bars()
        self.refresh_fit()

    def _set_workload_text(self, name: str, value: str) -> None:
        text = value.strip()
        if name in ("context", "batch") and text and not text.replace("_", "").isdigit():
            raise ValueError(f"{name} takes a whole number, not {text!r}")
        if name == "gpu" and text and text != "live":
            from paramtui.engine.hardware import parse_gpu_spec

            parse_gpu_spec(text, gpu_presets())  # raises ValueError with the reason
        self.workload = replace(self.workload, **{name: text})
        self.refresh_bars()
        self.refresh_fit()

    def set_workload(self, name: str, value: str) -> None:
        """Set a workload field from a command (updates its input too)."""
        if self._editor_ready:
            self._sync_input(f"w.{name}", value)
        self._set_workload_text(name, value)

    def _update_static(self, widget_id: str, content: str | Text) -> bool:
        """Update a Static only when its content changes: an update asks for a layout pass over
        the whole screen, which a keystroke must not pay for nothing. True when it changed."""
        if self._static_content.get(widget_id) == content:
            return False
        self._static_content[widget_id] = content
        self.query_one(f"#{widget_id}", Static).update(content)
        return True

    def _set_status(self, message: str) -> None:
        """The line above the footer: why the last value was refused, or a start-up problem.
        It spans the screen under all panes, so it is seen at 80x24 too."""
        if self._update_static("status", message):
            self.query_one("#status").set_class(bool(message), "shown")

    def _sync_input(self, path: str, value: str) -> None:
        self._syncing = True
        try:
            field = self.query_one(f"#{_input_id(path)}", Input)
            field.value = value
            if not field.has_focus:
                field.cursor_position = 0  # show a long name from its start
            field.remove_class("invalid")
        finally:
            self._syncing = False

    def _sync_all_inputs(self) -> None:
        if not self._editor_ready:
            return  # the rows are built from the current model when they are mounted
        for spec in all_fields():
            value = current_value(self.arch, spec.path)
            self._sync_input(spec.path, display(value) if value is not None else "")
        for section in SECTIONS:
            self._sync_input(f"s.{section}", "yes" if getattr(self.arch, section) is not None else "no")
        self._apply_section_visibility()
        self._set_status(self._status_note)

    def _apply_section_visibility(self) -> None:
        for section in SECTIONS:
            off = getattr(self.arch, section) is None
            for row in self.query(f".sec-{section}"):
                row.set_class(off, "off")
        self._refresh_labels()

    def load_preset_id(self, preset_id: str) -> None:
        """Load a preset into the editor (undoable)."""
        self.loaded = load_preset(get_preset(preset_id))
        self._commit(self.loaded.result.architecture)
        self._sync_all_inputs()

    def action_undo(self) -> None:
        if self._undo:
            self._redo.append(self.arch)
            self._set_arch(self._undo.pop())
            self._sync_all_inputs()
            self._schedule_autosave()

    def action_redo(self) -> None:
        if self._redo:
            self._undo.append(self.arch)
            self._set_arch(self._redo.pop())
            self._sync_all_inputs()
            self._schedule_autosave()

    def action_reset(self) -> None:
        self._commit(self.loaded.result.architecture)
        self._sync_all_inputs()

    def action_gpu_target(self) -> None:
        if self._editor_ready:
            self.query_one(f"#{_input_id('w.gpu')}", Input).focus()
        else:  # pressed in the first ~0.3 s: focus it once the editor is built
            self._focus_when_ready = _input_id("w.gpu")

    def action_help(self) -> None:
        from paramtui.tui.screens import HelpScreen

        self.push_screen(HelpScreen(str(store.data_dir()), str(config_path())))

    def action_save(self) -> None:
        try:
            path = store.save_model(self.arch)
        except OSError as exc:
            self.notify(f"could not save: {exc}", severity="error")
            return
        store.clear_autosave()
        self.loaded = LoadedSource(ImportResult(self.arch, self.loaded.result.notes), str(path), None)
        self.notify(f"saved {self.arch.name} to {path}")

    def action_export(self) -> None:
        """The inspect --json report of what is on screen, and an SVG screenshot, side by side."""
        import json

        analysis = self.analysis if self.analysis is not None and self.analysis.arch is self.arch else None
        current = LoadedSource(ImportResult(self.arch, self.loaded.result.notes), self.loaded.source, None)
        try:
            json_path = store.export_path(self.arch.name, "json")
            from paramtui.tui.report import build_report

            store.atomic_write_text(json_path, json.dumps(build_report(current, analysis), indent=2) + "\n")
            svg_path = json_path.with_suffix(".svg")
            store.atomic_write_text(svg_path, self.export_screenshot(title=f"paramtui: {self.arch.name}"))
        except OSError as exc:
            self.notify(f"could not export: {exc}", severity="error")
            return
        self.notify(f"exported {json_path.name} and {svg_path.name} to {json_path.parent}")

    def action_simple(self) -> None:
        """Switch between the full architecture and the N experts x S parameters thought experiment."""
        self.simple = None if self.simple is not None else self._simple_model
        self.screen.set_class(self.simple is not None, "simple-mode")
        self._refresh_labels()
        self.refresh_bars()
        self.refresh_fit()

    def action_compare(self) -> None:
        """Pin the current model (or unpin): the bars and the fit then show both."""
        if self.pinned is not None:
            self.pinned = None
            self.notify("compare off")
        else:
            self.pinned = (self.arch, self.breakdown)
            self.notify(f"pinned {self.arch.name}: load or edit another model to compare (ctrl+b unpins)")
        self.refresh_bars()
        self.refresh_fit()

    def open_source(self, source: str) -> None:
        """Load a path, preset, saved model or Hub repo into the editor (undoable); a bad one is one line.

        A Hub repo is read by a worker thread, with its progress in the status line, so editing
        goes on meanwhile.
        """
        if is_hub_source(source):
            self._read_repo(source)
            return
        try:
            loaded = load_source(source)
        except (SourceError, ConfigError) as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self._use_loaded(loaded)

    @work(thread=True, exclusive=True, group="hub")
    def _read_repo(self, source: str) -> None:
        def progress(done: int, total: int, what: str) -> None:
            self.call_from_thread(self._show_progress, f"reading {source}: headers {done}/{total}")

        self.call_from_thread(self._show_progress, f"reading {source} from the Hub...")
        try:
            loaded = load_source(source, progress)
        except (SourceError, ConfigError) as exc:
            self.call_from_thread(self._show_progress, "")
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        self.call_from_thread(self._show_progress, "")
        self.call_from_thread(self._use_loaded, loaded)

    def _show_progress(self, message: str) -> None:
        """Hub progress in the status line (not an error colour); cleared with an empty message."""
        self.query_one("#status").set_class(bool(message), "info")
        self._set_status(message or self._status_note)

    def _use_loaded(self, loaded: LoadedSource) -> None:
        self.loaded = loaded
        self._commit(loaded.result.architecture)
        self._sync_all_inputs()
        with contextlib.suppress(OSError):
            store.remember(loaded.source if loaded.preset is None else loaded.preset.id)

    # --- rendering ---------------------------------------------------------------------------

    def refresh_bars(self) -> None:
        """Redraw the bars from the current breakdown (synchronous: this is the per-keystroke path).

        The weights in bytes come from the fit worker's analysis when it is for this model (a
        per-tensor estimate takes ~5 ms for DeepSeek-V3, too long for every keystroke).
        """
        if self.simple is not None:
            m = self.simple
            self._update_static(
                "title",
                f"[b]simple model[/b]  {m.num_experts} experts x {format_params(m.expert_params)}, "
                f"top-{m.top_k}, {format_params(m.shared_params)} shared\n",
            )
            bd = simple_breakdown(m)
            labels = {"routed_experts": "experts", "shared_experts": "shared"}
            self.query_one("#bars", Fitted).show(lambda width: render_bars(bd, width, labels=labels))
            return
        arch, bd = self.arch, self.breakdown
        a = self.analysis
        current = a is not None and a.arch is arch
        precision = a.precision if a is not None else ""  # a stale one: the weights show "..."
        weights = a.weights.total_bytes if current and a is not None else None
        pinned = (self.pinned[0].name, self.pinned[1]) if self.pinned is not None else None
        self._update_static("title", f"[b]{arch.name}[/b]  {arch.kind}, {arch.model_type}\n")
        self.query_one("#bars", Fitted).show(lambda width: render_bars(bd, width, weights, precision, pinned=pinned))

    def _hardware(self) -> tuple[Hardware | None, str]:
        from paramtui.engine.hardware import Hardware, parse_gpu_spec

        target = self.workload.gpu or "live"
        if target == "live":
            if self.machine is None:
                return None, f"live: {self.live_state}"
            hw = self.machine.hardware
            label = f"live ({hw.source}): " + (
                ", ".join(g.name for g in hw.gpus) if hw.gpus else self.machine.snapshot.state
            )
            return hw, label
        gpus, source = parse_gpu_spec(target, gpu_presets())
        ram = self.machine.ram if self.machine else None
        hw = Hardware(gpus, source, ram.total_bytes if ram else None, ram.available_bytes if ram else None)
        return hw, f"{source}: {target}"

    def refresh_fit(self) -> None:
        """Start the fit and speed computation on a worker thread (the newest request wins)."""
        if self.simple is not None:
            self._show_simple_fit()
            return
        pinned = self.pinned[0] if self.pinned is not None else None
        self._compute_fit(self.arch, self.breakdown, self.workload, pinned)

    def _show_simple_fit(self) -> None:
        """Simple mode: weights-only memory and the decode ceiling (no layer shapes, so no KV cache)."""
        assert self.simple is not None
        try:
            hardware, label = self._hardware()
        except ValueError:
            hardware, label = None, "no GPU target"
        m = self.simple
        bd = simple_breakdown(m)
        lines = [
            f"[b]target:[/b] {label}",
            f"stored {format_params(bd.total)} = {m.num_experts} x {format_params(m.expert_params)}"
            f" + {format_params(m.shared_params)} shared",
            f"active {format_params(bd.active)} = {m.top_k} x {format_params(m.expert_params)}"
            f" + {format_params(m.shared_params)} shared",
            "",
            *simple_lines(m, hardware),
            "",
            "[dim]weights only at nominal bits; the full editor (ctrl+t) adds KV cache, overheads and speeds[/dim]",
        ]
        text = Text.from_markup("\n".join(lines))
        self.query_one("#fit", Fitted).show(lambda width: text)

    def _request(self, workload: RequestInputs) -> Request:
        from paramtui.engine.analysis import Request
        from paramtui.engine.fit import PlanOptions

        return Request(
            workload.precision or "auto",
            workload.kv_dtype or "auto",
            int(workload.context) if workload.context else None,
            int(workload.batch or 1),
            workload.runtime or None,
            PlanOptions(),
        )

    @work(thread=True, exclusive=True, group="fit")
    def _compute_fit(
        self, arch: Architecture, bd: ParamBreakdown, workload: RequestInputs, pinned: Architecture | None
    ) -> None:
        try:
            hardware, label = self._hardware()
            request = self._request(workload)
            from paramtui.engine.analysis import analyze

            loaded = self.loaded
            exact = loaded.result.architecture == arch  # the checkpoint's bytes hold until the model is edited
            checkpoint = loaded.checkpoint if exact else None
            precision = loaded.checkpoint_precision if exact else None
            analysis = analyze(arch, request, hardware, bd, checkpoint, precision)
            other = analyze(pinned, request, hardware, count_params(pinned)) if pinned is not None else None
        except ValueError as exc:
            self.call_from_thread(self._show_fit_error, str(exc))
            return
        self.call_from_thread(self._show_fit, analysis, label, other)

    def _show_fit(self, analysis: Analysis, label: str, pinned: Analysis | None = None) -> None:
        if self.simple is not None:
            return
        fresh = self.analysis is None or self.analysis.arch is not analysis.arch
        self.analysis = analysis
        if fresh and analysis.arch is self.arch:
            self.refresh_bars()  # now with the weights in bytes

        def draw(width: int) -> Text:
            text = render_fit(analysis, label, width)
            if pinned is not None:
                text.append_text(_pinned_summary(pinned))
            return text

        self.query_one("#fit", Fitted).show(draw)
        self._show_pane_tabs()

    def _show_fit_error(self, message: str) -> None:
        self.query_one("#fit", Fitted).show(lambda width: Text(message, style="red"))

    # --- live hardware -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="probe")
    def read_machine(self) -> None:
        from paramtui.engine.adapters.live import probe_machine

        machine = probe_machine()
        self.call_from_thread(self._machine_read, machine)

    def _machine_read(self, machine: LiveMachine) -> None:
        self.machine = machine
        self.live_state = machine.snapshot.state
        self.refresh_fit()
        if machine.snapshot.gpus:
            from paramtui.engine.adapters.nvml import HardwarePoller

            self._poller = HardwarePoller(machine.snapshot, self._polled, interval=self.config.poll_interval)
            self._poller.start()

    def _polled(self, snapshot: NvmlSnapshot) -> None:
        """Runs on the poller's thread; hands the new reading to the UI thread."""
        self.call_from_thread(self._apply_poll, snapshot)

    def _apply_poll(self, snapshot: NvmlSnapshot) -> None:
        if self.machine is None:
            return
        from paramtui.engine.adapters.live import LiveMachine, hardware_from

        hardware, notes = hardware_from(snapshot, self.machine.ram, self.machine.ram_bandwidth_bytes_per_s)
        self.machine = LiveMachine(
            snapshot, self.machine.ram, self.machine.cpu, self.machine.ram_bandwidth_bytes_per_s, hardware, notes
        )
        if (self.workload.gpu or "live") == "live":
            self.refresh_fit()


def _pinned_summary(analysis: Analysis) -> Text:
    """The pinned model's verdict and speed, under the current model's fit."""
    out = Text("\n\n")
    out.append(f"pinned: {analysis.arch.name}\n", style="magenta bold")
    fit = analysis.fit
    weights = format_bytes(analysis.weights.total_bytes)
    out.append(f"needs {format_bytes(analysis.needed_bytes)} ({analysis.precision} weights {weights})\n")
    if fit is not None:
        out.append_text(verdict_text(fit.verdict))
        out.append(f"  largest context {fit.max_context:,}, best precision {fit.best_precision or 'none fits'}\n")
    if analysis.speed is not None:
        out.append(f"decode {analysis.speed.decode_tokens_per_s:,.1f} tok/s", style="magenta")
        out.append(f"   prefill {analysis.speed.prefill_tokens_per_s:,.0f} tok/s\n")
    return out


def run_dashboard(source: str | None) -> None:
    """Start the dashboard (blocking)."""
    ParamApp(source).run()
