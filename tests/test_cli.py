"""The command line: exit codes, the JSON contract, one-line errors, light imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from paramtui.tui.cli import main

CONTRACT_KEYS = {"model", "params", "memory", "hardware", "fit", "speed"}


def test_inspect_json_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "DeepSeek-V3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= CONTRACT_KEYS
    assert report["model"]["kind"] == "moe"
    params = report["params"]
    assert params["total"] == 671_026_404_352
    assert params["active"] == 37_552_282_624
    assert {c["name"] for c in params["components"]} >= {"embedding", "routed_experts", "output_head"}
    assert sum(c["stored"] for c in params["components"]) == params["total"]
    assert report["fit"] is None and report["speed"] is None


def test_inspect_table_shows_stored_and_active(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "deepseek-v3"]) == 0
    out = capsys.readouterr().out
    assert "671.03B" in out and "37.55B" in out and "routed experts" in out


def test_inspect_a_config_path_and_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from paramtui.presets import get_preset

    (tmp_path / "config.json").write_text(json.dumps(get_preset("qwen3-8b").config))
    assert main(["inspect", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["params"]["total"] == 8_190_735_360
    assert main(["inspect", str(tmp_path / "config.json"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["params"]["total"] == 8_190_735_360


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["inspect", "deepsek-v3"], "did you mean deepseek-v3"),
        (["inspect", "no/such/dir/config.json"], "no such file"),
        (["inspect", "meta-llama/Llama-3.1-8B"], "could not reach the Hub"),
        (["inspect"], "required"),
        (["inspect", "x", "--bogus"], "unrecognized arguments"),
        (["nonsense-model"], "no preset named"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert fragment in captured.err
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"model_type": "llama"}', "no 'hidden_size'"),
    ],
)
def test_broken_config_files(tmp_path: Path, content: str, fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    assert main(["inspect", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and fragment in captured.err and captured.err.count("\n") == 1


def test_directory_without_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tmp_path)]) == 2
    assert "has no config.json" in capsys.readouterr().err


def test_presets_lists_every_preset(capsys: pytest.CaptureFixture[str]) -> None:
    from paramtui.presets import all_presets

    assert main(["presets", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} == set(all_presets())


def test_bare_paramtui_prints_the_default_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    captured = capsys.readouterr()
    assert "DeepSeek-V3" in captured.out and "671.03B" in captured.out
    assert "hint:" in captured.err


def test_version_and_help() -> None:
    for flag in ("--version", "--help"):
        proc = subprocess.run([sys.executable, "-m", "paramtui.tui.cli", flag], capture_output=True, text=True)
        assert proc.returncode == 0
        assert "paramtui" in proc.stdout


def _loaded_modules(code: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_engine_import_loads_no_ui_or_nvml() -> None:
    mods = _loaded_modules("import paramtui.engine")
    assert not {"textual", "rich", "pynvml", "huggingface_hub"} & mods


def test_inspect_json_loads_no_textual_or_nvml() -> None:
    """With --gpu nothing live is read; without it only the NVML probe (pynvml) is added."""
    mods = _loaded_modules(
        "import contextlib, io\nfrom paramtui.tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['inspect', 'llama-3.1-8b', '--json', '--gpu', 'l4'])"
    )
    assert "textual" not in mods and "pynvml" not in mods and "huggingface_hub" not in mods
    live = _loaded_modules(
        "import contextlib, io\nfrom paramtui.tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['inspect', 'llama-3.1-8b', '--json'])"
    )
    assert "textual" not in live and "huggingface_hub" not in live


def test_inspect_with_a_gpu_fills_memory_fit_and_speed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "llama-3.1-70b", "--gpu", "2xh100-sxm", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["memory"]["plan"]["tp"] == 2
    assert report["memory"]["per_device"][0]["weights_bytes"] > 0
    assert report["hardware"]["source"] == "preset"
    assert report["fit"]["verdict"] == "fits"
    assert report["speed"]["decode_low"] < report["speed"]["decode_tokens_per_s"] < report["speed"]["decode_high"]


def test_inspect_without_a_gpu_has_memory_but_no_fit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "llama-3.1-8b", "--json", "--precision", "q4_k_m", "--context", "8192"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["memory"]["runtime"] == "llama.cpp"  # the GGUF default
    assert report["memory"]["kv_cache_bytes"] == 2**30
    assert report["fit"] is None and report["speed"] is None


def test_does_not_fit_has_null_speed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "deepseek-v3", "--gpu", "rtx-4090", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["fit"]["verdict"] == "does_not_fit"
    assert report["speed"] is None


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["inspect", "qwen3-8b", "--precision", "q9"], "unknown precision"),
        (["inspect", "qwen3-8b", "--kv-dtype", "int2"], "unknown KV dtype"),
        (["inspect", "qwen3-8b", "--runtime", "tgi"], "unknown runtime"),
        (["inspect", "qwen3-8b", "--gpu", "h1000"], "did you mean"),
        (["inspect", "qwen3-8b", "--context", "0"], "--context must be at least 1"),
        (["inspect", "qwen3-8b", "--gpu", "h100-sxm", "--tp", "0"], "--tp must be at least 1"),
    ],
)
def test_bad_fit_options_are_one_line(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert fragment in captured.err and captured.err.count("\n") == 1


def test_gpus_lists_the_presets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gpus", "--json"]) == 0
    ids = {g["id"] for g in json.loads(capsys.readouterr().out)}
    assert {"h100-sxm", "rtx-4090", "m4-max", "dgx-spark", "mi300x"} <= ids and len(ids) >= 40
