"""The ``paramtui`` console entry: dispatches subcommands; Textual is imported only for the dashboard."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from paramtui.tui import package_version

if TYPE_CHECKING:
    from paramtui.engine.hardware import Hardware

EXIT_BAD_INPUT = 2
"""Exit code for any bad input (DESIGN.md contract)."""

SUBCOMMANDS = ("inspect", "fits", "presets", "gpus", "hw", "search")
"""Subcommand names win over preset ids of the same name."""


SOURCE_HELP = "config.json, model directory, .gguf, preset id or Hugging Face owner/name[@rev][:QUANT]"


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


class _VersionAction(argparse.Action):
    """``--version``, looked up only when asked for (importlib.metadata is slow to import)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(f"paramtui {package_version()}")
        parser.exit()


def _main_parser() -> _Parser:
    parser = _Parser(
        prog="paramtui",
        description="What is this LLM made of, will it fit on this machine's GPUs, and how fast will it run?",
        epilog="subcommands: inspect SOURCE [--json] [--gpu ...] [--plot] | fits [--gpu ...] [--json] | hw [--json] "
        "[--gpus 0,2] | presets | gpus | search QUERY | search --quants REPO.  "
        "SOURCE: a config.json, a directory, a .gguf, a preset id, or a Hugging Face repo "
        "(owner/name[@revision][:QUANT]).",
    )
    parser.add_argument("source", nargs="?", help=SOURCE_HELP)
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="print the version and exit")
    return parser


def _inspect_parser() -> _Parser:
    parser = _Parser(prog="paramtui inspect", description="Print what a model is made of.")
    parser.add_argument("source", help=SOURCE_HELP)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout (for scripts)")
    parser.add_argument("--precision", default="auto", help="weights precision: auto, bf16, fp8, int4, q4_k_m, ...")
    parser.add_argument("--kv-dtype", default="auto", help="KV cache dtype: auto, bf16, fp16, fp8, q8_0, q4_0")
    parser.add_argument("--context", type=int, default=None, help="tokens per sequence (default min(8192, model max))")
    parser.add_argument(
        "--batch",
        "--concurrency",
        type=int,
        default=1,
        help="concurrent requests (default 1): per-user and total tok/s",
    )
    parser.add_argument(
        "--output-tokens", type=int, default=512, help="tokens each request generates, under load (default 512)"
    )
    parser.add_argument(
        "--expert-parallel", action="store_true", help="spread MoE experts over the GPUs (vLLM/SGLang EP)"
    )
    parser.add_argument(
        "--eager", action="store_true", help="engine without CUDA graphs (--enforce-eager / --disable-cuda-graph)"
    )
    parser.add_argument(
        "--runtime",
        default=None,
        help="vllm (default), sglang, llama.cpp (default for GGUF), transformers; NAME@VERSION picks an "
        "earlier release's memory rules (llama.cpp@b5500, vllm@0.9)",
    )
    parser.add_argument(
        "--runtime-version", default=None, help="release whose memory rules apply (b5500, 0.9.2); default current"
    )
    parser.add_argument(
        "--flash-attn", choices=("on", "off"), default=None, help="llama.cpp flash attention (default on)"
    )
    parser.add_argument(
        "--max-num-batched-tokens",
        type=int,
        default=None,
        help="vLLM tokens per step (default 8192 on H100-class cards, 2048 on A100 and smaller)",
    )
    parser.add_argument(
        "--gpu",
        default=None,
        help="GPU preset id, NxID (2xrtx-4090) or a custom spec mem=24GiB[,bw=1008GB/s][,fp16=165TFLOPS]"
        "[,fp8=330TFLOPS][,int8=660TOPS][,cc=8.9][,vendor=nvidia|amd|apple|cpu][,name=...]: mem alone gives the fit, "
        "bw adds decode, fp16 adds prefill",
    )
    parser.add_argument("--gpus", type=_indices, default=None, help="live GPUs to use, e.g. 0,2 (default: all visible)")
    parser.add_argument("--tp", type=int, default=None, help="force tensor parallelism over N GPUs")
    parser.add_argument("--pp", type=int, default=None, help="force a layer split over N GPUs")
    parser.add_argument("--offload", choices=("none", "layers", "experts"), default=None, help="force CPU offload")
    parser.add_argument(
        "--plot", action="store_true", help="also draw decode tok/s and memory against context (and MoE concurrency)"
    )
    return parser


