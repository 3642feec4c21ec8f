"""The hardware pane's content: each GPU with its memory, load and processes, then RAM and CPU.

Pure rendering of the live reading, like :mod:`paramtui.tui.bars`: the widget
(tui/widgets/hardware.py) passes its theme's styles, which GPUs the plan uses and what the plan
puts on each, and gets rich Text plus the line each GPU starts on (so a click can find its GPU).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.text import Text

from paramtui.engine.units import format_bytes
from paramtui.tui.bars import Styles

if TYPE_CHECKING:
    from paramtui.engine.adapters.live import LiveMachine
    from paramtui.engine.analysis import Analysis

HW_STYLES: Styles = {
    "others": "red3",
    "plan": "dodger_blue1",
    "free": "grey30",
    "off": "dim",
    "cursor": "reverse",
    "warning": "yellow",
    "dim": "dim",
}
"""Styles outside the dashboard (tests); the HardwarePane takes its theme's."""

GLYPHS = {"others": "▓", "plan": "█", "free": "·"}
"""One glyph per part of a memory bar, so it reads without colour too (NO_COLOR)."""


def plan_bytes(analysis: Analysis | None) -> dict[int, int]:
    """Bytes the current plan puts on each live GPU, by live device index (empty when the plan
    is not for this machine's GPUs)."""
    if analysis is None or analysis.fit is None or analysis.hardware is None:
        return {}
    if analysis.hardware.source != "nvml":
        return {}
    out: dict[int, int] = {}
    for use in analysis.fit.attempt.devices:
        gpu_id = analysis.hardware.gpus[use.device].id
        if gpu_id.startswith("nvml:"):
            out[int(gpu_id.removeprefix("nvml:"))] = use.total_bytes
    return out


def _gib(value: int | None) -> str:
    return "?" if value is None else f"{value / 2**30:,.1f}"


def _bar(others: int, plan: int, total: int, width: int, styles: Styles) -> Text:
    text = Text()
    used = 0
    for name, value in (("others", others), ("plan", plan)):
        cells = max(0, min(width - used, round(width * value / total))) if total else 0
        if value > 0 and cells == 0 and used < width:
            cells = 1
        text.append(GLYPHS[name] * cells, style=styles[name])
        used += cells
    text.append(GLYPHS["free"] * (width - used), style=styles["free"])
    return text


def render_hardware(
    machine: LiveMachine | None,
    state: str,
    width: int,
    used: Mapping[int, bool],
    plan: Mapping[int, int],
    cursor: int | None = None,
    styles: Styles = HW_STYLES,
) -> tuple[Text, tuple[int, ...]]:
    """The pane's text, and the line each GPU's entry starts on followed by the RAM line's.

    Args:
        machine: the live reading, None while it is being taken.
        state: what to say while there is no reading.
        width: cells available.
        used: per live GPU index, whether the plan may use it (the user's toggles).
        plan: per live GPU index, the bytes the current plan puts there.
        cursor: the GPU the keyboard is on (drawn reversed), None when the pane has no focus.
        styles: ``others``, ``plan``, ``free``, ``off``, ``cursor``, ``warning``, ``dim``.
    """
    out = Text()
    starts: list[int] = []
    if machine is None:
        out.append(state, style=styles["dim"])
        return out, ()
    snap = machine.snapshot
    if not snap.gpus:
        out.append(snap.state + "\n", style=styles["warning"])
        out.append("plan on a GPU preset instead: ctrl+g, then e.g. h100-sxm or 2xrtx-4090\n", style=styles["dim"])
        for note in snap.notes:
            out.append(note + "\n", style=styles["dim"])
    else:
        out.append(f"NVIDIA driver {snap.driver_version or '?'}", style=styles["dim"])
        out.append("  space or 0-9: use a GPU or not\n", style=styles["dim"])
    bar_width = max(10, width)
    for reading, spec in zip(snap.gpus, machine.hardware.gpus, strict=True):
        starts.append(len(out.plain.split("\n")) - 1)
        on = used.get(reading.index, True)
        head = Text()
        head.append("[x] " if on else "[ ] ")
        head.append(f"GPU {reading.index} ", style="bold")
        head.append(reading.name.removeprefix("NVIDIA "))
        if reading.lost:
            head.append(" LOST", style=styles["warning"])
        if not on:
            head.append("  (not used)", style=styles["dim"])
            head.stylize(styles["off"])
        if cursor == reading.index:
            head.stylize(styles["cursor"])
        out.append_text(head)
        out.append("\n")
        total = reading.memory_total or 0
        free = reading.memory_free if reading.memory_free is not None else total
        others = max(0, total - free)
        mine = plan.get(reading.index, 0) if on else 0
        out.append_text(_bar(others, min(mine, max(0, total - others)), total, bar_width, styles))
        out.append("\n")
        out.append(f"{GLYPHS['others']} others {_gib(others)}  ", style=styles["others"])
        out.append(f"{GLYPHS['plan']} plan {_gib(mine)}  ", style=styles["plan"])
        left = free - mine
        out.append(f"{GLYPHS['free']} free {_gib(max(0, left))} of {_gib(total)} GiB", style=styles["dim"])
        if left < 0:
            out.append(f"  {_gib(-left)} short", style=styles["warning"])
        out.append("\n")
        figures = [f"{spec.bandwidth_bytes_per_s / 1e9:,.0f} GB/s"]
        figures.append(f"util {reading.utilization_pct}%" if reading.utilization_pct is not None else "util ?")
        figures.append(f"{reading.temperature_c} C" if reading.temperature_c is not None else "? C")
        figures.append(f"{reading.power_w:,.0f} W" if reading.power_w is not None else "? W")
        out.append("  ".join(figures) + "\n", style=styles["dim"])
        for proc in reading.processes:
            held = format_bytes(proc.used_bytes) if proc.used_bytes is not None else "? GiB"
            out.append(f"  pid {proc.pid} {proc.name or '?'} {held}\n")
    if starts:
        starts.append(len(out.plain.split("\n")) - 1)
    ram = machine.ram
    out.append(f"RAM {_gib(ram.available_bytes)} GiB available of {_gib(ram.total_bytes)} GiB\n")
    cpu = machine.cpu
    out.append(f"CPU {cpu.model}, {cpu.physical_cores or '?'} cores / {cpu.logical_cores or '?'} threads")
    return out, tuple(starts)
