"""Hostile-input campaign: thousands of generated inputs, each run as a child process under limits.

    python benchmarks/fuzz.py --cases 4000 --seed 1 [--jobs 2] [--timeout 10] [--memory-gib 1]

Each case (``tests/fuzz_cases.py``: config.json mutations, safetensors headers and layouts, GGUF
byte mutations of ``gguf.GGUFWriter`` files, ``--gpu``/``--context``/``--batch``/SOURCE strings,
saved records) runs ``paramtui``'s CLI entry in a child forked from a parent that has imported
paramtui already (a child costs milliseconds, not an interpreter start), with RLIMIT_AS at the
memory limit and killed at the time limit. The outcome counts are printed per family: ok, one-line
error (exit 2, one line on stderr), traceback, hang (over the time limit), memory (over the limit)
and non-finite (NaN or infinity in the output). Findings other than ok and one-line error are
listed with their case label and last stderr line.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fuzz_cases import FAMILIES, Case, cases, classify, materialize  # noqa: E402

OUTCOMES = ("ok", "one-line error", "traceback", "hang", "memory", "non-finite")


def _child(argv: list[str], out: Path, err: Path, memory_bytes: int) -> None:
    """In the forked child: limits, redirected output, the CLI, and exit without cleanup."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    fd_out = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    fd_err = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd_out, 1)
    os.dup2(fd_err, 2)
    code = 1
    try:
        from paramtui.tui.cli import main

        code = main(argv)
    except MemoryError:
        os.write(2, b"MemoryError\n")
        code = 3
    except BaseException:
        import traceback

        os.write(2, traceback.format_exc().encode(errors="replace"))
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else 1)


def run_case(case: Case, work: Path, timeout: float, memory_bytes: int) -> tuple[str, float, str]:
    """Run one case in a forked child; (outcome, seconds, last stderr line)."""
    root = work / "case"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    argv = materialize(case, root)
    out, err = work / "stdout", work / "stderr"
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(argv, out, err, memory_bytes)
    rc: int | None = None
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            rc = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() - start > timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            break
        time.sleep(0.005)
    seconds = time.monotonic() - start
    stdout = out.read_text(errors="replace") if out.exists() else ""
    stderr = err.read_text(errors="replace") if err.exists() else ""
    outcome = classify(rc, stdout, stderr, argv)
    last = next((line for line in reversed(stderr.splitlines()) if line.strip()), "")
    return outcome, seconds, last[:200]


def _import_everything() -> None:
    """Import every engine module and the CLI's report code once, so each forked child starts warm
    (and runs the code as it was when the campaign started, whatever is edited meanwhile)."""
    import importlib
    import pkgutil

    import paramtui.engine

    for module in pkgutil.walk_packages(paramtui.engine.__path__, "paramtui.engine."):
        importlib.import_module(module.name)
    for name in ("paramtui.tui.cli", "paramtui.tui.report", "paramtui.tui.hw_report", "gguf", "huggingface_hub"):
        importlib.import_module(name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a case counts as a hang")
    parser.add_argument("--memory-gib", type=float, default=1.0, help="RLIMIT_AS of each case")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--findings", type=int, default=40, help="findings listed (the rest counted)")
    args = parser.parse_args()

    _import_everything()

    families = tuple(args.families.split(","))
    counts: dict[str, Counter[str]] = {f: Counter() for f in families}
    findings: list[str] = []
    slowest = (0.0, "")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="paramtui-fuzz-") as tmp:
        work = Path(tmp)
        os.environ.update(
            HF_HUB_OFFLINE="1",
            PARAMTUI_CACHE_DIR=str(work / "cache"),
            PARAMTUI_DATA_DIR=str(work / "data"),
            PARAMTUI_CONFIG=str(work / "none.toml"),
        )
        for i, case in enumerate(cases(args.cases, args.seed, families)):
            outcome, seconds, last = run_case(case, work, args.timeout, int(args.memory_gib * 2**30))
            counts[case.family][outcome] += 1
            slowest = max(slowest, (seconds, f"{case.family}: {case.label}"))
            if outcome not in ("ok", "one-line error"):
                findings.append(f"#{i} {case.family} {outcome} ({seconds:.1f} s): {case.label[:90]} | {last}")
    elapsed = time.monotonic() - started
    print(
        f"paramtui fuzz: {args.cases} cases, seed {args.seed}, {args.timeout:g} s and {args.memory_gib:g} GiB a case, "
        f"{elapsed:.0f} s"
    )
    width = max(len(o) for o in OUTCOMES)
    print(f"{'family':<12}" + "".join(f"{o:>{width + 2}}" for o in OUTCOMES))
    total: Counter[str] = Counter()
    for family, counter in counts.items():
        total += counter
        print(f"{family:<12}" + "".join(f"{counter[o]:>{width + 2}}" for o in OUTCOMES))
    print(f"{'all':<12}" + "".join(f"{total[o]:>{width + 2}}" for o in OUTCOMES))
    print(f"slowest case: {slowest[0]:.2f} s ({slowest[1][:100]})")
    for line in findings[: args.findings]:
        print(line)
    if len(findings) > args.findings:
        print(f"... and {len(findings) - args.findings} more findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
