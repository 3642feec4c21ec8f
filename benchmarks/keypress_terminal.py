"""Keypress -> updated bars on a real terminal: the latency a user sees, end to end.

Run: ``python benchmarks/keypress_terminal.py [keys]``. paramtui runs DeepSeek-V3 on a 120x36
pseudo-terminal with the cursor at the end of the ``top k`` field (8); the script types a digit
(top-k 80 to 89) and then a backspace (top-k 8 again), every keystroke a valid edit as when a
user types a number, and times each from writing the key to the moment the terminal has
received the new "Active" figure (computed here with the engine). That is everything a
keystroke costs: Textual's input parsing, the edit (parse, validate, count), layout, rendering
the bars, and the frame written to the terminal, including Textual's frame pacing (it batches
screen updates at up to 60 frames a second, so a few ms of the figure are waiting for a frame).
benchmarks/keypress.py times the edit path in-process, without the terminal.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import select
import statistics
import sys
import time

from pty_session import private_env, spawned

from paramtui.engine.adapters.sources import load_preset
from paramtui.engine.params import count_params
from paramtui.engine.units import format_params
from paramtui.presets import get_preset

CHILD = """
import sys
from paramtui.tui.app import ParamApp

class Bench(ParamApp):
    def on_mount(self) -> None:  # Textual runs ParamApp.on_mount as well
        self._ready_timer = self.set_interval(0.05, self._when_ready)

    def _when_ready(self) -> None:
        if self.main.query_one("#editor").ready:
            self._ready_timer.stop()
            self.query_one("#f-moe__top_k").focus()
            open(sys.argv[1], "w").write("ready")

Bench("deepseek-v3", probe=False, offer_restore=False).run()
"""


def _active_text(top_k: int) -> bytes:
    arch = load_preset(get_preset("deepseek-v3")).result.architecture
    assert arch.moe is not None
    edited = dataclasses.replace(arch, moe=dataclasses.replace(arch.moe, top_k=top_k))
    return format_params(count_params(edited).active).encode()


def _type_and_wait(fd: int, key: bytes, wanted: bytes, timeout_s: float) -> float | None:
    """Seconds from writing ``key`` until ``wanted`` has been read from ``fd``; None on timeout."""
    started = time.perf_counter()
    os.write(fd, key)
    seen = b""
    while time.perf_counter() - started < timeout_s:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            seen = (seen + os.read(fd, 65536))[-16384:]
            if wanted in seen:
                return time.perf_counter() - started
    return None


def _drain(fd: int, quiet_s: float) -> None:
    """Read until the terminal has been quiet for ``quiet_s``."""
    while select.select([fd], [], [], quiet_s)[0]:
        os.read(fd, 65536)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("keys", nargs="?", type=int, default=30, help="keystrokes to time (default 30)")
    keys = parser.parse_args().keys
    private, env = private_env("paramtui-keys-")
    child_file, ready_file = os.path.join(private, "bench.py"), os.path.join(private, "ready")
    with open(child_file, "w", encoding="utf-8") as fh:
        fh.write(CHILD)
    expected = {top_k: _active_text(top_k) for top_k in (8, *range(80, 90))}  # before the clock runs
    with spawned([sys.executable, child_file, ready_file], env) as fd:
        deadline = time.perf_counter() + 30
        while not os.path.exists(ready_file):
            _drain(fd, 0.05)
            if time.perf_counter() > deadline:
                raise RuntimeError("paramtui did not start within 30 s")
        _drain(fd, 0.3)
        os.write(fd, b"\x1b[F")  # End: the cursor after the 8 (focus selected it all), so typing appends
        _drain(fd, 0.3)
        latencies = []
        for i in range(keys):
            digit = i // 2 % 10
            key, top_k = (str(digit).encode(), 80 + digit) if i % 2 == 0 else (b"\x7f", 8)
            took = _type_and_wait(fd, key, expected[top_k], 5.0)
            if took is None:
                raise RuntimeError(f"top-k {top_k}: the Active figure never arrived")
            latencies.append(took * 1000)
            _drain(fd, 0.15)
    ordered = sorted(latencies)
    print(
        f"keypress -> new Active figure on the terminal (DeepSeek-V3, 120x36): median "
        f"{statistics.median(ordered):.1f} ms, p90 {ordered[int(0.9 * (len(ordered) - 1))]:.1f} ms, "
        f"max {ordered[-1]:.1f} ms, n={len(ordered)}"
    )


if __name__ == "__main__":
    main()
