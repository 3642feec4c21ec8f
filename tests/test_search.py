"""`paramtui search`: Hub repos from the local stand-in Hub, the offline line, and a GGUF repo's quants with fit marks.

Never the real Hub: HF_ENDPOINT points at tests/fake_hub.py (or at a closed port for the offline case).
"""

from __future__ import annotations

import json
import time

import gguf_files as gf
import pytest
from fake_hub import FakeHub, FakeRepo, VirtualFile, json_file

from paramtui.engine.adapters.hub_search import MAX_RESULTS, search_models
from paramtui.engine.gguf_fit import engine_precision
from paramtui.presets import get_preset
from paramtui.tui.cli import main

QWEN_GGUF = "unsloth/Qwen3-30B-A3B-GGUF"
GIB = 2**30


def qwen_gguf_repo() -> FakeRepo:
    """Qwen3-30B-A3B in four quants: a real Q4_K_M header, the others sizes only (BF16 split in two)."""
    meta, tensors = gf.qwen3_moe_30b()
    head = gf.header(meta, tensors)
    files = {
        "Qwen3-30B-A3B-Q4_K_M.gguf": VirtualFile(head, gf.file_size(head, tensors)),
        "Qwen3-30B-A3B-UD-IQ2_XXS.gguf": VirtualFile(b"GGUF", 10 * GIB),
        "Qwen3-30B-A3B-Q8_0.gguf": VirtualFile(b"GGUF", 32 * GIB),
        "BF16/Qwen3-30B-A3B-BF16-00001-of-00002.gguf": VirtualFile(b"GGUF", 40 * GIB),
        "BF16/Qwen3-30B-A3B-BF16-00002-of-00002.gguf": VirtualFile(b"GGUF", 21 * GIB),
        "README.md": VirtualFile(b"# GGUF", 6),
    }
    return FakeRepo(files, downloads=90_000)


def llama_repo(downloads: int, gated: bool = False) -> FakeRepo:
    return FakeRepo(
        {"config.json": json_file(get_preset("llama-3.1-8b").config)},
        gated=gated,
        downloads=downloads,
        params=8_030_261_248,
    )


@pytest.fixture
def hub(fake_hub: FakeHub) -> FakeHub:
    fake_hub.add("meta-llama/Llama-3.1-8B-Instruct", llama_repo(5_200_000, gated=True))
    fake_hub.add("someone/llama-finetune", llama_repo(1_200))
    fake_hub.add(
        "bartowski/Llama-3.2-1B-Instruct-GGUF", FakeRepo({"x.gguf": VirtualFile(b"GGUF", 10)}, downloads=800_000)
    )
    fake_hub.add("someone/llama-embedder", FakeRepo({}, downloads=9_000_000, pipeline_tag="feature-extraction"))
    fake_hub.add(QWEN_GGUF, qwen_gguf_repo())
    return fake_hub


