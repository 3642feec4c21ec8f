"""``paramtui fits``: the ranked list as JSON (inspect's objects per model) and as 80-column text.

Every figure comes from the ranking's rows (engine.ranking), which hold inspect's own analysis;
this module only picks and formats. The short cell texts are shared with the dashboard's fits
screen (tui/screens/fits.py), so the CLI and the screen say the same thing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paramtui.engine.units import format_params

if TYPE_CHECKING:
    from rich.console import RenderableType

    from paramtui.engine.adapters.sources import LoadedSource
    from paramtui.engine.ranking import FitRow, Ranking

VERDICT_CELL = {"fits": "✓ fits", "offload": "~ RAM", "near": "✗ near", "no": "✗ no"}
"""The verdict column: a glyph and a word, so it reads without colour (NO_COLOR)."""


def row_json(row: FitRow, loaded: LoadedSource) -> dict[str, Any]:
    """One model: inspect's ``model``, ``params``, ``memory``, ``fit`` and ``speed``, plus its rank.

    ``fit.options`` is searched only for a model that does not fit (there it says what would hold
    it); for one that fits the key is left out rather than given empty (``inspect`` lists them).
    """
    from paramtui.tui.report import build_report

    report = build_report(loaded, row.analysis, row.options, row.launch)
    fit = report["fit"]
    if fit is not None and row.group in ("fits", "offload"):
        del fit["options"]
    return {
        "id": row.candidate.key,
        "origin": row.candidate.origin,
        "model": report["model"],
        "params": report["params"],
        "memory": report["memory"],
        "fit": fit,
        "speed": report["speed"],
        "rank": {"group": row.group, "near_miss": row.near_miss, "extra_gpus": row.extra_gpus},
    }


def ranking_json(ranking: Ranking, loaded: dict[str, LoadedSource]) -> list[dict[str, Any]]:
    """The ``fits --json`` list, in rank order."""
    return [row_json(row, loaded[row.candidate.key]) for row in ranking.rows]


def params_cell(row: FitRow) -> str:
    """Stored parameters, and the active ones for a MoE ("235B/22B")."""
    bd = row.candidate.breakdown
    stored = format_params(bd.total, 1)
    return stored if bd.active == bd.total else f"{stored}/{format_params(bd.active, 1)}"


def tokens_cell(tokens: int) -> str:
    """A context length the way model cards write it: 131,072 -> 128k; 34,217 -> 33.4k."""
    if tokens <= 0:
        return "-"
    if tokens < 1024:
        return str(tokens)
    if tokens >= 2**20:
        m = tokens / 2**20
        return f"{m:.0f}M" if m.is_integer() or m >= 10 else f"{m:.1f}M"
    k = tokens / 1024
    return f"{k:.0f}k" if k.is_integer() or k >= 100 else f"{k:.1f}k"


def rate_cell(rate: float) -> str:
    """Tokens per second: whole numbers, thousands as 12.3k; "-" when unknown."""
    if rate <= 0:
        return "-"
    if rate >= 1e6:
        return f"{rate / 1e6:.1f}M"
    return f"{rate / 1000:.1f}k" if rate >= 10_000 else f"{rate:,.0f}"


def plan_cell(row: FitRow) -> str:
    """The plan in a few characters: tp2, pp4, tp8pp2; '+RAM' when layers or experts are offloaded."""
    fit = row.analysis.fit
    if fit is None or row.group not in ("fits", "offload"):
        return "-"
    plan = fit.attempt.plan
    text = f"tp{plan.tp}" if plan.pp == 1 else (f"pp{plan.pp}" if plan.tp == 1 else f"tp{plan.tp}pp{plan.pp}")
    return text + ("+RAM" if plan.offloaded_bytes else "")


def memory_cell(row: FitRow) -> str:
    """GiB on the fullest GPU of the plan (memory per device)."""
    used = row.fullest_device_bytes
    return f"{used / 2**30:.1f}" if used and row.group in ("fits", "offload") else "-"


def precision_cell(row: FitRow) -> str:
    """The precision the row's figures are for: the model's own where it fits, else the best that fits."""
    if row.group in ("fits", "offload"):
        return row.analysis.precision
    fit = row.analysis.fit
    return fit.best_precision if fit is not None and fit.best_precision else "-"


def request_line(runtime: str | None, context: int | None) -> str:
    """The request every row answers, in words."""
    asked = f"{context:,} tokens" if context else "min(8192, the model's maximum) tokens"
    return f"{runtime or 'vllm (llama.cpp for GGUF)'}, each model's own precision, {asked}"


def render_fits(ranking: Ranking, target: str, request: str, width: int = 80) -> RenderableType:
    """The list as text for a terminal ``width`` columns wide (80 or more).

    Those that fit (and those that fit with offload) are a table; the near misses and the rest are
    lines under it, in the same order as the JSON.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    rows = ranking.rows
    running = [r for r in rows if r.group in ("fits", "offload")]
    near = [r for r in rows if r.group == "near"]
    rest = [r for r in rows if r.group == "no"]
    parts: list[RenderableType] = [
        Text(f"{len(rows)} models on {target}", style="bold"),
        Text(
            f"{request}; ctx = largest context that fits, tok/s = decode at one request, GiB = fullest GPU",
            style="dim",
        ),
    ]
    name_width = max(12, width - 59)  # the other eight columns take 50 and the gaps 9
    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 1, 0, 0))
    table.add_column("model", no_wrap=True, overflow="ellipsis", max_width=name_width)
    table.add_column("params", justify="right", no_wrap=True)
    table.add_column("fit", no_wrap=True)
    table.add_column("prec", no_wrap=True, max_width=7, overflow="ellipsis")
    table.add_column("ctx", justify="right", no_wrap=True)
    table.add_column("tok/s", justify="right", no_wrap=True)
    table.add_column("prefill", justify="right", no_wrap=True)
    table.add_column("GiB", justify="right", no_wrap=True)
    table.add_column("plan", no_wrap=True)
    for r in running:
        table.add_row(
            r.candidate.name,
            params_cell(r),
            VERDICT_CELL[r.group],
            precision_cell(r),
            tokens_cell(r.max_context),
            rate_cell(r.decode_tokens_per_s),
            rate_cell(r.prefill_tokens_per_s),
            memory_cell(r),
            plan_cell(r),
        )
    if running:
        parts.append(table)
    if near:
        parts.append(Text(f"near misses ({len(near)}):", style="bold"))
        parts.extend(_line(r) for r in near)
    if rest:
        parts.append(Text(f"does not fit ({len(rest)}):", style="bold"))
        parts.extend(_line(r) for r in rest)
    if not rows:
        parts.append(Text("no model matches the filters"))
    parts.extend(Text(f"skipped {key}: {why}", style="dim") for key, why in ranking.skipped)
    parts.append(Text("`paramtui inspect ID` for one model in full; --json for scripts", style="dim"))
    return Group(*parts)


def _line(row: FitRow) -> RenderableType:
    """A model that does not fit here: its size, how near it is, and the fastest setup that holds it."""
    from rich.text import Text

    where = ""
    if (o := row.near_option) is not None:
        gpu = o.gpu.removeprefix("NVIDIA ")
        where = f"; {rate_cell(o.decode_tokens_per_s)} tok/s on {o.count} x {gpu} ({o.precision}, {o.runtime})"
    from rich.padding import Padding

    # wrapped under its own indent rather than cut: the setup and its speed are the point of the line
    return Padding(
        Text(f"{row.candidate.name} ({params_cell(row)}): {row.near_miss}{where}"), (0, 0, 0, 2), expand=False
    )