def _indices(text: str) -> tuple[int, ...]:
    """``--gpus 0,2`` -> (0, 2)."""
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--gpus takes device indices like 0,2, not {text!r}") from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"--gpus takes device indices like 0,2, not {text!r}")
    return values


def _typed(parse: Callable[[str], int]) -> Callable[[str], int]:
    """An argparse type from a units parser: its ValueError becomes argparse's one line naming the option."""

    def convert(text: str) -> int:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


def _fits_parser() -> _Parser:
    from paramtui.engine.units import parse_count, parse_tokens

    parser = _Parser(
        prog="paramtui fits",
        description="Every preset, saved model and recently read repo, ranked by how well it runs on these GPUs.",
    )
    parser.add_argument("--json", action="store_true", help="a JSON list on stdout, one object per model")
    parser.add_argument("--gpu", default=None, help="GPU preset id, NxID or custom spec (as inspect); default: live")
    parser.add_argument("--gpus", type=_indices, default=None, help="live GPUs to use, e.g. 0,2 (default: all visible)")
    parser.add_argument("--runtime", default=None, help="vllm (default), sglang, llama.cpp, transformers")
    parser.add_argument("--context", type=_typed(parse_tokens), default=None, help="tokens per request (default 8k)")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--moe", action="store_const", const="moe", dest="kind", help="only mixture-of-experts models")
    kind.add_argument("--dense", action="store_const", const="dense", dest="kind", help="only dense models")
    parser.add_argument(
        "--min-context",
        type=_typed(parse_tokens),
        default=None,
        help="only models whose largest context that fits here is at least this (32k)",
    )
    parser.add_argument("--family", default=None, help="only models whose id, name or type contains this (qwen)")
    parser.add_argument("--max-params", type=_typed(parse_count), default=None, help="at most this many stored (80B)")
    parser.add_argument("--fits-only", action="store_true", help="only models that fit (CPU offload included)")
    return parser


def run_fits(ns: argparse.Namespace) -> int:
    """Rank every candidate on the hardware; exit 0 with a line when there is no GPU to rank on."""
    from paramtui.engine.adapters.candidates import gather_candidates
    from paramtui.engine.analysis import Request
    from paramtui.engine.ranking import Filters, rank
    from paramtui.engine.releases import split_runtime_name
    from paramtui.engine.runtimes import get_runtime
    from paramtui.presets import gpu_presets

    if ns.family is not None and not ns.family.strip():
        return _fail("--family needs a name such as qwen")
    try:
        if ns.runtime:
            get_runtime(split_runtime_name(ns.runtime)[0])
        hardware = _hardware(ns.gpu, ns.gpus)
    except ValueError as exc:
        return _fail(str(exc))
    if not hardware.gpus:
        message = (
            "fits: no NVIDIA GPU found here (`paramtui hw` says why); "
            "pass --gpu (e.g. --gpu h100-sxm, --gpu 2xrtx-4090) to rank the models for a GPU"
        )
        print("[]" if ns.json else message)
        if ns.json:
            print(message, file=sys.stderr)
        return 0
    found = gather_candidates()
    filters = Filters(ns.kind, ns.min_context, ns.family, ns.max_params, ns.fits_only)
    request = Request(context=ns.context, runtime=ns.runtime)
    ranking = rank(found.candidates, request, hardware, gpu_presets(), filters)
    if ns.json:
        from paramtui.tui.fits_report import ranking_json

        try:  # allow_nan=False: no NaN or Infinity in any JSON output
            text = json.dumps(ranking_json(ranking, found.loaded), indent=2, allow_nan=False)
        except ValueError:
            return _fail("the ranking came out with a non-finite number; an input is out of any sane range")
        print(text)
        return 0
    from rich.console import Console

    from paramtui.tui.fits_report import render_fits, request_line

    console = Console()
    names = ", ".join(sorted({g.name for g in hardware.gpus}))
    target = f"{len(hardware.gpus)} x {names} ({hardware.source})"
    console.print(render_fits(ranking, target, request_line(ns.runtime, ns.context), console.width))
    for source, why in found.unreadable:
        print(f"paramtui: could not read {source}: {why}", file=sys.stderr)
    return 0


