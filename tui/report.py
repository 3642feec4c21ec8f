"""The inspect report: the JSON contract and the human table, built from engine objects only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paramtui.engine.params import ParamBreakdown, count_params, flops_per_token
from paramtui.engine.units import format_params, format_share

if TYPE_CHECKING:
    from rich.console import RenderableType

    from paramtui.engine.adapters.sources import LoadedSource

DEFAULT_CONTEXT = 8192
"""The design notes' default context: min(8192, the model's maximum)."""


def build_report(loaded: LoadedSource) -> dict[str, Any]:
    """The ``inspect --json`` object (DESIGN.md contract); memory/fit/speed are null until computed."""
    arch = loaded.result.architecture
    breakdown = count_params(arch)
    context = min(DEFAULT_CONTEXT, arch.max_context)
    report: dict[str, Any] = {
        "model": {"name": arch.name, "source": loaded.source, "kind": arch.kind, "model_type": arch.model_type},
        "params": {
            "total": breakdown.total,
            "active": breakdown.active,
            "active_excluding_embeddings": breakdown.active_excluding_embeddings,
            "mtp": breakdown.mtp,
            "mtp_basis": breakdown.mtp_basis,
            "flops_per_token": flops_per_token(arch, breakdown, context),
            "flops_context": context,
            "components": [
                {"name": c.name, "stored": c.stored, "active": c.active, "basis": c.basis} for c in breakdown.components
            ],
        },
        "notes": list(loaded.result.notes),
        "memory": None,
        "hardware": None,
        "fit": None,
        "speed": None,
    }
    if loaded.preset is not None:
        pub = loaded.preset.published
        report["model"]["hf_repo"] = loaded.preset.hf_repo
        report["published"] = {
            "total": pub.total,
            "active": pub.active,
            "active_excludes_embeddings": pub.active_excludes_embeddings,
            "convention": pub.convention,
            "source": pub.source,
        }
    return report


def render_table(loaded: LoadedSource, breakdown: ParamBreakdown | None = None) -> RenderableType:
    """A compact rich table of components x stored/active with shares and totals."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    arch = loaded.result.architecture
    bd = breakdown or count_params(arch)
    table = Table(title=f"{arch.name}  ({arch.kind}, {arch.model_type})", title_justify="left", expand=False)
    table.add_column("component")
    table.add_column("stored", justify="right")
    table.add_column("share", justify="right")
    table.add_column("active", justify="right")
    table.add_column("share", justify="right")
    for c in bd.components:
        if c.stored == 0:
            continue
        table.add_row(
            c.name.replace("_", " "),
            format_params(c.stored),
            format_share(c.stored, bd.total),
            format_params(c.active),
            format_share(c.active, bd.active),
        )
    table.add_section()
    table.add_row("total", format_params(bd.total), "100%", format_params(bd.active), "100%", style="bold")
    lines = [
        f"active per token: {format_params(bd.active)} ({format_share(bd.active, bd.total)} of stored); "
        f"without the input embedding: {format_params(bd.active_excluding_embeddings)}",
        "memory follows stored parameters; compute per token follows active ones",
    ]
    if bd.mtp:
        lines.append(f"multi-token prediction: {format_params(bd.mtp)} more, kept out of the totals")
    if loaded.preset is not None:
        pub = loaded.preset.published
        lines.append(
            f"published: {format_params(pub.total, 1)} total / {format_params(pub.active, 1)} active"
            + (f" ({pub.convention})" if pub.convention else "")
        )
    lines.extend(f"note: {note}" for note in loaded.result.notes)
    lines.append(f"source: {loaded.source}")
    return Group(table, *(Text(line, style="dim" if line.startswith("source") else "") for line in lines))
