"""The Textual App: config, theme and keymap, global keys, the command palette, the main screen.

Everything the panes show and do lives in the main screen (tui/screens/main.py) and the session it
owns (tui/session.py); the App holds what is global: the config, the styles (app.tcss), the keys
that work on every screen, and the palette's commands.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding

from paramtui.engine.adapters import store
from paramtui.engine.adapters.sources import SourceError, is_hub_source, load_preset, load_source
from paramtui.engine.importer import ConfigError
from paramtui.presets import DEFAULT_PRESET, get_preset
from paramtui.tui.commands import ParamCommands
from paramtui.tui.config import Config, config_path, load_config
from paramtui.tui.session import Session, WorkloadText

if TYPE_CHECKING:
    from textual.screen import Screen

    from paramtui.tui.screens.main import MainScreen


class ParamApp(App[None]):
    """paramtui's dashboard."""

    TITLE = "paramtui"
    CSS_PATH = Path(__file__).parent / "app.tcss"
    """Resolved from this module, so a subclass defined elsewhere (benchmarks) finds it too."""
    COMMANDS: ClassVar = App.COMMANDS | {ParamCommands}
    BINDINGS: ClassVar = [
        Binding("f1", "help", "Help", tooltip="What the panes show, every key", id="help"),
        Binding(
            "ctrl+q", "quit", "Quit", tooltip="Quit (edits stay in the autosave)", id="quit", show=False, priority=True
        ),
    ]
    """Keys of every screen; the view's keys are on the main screen."""

    def __init__(
        self, source: str | None = None, probe: bool = True, config: Config | None = None, offer_restore: bool = True
    ) -> None:
        super().__init__()
        self.config = config if config is not None else load_config()
        self.startup_errors: list[str] = list(self.config.errors)
        wanted = source or self.config.source
        pending_repo = wanted if wanted and is_hub_source(wanted) else ""
        try:
            # a Hub repo is read by a worker after the first paint; the default shows meanwhile
            loaded = load_source(wanted) if wanted and not pending_repo else load_preset(get_preset(DEFAULT_PRESET))
        except (SourceError, ConfigError) as exc:  # still open, on the default, and say why
            self.startup_errors.append(f"{exc} (showing {DEFAULT_PRESET} instead)")
            loaded = load_preset(get_preset(DEFAULT_PRESET))
        workload = WorkloadText(
            gpu=self.config.gpu,
            context=str(self.config.context) if self.config.context else "",
            runtime=self.config.runtime,
        )
        self.session = Session(loaded, workload)
        """The dashboard's state, owned by the main screen (kept here for tests and benchmarks)."""
        self._pending_repo = pending_repo
        self._probe = probe
        self._offer_restore = offer_restore
        self.main: MainScreen
        """The main screen, once the app runs."""

    def get_default_screen(self) -> Screen[None]:
        from paramtui.tui.screens.main import MainScreen

        self.main = MainScreen(self.session, self.config, self._probe, self._offer_restore)
        return self.main

    def on_mount(self) -> None:
        self._apply_config()
        for message in self.startup_errors:
            self.notify(message, severity="error", timeout=15)
        if self.startup_errors:
            self.main.startup_problem(self.startup_errors[-1])
        if self._pending_repo:
            self.main.read_repo(self._pending_repo)

    def _apply_config(self) -> None:
        """Theme and keymap from config.toml; a name that does not exist is reported, not ignored."""
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            known = ", ".join(sorted(self.available_themes))
            self.startup_errors.append(f"config: theme {self.config.theme!r} does not exist (themes: {known})")
        if self.config.keymap:
            self.set_keymap(self.config.keymap)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.main
        yield SystemCommand("Compare: pin this model", "then load or edit another", main.action_compare)
        yield SystemCommand("Simple mode: N experts x S params", "the thought experiment", main.action_simple)
        yield SystemCommand("Save model", "JSON in the user data directory", main.action_save)
        yield SystemCommand("Export report (JSON + SVG)", "inspect --json and a screenshot", main.action_export)
        yield SystemCommand("Hardware: choose the GPUs", "f3, then space or 0-9", main.action_hardware)
        yield SystemCommand("What fits here", "every model ranked on these GPUs (f4)", main.action_fits)
        yield SystemCommand("Curves: speed and memory vs context", "under the fit", main.action_curves)
        yield SystemCommand(
            "Search the Hub", "find a model; a GGUF repo lists which quants fit", self.action_search_hub
        )

    def action_search_hub(self, query: str = "") -> None:
        """Open the Hub search screen (with ``query`` typed and searched already)."""
        from paramtui.tui.screens.search import SearchScreen

        self.push_screen(SearchScreen(self.main, query))

    def action_help(self) -> None:
        """Every key as bound now (a remapped key shows its new keys) with its binding id."""
        from paramtui.tui.screens.modals import HelpScreen, KeyRow

        rows: dict[str, KeyRow] = {}
        # The screen's binding chain (private, as in Screen.active_bindings) with the keymap applied;
        # unlike active_bindings it keeps keys hidden for now (f2 on a wide terminal).
        for _node, bindings_map in self.main._binding_chain:
            for key, bindings in bindings_map.key_to_bindings.items():
                for binding in bindings:
                    name = binding.id or binding.action
                    if name in rows:
                        if key not in rows[name].keys.split(" / "):
                            row = rows[name]
                            rows[name] = KeyRow(f"{row.keys} / {key}", row.description, row.binding_id)
                    elif binding.id or binding.show:
                        rows[name] = KeyRow(key, binding.tooltip or binding.description, binding.id or "")
        rows.setdefault("palette", KeyRow("ctrl+p", "palette: presets, files, GPU targets, runtimes, theme", ""))
        self.push_screen(HelpScreen(list(rows.values()), str(store.data_dir()), str(config_path())))


def run_dashboard(source: str | None) -> None:
    """Start the dashboard (blocking)."""
    ParamApp(source).run()