def _hw_parser() -> _Parser:
    parser = _Parser(prog="paramtui hw", description="Show this machine's GPUs (NVML), RAM and CPU.")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--gpus", type=_indices, default=None, help="devices to show, e.g. 0,2 (default: all visible)")
    return parser


def _gpus_parser() -> _Parser:
    parser = _Parser(prog="paramtui gpus", description="List the GPU presets --gpu accepts.")
    parser.add_argument("--json", action="store_true", help="JSON list on stdout")
    return parser


def _presets_parser() -> _Parser:
    parser = _Parser(prog="paramtui presets", description="List the shipped model presets.")
    parser.add_argument("--json", action="store_true", help="JSON list on stdout")
    return parser


def _hardware(gpu: str | None, select: tuple[int, ...] | None = None) -> Hardware:
    """Hardware from ``--gpu`` (with this machine's RAM), or the live NVML reading without it.

    ``--gpus`` selects from the GPUs read (CUDA_VISIBLE_DEVICES applied), so the plan's device
    numbers are the visible ones, and a number that is not there is bad input.
    """
    from paramtui.engine.hardware import resolve_hardware
    from paramtui.presets import gpu_presets

    if gpu is None:
        from paramtui.engine.adapters.live import probe_machine

        machine = probe_machine()
        if select is not None and max(select) >= len(machine.hardware.gpus):
            found = len(machine.hardware.gpus)
            why = f"{found} GPU(s) here, numbered from 0" if found else machine.snapshot.state
            raise ValueError(f"--gpus {max(select)}: no such GPU ({why})")
        return resolve_hardware("live", gpu_presets(), machine.hardware, select)
    from paramtui.engine.adapters.live import host_hardware

    return resolve_hardware(gpu, gpu_presets(), host_hardware())


def run_inspect(source: str, as_json: bool, ns: argparse.Namespace | None = None) -> int:
    """Load SOURCE and print the report; one-line error and exit 2 on bad input."""
    from paramtui.engine.adapters.sources import SourceError, load_source
    from paramtui.engine.analysis import Request, analyze
    from paramtui.engine.fit import PlanOptions
    from paramtui.engine.importer import ConfigError
    from paramtui.engine.limits import MAX_GPUS
    from paramtui.engine.releases import ReleaseChoice

    try:
        with _ProgressBar() as progress:
            loaded = load_source(source, progress)
        analysis = None
        if ns is not None:
            options = PlanOptions(tp=ns.tp, pp=ns.pp, offload=ns.offload)
            request = Request(
                ns.precision,
                ns.kv_dtype,
                ns.context,
                ns.batch,
                ns.runtime,
                options,
                output_tokens=ns.output_tokens,
                expert_parallel=ns.expert_parallel,
                cuda_graphs=not ns.eager,
                release=ReleaseChoice(
                    ns.runtime_version,
                    None if ns.flash_attn is None else ns.flash_attn == "on",
                    ns.max_num_batched_tokens,
                ),
            )
            for name in ("tp", "pp"):
                value = getattr(ns, name)
                if value is not None and value < 1:
                    raise ValueError(f"--{name} must be at least 1, got {value}")
                if value is not None and value > MAX_GPUS:
                    raise ValueError(f"--{name} {value:,} is above the {MAX_GPUS:,} GPUs this tool accepts")
            hardware = _hardware(ns.gpu, ns.gpus)
            analysis = analyze(
                loaded.result.architecture,
                request,
                hardware,
                loaded.breakdown,
                loaded.checkpoint,
                loaded.checkpoint_precision,
            )
    except (SourceError, ConfigError, ValueError) as exc:
        return _fail(str(exc))
    from paramtui.tui.report import build_report, launch_repo, render_fit, render_table

    choices: tuple[Any, ...] = ()
    launch = ""
    if analysis is not None and analysis.fit is not None:
        from paramtui.engine.options import launch_for, options_for
        from paramtui.presets import gpu_presets

        repo = launch_repo(loaded)
        choices = options_for(analysis, gpu_presets(), repo, loaded.checkpoint_precision)
        if analysis.fit.verdict != "does_not_fit":  # a command for a plan that cannot start is no help
            launch = launch_for(analysis, repo, loaded.checkpoint_precision)
    if as_json:
        try:  # allow_nan=False: the last guard of the output contract (no NaN or Infinity, ever)
            text = json.dumps(build_report(loaded, analysis, choices, launch), indent=2, allow_nan=False)
        except ValueError:
            return _fail(f"{source}: the report came out with a non-finite number; the input is out of any sane range")
        print(text)
        return 0
    from rich.console import Console

    console = Console()
    console.print(render_table(loaded))
    if analysis is not None:
        console.print(render_fit(analysis, loaded.result.unread_keys, choices, launch))
        if ns is not None and ns.plot:
            from paramtui.tui.curves_view import print_curves

            print_curves(console, analysis)
    return 0


