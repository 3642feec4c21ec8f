"""Options when it does not fit here, multi-node plans and launch lines.

References: vLLM's multi-node serving runs tensor parallel within a node and pipeline parallel
across nodes over Ray (docs.vllm.ai "Distributed inference and serving": "set the tensor parallel
size to the number of GPUs in each node, and the pipeline parallel size to the number of nodes");
DeepSeek-V3 is 671B parameters in FP8 (deepseek-ai/DeepSeek-V3 model card), 1.34 TB in BF16;
Llama 3.1 405B is 405B parameters (meta-llama/Llama-3.1-405B model card), 810 GB in BF16, so
neither fits one node of 8 x H100 80GB (640 GB) in BF16.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paramtui.engine.hardware import GpuSpecError, Hardware, parse_link, resolve_hardware
from paramtui.presets import engine_flags, get_preset, gpu_presets
from paramtui.tui.cli import main


def _inspect(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["inspect", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_deepseek_v3_on_one_h100_lists_options_with_speed(capsys: pytest.CaptureFixture[str]) -> None:
    report = _inspect(capsys, "deepseek-v3", "--gpu", "h100-sxm")
    fit = report["fit"]
    assert fit["verdict"] == "does_not_fit"
    options = fit["options"]
    assert options, "no options"
    keys = {"verdict", "gpu", "count", "nodes", "tp", "pp", "ep", "precision", "offload", "per_device"}
    assert all(keys | {"decode_tokens_per_s", "launch"} <= set(o) for o in options)
    fitting = [o for o in options if o["verdict"] != "does_not_fit"]
    assert fitting and all(o["decode_tokens_per_s"] > 0 for o in fitting)
    speeds = [o["decode_tokens_per_s"] for o in fitting]
    assert speeds == sorted(speeds, reverse=True)
    multi_bf16 = [o for o in options if o["nodes"] > 1 and o["precision"] == "bf16"]
    assert multi_bf16, "no multi-node bf16 option"
    plan = multi_bf16[0]
    assert plan["tp"] == 8 and plan["pp"] == plan["nodes"] and plan["count"] == 8 * plan["nodes"]
    assert plan["nodes"] >= 3  # 1.34 TB of bf16 weights > 2 x 8 x 72 GiB budgets
    assert "--distributed-executor-backend ray" in plan["launch"] and "ray start" in plan["note"]
    offload = [o for o in options if o["offload"] == "experts"]
    assert offload and offload[0]["runtime"] == "llama.cpp" and "--n-cpu-moe" in offload[0]["launch"]
    assert offload[0]["decode_tokens_per_s"] > 0  # the GPU holds the rest; the RAM the note asks for


def test_llama_405b_bf16_gets_a_multi_node_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Llama 3.1 405B's config.json (meta-llama/Llama-3.1-405B): hidden 16384, 126 layers, 128 heads,
    8 KV heads, FFN 53248, vocabulary 128256; 810 GB in bf16."""
    config = {k: v for k, v in get_preset("llama-3.1-70b").config.items() if k != "paramtui"}
    config.update(
        hidden_size=16384,
        num_hidden_layers=126,
        num_attention_heads=128,
        num_key_value_heads=8,
        intermediate_size=53248,
    )
    (tmp_path / "config.json").write_text(json.dumps(config))
    report = _inspect(capsys, str(tmp_path / "config.json"), "--gpu", "8xh100-sxm", "--precision", "bf16")
    assert 400e9 < report["params"]["total"] < 410e9
    assert report["fit"]["verdict"] == "does_not_fit"
    multi = [o for o in report["fit"]["options"] if o["nodes"] > 1 and o["precision"] == "bf16"]
    assert multi and multi[0]["nodes"] == 2 and multi[0]["verdict"] == "fits"
    assert multi[0]["decode_tokens_per_s"] > 0


def test_gpu_nodes_and_the_inter_node_link() -> None:
    presets = gpu_presets()
    host = Hardware((), "none")
    two = resolve_hardware("2x8xh100-sxm", presets, host)
    assert (len(two.gpus), two.nodes, two.inter_node_bytes_per_s) == (16, 2, 400e9 / 8)
    custom = resolve_hardware("2x4xmem=80GiB,bw=3.35TB/s,fp16=989TFLOPS,ib=200Gb/s", presets, host)
    assert (len(custom.gpus), custom.nodes, custom.inter_node_bytes_per_s) == (8, 2, 25e9)
    assert resolve_hardware("8xh100-sxm", presets, host).nodes == 1
    assert parse_link("50GB/s") == 50e9 and parse_link("400Gb/s") == 50e9
    with pytest.raises(GpuSpecError):
        parse_link("fast")


