"""The hardware-and-fit pane's content: per-GPU memory bars, verdict, largest context, speeds.

Pure rendering of the engine's Analysis, like :mod:`paramtui.tui.bars`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from paramtui.engine.units import format_bytes
from paramtui.tui.bars import Styles

if TYPE_CHECKING:  # types only: the fit engine is imported by the worker, after the first paint
    from paramtui.engine.analysis import Analysis
    from paramtui.engine.hardware import Hardware
    from paramtui.engine.memory import DeviceUse
    from paramtui.engine.options import Option

SEGMENTS = (
    ("others", "▓", "used by others"),
    ("weights", "█", "weights"),
    ("kv", "▒", "KV cache"),
    ("overhead", "░", "overhead"),
)
"""(style name, glyph, legend) of each part of a GPU's memory bar. Each has its own glyph, so the
bar reads the same without colour (NO_COLOR, a monochrome terminal, a screenshot in print)."""
FREE_GLYPH = "·"
"""Free memory in a bar."""

FIT_STYLES: Styles = {
    "others": "red3",
    "weights": "dodger_blue1",
    "kv": "medium_purple1",
    "overhead": "orange3",
    "free": "grey30",
    "fits": "bold green",
    "fits_with_offload": "bold yellow",
    "does_not_fit": "bold red",
    "warning": "yellow",
    "error": "red",
    "pinned": "magenta",
    "dim": "dim",
}
"""Styles outside the dashboard (tests, the CLI); the dashboard's FitView takes its theme's."""


def verdict_text(verdict: str, styles: Styles = FIT_STYLES) -> Text:
    """FITS / FITS WITH OFFLOAD / DOES NOT FIT in its style."""
    return Text(verdict.replace("_", " ").upper(), style=styles[verdict])


def memory_bar(parts: list[tuple[int, str]], total: int, width: int, styles: Styles) -> Text:
    """``width`` cells: each (bytes, segment name) part in its glyph and style, then free."""
    glyphs = {name: glyph for name, glyph, _ in SEGMENTS}
    text = Text()
    used = 0
    for value, name in parts:
        cells = max(0, min(width - used, round(width * value / total))) if total else 0
        if value > 0 and cells == 0 and used < width:
            cells = 1
        text.append(glyphs[name] * cells, style=styles[name])
        used += cells
    text.append(FREE_GLYPH * (width - used), style=styles["free"])
    return text


def legend(styles: Styles, names: tuple[str, ...] = ("others", "weights", "kv", "overhead")) -> Text:
    """One line naming each segment with its own glyph."""
    out = Text()
    for name, glyph, label in SEGMENTS:
        if name in names:
            out.append(f"{glyph} ", style=styles[name])
            out.append(f"{label}  ", style=styles["dim"])
    out.append(f"{FREE_GLYPH} free", style=styles["dim"])
    return out


def device_number(gpu_id: str, position: int) -> str:
    """The number a user knows a GPU by: the live device index (``nvml:1`` -> 1), else its position."""
    return gpu_id.removeprefix("nvml:") if gpu_id.startswith("nvml:") else str(position)


def _key(use: DeviceUse, hw: Hardware) -> tuple[object, ...]:
    """Devices with the same GPU and the same bytes are drawn once ("GPUs 0-7, each")."""
    gpu = hw.gpus[min(use.device, len(hw.gpus) - 1)]
    return gpu.name, gpu.usable_bytes, use.weights_bytes, use.kv_cache_bytes, use.overhead_bytes


def render_options(options: tuple[Option, ...], launch: str, styles: Styles = FIT_STYLES) -> Text:
    """ "to run it": the plan's command, then each option's verdict, plan and speed, fastest first."""
    out = Text()
    if not options and not launch:
        return out
    out.append("\nto run it", style="bold")
    out.append("  (ctrl+l copies the command)\n", style=styles["dim"])
    if launch:
        out.append(f"{launch}\n", style=styles["dim"])
    for o in options:
        nodes = f" x {o.nodes} nodes" if o.nodes > 1 else ""
        offload = f", {format_bytes(o.offloaded_bytes)} {o.offload} in RAM" if o.offloaded_bytes else ""
        out.append(f"{o.kind}: ")
        out.append(o.verdict.replace("_", " "), style=styles[o.verdict])
        out.append(f" {o.count} x {o.gpu}{nodes}, tp={o.tp} pp={o.pp}, {o.precision} {o.runtime}{offload}  ")
        speed = f"{o.decode_tokens_per_s:,.1f} tok/s" if o.decode_tokens_per_s else "-"
        out.append(f"{speed}\n", style="bold")
        if o.launch:
            out.append(f"  {o.launch}\n", style=styles["dim"])
        if o.note:
            out.append(f"  {o.note}\n", style=styles["dim"])
    return out


def render_fit(
    analysis: Analysis,
    target: str,
    width: int,
    styles: Styles = FIT_STYLES,
    options: tuple[Option, ...] = (),
    launch: str = "",
) -> Text:
    """Target line, one memory bar per GPU, legend, verdict, speeds, and what would run it."""
    out = Text()
    out.append(f"target: {target}\n", style="bold")
    exact = " (exact, from the checkpoint)" if analysis.weights.exact else ""
    out.append(
        f"{analysis.precision} weights{exact}, {analysis.kv.kv_dtype} KV, {analysis.workload.context:,} tokens "
        f"x {analysis.workload.batch}, {analysis.runtime.name}\n",
        style=styles["dim"],
    )
    hw = analysis.hardware
    fit = analysis.fit
    if hw is None or not hw.gpus or fit is None:
        out.append("no GPU to check against: ctrl+g or ctrl+p to pick a GPU preset\n", style=styles["warning"])
        out.append(f"needs {format_bytes(analysis.needed_bytes)}")
        return out
    bar_width = max(10, width - 2)
    devices = fit.attempt.devices
    shown = [d for i, d in enumerate(devices) if i == 0 or _key(d, hw) != _key(devices[i - 1], hw)]
    for use in shown:
        position = min(use.device, len(hw.gpus) - 1)
        gpu = hw.gpus[position]
        same = [device_number(hw.gpus[d.device].id, d.device) for d in devices if _key(d, hw) == _key(use, hw)]
        if len(same) > 1:
            out.append(f"GPUs {same[0]}-{same[-1]}, each:\n", style=styles["dim"])
        total = gpu.memory_bytes
        others = max(0, total - gpu.usable_bytes)
        free = max(0, total - others - use.weights_bytes - use.kv_cache_bytes - use.overhead_bytes)
        number = device_number(gpu.id, position)
        out.append(f"GPU {number} {gpu.name}: free after load {format_bytes(free)} of {format_bytes(total)}\n")
        parts = [(others, "others"), (use.weights_bytes, "weights")]
        parts += [(use.kv_cache_bytes, "kv"), (use.overhead_bytes, "overhead")]
        out.append_text(memory_bar(parts, total, bar_width, styles))
        out.append("\n")
    out.append_text(legend(styles))
    out.append("\n")
    out.append_text(verdict_text(fit.verdict, styles))
    plan = fit.attempt.plan
    offload = f", {format_bytes(plan.offloaded_bytes)} of {plan.offload} in RAM" if plan.offload != "none" else ""
    out.append(f"  tp={plan.tp} pp={plan.pp}{offload}")
    out.append("\n")
    out.append(f"largest context: {fit.max_context:,} tokens   best precision: {fit.best_precision or 'none fits'}\n")
    speed = analysis.speed
    if speed is not None:
        out.append(
            f"decode {speed.decode_tokens_per_s:,.1f} tok/s ({speed.decode_low:,.0f}-{speed.decode_high:,.0f})",
            style="bold",
        )
        if speed.prefill_tokens_per_s is not None and speed.ttft_s is not None:
            out.append(f"   prefill {speed.prefill_tokens_per_s:,.0f} tok/s, first token {speed.ttft_s:,.2f} s\n")
        else:
            out.append("   prefill unknown (no FLOPS)\n")
        if speed.concurrency > 1:
            out.append(
                f"{speed.concurrency} requests: {speed.per_user_tokens_per_s:,.1f} tok/s each, "
                f"{speed.total_tokens_per_s:,.0f} tok/s in total\n",
                style="bold",
            )
        if fit.max_concurrency:
            out.append(f"KV pool holds {fit.max_concurrency:,.1f} requests of {analysis.workload.context:,} tokens\n")
        out.append(speed.basis, style=styles["dim"])
    else:
        for reason in fit.reasons[:3]:
            out.append(f"{reason}\n", style=styles["error"])
    out.append_text(render_options(options, launch, styles))
    return out


def pinned_summary(analysis: Analysis, styles: Styles = FIT_STYLES) -> Text:
    """The pinned model's verdict and speed, under the current model's fit."""
    out = Text("\n\n")
    out.append(f"pinned: {analysis.arch.name}\n", style=styles["pinned"])
    fit = analysis.fit
    weights = format_bytes(analysis.weights.total_bytes)
    out.append(f"needs {format_bytes(analysis.needed_bytes)} ({analysis.precision} weights {weights})\n")
    if fit is not None:
        out.append_text(verdict_text(fit.verdict, styles))
        out.append(f"  largest context {fit.max_context:,}, best precision {fit.best_precision or 'none fits'}\n")
    if analysis.speed is not None:
        out.append(f"decode {analysis.speed.decode_tokens_per_s:,.1f} tok/s", style=styles["pinned"])
        rate = analysis.speed.prefill_tokens_per_s
        out.append(f"   prefill {rate:,.0f} tok/s\n" if rate is not None else "   prefill unknown\n")
    return out
