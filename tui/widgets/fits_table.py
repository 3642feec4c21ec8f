"""The fits screen's table: one row per model, any column sortable, the verdict in the theme's colours.

The cells are the same short texts ``paramtui fits`` prints (tui/fits_report.py). Sorting and
filtering are pure functions of the rows (``sort_rows``, ``filter_rows``) so they are tested
without an app; the widget only redraws from them and keeps the cursor on the same model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.widgets import DataTable

from paramtui.tui.fits_report import (
    VERDICT_CELL,
    memory_cell,
    params_cell,
    plan_cell,
    precision_cell,
    rate_cell,
    tokens_cell,
)

if TYPE_CHECKING:
    from paramtui.engine.ranking import FitRow


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its key, header, width, cell text and sort key."""

    key: str
    """Stable id (sorting, tests)."""
    label: str
    """Header text."""
    width: int
    """Cells wide."""
    cell: Callable[[FitRow], str]
    """The cell's text."""
    sort: Callable[[FitRow], Any]
    """Sort key, ascending; ``descending`` columns are shown largest first when first chosen."""
    descending: bool = False
    """Largest first on the first press (speeds, context, sizes)."""
    right: bool = False
    """Right-aligned (numbers)."""


COLUMNS: tuple[Column, ...] = (
    Column("model", "model", 26, lambda r: r.candidate.name, lambda r: r.candidate.name.lower()),
    Column("fit", "fit", 7, lambda r: VERDICT_CELL[r.group], lambda r: r.sort_key()),
    Column("precision", "prec", 6, precision_cell, precision_cell),
    Column(
        "tok/s", "tok/s", 6, lambda r: rate_cell(r.decode_tokens_per_s), lambda r: r.decode_tokens_per_s, True, True
    ),
    Column("context", "ctx", 6, lambda r: tokens_cell(r.max_context), lambda r: r.max_context, True, True),
    Column(
        "prefill",
        "prefill",
        7,
        lambda r: rate_cell(r.prefill_tokens_per_s),
        lambda r: r.prefill_tokens_per_s,
        True,
        True,
    ),
    Column("params", "params", 12, params_cell, lambda r: r.candidate.breakdown.total, True, True),
    Column("memory", "GiB", 5, memory_cell, lambda r: r.fullest_device_bytes, True, True),
    Column("plan", "plan", 8, plan_cell, plan_cell),
    Column("why", "near miss", 40, lambda r: r.near_miss, lambda r: r.sort_key()),
)
"""Model, verdict, precision and tok/s first: at 80 columns they are what stays in view."""

COLUMN_KEYS = tuple(c.key for c in COLUMNS)
"""Column ids in order."""


def sort_rows(rows: Sequence[FitRow], column: str, reverse: bool = False) -> list[FitRow]:
    """Rows by one column (its natural direction, or the other way with ``reverse``); ties keep rank order."""
    spec = COLUMNS[COLUMN_KEYS.index(column)]
    return sorted(rows, key=spec.sort, reverse=spec.descending != reverse)


def filter_rows(rows: Sequence[FitRow], query: str) -> list[FitRow]:
    """Rows whose id, name, type, repo, kind or verdict contain every word typed (case-insensitive)."""
    words = query.lower().split()
    if not words:
        return list(rows)

    def haystack(row: FitRow) -> str:
        return f"{row.candidate.words} {row.candidate.arch.kind} {row.group} {row.analysis.precision}"

    return [row for row in rows if all(word in haystack(row) for word in words)]


class FitsTable(DataTable[Text]):
    """The ranked models; ``show`` redraws and keeps the cursor on the model it was on."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"fits--fits", "fits--offload", "fits--miss"}
    DEFAULT_CSS = """
    FitsTable {
        & > .fits--fits { color: $success; text-style: bold; }
        & > .fits--offload { color: $warning; text-style: bold; }
        & > .fits--miss { color: $error; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.keys: list[str] = []
        """Candidate keys of the rows shown, top to bottom."""

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.add_column(column.label, width=column.width, key=column.key)

    def label_sorted(self, column: str, reverse: bool) -> None:
        """Mark the sorted column's header with its direction (a glyph, so it reads without colour)."""
        for spec in COLUMNS:
            label = spec.label
            if spec.key == column:
                label += " ▲" if spec.descending == reverse else " ▼"
            self.columns[self.column_key(spec.key)].label = Text(label)
        self.refresh()

    def column_key(self, key: str) -> Any:
        """The table's ColumnKey for a column id of COLUMNS."""
        return next(k for k in self.columns if k.value == key)

    def show(self, rows: Sequence[FitRow], keep_cursor: bool = True) -> None:
        """Replace the rows; the cursor stays on the same model when it is still listed and ``keep_cursor``
        (a new reading), else goes to the top (a new filter or order: the first row is the answer)."""
        current = self.keys[self.cursor_row] if self.keys and 0 <= self.cursor_row < len(self.keys) else None
        self.clear()
        styles = {
            "fits": self.get_component_rich_style("fits--fits"),
            "offload": self.get_component_rich_style("fits--offload"),
            "near": self.get_component_rich_style("fits--miss"),
            "no": self.get_component_rich_style("fits--miss"),
        }
        self.keys = [row.candidate.key for row in rows]
        for row in rows:
            cells = []
            for spec in COLUMNS:
                text = Text(spec.cell(row), justify="right" if spec.right else "left", no_wrap=True)
                if spec.key == "fit":
                    text.stylize(styles[row.group])
                cells.append(text)
            self.add_row(*cells, key=row.candidate.key)
        if keep_cursor and current in self.keys:
            self.move_cursor(row=self.keys.index(current), animate=False)
        else:
            self.move_cursor(row=0, animate=False)

    @property
    def highlighted_key(self) -> str | None:
        """The key of the model under the cursor, or None when the table is empty."""
        return self.keys[self.cursor_row] if self.keys and 0 <= self.cursor_row < len(self.keys) else None
