"""``paramtui fits``: every row is what ``inspect`` says for that model on the same hardware, the order,
the filters, the 80-column text, the no-GPU line, the JSON shape and one-line errors.

The reference for each row is ``paramtui inspect ID --json`` itself, run in the same process on the
same recorded H100 reading (tests/data/nvml/h100_sxm.json: an NVIDIA H100 80GB HBM3 read through
the fake NVML) with the same fixed RAM reading, so the two must agree to the byte.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paramtui.engine.adapters import system
from paramtui.presets import all_presets
from paramtui.tui.cli import main
from tests.fake_nvml import FakeNvml, install, load_reading

GIB = 2**30


@pytest.fixture
def h100(monkeypatch: pytest.MonkeyPatch) -> FakeNvml:
    """The recorded H100 and a fixed 256 GiB of RAM (200 GiB available)."""
    monkeypatch.setattr(system, "read_ram", lambda: system.RamReading(256 * GIB, 200 * GIB))
    return install(monkeypatch, FakeNvml(load_reading("h100_sxm")))


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def ranked(h100: FakeNvml, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _json(capsys, "fits", "--json")
    return rows


def test_every_preset_agrees_with_inspect(ranked: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    assert {row["id"] for row in ranked} == set(all_presets())
    for row in ranked:
        ref = _json(capsys, "inspect", row["id"], "--json")
        assert row["model"] == ref["model"], row["id"]
        assert row["params"] == ref["params"], row["id"]
        assert row["memory"] == ref["memory"], row["id"]  # precision, context, per device, plan
        assert row["speed"] == ref["speed"], row["id"]  # decode, prefill, TTFT, basis
        fit, ref_fit = row["fit"], ref["fit"]
        for key in ("verdict", "max_context", "best_precision", "headroom_bytes", "launch", "reasons", "gpus_used"):
            assert fit[key] == ref_fit[key], (row["id"], key)
        if fit["verdict"] == "does_not_fit":
            assert fit["options"] == ref_fit["options"], row["id"]  # what would hold it, as inspect says
        else:
            assert "options" not in fit  # not searched for a model that fits (inspect lists them)


def test_fitting_models_come_first_fastest_first_then_near_misses(ranked: list[dict[str, Any]]) -> None:
    order = {"fits": 0, "offload": 1, "near": 2, "no": 3}
    groups = [order[row["rank"]["group"]] for row in ranked]
    assert groups == sorted(groups)
    fitting = [row["speed"]["decode_tokens_per_s"] for row in ranked if row["rank"]["group"] == "fits"]
    assert fitting == sorted(fitting, reverse=True) and len(fitting) > 20
    by_id = {row["id"]: row["rank"] for row in ranked}
    # Llama 3.1 70B: 141 GB of bf16 weights on one 80 GB card; with 200 GiB of RAM free, layers go there
    assert by_id["llama-3.1-70b"]["group"] == "offload"
    # Qwen3-235B-A22B in bf16 (470 GB) needs more H100s; the options name 8 (tp=8)
    assert by_id["qwen3-235b-a22b"] == {"group": "near", "near_miss": "needs 7 more GPUs", "extra_gpus": 7}
    assert by_id["deepseek-v3"]["near_miss"].startswith("short by ")
    for row in ranked:
        fits = row["fit"]["verdict"] != "does_not_fit"
        assert (row["rank"]["near_miss"] == "") == fits


def test_without_ram_to_spare_a_lower_precision_is_the_near_miss(
    h100: FakeNvml, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 4 GiB of RAM available nothing can be offloaded: Llama 3.1 70B (141 GB in bf16) does not fit,
    and the row names the best precision that does (the same search as inspect's best_precision)."""
    monkeypatch.setattr(system, "read_ram", lambda: system.RamReading(16 * GIB, 4 * GIB))
    rows = {r["id"]: r for r in _json(capsys, "fits", "--json", "--family", "llama-3.1-70b")}
    row = rows["llama-3.1-70b"]
    assert row["fit"]["verdict"] == "does_not_fit"
    assert row["rank"] == {"group": "near", "near_miss": f"fits at {row['fit']['best_precision']}", "extra_gpus": 0}


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["--moe"], lambda r: r["model"]["kind"] == "moe"),
        (["--dense"], lambda r: r["model"]["kind"] == "dense"),
        (["--family", "QWEN"], lambda r: "qwen" in (r["id"] + r["model"]["name"] + r["model"]["model_type"]).lower()),
        (["--max-params", "10B"], lambda r: r["params"]["total"] <= 10_000_000_000),
        (["--min-context", "32k"], lambda r: r["fit"]["max_context"] >= 32_768),
        (["--fits-only"], lambda r: r["fit"]["verdict"] != "does_not_fit"),
    ],
)
def test_filters(h100: FakeNvml, capsys: pytest.CaptureFixture[str], args: list[str], check: Any) -> None:
    everything = _json(capsys, "fits", "--json")
    kept = _json(capsys, "fits", "--json", *args)
    assert kept and all(check(r) for r in kept)
    assert [r["id"] for r in kept] == [r["id"] for r in everything if check(r)]  # same order, nothing else lost


