"""Speed and memory against context (and speed against concurrency) drawn as text plots.

Pure rendering of :class:`paramtui.engine.curves.Curves`, like :mod:`paramtui.tui.fit_view`: the
dashboard's fit pane and ``paramtui inspect --plot`` draw the same rows. Each plot is drawn by hand
on a braille grid (2 x 4 dots a cell), so a 40-column pane still shows a smooth line. Lines are told
apart by glyph, not only by colour, so the plots read the same under NO_COLOR: the data line is
braille, a second line on the same plot is ``•``, the memory budget is ``┄`` and the largest context
that fits is ``┆``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rich.console import Console
from rich.text import Text

from paramtui.engine.analysis import Analysis
from paramtui.engine.curves import Curves, compute_curves
from paramtui.engine.units import format_tokens
from paramtui.tui.bars import Styles

CURVE_STYLES: Styles = {
    "line": "dodger_blue1",
    "second": "medium_purple1",
    "budget": "orange3",
    "limit": "red",
    "axis": "grey50",
    "title": "bold",
    "dim": "dim",
}
"""Styles outside the dashboard (the CLI, tests); the dashboard's CurvesView takes its theme's."""

PLOT_HEIGHT = 5
"""Rows of one plot's drawing area (20 braille dots)."""
LABEL_WIDTH = 6
"""Cells for the y-axis figures."""
BRAILLE_BASE = 0x2800
DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
"""Braille dot bit for (row 0-3, column 0-1) within a cell (Unicode's braille pattern layout)."""
SECOND_GLYPH = "•"
BUDGET_GLYPH = "┄"
LIMIT_GLYPH = "┆"


@dataclass(frozen=True, slots=True)
class Series:
    """One line on a plot."""

    points: tuple[tuple[float, float], ...]
    """(x, y) in data units, x increasing."""
    style: str
    """Style name; ``line`` is drawn in braille, any other as SECOND_GLYPH marks."""


def _scale(value: float, low: float, high: float, cells: int, log: bool) -> int:
    """Position of ``value`` on an axis of ``cells`` dots from ``low`` to ``high``."""
    if log:
        value, low, high = (math.log(max(v, 1e-9)) for v in (value, low, high))
    if high <= low:
        return 0
    return max(0, min(cells - 1, round((value - low) / (high - low) * (cells - 1))))


