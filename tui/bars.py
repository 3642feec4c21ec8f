"""Stored-vs-active parameter bars: the picture users come for.

One scale for every bar (the model's stored total), so a DeepSeek-V3 "Active" bar is visibly a
sliver of its "Stored" bar while a dense model's two bars are equal. Pure rendering: takes the
engine's breakdown and returns rich Text, so tests and the benchmark can call it without an app.
"""

from __future__ import annotations

from rich.text import Text

from paramtui.engine.params import ParamBreakdown
from paramtui.engine.units import format_bytes, format_params, format_share

STORED_STYLE = "grey50"
ACTIVE_STYLE = "bold green"
LABEL_WIDTH = 15
SHORT_NAMES = {"routed_experts": "routed exp.", "shared_experts": "shared exp."}
"""Component names that need shortening to fit beside the figures in a narrow pane."""


def _bar(stored: int, active: int, scale: int, width: int) -> Text:
    """``width`` cells: active share solid, the rest of the stored share shaded, then blank."""
    if scale <= 0 or width <= 0:
        return Text(" " * max(width, 0))
    stored_cells = round(width * stored / scale)
    active_cells = min(stored_cells, round(width * active / scale))
    if stored and not stored_cells:
        stored_cells = 1  # a non-zero component never disappears
    if active and not active_cells:
        active_cells = 1
    text = Text()
    text.append("█" * active_cells, style=ACTIVE_STYLE)
    text.append("▒" * (stored_cells - active_cells), style=STORED_STYLE)
    text.append(" " * (width - stored_cells))
    return text


FIGURES_WIDTH = 22
"""Width of " stored  share  active" after a bar."""

WIDE = LABEL_WIDTH + FIGURES_WIDTH + 30
"""From this width each component fits on one line; below it the bar goes on a line of its own."""


def _component(out: Text, label: str, stored: int, active: int | None, total: int, width: int, style: str = "") -> None:
    figures = Text(f" {format_params(stored):>7} {format_share(stored, total):>5} ", style=style)
    figures.append(f"{format_params(active):>7}" if active is not None else " " * 7, style=ACTIVE_STYLE)
    if width >= WIDE:
        out.append(f"{label:<{LABEL_WIDTH}}", style=style)
        out.append_text(_bar(stored, active or 0, total, width - LABEL_WIDTH - FIGURES_WIDTH))
        out.append_text(figures)
    else:
        slot = max(1, width - FIGURES_WIDTH)
        out.append(f"{label[:slot]:<{slot}}", style=style)
        out.append_text(figures)
        out.append("\n")
        out.append_text(_bar(stored, active or 0, total, width))
    out.append("\n")


def render_bars(bd: ParamBreakdown, width: int, weights_bytes: int | None = None, precision: str = "") -> Text:
    """Component bars, the two summary bars on the same scale, and what they mean for this model."""
    width = max(FIGURES_WIDTH + 8, width)
    out = Text()
    out.append(f"{'':<{LABEL_WIDTH}}" if width >= WIDE else "", style="dim")
    out.append(f"{'stored share  active':>{width - (LABEL_WIDTH if width >= WIDE else 0)}}\n", style="dim")
    for c in bd.components:
        if c.stored:
            _component(out, SHORT_NAMES.get(c.name, c.name.replace("_", " ")), c.stored, c.active, bd.total, width)
    out.append("\n")
    _component(out, "Stored", bd.total, None, bd.total, width, "bold")
    _component(out, "Active", bd.active, bd.active, bd.total, width, "bold")
    out.append("\n")
    memory = f"memory follows stored: {format_params(bd.total)}"
    if weights_bytes is not None:
        memory += f" = {format_bytes(weights_bytes)} of weights" + (f" in {precision}" if precision else "")
    out.append(memory + "\n")
    out.append(
        f"compute follows active: {format_params(bd.active_excluding_embeddings)} -> "
        f"{2 * bd.active_excluding_embeddings / 1e9:,.1f} GFLOP per token",
        style="green",
    )
    return out
