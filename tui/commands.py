"""The command palette's paramtui commands: presets, GPU targets, runtimes, recent models, repos.

Opened empty, the palette lists them (``discover``); typed into, it fuzzy-matches them
(``search``), and a path or ``owner/name`` typed in is offered as a source to open. The fixed
actions (save, export, compare, simple mode) are system commands (tui/app.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from paramtui.engine.adapters import store
from paramtui.engine.adapters.sources import is_hub_source
from paramtui.engine.runtimes import RUNTIMES
from paramtui.presets import all_presets, gpu_presets

if TYPE_CHECKING:
    from paramtui.tui.screens.main import MainScreen


class ParamCommands(Provider):
    """Load preset, GPU target, runtime, open recent; open a typed path or Hub repo."""

    @property
    def main(self) -> MainScreen:
        """The dashboard's main screen (the palette may be opened over a modal)."""
        from paramtui.tui.screens.main import MainScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("no main screen")

    def _commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        main = self.main
        for source in store.recent_sources():
            yield f"Open recent: {source}", partial(main.open_source, source), "saved or opened before"
        for pid, preset in all_presets().items():
            yield f"Load preset: {pid}", partial(main.load_preset_id, pid), preset.display_name
        yield "GPU target: live", partial(main.set_workload, "gpu", "live"), "this machine's GPUs"
        for gid, gpu in gpu_presets().items():
            yield f"GPU target: {gid}", partial(main.set_workload, "gpu", gid), gpu.name
        for runtime in RUNTIMES:
            yield f"Runtime: {runtime}", partial(main.set_workload, "runtime", runtime), ""

    async def discover(self) -> Hits:
        """The palette opened empty: paramtui's own commands first."""
        for text, action, help_text in self._commands():
            yield DiscoveryHit(text, action, help=help_text)

    async def search(self, query: str) -> Hits:
        main = self.main
        matcher = self.matcher(query)
        typed = query.strip()
        if typed and (typed.startswith(("/", "~", ".")) or typed.endswith((".json", ".gguf"))):
            yield Hit(1.0, f"Open file: {typed}", partial(main.open_source, typed), help="a config.json or saved model")
        elif typed and is_hub_source(typed):
            yield Hit(
                1.0,
                f"Load Hugging Face repo: {typed}",
                partial(main.open_source, typed),
                help="config.json and weight-file headers only, never the weights",
            )
        else:
            if len(typed) >= 2:
                yield Hit(
                    0.05,  # last: a preset or command that matches comes first
                    f"Search the Hub for {typed!r}",
                    partial(self.app.action_search_hub, typed),  # type: ignore[attr-defined]
                    help="text-generation repos, most downloaded first",
                )
            hint = "Load Hugging Face repo..."
            score = matcher.match(hint)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(hint),
                    partial(main.notify, "type the repo id in the palette: owner/name[@revision][:QUANT]"),
                    help="type owner/name here",
                )
        for text, action, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), action, help=help_text)
