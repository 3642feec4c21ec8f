"""Keypress -> updated bars latency of the dashboard, driven with Pilot (issue: <= 16 ms for DeepSeek-V3).

Run: ``python benchmarks/keypress.py [--gpu 8xh200]``. With ``--gpu`` the fit pane plans on that
target, so the fit worker (and its curves) runs after every edit, beside the keystrokes. Edits
``moe.top_k`` of DeepSeek-V3 at 120x36 and times the
edit path (the field's value watcher calls the editor: parse, validate, count, re-render the bars)
and the frame Textual's update timer then draws (layout passes, if any, plus the compositor
update), which together are what a keystroke costs in-process. The fit pane is computed on a
worker thread and is not on this path. Pilot's press() round trip is printed too; it includes
Pilot's own settling waits. benchmarks/keypress_terminal.py measures the same on a terminal, where
the key's own parsing and the write to the terminal are included too.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

from paramtui.tui.app import ParamApp


def _stats(values: list[float]) -> str:
    ordered = sorted(values)
    return f"median {statistics.median(ordered):.2f} ms, p90 {ordered[int(0.9 * (len(ordered) - 1))]:.2f} ms"


async def main(gpu: str | None) -> None:
    from textual.widgets import Input

    from paramtui.tui.config import Config

    started = time.perf_counter()
    config = Config(gpu=gpu) if gpu else None
    app = ParamApp("deepseek-v3", probe=False, offer_restore=False, config=config)
    edit_ms: list[float] = []
    frame_ms: list[float] = []
    round_trip_ms: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        first_paint = (time.perf_counter() - started) * 1000
        while not app.main.query_one("#editor").ready:  # the editor rows are mounted after the first frame
            await pilot.pause(0.05)
        field = app.query_one("#f-moe__top_k", Input)
        field.focus()
        # time the frames Textual's update timer draws (private API: wrapping the screen's
        # compositor refresh and layout pass on this instance)
        frames: list[float] = []
        layouts: list[float] = []
        screen = app.screen

        def timed(fn: Callable[..., None], into: list[float]) -> Callable[..., None]:
            def wrapper(*args: object, **kwargs: object) -> None:
                t = time.perf_counter()
                fn(*args, **kwargs)
                into.append((time.perf_counter() - t) * 1000)

            return wrapper

        screen._compositor_refresh = timed(screen._compositor_refresh, frames)  # type: ignore[method-assign]
        screen._refresh_layout = timed(screen._refresh_layout, layouts)  # type: ignore[method-assign]
        for value in [str(k) for k in range(1, 10)] * 4:
            await pilot.pause(0.1)
            frames.clear()
            layouts.clear()
            # 1. the edit path a keystroke runs: the field's value watcher calls the editor
            # (parse, validate, count, render the bars) before returning
            t0 = time.perf_counter()
            field.value = value
            edit_ms.append((time.perf_counter() - t0) * 1000)
            # 2. the frame that shows it: any layout pass plus the compositor's update
            await pilot.pause(0.05)
            frame_ms.append((frames[0] if frames else 0.0) + sum(layouts))
        for value in [str(k) for k in range(1, 10)]:
            field.value = ""
            await pilot.pause()
            t2 = time.perf_counter()
            await pilot.press(value)
            round_trip_ms.append((time.perf_counter() - t2) * 1000)
    print(f"edit path (keystroke handler -> bars re-rendered): {_stats(edit_ms)}, n={len(edit_ms)}")
    print(f"frame that shows it (layout passes + compositor update): {_stats(frame_ms)}")
    print(f"edit + frame: {_stats([a + b for a, b in zip(edit_ms, frame_ms, strict=True)])}")
    print(f"Pilot press() round trip (includes Pilot's own waits, not user-visible): {_stats(round_trip_ms)}")
    print(f"app construction to first paint under Pilot: {first_paint:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="keypress latency of the dashboard")
    parser.add_argument("--gpu", default=None, help="a GPU target for the fit pane (8xh200); default none")
    asyncio.run(main(parser.parse_args().gpu))
