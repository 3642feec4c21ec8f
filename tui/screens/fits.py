"""The fits screen (f4): every model ranked on the GPUs the main screen plans on, as a table.

The same rows as ``paramtui fits`` (engine.ranking over presets, saved models and cached recent
repos), for the main screen's GPU target and runtime: the live GPUs (minus those switched off in
the hardware pane) or a preset typed with ctrl+g. Ranking takes about half a second, so it runs on
a worker thread from a frozen snapshot; the table shows the last ranking meanwhile. When the
hardware poll brings a reading whose free memory differs, the main screen calls ``hardware_changed``
and the list is ranked again. Typing filters, ctrl+s / a header click sorts, enter loads the model
into the editor and returns.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from paramtui.tui.fits_report import VERDICT_CELL, rate_cell, request_line, tokens_cell
from paramtui.tui.widgets.fits_table import COLUMN_KEYS, COLUMNS, FitsTable, filter_rows, sort_rows

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from paramtui.engine.adapters.candidates import CandidateSet
    from paramtui.engine.hardware import Hardware
    from paramtui.engine.ranking import FitRow, Ranking
    from paramtui.tui.screens.main import MainScreen
    from paramtui.tui.session import FitJob


NO_GPU_HINT = "esc, then ctrl+g sets a GPU target (h100-sxm, 2xrtx-4090); f4 ranks on it"
"""Under the title when there is no GPU: how to get a list anyway."""


class FitsScreen(Screen[None]):
    """What fits here: the ranked list, filtered as typed, sorted by any column."""

    CSS_PATH = Path(__file__).parent / "fits.tcss"
    BINDINGS: ClassVar = [
        Binding("escape", "close", "Back", tooltip="Back to the editor", id="fits-back"),
        Binding("f4", "close", "Back", tooltip="Back to the editor", show=False, id="fits-close"),
        Binding(
            "ctrl+s",
            "next_sort",
            "Sort",
            tooltip="Sort by the next column (a header click sorts by it)",
            id="fits-sort",
        ),
        Binding("ctrl+r", "reverse", "Reverse", tooltip="Reverse the order", id="fits-reverse"),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("pagedown", "cursor(10)", "Page down", show=False),
        Binding("pageup", "cursor(-10)", "Page up", show=False),
    ]
    """The screen's keys; letters go to the filter, so sorting is ctrl+s / ctrl+r or a header click."""

    sort_column: reactive[str] = reactive("fit", init=False)
    """The column the rows are sorted by (``fit`` = the ranking's own order)."""
    sort_reverse: reactive[bool] = reactive(False, init=False)
    """Against the column's natural direction."""

    def __init__(self, main: MainScreen) -> None:
        super().__init__()
        self.main = main
        self.ranking: Ranking | None = None
        """The newest ranking (None until the first is done)."""
        self._found: CandidateSet | None = None
        self._hardware: Hardware | None = None
        self._label = ""

    def compose(self) -> ComposeResult:
        yield Static(id="fits-title", markup=False)
        yield Input(placeholder="type to filter: qwen, moe, fits, 8b ...", id="fits-filter")
        yield FitsTable(id="fits-table")
        yield Static(id="fits-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#fits-title", Static).update("ranking every model on these GPUs...")
        self.query_one(FitsTable).label_sorted(self.sort_column, self.sort_reverse)
        self.query_one(Input).focus()
        self.recompute()

    # --- computing -----------------------------------------------------------------------------

    def recompute(self) -> None:
        """Rank again from the main screen's current target (a frozen snapshot for the worker)."""
        self._rank(self.main.session.fit_job())

    def hardware_changed(self) -> None:
        """A new GPU reading with different free memory (called by the main screen's poll)."""
        if self.main.session.live:
            self.recompute()

    @work(thread=True, exclusive=True, group="fits")
    def _rank(self, job: FitJob) -> None:
        """Runs on a worker thread; reads only the snapshot (and, once, the candidates from disk)."""
        from paramtui.engine.adapters.candidates import gather_candidates
        from paramtui.engine.analysis import Request
        from paramtui.engine.ranking import rank
        from paramtui.presets import gpu_presets
        from paramtui.tui.session import request_of, resolve_target

        try:
            if job.host is None and (job.workload.gpu.strip() or "live").lower() != "live":
                from paramtui.engine.adapters.live import host_hardware

                job = replace(job, host=host_hardware())  # a preset target plans with this machine's RAM
            hardware, label = resolve_target(job)
            typed = request_of(job.workload)
        except ValueError as exc:
            self.app.call_from_thread(self._show_problem, str(exc))
            return
        if hardware is None or not hardware.gpus:
            self.app.call_from_thread(self._show_problem, f"no GPU to rank on ({label})", NO_GPU_HINT)
            return
        if hardware == self._hardware and self.ranking is not None:
            return  # the same GPUs as the list already shows
        found = self._found or gather_candidates()
        request = Request(context=typed.context, runtime=typed.runtime)
        ranking = rank(found.candidates, request, hardware, gpu_presets())
        line = f"{label}  ·  {request_line(typed.runtime, typed.context)}"
        self.app.call_from_thread(self._show_ranking, found, hardware, ranking, line)

    def _show_ranking(self, found: CandidateSet, hardware: Hardware, ranking: Ranking, label: str) -> None:
        self._found, self._hardware, self.ranking, self._label = found, hardware, ranking, label
        self._redraw(keep_cursor=True)

    def _show_problem(self, message: str, hint: str = "") -> None:
        self.query_one("#fits-title", Static).update(Text(message))
        self.query_one("#fits-detail", Static).update(Text(hint))

    # --- drawing -------------------------------------------------------------------------------

    def _visible_rows(self) -> list[FitRow]:
        rows = self.ranking.rows if self.ranking is not None else ()
        shown = filter_rows(rows, self.query_one(Input).value)
        return sort_rows(shown, self.sort_column, self.sort_reverse)

    def _redraw(self, keep_cursor: bool = False) -> None:
        rows = self._visible_rows()
        table = self.query_one(FitsTable)
        table.show(rows, keep_cursor)
        total = len(self.ranking.rows) if self.ranking is not None else 0
        fitting = sum(1 for r in rows if r.group in ("fits", "offload"))
        title = Text(f"{len(rows)} of {total} models, {fitting} fit", style="bold")
        title.append(f"  {self._label}")
        self.query_one("#fits-title", Static).update(title)
        self._show_detail()

    def _show_detail(self) -> None:
        """Two lines on the model under the cursor: what the row's figures mean, or how near it is."""
        row = self._row(self.query_one(FitsTable).highlighted_key)
        detail = self.query_one("#fits-detail", Static)
        if row is None:
            detail.update("no model matches the filter" if self.ranking is not None else "")
            return
        a = row.analysis
        text = Text(f"{row.candidate.name} ({row.candidate.key}): {VERDICT_CELL[row.group]}", style="bold")
        if row.group in ("fits", "offload"):
            decode, prefill = rate_cell(row.decode_tokens_per_s), rate_cell(row.prefill_tokens_per_s)
            text.append(
                f"  {a.precision}, up to {tokens_cell(row.max_context)} tokens, "
                f"decode {decode} tok/s, prefill {prefill} tok/s"
            )
            text.append(f"\n{row.launch}" if row.launch else "\nenter loads it into the editor")
        else:
            text.append(f"  {row.near_miss}")
            if (o := row.near_option) is not None:
                text.append(
                    f"\n{o.count} x {o.gpu}, {o.precision}, {o.runtime}: {rate_cell(o.decode_tokens_per_s)} tok/s"
                )
        detail.update(text)

    def _row(self, key: str | None) -> FitRow | None:
        if key is None or self.ranking is None:
            return None
        return next((r for r in self.ranking.rows if r.candidate.key == key), None)

    def watch_sort_column(self) -> None:
        self._sorted()

    def watch_sort_reverse(self) -> None:
        self._sorted()

    def _sorted(self) -> None:
        self.query_one(FitsTable).label_sorted(self.sort_column, self.sort_reverse)
        self._redraw()

    # --- input ---------------------------------------------------------------------------------

    @on(Input.Changed, "#fits-filter")
    def filter_as_typed(self) -> None:
        self._redraw()

    @on(Input.Submitted, "#fits-filter")
    def load_highlighted(self) -> None:
        self._load(self.query_one(FitsTable).highlighted_key)

    @on(DataTable.RowSelected, "#fits-table")
    def load_selected(self, event: DataTable.RowSelected) -> None:
        self._load(str(event.row_key.value) if event.row_key.value is not None else None)

    @on(DataTable.RowHighlighted, "#fits-table")
    def describe_highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.HeaderSelected, "#fits-table")
    def sort_by_clicked_header(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        if key == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_reverse = False
            self.sort_column = key

    def action_next_sort(self) -> None:
        """Sort by the next column to the right (after the last, the ranking's own order again)."""
        self.sort_reverse = False
        self.sort_column = COLUMN_KEYS[(COLUMN_KEYS.index(self.sort_column) + 1) % len(COLUMNS)]
        self.notify(f"sorted by {COLUMNS[COLUMN_KEYS.index(self.sort_column)].label}", timeout=2)

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse

    def action_cursor(self, step: int) -> None:
        table = self.query_one(FitsTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)), animate=False)

    def action_close(self) -> None:
        self.app.pop_screen()

    def _load(self, key: str | None) -> None:
        """The model under the cursor goes into the editor (undoable there), and the editor comes back."""
        if key is None or self._found is None:
            return
        row = self._row(key)
        loaded = self._found.loaded.get(key)
        if row is None or loaded is None:
            return
        self.app.pop_screen()
        if row.candidate.origin == "preset":
            self.main.load_preset_id(key)
        else:
            self.main.use_loaded(loaded)
        self.main.notify(f"loaded {row.candidate.name}")
