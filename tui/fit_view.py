"""The hardware-and-fit pane's content: per-GPU memory bars, verdict, largest context, speeds.

Pure rendering of the engine's Analysis, like :mod:`paramtui.tui.bars`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from paramtui.engine.units import format_bytes

if TYPE_CHECKING:  # types only: the fit engine is imported by the worker, after the first paint
    from paramtui.engine.analysis import Analysis
    from paramtui.engine.hardware import Hardware
    from paramtui.engine.memory import DeviceUse

SEGMENTS = (
    ("others", "red3", "used by others"),
    ("weights", "dodger_blue1", "weights"),
    ("kv", "medium_purple1", "KV cache"),
    ("overhead", "orange3", "overhead"),
)
VERDICT_STYLE = {"fits": "bold green", "fits_with_offload": "bold yellow", "does_not_fit": "bold red"}


def verdict_text(verdict: str) -> Text:
    """FITS / FITS WITH OFFLOAD / DOES NOT FIT in its colour."""
    return Text(verdict.replace("_", " ").upper(), style=VERDICT_STYLE[verdict])


def _memory_bar(parts: list[tuple[int, str]], total: int, width: int) -> Text:
    text = Text()
    used = 0
    for value, style in parts:
        cells = max(0, min(width - used, round(width * value / total))) if total else 0
        if value > 0 and cells == 0 and used < width:
            cells = 1
        text.append("█" * cells, style=style)
        used += cells
    text.append("░" * (width - used), style="grey30")
    return text


def _key(use: DeviceUse, hw: Hardware) -> tuple[object, ...]:
    """Devices with the same GPU and the same bytes are drawn once ("GPUs 0-7, each")."""
    gpu = hw.gpus[min(use.device, len(hw.gpus) - 1)]
    return gpu.name, gpu.usable_bytes, use.weights_bytes, use.kv_cache_bytes, use.overhead_bytes


def render_fit(analysis: Analysis, target: str, width: int) -> Text:
    """Target line, one memory bar per GPU, legend, verdict and speeds."""
    out = Text()
    out.append(f"target: {target}\n", style="bold")
    exact = " (exact, from the checkpoint)" if analysis.weights.exact else ""
    out.append(
        f"{analysis.precision} weights{exact}, {analysis.kv.kv_dtype} KV, {analysis.workload.context:,} tokens "
        f"x {analysis.workload.batch}, {analysis.runtime.name}\n",
        style="dim",
    )
    hw = analysis.hardware
    fit = analysis.fit
    if hw is None or not hw.gpus or fit is None:
        out.append("no GPU to check against: ctrl+g or ctrl+p to pick a GPU preset\n", style="yellow")
        out.append(f"needs {format_bytes(analysis.needed_bytes)}")
        return out
    bar_width = max(10, width - 2)
    devices = fit.attempt.devices
    shown = [d for i, d in enumerate(devices) if i == 0 or _key(d, hw) != _key(devices[i - 1], hw)]
    for use in shown:
        gpu = hw.gpus[min(use.device, len(hw.gpus) - 1)]
        same = [d.device for d in devices if _key(d, hw) == _key(use, hw)]
        if len(same) > 1:
            out.append(f"GPUs {same[0]}-{same[-1]}, each:\n", style="dim")
        total = gpu.memory_bytes
        others = max(0, total - gpu.usable_bytes)
        free = max(0, total - others - use.weights_bytes - use.kv_cache_bytes - use.overhead_bytes)
        out.append(f"GPU {use.device} {gpu.name}: free after load {format_bytes(free)} of {format_bytes(total)}\n")
        parts = [(others, SEGMENTS[0][1]), (use.weights_bytes, SEGMENTS[1][1])]
        parts += [(use.kv_cache_bytes, SEGMENTS[2][1]), (use.overhead_bytes, SEGMENTS[3][1])]
        out.append_text(_memory_bar(parts, total, bar_width))
        out.append("\n")
    for _, style, label in SEGMENTS:
        out.append("■ ", style=style)
        out.append(f"{label}  ", style="dim")
    out.append("░ free\n", style="grey50")
    out.append_text(verdict_text(fit.verdict))
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
        out.append(f"   prefill {speed.prefill_tokens_per_s:,.0f} tok/s, first token {speed.ttft_s:,.2f} s\n")
        if speed.concurrency > 1:
            out.append(
                f"{speed.concurrency} requests: {speed.per_user_tokens_per_s:,.1f} tok/s each, "
                f"{speed.total_tokens_per_s:,.0f} tok/s in total\n",
                style="bold",
            )
        if fit.max_concurrency:
            out.append(f"KV pool holds {fit.max_concurrency:,.1f} requests of {analysis.workload.context:,} tokens\n")
        out.append(speed.basis, style="dim")
    else:
        for reason in fit.reasons[:3]:
            out.append(f"{reason}\n", style="red")
    return out
