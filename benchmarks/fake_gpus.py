"""Run paramtui on a recorded GPU reading instead of this machine's NVML: to look at the hardware
pane on a machine without GPUs (tmux, a demo), and for benchmarks/idle_cpu.py.

Run: ``python benchmarks/fake_gpus.py READING [paramtui arguments]``, READING a file name under
tests/data/nvml without ``.json`` (``two_4090_one_busy``: two RTX 4090s, GPU 0 busy with one
process). The recorded reading answers pynvml's calls through the tests' fake
(tests/fake_nvml.py); RAM, CPU and everything else are this machine's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pynvml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fake_nvml import API, FakeNvml, load_reading


def install(reading: str) -> None:
    """Answer pynvml's calls from ``reading`` for the rest of this process."""
    fake = FakeNvml(load_reading(reading))
    for name in API:
        setattr(pynvml, name, getattr(fake, name))


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: python benchmarks/fake_gpus.py READING [paramtui arguments]", file=sys.stderr)
        return 2
    install(sys.argv[1])
    from paramtui.tui.cli import main as paramtui

    return paramtui(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
