"""What paramtui's hardware side does on a real NVIDIA machine: poll cost, idle CPU, a dashboard shot.

Run on a GPU machine: ``python benchmarks/gpu_check.py OUTDIR``. It times one NVML poll (the work
the poller thread repeats), runs the poller for 20 s and reports the process CPU it used (the
"must not load an idle server" check), then opens the dashboard headless at 120x36 with the live
reading and saves an SVG of it to ``OUTDIR/dashboard_live.svg``. Without NVIDIA GPUs it says so.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

from paramtui.engine.adapters.nvml import HardwarePoller, poll, read_gpus


def poll_cost() -> None:
    """Median wall time of one poll of the changing readings, and the poller's CPU over 20 s."""
    snapshot = read_gpus()
    print(f"NVML state: {snapshot.state}; GPUs: {[g.name for g in snapshot.gpus]}")
    if not snapshot.gpus:
        return
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        snapshot = poll(snapshot)
        times.append((time.perf_counter() - t0) * 1000)
    print(f"one poll (NVML opened and closed each time): median {statistics.median(times):.2f} ms")
    updates = []
    poller = HardwarePoller(snapshot, updates.append, interval=2.0)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    poller.start()
    time.sleep(20)
    poller.stop()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(
        f"poller, 2 s interval: {len(updates)} polls in {wall:.1f} s, "
        f"process CPU {cpu * 1000:.0f} ms ({100 * cpu / wall:.2f}% of one core)"
    )


async def dashboard_shot(out: Path) -> None:
    """The dashboard as a user on this machine would see it, once the live reading has arrived."""
    from paramtui.tui.app import ParamApp

    app = ParamApp("llama-3.1-8b", probe=True)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(40):
            await pilot.pause(0.1)
            if "reading" not in app.session.live_state:
                break
        await pilot.pause(1.0)
        app.save_screenshot(filename="dashboard_live.svg", path=str(out))
        print(f"dashboard live state: {app.session.live_state}")


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    poll_cost()
    asyncio.run(dashboard_shot(out))


if __name__ == "__main__":
    main()
