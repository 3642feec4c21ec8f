"""Requests people actually type: long contexts with rope scaling, mxfp4 under llama.cpp, partial custom GPUs."""

from __future__ import annotations

import json

import pytest

from paramtui.engine.analysis import Request, analyze
from paramtui.engine.hardware import Hardware, parse_gpu_spec
from paramtui.presets import gpu_presets
from paramtui.tui.cli import main
from tests.helpers import model


def _custom(spec: str) -> Hardware:
    gpus, source = parse_gpu_spec(spec, gpu_presets())
    return Hardware(gpus, source)


def test_a_context_above_the_models_maximum_is_computed_with_a_note() -> None:
    """Qwen3-8B's config.json has max_position_embeddings 40,960; its model card (Qwen/Qwen3-8B,
    "Processing Long Texts") runs 131,072 tokens with YaRN factor 4. Such a request is answered,
    with the KV cache for the asked context, and a note that it needs rope scaling."""
    arch, _ = model("qwen3-8b")
    at_max = analyze(arch, Request(context=40960), _custom("mem=80GiB,bw=2TB/s,fp16=300TFLOPS"))
    long = analyze(arch, Request(context=131072), _custom("mem=80GiB,bw=2TB/s,fp16=300TFLOPS"))
    assert long.workload.context == 131072
    assert long.kv.bytes == pytest.approx(at_max.kv.bytes * 131072 / 40960, rel=1e-6)
    assert any("above the model's 40,960: needs rope scaling such as YaRN" in n for n in long.notes)
    assert not any("YaRN" in n for n in at_max.notes)


def test_cli_long_context_exits_0_with_the_note(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "qwen3-8b", "--context", "65536", "--gpu", "h100-sxm", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["memory"]["context"] == 65536
    assert any("needs rope scaling such as YaRN" in n for n in report["notes"])


def test_mxfp4_under_llama_cpp_is_the_mxfp4_gguf() -> None:
    """ggml-org/gpt-oss-20b-GGUF is the MXFP4_MOE file type (experts MXFP4, the rest Q8_0):
    ``--runtime llama.cpp --precision mxfp4`` sizes that file instead of refusing."""
    arch, _ = model("gpt-oss-20b")
    result = analyze(
        arch, Request(precision="mxfp4", runtime="llama.cpp"), _custom("mem=24GiB,bw=1TB/s,fp16=165TFLOPS")
    )
    assert result.precision == "mxfp4_moe"
    assert result.fit is not None and result.fit.verdict == "fits"
    assert not any("does not run" in r for r in result.fit.reasons)
    assert any("MXFP4_MOE" in n for n in result.notes)


def test_custom_gpu_with_memory_only_gives_the_fit_and_no_speed() -> None:
    arch, _ = model("qwen3-8b")
    result = analyze(arch, Request(precision="bf16"), _custom("mem=24GiB"))
    assert result.fit is not None and result.fit.verdict == "fits"
    assert result.speed is None
    assert any("bandwidth is unknown" in n for n in result.notes)


def test_custom_gpu_with_bandwidth_gives_decode_and_null_prefill(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "qwen3-8b", "--gpu", "mem=24GiB,bw=1008GB/s", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    speed = report["speed"]
    assert speed["decode_tokens_per_s"] > 0
    assert speed["prefill_tokens_per_s"] is None and speed["ttft_s"] is None
    assert any("FLOPS are unknown" in n for n in report["notes"])
    with_fp16 = ["inspect", "qwen3-8b", "--gpu", "mem=24GiB,bw=1008GB/s,fp16=165TFLOPS", "--json"]
    assert main(with_fp16) == 0
    full = json.loads(capsys.readouterr().out)["speed"]
    assert full["prefill_tokens_per_s"] > 0
    assert full["decode_tokens_per_s"] == pytest.approx(speed["decode_tokens_per_s"], rel=0.01)


def test_cli_text_without_fp16_says_prefill_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "qwen3-8b", "--gpu", "mem=24GiB,bw=1008GB/s"]) == 0
    assert "prefill unknown" in capsys.readouterr().out


def test_help_shows_vendor_and_cc(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["inspect", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "vendor=" in text and "cc=" in text


def test_cpu_only_runs_llama_cpp_from_ram(capsys: pytest.CaptureFixture[str]) -> None:
    """A CPU preset (vendor cpu: its memory is the RAM, its bandwidth the DRAM peak) picks llama.cpp,
    and decode lands near geerlingguy/ai-benchmarks' Raspberry Pi 5 16GB CPU row (Llama 3.2 3B Q4_K_M,
    llama-bench tg128: 4.88 tok/s), within the llama.cpp/cpu band."""
    assert (
        main(
            ["inspect", "llama-3.2-3b", "--precision", "q4_k_m", "--context", "128", "--gpu", "cpu-pi5-16gb", "--json"]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["memory"]["runtime"] == "llama.cpp"
    assert report["speed"]["decode_tokens_per_s"] == pytest.approx(4.88, rel=0.3)
    assert report["speed"]["prefill_tokens_per_s"] is None  # no FLOPS in the CPU presets
    assert main(["inspect", "llama-3.2-3b", "--gpu", "cpu-pi5-16gb", "--runtime", "vllm", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["fit"]["verdict"] == "does_not_fit"


def test_llama_cpp_row_split_carries_a_note() -> None:
    """llama.cpp's default multi-GPU mode is the layer split (pipeline); --tp asks for row split, whose
    public A/Bs disagree (anthony-chaudhary/fak#3075: 0.3x on 8 x A100; ollama/ollama#2191: faster on
    2 x RTX A6000), so the figure says so."""
    arch, _ = model("llama-3.1-70b")
    gpus, source = parse_gpu_spec("2xrtx-3090", gpu_presets())
    from paramtui.engine.fit import PlanOptions

    row = analyze(
        arch, Request(precision="q4_k_m", runtime="llama.cpp", options=PlanOptions(tp=2)), Hardware(gpus, source)
    )
    assert any("--split-mode row" in n for n in row.notes)
    layer = analyze(arch, Request(precision="q4_k_m", runtime="llama.cpp"), Hardware(gpus, source))
    assert not any("--split-mode row" in n for n in layer.notes)
