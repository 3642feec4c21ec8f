"""One answer everywhere: the CLI and the dashboard's fit give the same verdict for the same inputs,
and "best precision" and "largest context" are functions of the plan.

The CLI resolves ``--gpu`` with this host's RAM (engine.adapters.live.host_hardware); the
dashboard's fit job goes through the same engine.hardware.resolve_hardware with the same RAM, so
offload verdicts agree. The RAM reading is fixed here so the scenarios do not depend on the box.
"""

from __future__ import annotations

import json
import random
import re

import pytest

from paramtui.engine.adapters import system
from paramtui.engine.adapters.sources import load_preset
from paramtui.presets import get_preset
from paramtui.tui.cli import main
from paramtui.tui.session import Session, compute_fit

GIB = 2**30

MODELS = ("llama-3.1-8b", "qwen3-30b-a3b", "mixtral-8x7b", "qwen3-32b", "deepseek-v3", "gpt-oss-20b", "gemma-3-27b")
GPUS = ("rtx-4090", "rtx-3060-12gb", "h100-sxm", "2xrtx-4090", "8xh100-sxm", "a100-sxm-80gb", "l4")
PRECISIONS = ("auto", "fp8", "int4", "q4_k_m", "q8_0")
RUNTIMES = ("", "vllm", "llama.cpp", "sglang")
CONTEXTS = ("", "4096", "32768")


def _scenarios(n: int) -> list[tuple[str, str, str, str, str]]:
    rng = random.Random(18)
    return [
        (rng.choice(MODELS), rng.choice(GPUS), rng.choice(PRECISIONS), rng.choice(RUNTIMES), rng.choice(CONTEXTS))
        for _ in range(n)
    ]


@pytest.fixture
def fixed_ram(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system, "read_ram", lambda: system.RamReading(64 * GIB, 48 * GIB))


@pytest.mark.parametrize(("model", "gpu", "precision", "runtime", "context"), _scenarios(20))
def test_cli_and_dashboard_agree(
    fixed_ram: None,
    capsys: pytest.CaptureFixture[str],
    model: str,
    gpu: str,
    precision: str,
    runtime: str,
    context: str,
) -> None:
    argv = ["inspect", model, "--json", "--gpu", gpu, "--precision", precision]
    argv += ["--runtime", runtime] if runtime else []
    argv += ["--context", context] if context else []
    code = main(argv)
    captured = capsys.readouterr()
    session = Session(load_preset(get_preset(model)))
    for name, value in (("gpu", gpu), ("precision", precision), ("runtime", runtime), ("context", context)):
        session.set_workload(name, value)
    if code == 2:  # bad input for the CLI is a one-line refusal in the dashboard too
        with pytest.raises(ValueError, match=re.escape(captured.err.removeprefix("paramtui: ").strip()[:40])):
            compute_fit(session.fit_job())
        return
    assert code == 0, captured.err
    cli = json.loads(captured.out)
    result = compute_fit(session.fit_job())
    fit = result.analysis.fit
    assert fit is not None
    assert fit.verdict == cli["fit"]["verdict"]
    assert fit.max_context == cli["fit"]["max_context"]
    assert fit.best_precision == cli["fit"]["best_precision"]
    speed = result.analysis.speed
    assert (speed.decode_tokens_per_s if speed else None) == pytest.approx(
        cli["speed"]["decode_tokens_per_s"] if cli["speed"] else None, abs=0.01
    )
    assert [o.verdict for o in result.options] == [o["verdict"] for o in cli["fit"]["options"]]
    assert [o.launch for o in result.options] == [o["launch"] for o in cli["fit"]["options"]]


def test_the_dashboard_plans_offload_with_this_hosts_ram(fixed_ram: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Qwen3-30B-A3B q4_k_m on a 12 GB card: the experts go to RAM in both (the issue's example)."""
    assert main(["inspect", "qwen3-30b-a3b", "--json", "--gpu", "rtx-3060-12gb", "--precision", "q4_k_m"]) == 0
    cli = json.loads(capsys.readouterr().out)
    session = Session(load_preset(get_preset("qwen3-30b-a3b")))
    session.set_workload("gpu", "rtx-3060-12gb")
    session.set_workload("precision", "q4_k_m")
    result = compute_fit(session.fit_job())
    assert result.analysis.hardware is not None and result.analysis.hardware.ram_available_bytes == 48 * GIB
    assert result.analysis.fit is not None
    assert result.analysis.fit.verdict == cli["fit"]["verdict"] == "fits_with_offload"


def _fit(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["inspect", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)["fit"]


def test_best_precision_is_a_function_of_the_plan(fixed_ram: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Mixtral q4_k_m on a 4090 needs its experts partly in RAM; asking for that offload gives the
    same plan and the same best precision (the issue saw q3_k_m and then none)."""
    auto = _fit(capsys, "mixtral-8x7b", "--gpu", "rtx-4090", "--precision", "q4_k_m")
    forced = _fit(capsys, "mixtral-8x7b", "--gpu", "rtx-4090", "--precision", "q4_k_m", "--offload", "experts")
    assert auto["verdict"] == forced["verdict"] == "fits_with_offload"
    assert auto["best_precision"] == forced["best_precision"] is not None


def test_largest_context_does_not_depend_on_context(fixed_ram: None, capsys: pytest.CaptureFixture[str]) -> None:
    contexts = {
        _fit(capsys, "mixtral-8x7b", "--gpu", "rtx-4090", "--precision", "q4_k_m", "--context", c)["max_context"]
        for c in ("2048", "8192", "16384")
    }
    assert len(contexts) == 1 and contexts.pop() > 0


def test_budget_says_where_it_comes_from(capsys: pytest.CaptureFixture[str]) -> None:
    """vLLM's gpu_memory_utilization defaults to 0.9 (EngineArgs); a 4090 has 24 GiB."""
    assert main(["inspect", "llama-3.1-8b", "--gpu", "rtx-4090"]) == 0
    out = capsys.readouterr().out.replace("\n", " ")
    assert "vLLM 0.11 takes 0.9 x 24.0 GiB = 21.6 GiB" in out
