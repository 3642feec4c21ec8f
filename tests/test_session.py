"""The dashboard's state without Textual (tui/session.py): edits, undo/redo, workload, modes, GPUs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from paramtui.engine.adapters.live import hardware_from
from paramtui.engine.adapters.nvml import read_gpus
from paramtui.engine.adapters.sources import load_preset
from paramtui.engine.adapters.system import RamReading
from paramtui.presets import get_preset
from paramtui.tui.session import Session, WorkloadText, compute_fit, request_of
from tests.fake_nvml import FakeNvml, install, load_reading

GIB = 2**30


def _session(preset: str = "llama-3.1-8b", **workload: str) -> Session:
    return Session(load_preset(get_preset(preset)), WorkloadText(**workload))


def test_session_imports_no_textual() -> None:
    """The state is testable without a terminal: importing it must not import Textual."""
    code = "import sys, paramtui.tui.session; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_edit_undo_redo_reset() -> None:
    s = _session()
    assert s.edit("num_layers", "40") == "arch"
    assert s.arch.num_layers == 40 and s.edited
    assert s.edit("num_layers", "40") == ""  # the same value is not a new undo step
    assert s.edit("s.moe", "yes") == "section" and s.arch.moe is not None
    assert s.undo() and s.arch.moe is None
    assert s.undo() and s.arch.num_layers == 32 and not s.edited
    assert not s.undo()
    assert s.redo() and s.arch.num_layers == 40
    assert s.reset() and s.arch.num_layers == 32
    assert s.undo() and s.arch.num_layers == 40  # reset is undoable


def test_a_refused_value_changes_nothing() -> None:
    s = _session()
    with pytest.raises(ValueError, match="hidden_size takes a whole number"):
        s.edit("hidden_size", "abc")
    assert s.arch.hidden_size == 4096


@pytest.mark.parametrize(("typed", "tokens"), [("32k", 32768), ("128K", 131072), ("4096", 4096), ("8_192", 8192)])
def test_context_takes_k_like_the_expert_size_takes_b(typed: str, tokens: int) -> None:
    """Context lengths are written in binary K ("32K" Qwen = 32,768 max_position_embeddings)."""
    s = _session()
    assert s.edit("w.context", typed) == "workload"
    assert request_of(s.workload).context == tokens


def test_bad_workload_values_are_refused() -> None:
    s = _session()
    for name, text in (("context", "lots"), ("batch", "2x"), ("gpu", "3xnope")):
        with pytest.raises(ValueError, match=r"not a token count|whole number|no GPU preset"):
            s.edit(f"w.{name}", text)
    assert s.workload == WorkloadText()


def test_leaving_simple_mode_keeps_the_toy_model() -> None:
    s = _session()
    assert s.toggle_simple()
    assert s.edit("m.num_experts", "128") == "simple"
    assert not s.toggle_simple()
    assert s.toggle_simple()
    assert s.simple_model.num_experts == 128


def test_pin_keeps_the_model_it_pinned() -> None:
    s = _session()
    assert s.toggle_pin()
    s.edit("num_layers", "16")
    assert s.pinned is not None and s.pinned[0].num_layers == 32
    assert s.fit_job().pinned is not None
    assert not s.toggle_pin()


def test_the_fit_job_is_a_frozen_snapshot() -> None:
    """The worker computes from the job; later edits do not reach it."""
    s = _session(gpu="h100-sxm")
    job = s.fit_job()
    s.edit("num_layers", "16")
    assert job.arch.num_layers == 32
    result = compute_fit(job)
    assert result.analysis.arch is job.arch
    assert result.analysis.fit is not None and result.analysis.fit.verdict == "fits"
    assert result.target == "preset: h100-sxm"


def test_gpu_toggles_choose_the_gpus_like_gpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two recorded RTX 4090s, GPU 0 busy (18.1 GiB held): Qwen3-8B in bf16 runs on GPU 1 alone
    (vLLM would refuse GPU 0), with both switched on and once GPU 0 is switched off."""
    install(monkeypatch, FakeNvml(load_reading("two_4090_one_busy")))
    snapshot = read_gpus()
    hardware, _ = hardware_from(snapshot, RamReading(256 * GIB, 200 * GIB), None)
    s = _session("qwen3-8b")
    s.machine = type("M", (), {"hardware": hardware})()  # type: ignore[assignment]
    both = compute_fit(s.fit_job())
    assert both.analysis.fit is not None and both.analysis.fit.verdict == "fits"
    assert both.analysis.fit.attempt.plan.devices == (1,)
    assert not s.toggle_gpu(0)
    one = compute_fit(s.fit_job())
    assert one.analysis.hardware is not None
    assert [g.id for g in one.analysis.hardware.gpus] == ["nvml:1"]
    assert one.analysis.fit is not None and one.analysis.fit.verdict == "fits"
    assert "GPU 1" in one.target and "GPU 0" not in one.target
    assert s.toggle_gpu(0)
    assert not s.toggle_gpu(1) and not s.toggle_gpu(0)
    assert "every GPU switched off" in compute_fit(s.fit_job()).target


@pytest.mark.parametrize("preset", ["gpt2", "gemma-2-9b", "deepseek-v3"])
def test_one_flops_formula_for_decode_and_prefill(preset: str) -> None:
    """The prefill FLOPs the speed estimate uses are the decode formula summed over the prompt's
    positions (reference: the explicit sum, position t attending to t tokens; sliding windows and
    MLA widths included)."""
    from paramtui.engine.params import count_params, flops_per_token, prompt_flops

    arch = load_preset(get_preset(preset)).result.architecture
    bd = count_params(arch)
    tokens = 4096
    explicit = sum(flops_per_token(arch, bd, t) for t in range(1, tokens + 1))
    assert prompt_flops(arch, bd, tokens) == pytest.approx(explicit, rel=2e-3)
