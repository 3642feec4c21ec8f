"""A few hundred hostile inputs through the CLI in-process: exit 0 with finite output, or exit 2 with one line.

The cases come from tests/fuzz_cases.py (seeded, the same on every run); ``benchmarks/fuzz.py``
runs thousands of them as child processes under a time and memory limit. Each case here gets an
alarm of 10 s, so a hang fails the test instead of stalling it.
"""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType

import pytest
from fuzz_cases import FAMILIES, cases, run_in_process

CASES_PER_FAMILY = 60
SEED = 17


class _HangError(Exception):
    pass


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise _HangError


@pytest.mark.parametrize("family", FAMILIES)
def test_hostile_inputs_exit_0_or_2_with_one_line(family: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PARAMTUI_CACHE_DIR", str(tmp_path / "cache"))
    findings = []
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for i, case in enumerate(cases(CASES_PER_FAMILY, SEED, (family,))):
            root = tmp_path / f"case{i}"
            root.mkdir()
            signal.alarm(10)
            try:
                outcome, _, err = run_in_process(case, root)
            except _HangError:
                outcome, err = "hang", ""
            finally:
                signal.alarm(0)
            if outcome not in ("ok", "one-line error"):
                findings.append(f"{outcome}: {case.label} | {err.strip()[-300:]}")
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert not findings, "\n".join(findings)
