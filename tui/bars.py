"""Stored-vs-active parameter bars: the picture users come for.

One scale for every bar (the model's stored total), so a DeepSeek-V3 "Active" bar is visibly a
sliver of its "Stored" bar while a dense model's two bars are equal. Pure rendering: takes the
engine's breakdown and returns rich Text, so tests and the benchmark can call it without an app.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text

from paramtui.engine.params import ParamBreakdown
from paramtui.engine.units import format_bytes, format_params, format_share

Styles = Mapping[str, Style | str]
"""Named styles for a drawing; the dashboard's widgets pass their theme's (COMPONENT_CLASSES)."""

BAR_STYLES: Styles = {"active": "bold green", "stored": "grey50", "pinned": "magenta", "dim": "dim"}
"""Styles outside the dashboard (tests, benchmarks): ``active`` and ``stored`` bar cells, the
``pinned`` model's rows in compare mode, ``dim`` figures."""

LABEL_WIDTH = 15
SHORT_NAMES = {"routed_experts": "routed exp.", "shared_experts": "shared exp."}
"""Component names that need shortening to fit beside the figures in a narrow pane."""


def _bar(stored: int, active: int, scale: int, width: int, styles: Styles) -> Text:
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
    text.append("█" * active_cells, style=styles["active"])
    text.append("▒" * (stored_cells - active_cells), style=styles["stored"])
    text.append(" " * (width - stored_cells))
    return text


FIGURES_WIDTH = 22
"""Width of " stored  share  active" after a bar."""

WIDE = LABEL_WIDTH + FIGURES_WIDTH + 20
"""From this width each component fits on one line; below it the bar goes on a line of its own."""


def _component(
    out: Text,
    label: str,
    stored: int,
    active: int | None,
    total: int,
    width: int,
    styles: Styles,
    style: Style | str = "",
    scale: int = 0,
    pinned: bool = False,
) -> None:
    """One labelled bar with its figures; ``total`` is for the share, ``scale`` (default total) for the bar."""
    scale = scale or total
    style = styles["pinned"] if pinned else style
    bar_styles = {**styles, "active": styles["pinned"]} if pinned else styles
    figures = Text(f" {format_params(stored):>7} {format_share(stored, total):>5} ", style=style)
    figures.append(f"{format_params(active):>7}" if active is not None else " " * 7, style=bar_styles["active"])
    if width >= WIDE:
        out.append(f"{label:<{LABEL_WIDTH}}", style=style)
        out.append_text(_bar(stored, active or 0, scale, width - LABEL_WIDTH - FIGURES_WIDTH, bar_styles))
        out.append_text(figures)
    else:
        slot = max(1, width - FIGURES_WIDTH)
        out.append(f"{label[:slot]:<{slot}}", style=style)
        out.append_text(figures)
        out.append("\n")
        out.append_text(_bar(stored, active or 0, scale, width, bar_styles))
    out.append("\n")


def render_bars(
    bd: ParamBreakdown,
    width: int,
    weights_bytes: int | None = None,
    precision: str = "",
    labels: Mapping[str, str] | None = None,
    pinned: tuple[str, ParamBreakdown] | None = None,
    *,
    title: str = "",
    flops: tuple[int, int] | None = None,
    styles: Styles = BAR_STYLES,
) -> Text:
    """The title and the two summary bars, each component on the same scale, and what they mean.

    Stored and Active come first, under the title: they are the answer, and on a 24-line terminal
    whatever sits at the bottom of the pane is the first thing a status line or a scroll hides.
    ``labels`` renames components (the simple mode's "shared" part). ``pinned`` (name, breakdown)
    is compare mode: the pinned model's row follows each of this model's, every bar on one scale.
    ``flops`` is (FLOPs per token, context) from the engine's ``flops_per_token``.
    """
    width = max(FIGURES_WIDTH + 8, width)
    names = {**SHORT_NAMES, **(labels or {})}
    other = pinned[1] if pinned is not None else None
    scale = max(bd.total, other.total if other is not None else 0)
    out = Text()
    header = "stored share  active"
    out.append(title[: max(0, width - len(header) - 1)], style="bold")
    out.append(f"{header:>{width - len(out.plain)}}\n", style=styles["dim"])
    if pinned is not None:
        out.append("compare: this model, then ", style=styles["dim"])
        out.append(f"pinned {pinned[0]}", style=styles["pinned"])
        out.append(" (ctrl+b unpins)\n", style=styles["dim"])
    _component(out, "Stored", bd.total, None, bd.total, width, styles, "bold", scale)
    if other is not None:
        _component(out, "  pinned", other.total, None, other.total, width, styles, scale=scale, pinned=True)
    _component(out, "Active", bd.active, bd.active, bd.total, width, styles, "bold", scale)
    if other is not None:
        _component(out, "  pinned", other.active, other.active, other.total, width, styles, scale=scale, pinned=True)
    out.append("\n")
    for c in bd.components:
        theirs = other.component(c.name) if other is not None else None
        if c.stored or (theirs is not None and theirs.stored):
            label = names.get(c.name, c.name.replace("_", " "))
            _component(out, label, c.stored, c.active, bd.total, width, styles, scale=scale)
            if theirs is not None and other is not None:
                _component(
                    out, "  pinned", theirs.stored, theirs.active, other.total, width, styles, scale=scale, pinned=True
                )
    memory = f"memory follows stored: {format_params(bd.total)}"
    if weights_bytes is not None:
        memory += f" = {format_bytes(weights_bytes)} of weights" + (f" in {precision}" if precision else "")
    elif precision:  # being computed for this edit: keep the line's shape so the layout holds still
        memory += f" = ... GiB of weights in {precision}"
    out.append(memory + "\n")
    compute = f"compute follows active: {format_params(bd.active_excluding_embeddings)}"
    if flops is not None:
        compute += f" -> {flops[0] / 1e9:,.1f} GFLOP/token at {flops[1]:,} context"
    out.append(compute, style=styles["active"])
    return out
