"""First paint of ``paramtui`` against a bare Textual app, both in a real pseudo-terminal.

Run: ``python benchmarks/startup.py [runs]``. Each program is started in a fresh process on a
120x36 pty; the clock runs from the spawn until the terminal has received a text that only the
app's first full frame holds ("first paint": the bare app's Static, paramtui's parameter bars),
and then until the footer's "palette" key is drawn ("footer"). The bare app is a Textual App
with a Static and a Footer: Python start-up plus importing and starting Textual, the floor
paramtui's start-up is measured against (issue 5: within 1.5x of it). paramtui runs with a
private data/config directory, so no autosave offer or config changes what it draws; its
first frame holds the bars and the panes' frames, and the editor's rows, the footer's keys and
the fit follow (they are built after the first paint, see MainScreen._mount_editor).
"""

from __future__ import annotations

import os
import select
import statistics
import sys
import time

from pty_session import private_env, spawned

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Static

class Bare(App):
    def compose(self):
        yield Static("bare")
        yield Footer()

Bare().run()
"""

FOOTER = b"palette"
TIMEOUT_S = 30.0


def paint_times_s(argv: list[str], marker: bytes, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawning ``argv`` on a 120x36 pty until ``marker``, and until FOOTER, have
    been written to it."""
    started = time.perf_counter()
    seen = b""
    first = 0.0
    with spawned(argv, env) as fd:
        while time.perf_counter() - started < TIMEOUT_S:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                seen = (seen + chunk)[-8192:]
                if not first and marker in seen:
                    first = time.perf_counter() - started
                if first and FOOTER in seen:
                    return first, time.perf_counter() - started
        raise RuntimeError(f"{argv} did not paint within {TIMEOUT_S} s; last output {seen[-200:]!r}")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    private, env = private_env("paramtui-startup-")
    bare_file = os.path.join(private, "bare.py")
    with open(bare_file, "w", encoding="utf-8") as fh:
        fh.write(BARE_APP)
    paramtui = os.path.join(os.path.dirname(sys.executable), "paramtui")
    programs = {
        "bare Textual app": ([sys.executable, bare_file], b"bare"),
        "paramtui": ([paramtui], b"stored"),
    }
    for argv, marker in programs.values():  # warm the file cache for both
        paint_times_s(argv, marker, env)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in programs}
    for _ in range(runs):  # interleaved, so a busy moment hits both
        for name, (argv, marker) in programs.items():
            results[name].append(paint_times_s(argv, marker, env))
    medians = {}
    for name, values in results.items():
        firsts = [v[0] * 1000 for v in values]
        footers = [v[1] * 1000 for v in values]
        medians[name] = statistics.median(firsts)
        print(
            f"{name:<17} first paint: median {medians[name]:.0f} ms (min {min(firsts):.0f}, max {max(firsts):.0f}); "
            f"footer drawn: median {statistics.median(footers):.0f} ms; n={runs}"
        )
    ratio = medians["paramtui"] / medians["bare Textual app"]
    print(f"paramtui / bare, first paint: {ratio:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
