"""The dashboard on this machine's live GPUs, headless: an SVG screenshot to look at.

Run: ``python benchmarks/screenshot.py SOURCE OUT.svg [WIDTHxHEIGHT]``. Used on lent GPU machines,
where no one can watch a terminal: the app reads NVML as it would for a user, waits for the
reading and the fit, and saves what the screen shows.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from paramtui.tui.app import ParamApp


async def shoot(source: str, out: Path, size: tuple[int, int]) -> None:
    app = ParamApp(source, offer_restore=False)
    async with app.run_test(size=size) as pilot:
        deadline = time.monotonic() + 30
        while (app.session.machine is None or app.main.analysis is None) and time.monotonic() < deadline:
            await pilot.pause(0.1)
        await pilot.pause(0.5)
        out.write_text(app.export_screenshot(title=f"paramtui {source}"), encoding="utf-8")
        print(f"live state: {app.session.live_state}; saved {out}")


def main() -> None:
    source, out = sys.argv[1], Path(sys.argv[2])
    width, height = (int(v) for v in (sys.argv[3] if len(sys.argv) > 3 else "160x48").split("x"))
    asyncio.run(shoot(source, out, (width, height)))


if __name__ == "__main__":
    main()
