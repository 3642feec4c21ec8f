"""``paramtui search QUERY`` (Hub repos) and ``paramtui search --quants REPO`` (which GGUF quant fits here).

Kept apart from tui/cli.py, which only dispatches to it: the search adapter and the quant fit are
imported when the subcommand runs, so the other subcommands start as fast as before.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paramtui.engine.adapters.hub_search import HubModel
    from paramtui.engine.gguf_fit import QuantFit

FIT_MARKS = {"fits": "✓", "fits_with_offload": "~", "does_not_fit": "✗"}
"""One glyph per verdict, so the list reads without colour."""


def search_parser(parser_class: type[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The subcommand's options (``parser_class`` is cli.py's one-line-error parser)."""
    from paramtui.engine.adapters.hub_search import DEFAULT_RESULTS, MAX_RESULTS

    parser = parser_class(
        prog="paramtui search",
        description="Find text-generation models on the Hugging Face Hub, most downloaded first; "
        "with --quants REPO, list a GGUF repo's quants with their size and whether each fits here.",
    )
    parser.add_argument("query", nargs="?", help="words in the repo id (llama, qwen3 30b, gguf)")
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_RESULTS, help=f"results, 1 to {MAX_RESULTS} (default {DEFAULT_RESULTS})"
    )
    parser.add_argument("--quants", metavar="REPO", default=None, help="a GGUF repo: its quants and which fit")
    parser.add_argument("--gpu", default=None, help="with --quants: a GPU preset or spec as in inspect (default: live)")
    parser.add_argument("--gpus", default=None, help="with --quants: live GPUs to use, e.g. 0,2")
    parser.add_argument("--context", default=None, help="with --quants: tokens per sequence (32k, 131072)")
    parser.add_argument("--json", action="store_true", help="JSON on stdout")
    return parser


def _short_count(value: int) -> str:
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= scale:
            return f"{value / scale:.1f}{suffix}"
    return str(value)