def test_search_lists_repos_most_downloaded_first(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "llama", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [m["repo_id"] for m in found] == [
        "meta-llama/Llama-3.1-8B-Instruct",
        "bartowski/Llama-3.2-1B-Instruct-GGUF",
        "someone/llama-finetune",
    ]  # the embedding model is not text-generation
    first = found[0]
    assert first == {
        "repo_id": "meta-llama/Llama-3.1-8B-Instruct",
        "downloads": 5_200_000,
        "params": 8_030_261_248,  # the Hub's safetensors total: Meta's 8.03B
        "gated": True,
        "gguf": False,
    }
    assert found[1]["gguf"] and found[1]["params"] is None
    query = hub.searches[-1]
    assert query["sort"] == ["downloads"] and query["pipeline_tag"] == ["text-generation"]
    assert set(query["expand"]) >= {"downloads", "safetensors", "gated"}


def test_search_table_fits_80_columns(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "llama"]) == 0
    out = capsys.readouterr().out
    assert "meta-llama/Llama-3.1-8B-Instruct" in out and "5.2M" in out and "8.0B" in out and "gated" in out
    assert "GGUF" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_limit_is_sent_and_bounded(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "llama", "--limit", "1", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert hub.searches[-1]["limit"] == ["1"]
    assert main(["search", "llama", "--limit", str(MAX_RESULTS + 1)]) == 2
    assert "--limit takes 1 to 100" in capsys.readouterr().err


def test_offline_is_one_line_and_quick(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    assert main(["search", "llama"]) == 2  # HF_ENDPOINT is a closed port (conftest)
    assert time.perf_counter() - started < 5
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("paramtui: Hub unreachable:") and captured.err.count("\n") == 1


def test_hf_hub_offline_says_so(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["search", "llama"]) == 2
    assert "Hub unreachable: HF_HUB_OFFLINE is set" in capsys.readouterr().err


def test_hub_error_answer_is_one_line(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    hub.fail_next, hub.fail_status = 1, 503
    assert main(["search", "llama"]) == 2
    assert "Hub unreachable:" in capsys.readouterr().err and "503" in capsys.readouterr().err + "503"


def test_no_query_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search"]) == 2
    assert "search needs a QUERY" in capsys.readouterr().err
    with pytest.raises(ValueError, match="needs a query"):
        search_models("  ")


def test_quant_labels_map_to_the_engines_file_types() -> None:
    assert engine_precision("Q4_K_M") == "q4_k_m"
    assert engine_precision("UD-IQ2_XXS") == "q2_k"
    assert engine_precision("Q4_K_S") == "q4_k_m"
    assert engine_precision("BF16") == "f16"
    assert engine_precision("MXFP4") == "mxfp4_moe"


def test_which_quant_fits_on_a_4090(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--quants", QWEN_GGUF, "--gpu", "rtx-4090", "--json"]) == 0
    rows = {r["label"]: r for r in json.loads(capsys.readouterr().out)["quants"]}
    assert list(rows) == ["BF16", "Q8_0", "Q4_K_M", "UD-IQ2_XXS"]  # largest first
    assert rows["BF16"]["file_bytes"] == 61 * GIB  # the two split parts summed
    # Qwen3-30B-A3B's KV cache: 2 (K, V) x 4 KV heads x 128 x 48 layers x 2 bytes = 96 KiB a token
    # (config.json), so 768 MiB at the default 8k context, on top of the file bytes and the overhead
    q2 = rows["UD-IQ2_XXS"]
    assert q2["needed_bytes"] - q2["file_bytes"] > 768 * 2**20
    assert rows["UD-IQ2_XXS"]["verdict"] == "fits" and rows["Q4_K_M"]["verdict"] == "fits"
    assert rows["Q8_0"]["verdict"] != "fits" and rows["BF16"]["verdict"] != "fits"  # 32 and 61 GiB > 24 GiB
    assert rows["Q4_K_M"]["decode_tokens_per_s"] > 0
    # the fit mark of the variant inspect reads from its header agrees with inspect
    assert main(["inspect", f"{QWEN_GGUF}:Q4_K_M", "--gpu", "rtx-4090", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["fit"]["verdict"] == rows["Q4_K_M"]["verdict"]
    assert report["memory"]["weights_bytes"] <= rows["Q4_K_M"]["file_bytes"]  # the file adds its header
    assert rows["Q4_K_M"]["max_context"] == pytest.approx(report["fit"]["max_context"], rel=0.01)
    # only the default variant's header was read: the other quants cost no request
    assert not hub.requests_for("Q8_0") and not hub.requests_for("BF16")


def test_quants_table_and_no_gpu(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--quants", QWEN_GGUF, "--gpu", "rtx-4090"]) == 0
    out = capsys.readouterr().out
    assert "4 GGUF quants on NVIDIA GeForce RTX 4090" in out
    assert "✓" in out and "✗" in out and "UD-IQ2_XXS" in out and "62.4 GiB" in out  # labels and sizes never cut
    assert max(len(line) for line in out.splitlines()) <= 80
    assert main(["search", "--quants", QWEN_GGUF]) == 0
    captured = capsys.readouterr()
    assert "no GPU to check against" in captured.err and "61.0 GiB" in captured.out


def test_quants_of_a_repo_without_gguf_is_one_line(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--quants", "someone/llama-finetune"]) == 2
    assert "has no GGUF files" in capsys.readouterr().err
    assert main(["search", "--quants", "not a repo"]) == 2
