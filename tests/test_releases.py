"""Runtime releases on the command line: which rule applies, what the JSON shows, bad input."""

from __future__ import annotations

import json

import pytest

from paramtui.engine.releases import (
    ReleaseChoice,
    RuntimeVersionError,
    apply_release,
    llama_cpp_build,
    semver,
    split_runtime_name,
)
from paramtui.engine.runtimes import LLAMA_CPP, TRANSFORMERS, VLLM


def test_version_parsing() -> None:
    assert split_runtime_name("llama.cpp@b5500") == ("llama.cpp", "b5500")
    assert split_runtime_name("vllm") == ("vllm", None)
    assert llama_cpp_build("b5500") == llama_cpp_build("5500") == 5500
    assert semver("0.9.2", "vllm") == (0, 9)
    assert semver("v0.10", "vllm") == (0, 10)
    for bad in ("xyz", "b12"):
        with pytest.raises(RuntimeVersionError):
            llama_cpp_build(bad)
    with pytest.raises(RuntimeVersionError):
        split_runtime_name("vllm@")


def test_default_release_is_the_current_rules() -> None:
    """No version: the profile's own rules (llama.cpp after PR #19067, vLLM 0.11 with the hybrid manager)."""
    current = apply_release(LLAMA_CPP, ReleaseChoice())
    assert current.kv.mla_latent and not current.kv.mla_v_cache
    assert current.kv.recurrent_width_bytes == 4
    assert apply_release(VLLM, ReleaseChoice(), 80 * 2**30, "NVIDIA H100").kv.sliding == "window_plus_batched_tokens"
    assert apply_release(TRANSFORMERS, ReleaseChoice()) == TRANSFORMERS


def test_options_belong_to_their_runtime() -> None:
    with pytest.raises(RuntimeVersionError, match=r"llama\.cpp option"):
        apply_release(VLLM, ReleaseChoice(flash_attn=True))
    with pytest.raises(RuntimeVersionError, match="vLLM option"):
        apply_release(LLAMA_CPP, ReleaseChoice(max_num_batched_tokens=4096))
    with pytest.raises(RuntimeVersionError, match="one set of rules"):
        apply_release(TRANSFORMERS, ReleaseChoice("4.5"))


def test_json_shows_the_kv_parts_and_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    from paramtui.tui.cli import main

    assert main(["inspect", "deepseek-r1", "--runtime", "llama.cpp@b6000", "--gpu", "8xh200", "--json"]) == 0
    kv = json.loads(capsys.readouterr().out)["memory"]["kv"]
    assert kv["release"] == "llama.cpp b6000"
    assert kv["rule"].startswith("MLA: K 576 + V 512 per token per layer")
    assert kv["k_bytes"] * 512 == kv["v_bytes"] * 576
    assert [k["kind"] for k in kv["by_kind"]] == ["full"]
    assert kv["gpu_kv_cache_tokens"] is None  # llama.cpp sizes the context, not a pool

    assert main(["inspect", "gpt-oss-120b", "--gpu", "a100-sxm-80gb", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    kv = data["memory"]["kv"]
    assert [k["kind"] for k in kv["by_kind"]] == ["full", "sliding"]
    assert kv["by_kind"][1]["cells"] == (136 + 1) * 16  # A100: max_num_batched_tokens 2048
    assert kv["gpu_kv_cache_tokens"] > 0
    assert kv["max_concurrency"] == data["fit"]["max_concurrency"]
    assert all({"weights_bytes", "kv_cache_bytes", "overhead_bytes"} <= set(d) for d in data["memory"]["per_device"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runtime", "llama.cpp@xyz"], "build number"),
        (["--runtime", "vllm", "--flash-attn", "on"], "llama.cpp option"),
        (["--runtime", "vllm@0.9", "--runtime-version", "0.10"], "disagree"),
        (["--runtime", "vllm", "--max-num-batched-tokens", "0"], "at least 1"),
    ],
)
def test_bad_release_input_is_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from paramtui.tui.cli import main

    assert main(["inspect", "llama-3.1-8b", "--gpu", "h100-sxm", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1