def test_text_fits_80_columns(
    h100: FakeNvml, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["fits"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == f"{len(all_presets())} models on 1 x NVIDIA H100 80GB HBM3 (nvml)"
    header = next(line for line in lines if line.startswith("model "))
    assert header.split() == ["model", "params", "fit", "prec", "ctx", "tok/s", "prefill", "GiB", "plan"]
    assert "near misses (" in out and "does not fit (" in out
    assert "Qwen3 235B-A22B (235.1B/22.2B): needs 7 more GPUs" in out


def test_no_gpu_says_so_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fits"]) == 0
    assert "no NVIDIA GPU found here" in capsys.readouterr().out
    assert main(["fits", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and "pass --gpu" in captured.err


def test_a_gpu_preset_without_nvml(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "fits", "--json", "--gpu", "2xrtx-4090", "--context", "32k", "--fits-only")
    assert rows and all(r["memory"]["context"] == min(32_768, r["memory"]["context"]) for r in rows)
    assert all(len(r["memory"]["per_device"]) >= 1 for r in rows)


@pytest.mark.parametrize(
    "args",
    [
        ["--max-params", "8x"],
        ["--min-context", "lots"],
        ["--context", "0"],
        ["--family", " "],
        ["--moe", "--dense"],
        ["--runtime", "tensorrt"],
        ["--gpu", "h900"],
        ["--gpus", "a"],
    ],
)
def test_bad_values_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert main(["fits", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("paramtui: ") and captured.err.count("\n") == 1


def test_saved_models_and_recent_paths_are_ranked_too(
    h100: FakeNvml, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from dataclasses import replace

    from paramtui.engine.adapters import store
    from paramtui.engine.adapters.sources import load_preset
    from paramtui.presets import get_preset

    arch = load_preset(get_preset("qwen3-8b")).result.architecture
    saved = store.save_model(replace(arch, name="my-qwen-edit", num_layers=40))
    folder = tmp_path / "local-model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(get_preset("llama-3.1-8b").config))
    store.remember(str(folder))
    store.remember("someone/not-cached")  # a Hub repo never read: left out, no request made
    rows = {r["id"]: r for r in _json(capsys, "fits", "--json")}
    assert rows[str(saved)]["origin"] == "saved"
    assert rows[str(folder)]["origin"] == "recent"
    assert "someone/not-cached" not in rows
    ref = _json(capsys, "inspect", str(saved), "--json")
    assert rows[str(saved)]["speed"] == ref["speed"] and rows[str(saved)]["memory"] == ref["memory"]


def test_cells_and_the_screens_sort_and_filter_without_an_app(h100: FakeNvml) -> None:
    """The short texts both views print, and the fits screen's sort and filter as pure functions."""
    from paramtui.engine.adapters.candidates import gather_candidates
    from paramtui.engine.adapters.live import probe_machine
    from paramtui.engine.analysis import Request
    from paramtui.engine.hardware import resolve_hardware
    from paramtui.engine.ranking import rank
    from paramtui.presets import gpu_presets
    from paramtui.tui.fits_report import rate_cell, tokens_cell
    from paramtui.tui.widgets.fits_table import COLUMN_KEYS, filter_rows, sort_rows

    assert [tokens_cell(n) for n in (0, 1024, 34_217, 131_072, 10_485_760)] == ["-", "1k", "33.4k", "128k", "10M"]
    assert [rate_cell(r) for r in (0.0, 85.4, 9_999.0, 31_300.0, 1_847_600.0)] == ["-", "85", "9,999", "31.3k", "1.8M"]
    hardware = resolve_hardware("live", gpu_presets(), probe_machine().hardware)
    rows = rank(gather_candidates().candidates, Request(), hardware, gpu_presets()).rows
    assert filter_rows(rows, "") == list(rows)
    qwen_moe = filter_rows(rows, "QWEN moe")
    assert qwen_moe and all("qwen" in r.candidate.words and r.candidate.arch.kind == "moe" for r in qwen_moe)
    assert sort_rows(rows, "fit") == list(rows)  # the fit column is the ranking's own order
    for key in COLUMN_KEYS:
        assert sorted(r.candidate.key for r in sort_rows(rows, key)) == sorted(r.candidate.key for r in rows)
    contexts = [r.max_context for r in sort_rows(rows, "context")]
    assert contexts == sorted(contexts, reverse=True)
    assert [r.max_context for r in sort_rows(rows, "context", reverse=True)] == sorted(contexts)
