"""Keypress -> updated bars latency of the dashboard, driven with Pilot (issue: <= 16 ms for DeepSeek-V3).

Run: ``python benchmarks/keypress.py``. Edits ``moe.top_k`` of DeepSeek-V3 at 120x36 and times the
synchronous edit path (the Input.Changed handler: parse, validate, count, re-render the bars) and
a full compositor render of the screen, which together are what a keystroke costs before the next
frame. The fit pane is computed on a worker thread and is not on this path. Pilot's press()
round trip is printed too; it includes Pilot's own settling waits.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from paramtui.tui.app import ParamApp


def _stats(values: list[float]) -> str:
    ordered = sorted(values)
    return f"median {statistics.median(ordered):.2f} ms, p90 {ordered[int(0.9 * (len(ordered) - 1))]:.2f} ms"


async def main() -> None:
    from textual.widgets import Input

    started = time.perf_counter()
    app = ParamApp("deepseek-v3", probe=False)
    edit_ms: list[float] = []
    frame_ms: list[float] = []
    round_trip_ms: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        first_paint = (time.perf_counter() - started) * 1000
        field = app.query_one("#f-moe__top_k", Input)
        field.focus()
        for value in [str(k) for k in range(1, 10)] * 4:
            # 1. the edit path a keystroke runs: parse, validate, count, render the bars
            t0 = time.perf_counter()
            app.field_changed(Input.Changed(field, value))
            edit_ms.append((time.perf_counter() - t0) * 1000)
            # 2. the next frame: layout (the bars are drawn for their width at this point, see
            # tui/fitted.py) and a full-screen compositor render (private APIs: timing the frame)
            t1 = time.perf_counter()
            app.screen._refresh_layout()
            app.screen._compositor.render_update(full=True)
            frame_ms.append((time.perf_counter() - t1) * 1000)
        for value in [str(k) for k in range(1, 10)]:
            field.value = ""
            await pilot.pause()
            t2 = time.perf_counter()
            await pilot.press(value)
            round_trip_ms.append((time.perf_counter() - t2) * 1000)
    print(f"edit path (keystroke handler -> bars re-rendered): {_stats(edit_ms)}, n={len(edit_ms)}")
    print(f"next frame after the edit (layout + full-screen render): {_stats(frame_ms)}")
    print(f"edit + frame: {_stats([a + b for a, b in zip(edit_ms, frame_ms, strict=True)])}")
    print(f"Pilot press() round trip (includes Pilot's own waits, not user-visible): {_stats(round_trip_ms)}")
    print(f"app construction to first paint under Pilot: {first_paint:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
