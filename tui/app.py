"""The Textual dashboard: architecture editor, stored-vs-active bars, hardware and fit.

Data flow is one way (DESIGN.md): an edit produces a new validated Architecture; the bars are
redrawn at once from the engine's breakdown (microseconds); the fit and speed, which search
contexts and precisions (about 10 ms for DeepSeek-V3 on 8 GPUs), run on a worker thread and
land when done, so typing never waits for them. The live GPU reading is taken on a worker at
start and refreshed by the NVML poller's thread.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import Hit, Hits, Provider
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Input, Label, Static

from paramtui.engine.adapters.live import LiveMachine, hardware_from, probe_machine
from paramtui.engine.adapters.nvml import HardwarePoller, NvmlSnapshot
from paramtui.engine.adapters.sources import LoadedSource, load_preset, load_source
from paramtui.engine.analysis import Analysis, Request, analyze
from paramtui.engine.architecture import Architecture
from paramtui.engine.fit import PlanOptions
from paramtui.engine.hardware import Hardware, parse_gpu_spec
from paramtui.engine.params import ParamBreakdown, count_params
from paramtui.presets import all_presets, get_preset, gpu_presets
from paramtui.tui.bars import render_bars
from paramtui.tui.fields import (
    GROUPS,
    SECTIONS,
    FieldSpec,
    all_fields,
    apply,
    current_value,
    display,
    field_spec,
    parse,
    toggle_section,
)
from paramtui.tui.fit_view import render_fit

NARROW = 110
"""Below this many columns the panes stack vertically and scroll."""

WORKLOAD_FIELDS = ("gpu", "precision", "kv_dtype", "context", "batch", "runtime")
"""Inputs that shape the request rather than the architecture."""


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
        for runtime in ("vllm", "llama.cpp", "transformers"):
            commands.append((f"Runtime: {runtime}", lambda r=runtime: app.set_workload("runtime", r), ""))
        for text, action, help_text in commands:
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), action, help=help_text)


class ParamApp(App[None]):
    """paramtui's dashboard."""

    TITLE = "paramtui"
    CSS = """
    #panes { height: 1fr; }
    #editor { width: 36; border-right: solid $primary-darken-2; }
    #bars-pane { width: 1fr; padding: 0 1; }
    #fit-pane { width: 44; border-left: solid $primary-darken-2; padding: 0 1; }
    .row { height: 1; }
    .row Label { width: 18; color: $text-muted; }
    .row Input { height: 1; border: none; padding: 0 0; width: 1fr; }
    .row Input.invalid { background: $error 30%; }
    .group { color: $accent; text-style: bold; margin-top: 1; }
    .off { display: none; }
    #status { height: auto; color: $error; }
    .narrow #panes { layout: vertical; overflow-y: auto; }
    .narrow #editor { width: 1fr; height: 10; border-right: none; border-bottom: solid $primary-darken-2; }
    .narrow #bars-pane { height: auto; }
    .narrow #fit-pane { width: 1fr; height: auto; border-left: none; }
    """
    COMMANDS: ClassVar = App.COMMANDS | {PresetCommands}
    BINDINGS: ClassVar = [
        Binding("ctrl+z", "undo", "Undo", tooltip="Undo the last valid edit"),
        Binding("ctrl+y", "redo", "Redo", tooltip="Redo an undone edit"),
        Binding("ctrl+r", "reset", "Reset", tooltip="Reset to the loaded preset or file"),
        Binding("ctrl+g", "gpu_target", "GPU", tooltip="Type a GPU target: live, h100-sxm, 2xrtx-4090, mem=..."),
        Binding("f1", "help", "Help", tooltip="What the panes show"),
    ]

    def __init__(self, source: str | None = None, probe: bool = True) -> None:
        super().__init__()
        self.loaded: LoadedSource = load_source(source) if source else load_preset(get_preset("deepseek-v3"))
        self.arch: Architecture = self.loaded.result.architecture
        self.breakdown: ParamBreakdown = count_params(self.arch)
        self.workload = RequestInputs()
        self.machine: LiveMachine | None = None
        self.live_state = "reading GPUs..." if probe else "no live reading"
        self._probe = probe
        self._poller: HardwarePoller | None = None
        self._undo: list[Architecture] = []
        self._redo: list[Architecture] = []
        self._syncing = False
        self.analysis: Analysis | None = None
        self._fit_label = ""

    # --- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with VerticalScroll(id="editor"):
                yield from self._editor_rows()
            with VerticalScroll(id="bars-pane"):
                yield Static(id="title")
                yield Static(id="bars")
            with VerticalScroll(id="fit-pane"):
                yield Static(id="fit")
        yield Footer()

    def _row(self, path: str, value: str, group: str = "") -> Horizontal:
        label = Label(path.split(".")[-1].replace("_", " "))
        field = Input(value, id=_input_id(path), select_on_focus=True)
        field.tooltip = path
        return Horizontal(label, field, classes=f"row {group}".strip())

    def _editor_rows(self) -> ComposeResult:
        yield Static("workload", classes="group")
        for name in WORKLOAD_FIELDS:
            yield self._row(f"w.{name}", getattr(self.workload, name))
        yield Static(id="status")
        by_path = {f.path: f for f in all_fields()}
        for group, names in GROUPS.items():
            yield Static(group, classes="group")
            for name in names:
                yield self._row(name, display(current_value(self.arch, name)))
        for section in SECTIONS:
            on_now = getattr(self.arch, section) is not None
            yield Static(f"{section.replace('_', ' ')}", classes="group")
            yield self._row(f"s.{section}", "yes" if on_now else "no")
            for path in by_path:
                if path.startswith(section + "."):
                    value = current_value(self.arch, path)
                    yield self._row(path, display(value) if value is not None else "", f"sec-{section}")

    def on_mount(self) -> None:
        self._apply_section_visibility()
        self.refresh_bars()
        self.refresh_fit()
        if self._probe:
            self.read_machine()

    def on_resize(self) -> None:
        self.screen.set_class(self.size.width < NARROW, "narrow")
        self.call_after_refresh(self._redraw)

    def _redraw(self) -> None:
        """Re-render both panes at the widths the layout gave them."""
        self.refresh_bars()
        if self.analysis is not None:
            self._show_fit(self.analysis, self._fit_label)

    # --- editing -----------------------------------------------------------------------------

    @on(Input.Changed)
    def field_changed(self, event: Input.Changed) -> None:
        if self._syncing or event.input.id is None:
            return
        path = event.input.id[2:].replace("__", ".")
        try:
            if path.startswith("w."):
                self._set_workload_text(path[2:], event.value)
            elif path.startswith("s."):
                on_ = parse(FieldSpec(path, "bool"), event.value, None)
                self._commit(toggle_section(self.arch, path[2:], on_))
                self._apply_section_visibility()
            else:
                spec = field_spec(path)
                value = parse(spec, event.value, current_value(self.arch, path))
                self._commit(apply(self.arch, path, value))
        except ValueError as exc:
            event.input.add_class("invalid")
            event.input.tooltip = str(exc)
            self.query_one("#status", Static).update(str(exc))
            return
        event.input.remove_class("invalid")
        event.input.tooltip = path
        self.query_one("#status", Static).update("")

    def _commit(self, arch: Architecture) -> None:
        if arch == self.arch:
            return
        self._undo.append(self.arch)
        self._redo.clear()
        self._set_arch(arch)

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
            parse_gpu_spec(text, gpu_presets())  # raises ValueError with the reason
        self.workload = replace(self.workload, **{name: text})
        self.refresh_bars()
        self.refresh_fit()

    def set_workload(self, name: str, value: str) -> None:
        """Set a workload field from a command (updates its input too)."""
        self._sync_input(f"w.{name}", value)
        self._set_workload_text(name, value)

    def _sync_input(self, path: str, value: str) -> None:
        self._syncing = True
        try:
            field = self.query_one(f"#{_input_id(path)}", Input)
            field.value = value
            field.remove_class("invalid")
        finally:
            self._syncing = False

    def _sync_all_inputs(self) -> None:
        for spec in all_fields():
            value = current_value(self.arch, spec.path)
            self._sync_input(spec.path, display(value) if value is not None else "")
        for section in SECTIONS:
            self._sync_input(f"s.{section}", "yes" if getattr(self.arch, section) is not None else "no")
        self._apply_section_visibility()
        self.query_one("#status", Static).update("")

    def _apply_section_visibility(self) -> None:
        for section in SECTIONS:
            off = getattr(self.arch, section) is None
            for row in self.query(f".sec-{section}"):
                row.set_class(off, "off")

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

    def action_redo(self) -> None:
        if self._redo:
            self._undo.append(self.arch)
            self._set_arch(self._redo.pop())
            self._sync_all_inputs()

    def action_reset(self) -> None:
        self._commit(self.loaded.result.architecture)
        self._sync_all_inputs()

    def action_gpu_target(self) -> None:
        self.query_one(f"#{_input_id('w.gpu')}", Input).focus()

    def action_help(self) -> None:
        self.notify(
            "Left: edit any field (invalid values turn red; the last valid model stays). Middle: stored "
            "parameters (shaded) with the active share (green) on one scale. Right: memory per GPU, verdict "
            "and speeds. ctrl+p: load presets, switch GPU target or runtime.",
            title="paramtui",
            timeout=12,
        )

    # --- rendering ---------------------------------------------------------------------------

    def refresh_bars(self) -> None:
        """Redraw the bars from the current breakdown (synchronous: this is the per-keystroke path).

        The weights in bytes come from the fit worker's analysis when it is for this model (a
        per-tensor estimate takes ~5 ms for DeepSeek-V3, too long for every keystroke).
        """
        arch, bd = self.arch, self.breakdown
        a = self.analysis
        current = a is not None and a.arch is arch
        precision = a.precision if current and a is not None else ""
        weights = a.weights.total_bytes if current and a is not None else None
        width = max(30, self.query_one("#bars").size.width - 1)  # the Static, inside padding and scrollbars
        self.query_one("#title", Static).update(f"[b]{arch.name}[/b]  {arch.kind}, {arch.model_type}\n")
        self.query_one("#bars", Static).update(render_bars(bd, width, weights, precision))

    def _hardware(self) -> tuple[Hardware | None, str]:
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
        self._compute_fit(self.arch, self.breakdown, self.workload)

    @work(thread=True, exclusive=True, group="fit")
    def _compute_fit(self, arch: Architecture, bd: ParamBreakdown, workload: RequestInputs) -> None:
        try:
            hardware, label = self._hardware()
            request = Request(
                workload.precision or "auto",
                workload.kv_dtype or "auto",
                int(workload.context) if workload.context else None,
                int(workload.batch or 1),
                workload.runtime or None,
                PlanOptions(),
            )
            analysis = analyze(arch, request, hardware, bd)
        except ValueError as exc:
            self.call_from_thread(self._show_fit_error, str(exc))
            return
        self.call_from_thread(self._show_fit, analysis, label)

    def _show_fit(self, analysis: Analysis, label: str) -> None:
        fresh = self.analysis is None or self.analysis.arch is not analysis.arch
        self.analysis = analysis
        self._fit_label = label
        if fresh and analysis.arch is self.arch:
            self.refresh_bars()  # now with the weights in bytes
        width = max(30, self.query_one("#fit-pane").size.width - 2)
        self.query_one("#fit", Static).update(render_fit(analysis, label, width))

    def _show_fit_error(self, message: str) -> None:
        self.query_one("#fit", Static).update(f"[red]{message}[/red]")

    # --- live hardware -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="probe")
    def read_machine(self) -> None:
        machine = probe_machine()
        self.call_from_thread(self._machine_read, machine)

    def _machine_read(self, machine: LiveMachine) -> None:
        self.machine = machine
        self.live_state = machine.snapshot.state
        self.refresh_fit()
        if machine.snapshot.gpus:
            self._poller = HardwarePoller(machine.snapshot, self._polled, interval=2.0)
            self._poller.start()

    def _polled(self, snapshot: NvmlSnapshot) -> None:
        """Runs on the poller's thread; hands the new reading to the UI thread."""
        self.call_from_thread(self._apply_poll, snapshot)

    def _apply_poll(self, snapshot: NvmlSnapshot) -> None:
        if self.machine is None:
            return
        hardware, notes = hardware_from(snapshot, self.machine.ram, self.machine.ram_bandwidth_bytes_per_s)
        self.machine = LiveMachine(
            snapshot, self.machine.ram, self.machine.cpu, self.machine.ram_bandwidth_bytes_per_s, hardware, notes
        )
        if (self.workload.gpu or "live") == "live":
            self.refresh_fit()

    def on_unmount(self) -> None:
        if self._poller is not None:
            self._poller.stop()


def run_dashboard(source: str | None) -> None:
    """Start the dashboard (blocking)."""
    ParamApp(source).run()