def plot(
    title: str,
    series: Sequence[Series],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    width: int,
    styles: Styles,
    *,
    y_format: Callable[[float], str],
    x_labels: tuple[str, str],
    y_log: bool = False,
    budget: float | None = None,
    limit: float | None = None,
    limit_label: str = "",
) -> Text:
    """One plot: a title, PLOT_HEIGHT rows of drawing with y figures, the x axis and its end labels.

    x is drawn on a log scale (contexts and concurrencies double); y on a linear one from
    ``y_range[0]`` unless ``y_log``. ``budget`` draws a horizontal ┄ line at that y, ``limit`` a
    vertical ┆ line at that x.
    """
    cols = max(8, width - LABEL_WIDTH - 1)
    rows = PLOT_HEIGHT
    dots = [[0] * cols for _ in range(rows)]
    marks: dict[tuple[int, int], str] = {}
    x0, x1 = x_range
    y0, y1 = y_range

    def at(x: float, y: float) -> tuple[int, int]:
        return _scale(x, x0, x1, cols * 2, True), rows * 4 - 1 - _scale(y, y0, y1, rows * 4, y_log)

    for s in series:
        placed = [at(x, y) for x, y in s.points]
        if s.style != "line":
            for dx, dy in placed:
                marks[(dy // 4, dx // 2)] = s.style
            continue
        for (ax, ay), (bx, by) in pairwise(placed):
            steps = max(abs(bx - ax), abs(by - ay), 1)
            for i in range(steps + 1):
                px, py = round(ax + (bx - ax) * i / steps), round(ay + (by - ay) * i / steps)
                dots[py // 4][px // 2] |= DOT_BITS[py % 4][px % 2]
        if len(placed) == 1:
            px, py = placed[0]
            dots[py // 4][px // 2] |= DOT_BITS[py % 4][px % 2]
    budget_row = (at(x0, budget)[1] // 4) if budget is not None and y0 <= budget <= y1 else None
    limit_col = (at(limit, y0)[0] // 2) if limit is not None and x0 <= limit <= x1 else None
    text = Text(title, style=styles["title"])
    text.append("\n")
    for r in range(rows):
        label = y_format(y1) if r == 0 else (y_format(y0) if r == rows - 1 else "")
        if budget_row == r and r not in (0, rows - 1):
            label = y_format(budget)  # type: ignore[arg-type]
        text.append(f"{label:>{LABEL_WIDTH}}", style=styles["dim"])
        text.append("│", style=styles["axis"])
        for c in range(cols):
            mark = marks.get((r, c))
            if mark is not None:
                text.append(SECOND_GLYPH, style=styles[mark])
            elif dots[r][c]:
                text.append(chr(BRAILLE_BASE + dots[r][c]), style=styles["line"])
            elif c == limit_col:
                text.append(LIMIT_GLYPH, style=styles["limit"])
            elif r == budget_row:
                text.append(BUDGET_GLYPH, style=styles["budget"])
            else:
                text.append(" ")
        text.append("\n")
    axis = ["─"] * cols
    if limit_col is not None:
        axis[limit_col] = "┴"
    text.append(" " * LABEL_WIDTH + "└" + "".join(axis) + "\n", style=styles["axis"])
    left, right = x_labels
    line = [" "] * cols
    for i, ch in enumerate(left[:cols]):
        line[i] = ch
    for i, ch in enumerate(right[: cols - len(left) - 1]):
        line[cols - len(right) + i] = ch
    if limit_col is not None and limit_label:
        start = min(max(limit_col - len(limit_label) // 2, len(left) + 1), cols - len(right) - len(limit_label) - 1)
        if start > len(left):
            for i, ch in enumerate(limit_label):
                line[start + i] = ch
    text.append(" " * (LABEL_WIDTH + 1) + "".join(line), style=styles["dim"])
    return text


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _gib(value: float) -> str:
    return f"{value / 2**30:.0f}G" if value >= 10 * 2**30 else f"{value / 2**30:.1f}G"


def render_curves(curves: Curves, width: int, styles: Styles = CURVE_STYLES) -> Text:
    """The plots for ``curves`` at ``width`` cells: decode vs context, memory vs context, and for
    MoE models decode vs concurrency."""
    points = curves.points
    x_range = (float(points[0].context), float(points[-1].context))
    x_labels = (format_tokens(points[0].context), format_tokens(points[-1].context))
    limit = float(curves.max_context) if 0 < curves.max_context < points[-1].context else None
    fits_label = f"fits to {format_tokens(curves.max_context)}" if limit is not None else ""
    text = Text()
    rates = [(float(p.context), p.decode_tokens_per_s) for p in points if p.decode_tokens_per_s is not None]
    if rates:
        top, bottom = max(r for _, r in rates), min(r for _, r in rates)
        text.append_text(
            plot(
                "decode tok/s (1 request) vs context",
                [Series(tuple(rates), "line")],
                x_range,
                (bottom * 0.9, top * 1.05),
                width,
                styles,
                y_format=_rate,
                x_labels=x_labels,
                limit=limit,
                limit_label=fits_label,
            )
        )
        text.append("\n")
    # the GPU closest to its budget at the largest context decides where the plan stops fitting
    last = points[-1]
    fullest = max(range(len(curves.devices)), key=lambda i: last.device_bytes[i] / max(curves.budgets_bytes[i], 1))
    memory = tuple((float(p.context), float(p.device_bytes[fullest])) for p in points)
    budget = float(curves.budgets_bytes[fullest])
    y_top = max(budget, *(y for _, y in memory)) * 1.05
    y_bottom = min(budget, *(y for _, y in memory)) * 0.9  # the KV share shows; the axis says where it starts
    which = f"GPU {curves.devices[fullest]}" + (
        f", fullest of {len(curves.devices)}" if len(curves.devices) > 1 else ""
    )
    text.append_text(
        plot(
            f"memory on {which} vs context, {BUDGET_GLYPH} budget",
            [Series(memory, "line")],
            x_range,
            (y_bottom, y_top),
            width,
            styles,
            y_format=_gib,
            x_labels=x_labels,
            budget=budget,
            limit=limit,
            limit_label=fits_label,
        )
    )
    if curves.max_context == 0:
        text.append("\ndoes not fit at any context on this plan", style=styles["dim"])
    elif curves.max_context >= curves.model_max_context:
        text.append(f"\nfits up to the model's maximum, {format_tokens(curves.model_max_context)}", style=styles["dim"])
    if len(curves.concurrency) > 1:
        conc = curves.concurrency
        total = tuple((float(c.concurrency), c.total_tokens_per_s) for c in conc)
        user = tuple((float(c.concurrency), c.per_user_tokens_per_s) for c in conc)
        low = min(y for _, y in user) / 1.5
        high = max(y for _, y in total) * 1.2
        text.append("\n\n")
        text.append_text(
            plot(
                f"tok/s vs requests at {format_tokens(curves.workload_context)}: ⣿ total, {SECOND_GLYPH} each",
                [Series(total, "line"), Series(user, "second")],
                (float(conc[0].concurrency), float(conc[-1].concurrency)),
                (low, high),
                width,
                styles,
                y_format=_rate,
                x_labels=(str(conc[0].concurrency), f"{conc[-1].concurrency} requests"),
                y_log=True,
            )
        )
    text.append("\n")
    text.append(curves.basis, style=styles["dim"])
    return text


PRINT_WIDTH = 80
"""``inspect --plot`` draws at most this wide (the plots read no better wider)."""


def print_curves(console: Console, analysis: Analysis) -> None:
    """``inspect --plot``: the curves under the fit, or one line saying why there are none."""
    curves = compute_curves(analysis)
    if curves is None:
        console.print("no curves: no GPU to plan on (pass --gpu)", style="dim")
        return
    console.print()
    console.print(render_curves(curves, min(console.width, PRINT_WIDTH)))
