"""The ``paramtui`` console entry: dispatches subcommands; Textual is imported only for the dashboard."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

from paramtui.tui import __version__

EXIT_BAD_INPUT = 2
"""Exit code for any bad input (DESIGN.md contract)."""

SUBCOMMANDS = ("inspect", "presets")
"""Subcommand names win over preset ids of the same name."""


class UsageError(Exception):
    """A command-line mistake; its message is the one line printed."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a mistake as one line instead of usage plus error."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _fail(message: str) -> int:
    """Print one line to stderr and return the bad-input exit code."""
    print(f"paramtui: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _main_parser() -> _Parser:
    parser = _Parser(
        prog="paramtui",
        description="What is this LLM made of, will it fit on this machine's GPUs, and how fast will it run?",
        epilog="subcommands: inspect SOURCE [--json] | presets.  SOURCE: a config.json, a directory, or a preset id.",
    )
    parser.add_argument("source", nargs="?", help="config.json path, model directory or preset id")
    parser.add_argument("--version", action="version", version=f"paramtui {__version__}")
    return parser


def _inspect_parser() -> _Parser:
    parser = _Parser(prog="paramtui inspect", description="Print what a model is made of.")
    parser.add_argument("source", help="config.json path, model directory or preset id")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout (for scripts)")
    return parser


def _presets_parser() -> _Parser:
    parser = _Parser(prog="paramtui presets", description="List the shipped model presets.")
    parser.add_argument("--json", action="store_true", help="JSON list on stdout")
    return parser


def run_inspect(source: str, as_json: bool) -> int:
    """Load SOURCE and print the report; one-line error and exit 2 on bad input."""
    from paramtui.engine.adapters.sources import SourceError, load_source
    from paramtui.engine.importer import ConfigError

    try:
        loaded = load_source(source)
    except (SourceError, ConfigError) as exc:
        return _fail(str(exc))
    from paramtui.tui.report import build_report, render_table

    if as_json:
        print(json.dumps(build_report(loaded), indent=2))
        return 0
    from rich.console import Console

    Console().print(render_table(loaded))
    return 0


def run_presets(as_json: bool) -> int:
    """List presets with their counts."""
    from paramtui.engine.adapters.sources import load_preset
    from paramtui.engine.params import count_params
    from paramtui.engine.units import format_params
    from paramtui.presets import all_presets

    rows = []
    for preset in all_presets().values():
        arch = load_preset(preset).result.architecture
        bd = count_params(arch)
        rows.append((preset.id, preset.display_name, arch.kind, bd.total, bd.active, preset.hf_repo))
    if as_json:
        keys = ("id", "name", "kind", "total", "active", "hf_repo")
        print(json.dumps([dict(zip(keys, row, strict=True)) for row in rows], indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} presets", title_justify="left")
    for column in ("id", "name", "kind", "stored", "active", "hugging face repo"):
        table.add_column(column, justify="right" if column in ("stored", "active") else "left")
    for pid, name, kind, total, active, repo in rows:
        table.add_row(pid, name, kind, format_params(total), format_params(active), repo)
    Console().print(table)
    return 0


def run_default(source: str | None) -> int:
    """``paramtui [SOURCE]``: the dashboard needs a terminal; until it exists, print the summary."""
    from paramtui.presets import DEFAULT_PRESET

    code = run_inspect(source or DEFAULT_PRESET, as_json=False)
    if code == 0:
        print(
            "hint: `paramtui inspect SOURCE --json` for scripts, `paramtui presets` to list models",
            file=sys.stderr,
        )
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "inspect":
            ns = _inspect_parser().parse_args(args[1:])
            return run_inspect(ns.source, ns.json)
        if args and args[0] == "presets":
            ns = _presets_parser().parse_args(args[1:])
            return run_presets(ns.json)
        ns = _main_parser().parse_args(args)
        return run_default(ns.source)
    except UsageError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `paramtui presets | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
