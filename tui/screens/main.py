"""The main screen: the editor, the stored-vs-active bars, the fit and the hardware pane.

Data flow is one way (DESIGN.md). The screen owns the Session (tui/session.py), the one place the
state lives. An edit goes to the session and the bars are redrawn at once from the engine's
breakdown (microseconds); the fit and speed, which search contexts and precisions (about 10 ms for
DeepSeek-V3 on 8 GPUs), run on a worker thread from a frozen FitJob and land as ``analysis`` when
done, so typing never waits for them. The live reading is taken on a worker after the first paint
and refreshed by the NVML poller's thread, which posts HardwarePolled.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from paramtui.engine.adapters import store
from paramtui.engine.adapters.sources import LoadedSource, SourceError, is_hub_source, load_source
from paramtui.engine.importer import ConfigError
from paramtui.engine.simple import simple_breakdown, simple_lines
from paramtui.engine.units import format_params
from paramtui.presets import get_preset
from paramtui.tui.bars import Styles, render_bars
from paramtui.tui.fit_view import pinned_summary, render_fit, render_options, verdict_text
from paramtui.tui.hw_view import plan_bytes
from paramtui.tui.messages import HardwarePolled, MachineRead
from paramtui.tui.session import FitJob, FitResult, Session, compute_fit, resolve_target
from paramtui.tui.widgets.curves import CurvesView
from paramtui.tui.widgets.editor import Editor
from paramtui.tui.widgets.hardware import HardwarePane
from paramtui.tui.widgets.pane_tabs import TABS, PaneTabs
from paramtui.tui.widgets.views import BarsView, FitView

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from paramtui.engine.adapters.nvml import HardwarePoller
    from paramtui.engine.analysis import Analysis
    from paramtui.tui.config import Config

NARROW = 110
"""Below this many columns the editor sits on top and the bars, the fit and the hardware share
the space under it as three tabs (f2 or a click on the tab line switches)."""

WIDE = 150
"""From this many columns the right column gets 60 columns instead of 44 (fewer wrapped lines)."""

AUTOSAVE_DELAY_S = 0.5
"""An edit is written to the autosave this long after typing pauses."""


class MainScreen(Screen[None]):
    """The dashboard's panes and the actions on the model they show."""

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
        Binding(
            "f2", "switch_pane", "Pane", tooltip="Narrow terminal: show the bars, the fit or the hardware", id="pane"
        ),
        Binding("ctrl+l", "copy_launch", "Copy cmd", tooltip="Copy the command that runs the plan (OSC 52)", id="copy"),
        Binding(
            "f4",
            "fits",
            "Fits",
            tooltip="What fits here: every model ranked on these GPUs (type to filter, enter loads)",
            id="fits",
            show=False,
        ),
        Binding(
            "f3",
            "hardware",
            "GPUs",
            tooltip="Go to the hardware pane: space or 0-9 chooses the GPUs the plan uses",
            id="hardware",
        ),
    ]
    """The view's keys; each id is what config.toml's [keymap] names (tui/config.py BINDING_IDS)."""

    analysis: var[Analysis | None] = var(None, init=False)
    """The newest fit of the current model (or a stale one while the next is computed)."""
    tab: reactive[str] = reactive("bars", init=False)
    """The pane a narrow terminal shows: ``bars``, ``fit`` or ``hardware``."""
    narrow: reactive[bool] = reactive(False, init=False, bindings=True)
    """Below NARROW columns: the panes are tabs (f2 means something only then)."""

    def __init__(self, session: Session, config: Config, probe: bool, offer_restore: bool) -> None:
        super().__init__()
        self.session = session
        self.config = config
        self._probe = probe
        self._offer_restore = offer_restore
        self._pinned_analysis: Analysis | None = None
        self._target = ""
        self._poller: HardwarePoller | None = None
        self._autosave_timer: Any = None
        self._status_note = ""
        """A start-up problem (bad SOURCE, bad config) kept in the status line until the first edit."""
        self._result: FitResult | None = None
        """The newest fit with its options and command (what ctrl+l copies)."""
        self._simple_result: FitResult | None = None
        self._simple_note = ""
        self._status = ""
        self._focus_when_ready = ""
        if not probe:
            session.live_state = "no live reading"

    # --- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield Editor(self.edited, id="editor")
            yield PaneTabs(id="pane-tabs")
            with VerticalScroll(id="bars-pane"):
                yield BarsView(id="bars", margin=1)
            with Vertical(id="side"):
                with VerticalScroll(id="fit-pane"):
                    yield FitView(id="fit")
                    yield CurvesView(id="curves")
                with VerticalScroll(id="hw-pane"):
                    yield HardwarePane(id="hardware")
        yield Static(id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#bars-pane").border_title = "parameters"
        self.query_one("#fit-pane").border_title = "fit"
        self.query_one("#hw-pane").border_title = "hardware"
        self.refresh_bars()
        self.query_one(FitView).show(lambda width, styles: Text("computing the fit...", style=styles["dim"]))
        self._show_hardware()
        self._show_tabs()
        self._mount_editor()

    def startup_problem(self, message: str) -> None:
        """A bad SOURCE or config entry: kept in the status line until the first edit."""
        self._status_note = message
        self.call_after_refresh(lambda: self._set_status(self._status_note))  # once the status line exists

    @work(group="start")
    async def _mount_editor(self) -> None:
        """After the first paint: add the editor's ~110 rows a group at a time, so keys typed
        meanwhile are handled between groups. Styling them takes ~0.4 s, and the first frame
        (the bars) must come within 1.5x of a bare Textual app's (benchmarks/startup.py).
        The fit starts first, on its thread."""
        painted = asyncio.Event()
        self.call_after_refresh(painted.set)
        await painted.wait()
        self.refresh_fit()
        editor = self.query_one(Editor)
        if not await editor.build(self.session):
            return  # the app is quitting
        if self._focus_when_ready:
            editor.focus_field(self._focus_when_ready)
        if self._probe:
            self._read_machine()
        if self._offer_restore:
            self._offer_autosave()

    def on_resize(self, event: events.Resize) -> None:
        self.narrow = event.size.width < NARROW
        self.query_one("#panes").set_class(event.size.width >= WIDE, "-wide")

    def watch_narrow(self, narrow: bool) -> None:
        self.query_one("#panes").set_class(narrow, "-narrow")

    def watch_tab(self, tab: str) -> None:
        panes = self.query_one("#panes")
        for name, _ in TABS:
            panes.set_class(name == tab, f"-tab-{name}")
        self._show_tabs()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """f2 only means something when the panes are tabs (it is hidden from the footer otherwise)."""
        if action == "switch_pane":
            return self.narrow
        return True

    def action_copy_launch(self) -> None:
        """Copy the plan's command (or the fastest option's) to the clipboard: OSC 52, so it works over SSH."""
        command = self._result.command if self._result is not None else ""
        if not command:
            self.notify("no command to copy yet: nothing fits", severity="warning")
            return
        self.app.copy_to_clipboard(command)
        self.notify(f"copied: {command}", timeout=4)

    def action_switch_pane(self) -> None:
        names = [name for name, _ in TABS]
        self.tab = names[(names.index(self.tab) + 1) % len(names)]

    @on(PaneTabs.Selected)
    def select_clicked_tab(self, event: PaneTabs.Selected) -> None:
        self.tab = event.tab

    def action_hardware(self) -> None:
        if self.narrow:
            self.tab = "hardware"
        self.query_one(HardwarePane).focus()

    def action_fits(self) -> None:
        """Open the fits screen: every model ranked on the GPUs this screen plans on."""
        from paramtui.tui.screens.fits import FitsScreen

        self.app.push_screen(FitsScreen(self))

    def _tell_fits_screens(self) -> None:
        """The hardware changed: an open fits screen ranks again."""
        from paramtui.tui.screens.fits import FitsScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, FitsScreen):
                screen.hardware_changed()

    def action_curves(self) -> None:
        """Scroll the fit pane to the curves (on a narrow terminal, show the fit tab first)."""
        curves = self.query_one(CurvesView)
        if not curves.has_class("-shown"):
            self.notify("no curves: pick a GPU target first (ctrl+g)", severity="warning")
            return
        pane = self.query_one("#fit-pane")

        def scroll() -> None:
            pane.scroll_to_widget(curves, top=True, animate=False)

        if self.narrow and self.tab != "fit":
            self.tab = "fit"  # the pane shows after a layout pass or two: scroll once it has its size
            self.set_timer(0.1, scroll)
        else:
            self.call_after_refresh(scroll)

    # --- editing -------------------------------------------------------------------------------

    def edited(self, field: Input, path: str, text: str) -> None:
        """A keystroke in an editor field, called while the field's value changes so the bars
        are redrawn in the same frame as the field."""
        session = self.session
        try:
            changed = session.edit(path, text)
        except ValueError as exc:
            field.add_class("invalid")
            field.tooltip = str(exc)
            self._set_status(str(exc))
            return
        field.remove_class("invalid")
        field.tooltip = path
        if changed in ("arch", "section"):
            self._status_note = ""
            self._model_changed()
            if changed == "section":
                self.query_one(Editor).show_sections(session)
        elif changed == "workload" or (changed == "simple" and session.simple):
            self.refresh_bars()
            self.refresh_fit()
        self._set_status(self._status_note)

    def _model_changed(self) -> None:
        self.refresh_bars()
        self.refresh_fit()
        self._schedule_autosave()

    def _after_jump(self) -> None:
        """The model changed other than by typing (undo, a load): every field shows it again."""
        self.query_one(Editor).sync(self.session)
        self._model_changed()
        self._set_status(self._status_note)

    def action_undo(self) -> None:
        if self.session.undo():
            self._after_jump()

    def action_redo(self) -> None:
        if self.session.redo():
            self._after_jump()

    def action_reset(self) -> None:
        if self.session.reset():
            self._after_jump()

    def load_preset_id(self, preset_id: str) -> None:
        """Load a preset into the editor (undoable)."""
        from paramtui.engine.adapters.sources import load_preset

        self.use_loaded(load_preset(get_preset(preset_id)))

    def use_loaded(self, loaded: LoadedSource) -> None:
        """A loaded source becomes the model (undoable) and joins the recent list."""
        self.session.load(loaded)
        self._status_note = ""
        self._after_jump()
        with contextlib.suppress(OSError):
            store.remember(loaded.source if loaded.preset is None else loaded.preset.id)

    def open_source(self, source: str) -> None:
        """Load a path, preset, saved model or Hub repo (undoable); a bad one is one line.

        A Hub repo is read by a worker thread, with its progress in the status line, so editing
        goes on meanwhile.
        """
        if is_hub_source(source):
            self.read_repo(source)
            return
        try:
            loaded = load_source(source)
        except (SourceError, ConfigError) as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self.use_loaded(loaded)

    @work(thread=True, exclusive=True, group="hub")
    def read_repo(self, source: str) -> None:
        """Read a Hub repo off the UI thread."""

        def progress(done: int, total: int, what: str) -> None:
            self.app.call_from_thread(self._show_progress, f"reading {source}: headers {done}/{total}")

        self.app.call_from_thread(self._show_progress, f"reading {source} from the Hub...")
        try:
            loaded = load_source(source, progress)
        except (SourceError, ConfigError) as exc:
            self.app.call_from_thread(self._show_progress, "")
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        self.app.call_from_thread(self._show_progress, "")
        self.app.call_from_thread(self.use_loaded, loaded)

    def _show_progress(self, message: str) -> None:
        self.query_one("#status").set_class(bool(message), "-info")
        self._set_status(message or self._status_note)

    def set_workload(self, name: str, value: str) -> None:
        """Set a workload field from a command (its input shows it too)."""
        try:
            if self.session.set_workload(name, value):
                self.refresh_bars()
                self.refresh_fit()
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self.query_one(Editor).set_value(f"w.{name}", value)

    def action_gpu_target(self) -> None:
        """Focus the GPU field; pressed again, select its text so typing replaces it."""
        if not self.query_one(Editor).focus_field("w.gpu"):
            self._focus_when_ready = "w.gpu"  # pressed in the first ~0.3 s

    def action_simple(self) -> None:
        """Switch between the full architecture and the N experts x S parameters thought experiment."""
        simple = self.session.toggle_simple()
        self.set_class(simple, "-simple")
        self.query_one(Editor).set_simple(simple)
        self.refresh_bars()
        self.refresh_fit()

    def action_compare(self) -> None:
        """Pin the current model (or unpin): the bars and the fit then show both."""
        if self.session.toggle_pin():
            self.notify(f"pinned {self.session.arch.name}: load or edit another model to compare (ctrl+b unpins)")
        else:
            self._pinned_analysis = None
            self.notify("compare off")
        self.refresh_bars()
        self.refresh_fit()

    @on(HardwarePane.GpuToggled)
    def use_gpu_or_not(self, event: HardwarePane.GpuToggled) -> None:
        """A GPU switched in or out of the plan: re-plan at once."""
        used = self.session.toggle_gpu(event.index)
        if not self.session.live:
            self.notify(f"GPU {event.index} {'in' if used else 'out'}; the plan follows when the GPU target is live")
        self._show_hardware()
        self.refresh_fit()

    # --- saving --------------------------------------------------------------------------------

    def action_save(self) -> None:
        session = self.session
        try:
            path = store.save_model(session.arch)
        except OSError as exc:
            self.notify(f"could not save: {exc}", severity="error")
            return
        store.clear_autosave()
        session.loaded = LoadedSource(replace(session.loaded.result, architecture=session.arch), str(path), None)
        self.notify(f"saved {session.arch.name} to {path}")

    def action_export(self) -> None:
        """The inspect --json report of what is on screen, and an SVG screenshot, side by side."""
        import json

        from paramtui.tui.report import build_report

        session = self.session
        analysis = self.analysis if self.analysis is not None and self.analysis.arch is session.arch else None
        current = LoadedSource(replace(session.loaded.result, architecture=session.arch), session.loaded.source, None)
        try:
            json_path = store.export_path(session.arch.name, "json")
            store.atomic_write_text(json_path, json.dumps(build_report(current, analysis), indent=2) + "\n")
            svg_path = json_path.with_suffix(".svg")
            store.atomic_write_text(svg_path, self.app.export_screenshot(title=f"paramtui: {session.arch.name}"))
        except OSError as exc:
            self.notify(f"could not export: {exc}", severity="error")
            return
        self.notify(f"exported {json_path.name} and {svg_path.name} to {json_path.parent}")

    def _schedule_autosave(self) -> None:
        """Write the edited model shortly after typing pauses (atomic; survives a dropped session)."""
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        self._autosave_timer = self.set_timer(AUTOSAVE_DELAY_S, self._write_autosave)

    def _write_autosave(self) -> None:
        self._autosave_timer = None
        if not self.session.edited:
            store.clear_autosave()  # back to the loaded model: nothing unsaved
            return
        try:
            store.write_autosave(self.session.arch, self.session.loaded.source)
        except OSError as exc:
            self.notify(f"autosave failed: {exc}; save with ctrl+s to another place", severity="error")

    def _offer_autosave(self) -> None:
        saved = store.read_autosave()
        if saved is None or saved.architecture == self.session.arch:
            return

        def answered(restore: bool | None) -> None:
            if restore:
                self.session.commit(saved.architecture)
                self._after_jump()
                self.notify(f"restored the unsaved edits of {saved.architecture.name}")
            else:
                store.clear_autosave()

        from paramtui.tui.screens.modals import RestoreScreen

        self.app.push_screen(RestoreScreen(saved.architecture.name, saved.source, saved.saved_at), answered)

    def on_unmount(self) -> None:
        """Stop the hardware poll; quitting within the autosave delay must not lose the last
        keystrokes, so a pending autosave is written now."""
        if self._poller is not None:
            self._poller.stop()
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._write_autosave()

    # --- drawing -------------------------------------------------------------------------------

    def refresh_bars(self) -> None:
        """Redraw the bars from the session (synchronous: this is the per-keystroke path).

        The weights in bytes come from the fit worker's analysis when it is for this model (a
        per-tensor estimate takes ~5 ms for DeepSeek-V3, too long for every keystroke).
        """
        session = self.session
        bars = self.query_one(BarsView)
        if session.simple:
            m = session.simple_model
            title = (
                f"simple: {m.num_experts} x {format_params(m.expert_params)}, top-{m.top_k}, "
                f"{format_params(m.shared_params)} shared"
            )
            bd = simple_breakdown(m)
            labels = {"routed_experts": "experts", "shared_experts": "shared"}
            bars.show(lambda width, styles: render_bars(bd, width, labels=labels, title=title, styles=styles))
            return
        from paramtui.engine.params import flops_per_token

        arch, bd, a = session.arch, session.breakdown, self.analysis
        current = a is not None and a.arch is arch
        precision = a.precision if a is not None else ""  # a stale one: the weights show "..."
        weights = a.weights.total_bytes if current and a is not None else None
        # the last fit's context while the next is computed (same line shape: no layout pass per keystroke)
        context = min(a.workload.context, arch.max_context) if a is not None else None
        flops = (flops_per_token(arch, bd, context), context) if context is not None else None
        pinned = (session.pinned[0].name, session.pinned[1]) if session.pinned is not None else None
        title = f"{arch.name}  {arch.kind}, {arch.model_type}"
        if session.loaded.approximate:
            title = f"APPROXIMATE (keys not understood: {', '.join(session.loaded.approximate)})  {title}"

        def draw(width: int, styles: Styles) -> Text:
            return render_bars(bd, width, weights, precision, pinned=pinned, title=title, flops=flops, styles=styles)

        bars.show(draw)

    def refresh_fit(self) -> None:
        """Start the fit and speed computation on a worker thread (the newest request wins)."""
        if self.session.simple:
            job, self._simple_note = self.session.simple_job()
            self._simple_result = None
            self._show_simple_fit()
            self._compute_fit(job)  # the toy's verdict, speed and options follow
            return
        self._compute_fit(self.session.fit_job())

    @work(thread=True, exclusive=True, group="fit")
    def _compute_fit(self, job: FitJob) -> None:
        """Runs on a worker thread with a frozen snapshot (FitJob); never reads the session."""
        try:
            result = compute_fit(job)
        except ValueError as exc:
            self.app.call_from_thread(self._show_fit_error, str(exc))
            return
        self.app.call_from_thread(self._show_fit, result)

    def _show_fit(self, result: FitResult) -> None:
        if self.session.simple:
            if result.analysis.arch.model_type == "toy_moe":
                self._simple_result = result
                self._show_simple_fit()
            return
        if result.analysis.arch.model_type == "toy_moe":
            return  # a toy's fit that finished after simple mode was left
        self._target = result.target
        self._pinned_analysis = result.pinned
        self._result = result
        self.analysis = result.analysis

    def watch_analysis(self, analysis: Analysis | None) -> None:
        if analysis is None:
            return
        if analysis.arch is self.session.arch:
            self.refresh_bars()  # now with the weights in bytes
        label, pinned = self._target, self._pinned_analysis
        approximate = self.session.loaded.result.unread_keys  # header counts do not make the KV guess exact
        result = self._result
        options, launch = (result.options, result.launch) if result is not None else ((), "")

        def draw(width: int, styles: Styles) -> Text:
            text = render_fit(analysis, label, width, styles, options, launch)
            if approximate:
                keys = ", ".join(approximate)
                text = Text(f"APPROXIMATE: KV cache and speed rest on a guess; keys not understood ({keys})\n") + text
            if pinned is not None:
                text.append_text(pinned_summary(pinned, styles))
            return text

        self.query_one(FitView).show(draw)
        curves = result.curves if result is not None else None
        self.query_one(CurvesView).show_curves(curves)
        self._show_tabs()
        self._show_hardware()

    def _show_fit_error(self, message: str) -> None:
        self.query_one(FitView).show(lambda width, styles: Text(message, style=styles["error"]))

    def _show_simple_fit(self) -> None:
        """Simple mode: weights-only memory and the decode ceiling (no layer shapes, so no KV cache)."""
        try:
            hardware, label = resolve_target(self.session.fit_job())
        except ValueError:
            hardware, label = None, "no GPU target"
        m = self.session.simple_model
        bd = simple_breakdown(m)
        lines = [
            f"target: {label}",
            f"stored {format_params(bd.total)} = {m.num_experts} x {format_params(m.expert_params)}"
            f" + {format_params(m.shared_params)} shared",
            f"active {format_params(bd.active)} = {m.top_k} x {format_params(m.expert_params)}"
            f" + {format_params(m.shared_params)} shared",
            "",
            *simple_lines(m, hardware),
            "",
        ]
        note = "weights only at nominal bits; the full editor (ctrl+t) adds KV cache, overheads and speeds"
        result = self._simple_result
        assumed = self._simple_note

        def draw(width: int, styles: Styles) -> Text:
            text = Text("\n".join(lines))
            text.append(note, style=styles["dim"])
            if result is not None and result.analysis.fit is not None:
                a, fit = result.analysis, result.analysis.fit
                text.append("\n\n")
                text.append_text(verdict_text(fit.verdict, styles))
                text.append(f"  {a.precision} weights, {a.workload.context:,} tokens, {a.runtime.name}")
                if a.speed is not None:
                    text.append(f"   decode {a.speed.decode_tokens_per_s:,.1f} tok/s", style="bold")
                text.append(f"\n{assumed}", style=styles["dim"])
                text.append_text(render_options(result.options, result.launch, styles))
            return text

        self.query_one(FitView).show(draw)

    def _show_tabs(self) -> None:
        """The tab line: which pane shows, and the verdict while the fit is not shown."""
        a = self.analysis
        note = Text()
        if self.tab != "fit" and not self.session.simple and a is not None and a.arch is self.session.arch:
            styles = self.query_one(FitView).styles_map() if self.is_mounted else {}
            if a.fit is not None and styles:
                note.append_text(verdict_text(a.fit.verdict, styles))
            elif a.fit is None:
                note.append("no GPU to check against (ctrl+g)")
            if a.speed is not None:
                note.append(f"  decode {a.speed.decode_tokens_per_s:,.0f} tok/s")
        self.query_one(PaneTabs).show(self.tab, note)

    def _show_hardware(self) -> None:
        session = self.session
        machine = session.machine
        count = len(machine.snapshot.gpus) if machine is not None else 0
        used = {i: session.gpu_used(i) for i in range(count)}
        a = self.analysis
        plan = plan_bytes(a) if a is not None and a.arch is session.arch and session.live else {}
        self.query_one(HardwarePane).update_reading(machine, session.live_state, used, plan)

    def _set_status(self, message: str) -> None:
        """The line above the footer: why the last value was refused, or a start-up problem."""
        if message != self._status:
            self._status = message
            status = self.query_one("#status", Static)
            status.update(message)
            status.set_class(bool(message), "-shown")

    # --- live hardware -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="probe")
    def _read_machine(self) -> None:
        from paramtui.engine.adapters.live import probe_machine

        self.post_message(MachineRead(probe_machine()))

    @on(MachineRead)
    def use_machine(self, message: MachineRead) -> None:
        machine = message.machine
        self.session.machine = machine
        self.session.live_state = machine.snapshot.state
        self._show_hardware()
        self.refresh_fit()
        self._tell_fits_screens()
        if machine.snapshot.gpus:
            from paramtui.engine.adapters.nvml import HardwarePoller

            self._poller = HardwarePoller(machine.snapshot, self._polled, interval=self.config.poll_interval)
            self._poller.start()

    def _polled(self, snapshot: Any) -> None:
        """Runs on the poller's thread; post_message is thread-safe."""
        self.post_message(HardwarePolled(snapshot))

    @on(HardwarePolled)
    def use_poll(self, message: HardwarePolled) -> None:
        """A new reading: the pane redraws what changed; the plan is redone only when the
        hardware it plans on changed (free memory moved), so an idle machine costs nothing."""
        machine = self.session.machine
        if machine is None or message.snapshot == machine.snapshot:
            return
        from paramtui.engine.adapters.live import LiveMachine, hardware_from

        hardware, notes = hardware_from(message.snapshot, machine.ram, machine.ram_bandwidth_bytes_per_s)
        self.session.machine = LiveMachine(
            message.snapshot, machine.ram, machine.cpu, machine.ram_bandwidth_bytes_per_s, hardware, notes
        )
        self._show_hardware()
        if hardware != machine.hardware and self.session.live:
            self.refresh_fit()
            self._tell_fits_screens()