def test_a_multi_node_target_is_planned_across_nodes(capsys: pytest.CaptureFixture[str]) -> None:
    auto = _inspect(capsys, "deepseek-v3", "--gpu", "2x8xh100-sxm")
    assert auto["hardware"]["nodes"] == 2 and auto["hardware"]["inter_node_bytes_per_s"] == 50e9
    assert (auto["memory"]["plan"]["tp"], auto["memory"]["plan"]["pp"]) == (8, 2)  # TP in a node, PP across
    fast = _inspect(capsys, "deepseek-v3", "--gpu", "2x8xh100-sxm", "--tp", "8", "--pp", "2")
    assert fast["fit"]["verdict"] == "fits"
    assert "--pipeline-parallel-size 2" in fast["fit"]["launch"]
    slow = _inspect(
        capsys,
        "deepseek-v3",
        "--gpu",
        "2x8xmem=80GiB,bw=3.35TB/s,fp16=989TFLOPS,fp8=1979TFLOPS,cc=9.0,ib=25Gb/s",
        "--tp",
        "8",
        "--pp",
        "2",
    )
    assert slow["fit"]["verdict"] == "fits"
    assert slow["speed"]["decode_tokens_per_s"] <= fast["speed"]["decode_tokens_per_s"]


SCENARIOS = [
    ("deepseek-v3", "h100-sxm", ()),
    ("deepseek-v3", "8xh200", ()),
    ("llama-3.1-8b", "rtx-4090", ()),
    ("llama-3.1-8b", "rtx-4090", ("--kv-dtype", "fp8")),
    ("llama-3.1-70b", "2xrtx-4090", ("--runtime", "llama.cpp", "--precision", "q4_k_m")),
    ("qwen3-30b-a3b", "rtx-3060-12gb", ("--runtime", "llama.cpp", "--precision", "q4_k_m")),
    (
        "mixtral-8x7b",
        "rtx-4090",
        (
            "--runtime",
            "sglang",
        ),
    ),
    ("qwen3-8b", "a100-sxm-80gb", ("--runtime", "sglang", "--kv-dtype", "fp8")),
    ("llama-3.1-70b", "8xh100-sxm", ("--eager",)),
]


@pytest.mark.parametrize(("model", "gpu", "extra"), SCENARIOS)
def test_every_launch_line_uses_only_documented_flags(
    capsys: pytest.CaptureFixture[str], model: str, gpu: str, extra: tuple[str, ...]
) -> None:
    """The flag lists in presets/data/engine_flags.json come from each engine's documentation for
    the release runtimes.py names (vLLM 0.11 engine arguments, SGLang 0.5 server arguments,
    llama.cpp b8000 llama-server README); a launch line may use no other flag."""
    from paramtui.engine.runtimes import RUNTIMES

    flags = engine_flags()
    for name, spec in flags.items():  # the lists are for the releases the profiles follow
        assert spec["release"] in RUNTIMES[name].release
    report = _inspect(capsys, model, "--gpu", gpu, *extra)
    lines = [(report["memory"]["runtime"], report["fit"]["launch"])]
    lines += [(o["runtime"], o["launch"]) for o in report["fit"]["options"]]
    assert any(line for _, line in lines)
    for runtime, line in lines:
        if not line:
            continue
        spec = flags[runtime]
        command = line.split(spec["command"], 1)
        assert len(command) == 2, f"{line!r} does not start {spec['command']!r}"
        used = [w for w in command[1].split() if w.startswith("-")]
        unknown = sorted(set(used) - set(spec["flags"]))
        assert not unknown, f"{runtime} {spec['release']} documents no {unknown} ({line})"


def test_the_cli_says_how_to_run_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "llama-3.1-8b", "--gpu", "rtx-4090"]) == 0
    out = capsys.readouterr().out
    assert "to run it:" in out
    assert "vllm serve meta-llama/Llama-3.1-8B" in out.replace("\n", " ")
