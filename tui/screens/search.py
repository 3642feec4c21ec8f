"""The Hub search screen: type a query, pick a repo; a GGUF repo lists its quants with a fit mark each.

The search and the repo read run on worker threads (the Hub can take seconds, or not answer), so
the screen keeps answering keys; the status line says what is under way, or the one line of why the
Hub could not be searched. Picking a safetensors repo hands it to the main screen, which reads its
headers as ``inspect`` does and loads it into the editor. Picking a GGUF repo reads it here (one
variant's header, the file list with sizes) and lists every quant against the dashboard's current
GPU target; picking a quant loads that one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from paramtui.engine.units import format_bytes, format_params, format_tokens

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from paramtui.engine.adapters.hub_search import HubModel
    from paramtui.engine.adapters.sources import LoadedSource
    from paramtui.engine.gguf_fit import QuantFit
    from paramtui.tui.screens.main import MainScreen

FIT_MARKS = {"fits": "✓ fits", "fits_with_offload": "~ offload", "does_not_fit": "✗ no"}
"""A verdict as a glyph and a word: the mark reads the same without colour."""


@dataclass(frozen=True, slots=True)
class QuantList:
    """A GGUF repo read for the quant list."""

    loaded: LoadedSource
    """The repo as read (one variant's header: the architecture)."""
    rows: tuple[QuantFit, ...]
    """Every variant against the target."""
    target: str
    """The GPU target in words."""
    context: int
    """Tokens per sequence the fits are for."""


def _downloads(value: int) -> str:
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= scale:
            return f"{value / scale:.1f}{suffix}"
    return str(value)


class SearchScreen(Screen[None]):
    """Search the Hub for a model and load it."""

    CSS_PATH = Path(__file__).parent / "search.tcss"
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", tooltip="Back to the results, or to the dashboard", id="search-back"),
        Binding("ctrl+f", "focus_query", "Query", tooltip="Type a new query", id="search-query"),
    ]
    """The screen's keys (enter in the query searches; enter on a row picks it)."""

    results: var[tuple[HubModel, ...]] = var(())
    """The newest search's results."""
    quants: var[QuantList | None] = var(None, init=False)
    """The picked GGUF repo's quants; None while the results show."""

    def __init__(self, main: MainScreen, query: str = "") -> None:
        super().__init__()
        self.main = main
        self._query = query
        self._asked = 0
        """Numbers the searches and reads: an answer that arrives after a newer request is dropped
        (a thread worker cannot be stopped mid-request, only ignored)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(self._query, placeholder="search the Hub: llama, qwen3 30b, gguf ...", id="search-query")
            yield Static("", id="search-status", markup=False)
            yield DataTable(id="search-results", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="search-quants", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search-box").border_title = "search the Hugging Face Hub (text-generation)"
        results = self.query_one("#search-results", DataTable)
        results.add_column("repo", key="repo")
        results.add_column("downloads", key="downloads")
        results.add_column("params", key="params")
        results.add_column("", key="flags")
        quants = self.query_one("#search-quants", DataTable)
        for name in ("quant", "file", "need", "fit", "context", "tok/s", "plan"):
            quants.add_column(name, key=name)
        quants.display = False
        self._status("type words of a repo id and press enter")
        if self._query:
            self.search(self._query)
        else:
            self.query_one("#search-query", Input).focus()

    def _status(self, message: str, error: bool = False) -> None:
        status = self.query_one("#search-status", Static)
        status.update(message)
        status.set_class(error, "-error")

    # --- searching ---------------------------------------------------------------------------

    @on(Input.Submitted, "#search-query")
    def search_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.search(event.value)

    def search(self, query: str) -> None:
        """Start a search (the newest wins); the results replace the list when they come."""
        self.quants = None
        self._asked += 1
        self._status(f"searching the Hub for {query.strip()!r}...")
        self._run_search(query, self._asked)

    def _answer(self, asked: int, show: Callable[..., None], *args: object) -> None:
        """From a worker thread: ``show(*args)`` on the UI thread unless a newer request was made or
        the screen was closed meanwhile."""

        def if_newest() -> None:
            if asked == self._asked and self.is_attached:  # not superseded, and the screen still open
                show(*args)

        self.app.call_from_thread(if_newest)

    @work(thread=True, exclusive=True, group="search")
    def _run_search(self, query: str, asked: int) -> None:
        from paramtui.engine.adapters.hub_search import search_models

        try:
            found = search_models(query)
        except ValueError as exc:
            self._answer(asked, self._status, str(exc), True)
            return
        self._answer(asked, self._show_results, query.strip(), found)

    def _show_results(self, query: str, found: tuple[HubModel, ...]) -> None:
        self.results = found
        table = self.query_one("#search-results", DataTable)
        table.clear()
        for m in found:
            flags = " ".join(word for word, on in (("GGUF", m.gguf), ("gated", m.gated)) if on)
            params = format_params(m.params, 1) if m.params is not None else "-"
            table.add_row(m.repo_id, _downloads(m.downloads), params, flags, key=m.repo_id)
        if not found:
            self._status(f"no text-generation repos match {query!r}")
            return
        repos = "1 repo" if len(found) == 1 else f"{len(found)} repos"
        self._status(f"{repos} for {query!r}, most downloaded first; enter reads one")
        table.focus()

    # --- picking -----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#search-results")
    def repo_picked(self, event: DataTable.RowSelected) -> None:
        repo = str(event.row_key.value)
        picked = next((m for m in self.results if m.repo_id == repo), None)
        if picked is not None and picked.gguf:
            self._asked += 1
            self._status(f"reading {repo}: its GGUF files and one header...")
            self._read_quants(repo, self._asked)
            return
        self.app.pop_screen()
        self.main.open_source(repo)  # headers read on the main screen's worker, then into the editor

    @work(thread=True, exclusive=True, group="search-read")
    def _read_quants(self, repo: str, asked: int) -> None:
        from paramtui.engine.adapters.sources import SourceError, load_source
        from paramtui.engine.analysis import DEFAULT_CONTEXT
        from paramtui.engine.gguf_fit import quant_fits
        from paramtui.engine.importer import ConfigError
        from paramtui.engine.units import parse_tokens
        from paramtui.tui.session import resolve_target

        job = self.main.session.fit_job()
        if job.host is None and (job.workload.gpu.strip() or "live").lower() != "live":
            from dataclasses import replace

            from paramtui.engine.adapters.live import host_hardware

            job = replace(job, host=host_hardware())  # the RAM offload may use, as the fit pane plans
        try:
            loaded = load_source(repo)
            variants = loaded.read.variants if loaded.read is not None else ()
            if not variants:
                raise ValueError(f"{repo} lists no GGUF files")
            hardware, target = resolve_target(job)
            arch = loaded.result.architecture
            typed = job.workload.context.strip()
            context = parse_tokens(typed) if typed else min(DEFAULT_CONTEXT, arch.max_context)
            rows = quant_fits(arch, loaded.breakdown, [(v.label, v.bytes) for v in variants], hardware, context)
        except (SourceError, ConfigError, ValueError) as exc:
            self._answer(asked, self._status, str(exc), True)
            return
        self._answer(asked, setattr, self, "quants", QuantList(loaded, rows, target, context))

    def watch_quants(self, quants: QuantList | None) -> None:
        results = self.query_one("#search-results", DataTable)
        table = self.query_one("#search-quants", DataTable)
        results.display = quants is None
        table.display = quants is not None
        if quants is None:
            return
        table.clear()
        for r in quants.rows:
            table.add_row(
                r.label,
                format_bytes(r.file_bytes, 1),
                format_bytes(r.needed_bytes, 1),
                FIT_MARKS[r.verdict] if r.verdict is not None else "? no GPU",
                format_tokens(r.max_context) if r.max_context else "-",
                f"{r.decode_tokens_per_s:,.0f}" if r.decode_tokens_per_s is not None else "-",
                r.plan or "-",
                key=r.label,
            )
        fitting = sum(r.verdict == "fits" for r in quants.rows)
        if all(r.verdict is None for r in quants.rows):
            where = "no GPU target to check against (ctrl+g on the dashboard sets one)"
        else:
            where = f"{fitting} of {len(quants.rows)} fit on {quants.target} at {format_tokens(quants.context)}"
        self._status(f"{quants.loaded.source}: {where}; enter loads a quant, escape goes back")
        table.focus()

    @on(DataTable.RowSelected, "#search-quants")
    def quant_picked(self, event: DataTable.RowSelected) -> None:
        quants = self.quants
        if quants is None:
            return
        label = str(event.row_key.value)
        loaded = quants.loaded
        self.app.pop_screen()
        if loaded.checkpoint_precision is not None and loaded.checkpoint_precision == label.lower():
            self.main.use_loaded(loaded)  # the variant already read: no second request
        else:
            self.main.open_source(f"{loaded.source}:{label}")

    # --- keys --------------------------------------------------------------------------------

    def action_back(self) -> None:
        """From the quants back to the results; from the results back to the dashboard."""
        if self.quants is not None:
            self._asked += 1
            self.quants = None
            self._status("enter reads a repo; ctrl+f types a new query")
            self.query_one("#search-results", DataTable).focus()
            return
        self.app.pop_screen()

    def action_focus_query(self) -> None:
        self.query_one("#search-query", Input).focus()