def _print_results(query: str, found: tuple[HubModel, ...]) -> None:
    from rich.console import Console
    from rich.table import Table

    from paramtui.engine.adapters.hub import endpoint
    from paramtui.engine.units import format_params

    console = Console()
    if not found:
        console.print(f"no text-generation repos on {endpoint()} match {query!r}")
        return
    console.print(f"{len(found)} text-generation repos matching {query!r}, most downloaded first")
    table = Table(box=None, pad_edge=False)
    table.add_column("repo", overflow="ellipsis", no_wrap=True)
    table.add_column("downloads", justify="right", no_wrap=True)
    table.add_column("params", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for m in found:
        marks = " ".join(word for word, on in (("GGUF", m.gguf), ("gated", m.gated)) if on)
        params = format_params(m.params, 1) if m.params is not None else "-"
        table.add_row(m.repo_id, _short_count(m.downloads), params, marks)
    console.print(table)
    console.print(
        "params: the Hub's safetensors total (- where it gives none).  `paramtui inspect REPO` reads one; "
        "`paramtui search --quants REPO` shows which of a GGUF repo's quants fit here.",
        style="dim",
    )


def run_search(ns: argparse.Namespace) -> int:
    """Search the Hub, or list a GGUF repo's quants; one line and exit 2 on bad input or no Hub."""
    from paramtui.tui.cli import _fail

    if ns.quants is not None:
        return run_quants(ns)
    if not ns.query:
        return _fail("search needs a QUERY (paramtui search llama) or --quants REPO")
    from paramtui.engine.adapters.hub_search import search_models

    try:
        found = search_models(ns.query, ns.limit)
    except ValueError as exc:
        return _fail(str(exc))
    if ns.json:
        keys = ("repo_id", "downloads", "params", "gated", "gguf")
        print(json.dumps([{k: getattr(m, k) for k in keys} for m in found], indent=2))
        return 0
    _print_results(ns.query, found)
    return 0


def quants_json(rows: tuple[QuantFit, ...]) -> list[dict[str, Any]]:
    """The quants as JSON records (bytes and tok/s as numbers, verdicts as in inspect's ``fit``)."""
    keys = ("label", "file_bytes", "precision", "needed_bytes", "verdict", "max_context", "decode_tokens_per_s", "plan")
    return [{k: getattr(r, k) for k in keys} for r in rows]


QUANTS_LEGEND = "✓ fits  ~ fits with part in RAM  ✗ does not fit   need = weights + KV + overhead"
"""What the fit marks mean, printed under the quant table."""


def quants_title(repo: str, count: int, target: str, context: int) -> str:
    """The line above the quant table."""
    from paramtui.engine.units import format_tokens

    return f"{repo}: {count} GGUF quants on {target} (llama.cpp, {format_tokens(context)} context)"


def render_quants(rows: tuple[QuantFit, ...]) -> Any:
    """The quant table: size, need, a fit mark, largest context, decode speed, plan (cut first when narrow)."""
    from rich.table import Table

    from paramtui.engine.units import format_bytes, format_tokens

    table = Table(box=None, pad_edge=False)
    label_width = max((len(r.label) for r in rows), default=5)
    for name, right, width in (("quant", False, label_width), ("file", True, 9), ("need", True, 9), ("fit", False, 3)):
        table.add_column(name, justify="right" if right else "left", no_wrap=True, min_width=width)
    table.add_column("context", justify="right", no_wrap=True, min_width=7)
    table.add_column("tok/s", justify="right", no_wrap=True, min_width=5)
    table.add_column("plan", overflow="ellipsis", no_wrap=True)
    for r in rows:
        mark = FIT_MARKS[r.verdict] if r.verdict is not None else "?"
        table.add_row(
            r.label,
            format_bytes(r.file_bytes, 1),
            format_bytes(r.needed_bytes, 1),
            mark,
            format_tokens(r.max_context) if r.max_context else "-",
            f"{r.decode_tokens_per_s:,.0f}" if r.decode_tokens_per_s is not None else "-",
            r.plan or "-",
        )
    return table


def run_quants(ns: argparse.Namespace) -> int:
    """``search --quants REPO``: read the repo as inspect does, then check each quant against the GPUs."""
    from paramtui.engine.adapters.sources import SourceError, is_hub_source, load_source
    from paramtui.engine.gguf_fit import quant_fits
    from paramtui.engine.importer import ConfigError
    from paramtui.engine.units import parse_tokens
    from paramtui.tui.cli import _fail, _hardware, _indices

    repo = ns.quants.strip()
    if not is_hub_source(repo):
        return _fail(f"--quants takes a Hugging Face repo id (owner/name), not {repo!r}")
    try:
        context = parse_tokens(ns.context) if ns.context else None
        select = _indices(ns.gpus) if ns.gpus else None
        loaded = load_source(repo)
        variants = loaded.read.variants if loaded.read is not None else ()
        if not variants:
            raise ValueError(f"{repo} has no GGUF files; `paramtui inspect {repo}` reads its safetensors headers")
        hardware = _hardware(ns.gpu, select)
        has_gpu = bool(hardware.gpus)
        arch = loaded.result.architecture
        rows = quant_fits(
            arch, loaded.breakdown, [(v.label, v.bytes) for v in variants], hardware if has_gpu else None, context
        )
    except (SourceError, ConfigError, ValueError, argparse.ArgumentTypeError) as exc:
        return _fail(str(exc))
    if ns.json:
        print(json.dumps({"repo": repo, "quants": quants_json(rows)}, indent=2))
        return 0
    from rich.console import Console

    from paramtui.engine.analysis import DEFAULT_CONTEXT

    console = Console()
    target = hardware.gpus[0].name if has_gpu else "no GPU"
    if has_gpu and len(hardware.gpus) > 1:
        target = f"{len(hardware.gpus)} x {target}"
    console.print(quants_title(repo, len(rows), target, context or min(DEFAULT_CONTEXT, arch.max_context)))
    console.print(render_quants(rows))
    console.print(QUANTS_LEGEND, style="dim")
    if not has_gpu:
        print("no GPU to check against: pass --gpu (e.g. --gpu h100-sxm, --gpu 2xrtx-4090)", file=sys.stderr)
    return 0
