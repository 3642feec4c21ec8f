"""CPU the dashboard uses while idle with the NVML poller running (issue 21: under 1% of a core).

Run: ``python benchmarks/idle_cpu.py [seconds] [poll_interval]``. Starts paramtui on a 120x36
pseudo-terminal with the recorded two-RTX-4090 reading (benchmarks/fake_gpus.py, so the poller
runs its real loop against the fake NVML), waits for the editor and the first fit, then measures
the child's CPU time (user + system, psutil) over ``seconds`` (default 30) with nothing typed.
The fake answers instantly, so NVML's own call time (tens of microseconds per call on a real
driver) is not in the figure.
"""

from __future__ import annotations

import os
import select
import sys
import time
from pathlib import Path

import psutil
from pty_session import private_env, spawned

HERE = Path(__file__).resolve().parent


def _drain(fd: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                os.read(fd, 65536)
            except OSError:
                return


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    interval = sys.argv[2] if len(sys.argv) > 2 else "2.0"
    private, env = private_env("paramtui-idle-")
    config = Path(private) / "config.toml"
    config.write_text(f"poll_interval = {interval}\n", encoding="utf-8")
    env["PARAMTUI_CONFIG"] = str(config)
    command = [sys.executable, str(HERE / "fake_gpus.py"), "two_4090_one_busy", "qwen3-8b"]
    with spawned(command, env, 120, 36) as fd:
        _drain(fd, 10.0)  # start-up, the editor's rows, the first fit and the first polls
        (proc,) = psutil.Process().children()  # the dashboard, forked by spawned()
        before = proc.cpu_times()
        started = time.monotonic()
        _drain(fd, seconds)
        after = proc.cpu_times()
        wall = time.monotonic() - started
    used = (after.user - before.user) + (after.system - before.system)
    print(
        f"idle with the poller every {interval} s (fake NVML, two GPUs): {used:.3f} s CPU in {wall:.1f} s "
        f"= {100 * used / wall:.2f}% of a core"
    )


if __name__ == "__main__":
    main()