class _ProgressBar:
    """A rich progress bar on stderr while weight-file headers arrive (only on a terminal)."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None
        self._shown = sys.stderr.isatty()

    def __enter__(self) -> Callable[[int, int, str], None]:
        return self.update

    def update(self, done: int, total: int, what: str) -> None:
        if not self._shown:
            return
        if self._progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("reading headers"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=total)
        self._progress.update(self._task, completed=done, total=total, description=what)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def run_hw(as_json: bool, select: tuple[int, ...] | None) -> int:
    """Print the live readings; exit 0 with or without a GPU."""
    from paramtui.engine.adapters.live import probe_machine
    from paramtui.tui.hw_report import hw_json, render_hw

    machine = probe_machine(select)
    if as_json:
        print(json.dumps(hw_json(machine), indent=2))
        return 0
    from rich.console import Console

    Console().print(render_hw(machine))
    return 0


def run_gpus(as_json: bool) -> int:
    """List the GPU presets."""
    from paramtui.presets import gpu_presets

    specs = list(gpu_presets().values())
    if as_json:
        keys = ("id", "name", "vendor", "memory_bytes", "bandwidth_bytes_per_s", "fp16_flops", "fp8_flops", "source")
        print(json.dumps([{k: getattr(g, k) for k in keys} for g in specs], indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(specs)} GPU presets (dense tensor TFLOPS)", title_justify="left")
    for column in ("id", "name", "memory", "bandwidth", "fp16", "fp8"):
        table.add_column(column, justify="left" if column in ("id", "name") else "right")
    for g in specs:
        table.add_row(
            g.id,
            g.name,
            f"{g.memory_bytes / 2**30:.0f} GiB",
            f"{g.bandwidth_bytes_per_s / 1e9:,.0f} GB/s",
            f"{g.fp16_flops / 1e12:,.0f}",
            f"{g.fp8_flops / 1e12:,.0f}" if g.fp8_flops else "-",
        )
    Console().print(table)
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

    # The id is what you type: never cut. Under 100 columns the display name is left out (the id
    # says the same) and the repo is cut with an ellipsis. No vertical rules, like `paramtui hw`.
    console = Console()
    with_name = console.width >= 100
    table = Table(title=f"{len(rows)} presets", title_justify="left", box=None, pad_edge=False)
    table.add_column("id", no_wrap=True, min_width=max(len(row[0]) for row in rows))
    if with_name:
        table.add_column("name")
    table.add_column("kind", no_wrap=True, min_width=5)
    table.add_column("stored", justify="right", no_wrap=True, min_width=7)
    table.add_column("active", justify="right", no_wrap=True, min_width=7)
    table.add_column("hugging face repo", overflow="ellipsis", no_wrap=True)
    for pid, name, kind, total, active, repo in rows:
        names = (name,) if with_name else ()
        table.add_row(pid, *names, kind, format_params(total), format_params(active), repo)
    console.print(table)
    return 0


def run_default(source: str | None) -> int:
    """``paramtui [SOURCE]``: the dashboard on a terminal; the inspect summary on pipes and in CI."""
    from paramtui.presets import DEFAULT_PRESET

    if sys.stdin.isatty() and sys.stdout.isatty():
        from paramtui.tui.app import run_dashboard  # a bad SOURCE opens the default and says why

        run_dashboard(source)
        return 0

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
            return run_inspect(ns.source, ns.json, ns)
        if args and args[0] == "fits":
            ns = _fits_parser().parse_args(args[1:])
            return run_fits(ns)
        if args and args[0] == "hw":
            ns = _hw_parser().parse_args(args[1:])
            return run_hw(ns.json, ns.gpus)
        if args and args[0] == "gpus":
            ns = _gpus_parser().parse_args(args[1:])
            return run_gpus(ns.json)
        if args and args[0] == "search":
            from paramtui.tui.search_cli import run_search, search_parser

            return run_search(search_parser(_Parser).parse_args(args[1:]))
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
