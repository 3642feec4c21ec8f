"""Stored-vs-active parameter bars: the picture users come for.

One scale for every bar (the model's stored total), so a DeepSeek-V3 "Active" bar is visibly a
sliver of its "Stored" bar while a dense model's two bars are equal. Pure rendering: takes the
engine's breakdown and returns rich Text, so tests and the benchmark can call it without an app.
"""

from __future__ import annotations

from collections.abc import Mapping

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

WIDE = LABEL_WIDTH + FIGURES_WIDTH + 20
"""From this width each component fits on one line; below it the bar goes on a line of its own."""


PINNED_STYLE = "magenta"
"""The pinned model's rows in compare mode."""


def _component(
    out: Text, label: str, stored: int, active: int | None, total: int, width: int, style: str = "", scale: int = 0
) -> None:
    """One labelled bar with its figures; ``total`` is for the share, ``scale`` (default total) for the bar."""
    scale = scale or total
    figures = Text(f" {format_params(stored):>7} {format_share(stored, total):>5} ", style=style)
    active_style = PINNED_STYLE if style == PINNED_STYLE else ACTIVE_STYLE
    figures.append(f"{format_params(active):>7}" if active is not None else " " * 7, style=active_style)
    if width >= WIDE:
        out.append(f"{label:<{LABEL_WIDTH}}", style=style)
        out.append_text(_bar(stored, active or 0, scale, width - LABEL_WIDTH - FIGURES_WIDTH))
        out.append_text(figures)
    else:
        slot = max(1, width - FIGURES_WIDTH)
        out.append(f"{label[:slot]:<{slot}}", style=style)
        out.append_text(figures)
        out.append("\n")
        out.append_text(_bar(stored, active or 0, scale, width))
    out.append("\n")


def render_bars(
    bd: ParamBreakdown,
    width: int,
    weights_bytes: int | None = None,
    precision: str = "",
    labels: Mapping[str, str] | None = None,
    pinned: tuple[str, ParamBreakdown] | None = None,
) -> Text:
    """Component bars, the two summary bars on the same scale, and what they mean for this model.

    ``labels`` renames components (the simple mode's "shared" part). ``pinned`` (name, breakdown)
    is compare mode: the pinned model's row follows each of this model's, every bar on one scale.
    """
    width = max(FIGURES_WIDTH + 8, width)
    names = {**SHORT_NAMES, **(labels or {})}
    other = pinned[1] if pinned is not None else None
    scale = max(bd.total, other.total if other is not None else 0)
    out = Text()
    if pinned is not None:
        out.append("compare: this model, then ", style="dim")
        out.append(f"pinned {pinned[0]}", style=PINNED_STYLE)
        out.append(" (ctrl+b unpins)\n", style="dim")
    out.append(f"{'':<{LABEL_WIDTH}}" if width >= WIDE else "", style="dim")
    out.append(f"{'stored share  active':>{width - (LABEL_WIDTH if width >= WIDE else 0)}}\n", style="dim")
    for c in bd.components:
        theirs = other.component(c.name) if other is not None else None
        if c.stored or (theirs is not None and theirs.stored):
            label = names.get(c.name, c.name.replace("_", " "))
            _component(out, label, c.stored, c.active, bd.total, width, scale=scale)
            if theirs is not None and other is not None:
                _component(out, "  pinned", theirs.stored, theirs.active, other.total, width, PINNED_STYLE, scale)
    out.append("\n")
    _component(out, "Stored", bd.total, None, bd.total, width, "bold", scale)
    if other is not None:
        _component(out, "  pinned", other.total, None, other.total, width, PINNED_STYLE, scale)
    _component(out, "Active", bd.active, bd.active, bd.total, width, "bold", scale)
    if other is not None:
        _component(out, "  pinned", other.active, other.active, other.total, width, PINNED_STYLE, scale)
    out.append("\n")
    memory = f"memory follows stored: {format_params(bd.total)}"
    if weights_bytes is not None:
        memory += f" = {format_bytes(weights_bytes)} of weights" + (f" in {precision}" if precision else "")
    elif precision:  # being computed for this edit: keep the line's shape so the layout holds still
        memory += f" = ... GiB of weights in {precision}"
    out.append(memory + "\n")
    out.append(
        f"compute follows active: {format_params(bd.active_excluding_embeddings)} -> "
        f"{2 * bd.active_excluding_embeddings / 1e9:,.1f} GFLOP per token",
        style="green",
    )
    return out
