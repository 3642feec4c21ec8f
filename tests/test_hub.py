"""Hub repos through the fake Hub: exact checkpoint facts, caching, offline, gated, failures, speed.

Repos are generated at test time (tests/checkpoints.py): real tensor names and shapes from the
published configs, sparse data. No test touches the real Hub.
"""

from __future__ import annotations

import json
from typing import Any

import checkpoints as ck
import pytest
from fake_hub import GOOD_TOKEN, FakeHub, FakeRepo, VirtualFile, files_from, json_file

from paramtui.engine.adapters.sources import SourceError, load_source
from paramtui.engine.analysis import Request, analyze
from paramtui.engine.checkpoint import active_params
from paramtui.engine.params import count_params
from paramtui.presets import get_preset
from paramtui.tui.cli import main


def _config(preset_id: str) -> dict[str, Any]:
    return dict(get_preset(preset_id).config)


def _repo(preset_id: str, generator: Any, shards: int, **kw: Any) -> FakeRepo:
    config = _config(preset_id)
    files = files_from(ck.shard_files(list(generator(config)), shards))
    files["config.json"] = json_file(config)
    return FakeRepo(files, **kw)


def test_llama_repo_reads_exact_bytes_that_match_the_published_index(fake_hub: FakeHub) -> None:
    fake_hub.add("meta-llama/Llama-3.1-8B", _repo("llama-3.1-8b", ck.llama, 4))
    loaded = load_source("meta-llama/Llama-3.1-8B")
    summary = loaded.checkpoint
    assert summary is not None
    # Meta's published model.safetensors.index.json for Llama 3.1 8B: metadata.total_size 16,060,522,496
    assert summary.model_bytes == 16_060_522_496
    assert summary.total_params == count_params(loaded.result.architecture).total == 8_030_261_248
    assert summary.params_by_dtype == {"BF16": 8_030_261_248}
    assert any("agree" in n for n in loaded.result.notes)
    # one model_info call, config.json, and one range request per shard: four shards
    assert len(fake_hub.requests_for("/resolve/")) == 1 + 4
    assert all(r.range is not None for r in fake_hub.requests_for(".safetensors"))


def test_exact_bytes_drive_the_weights_figure(fake_hub: FakeHub) -> None:
    fake_hub.add("openai/gpt-oss-120b", _repo("gpt-oss-120b", ck.gpt_oss, 15))
    loaded = load_source("openai/gpt-oss-120b")
    assert loaded.checkpoint is not None
    analysis = analyze(loaded.result.architecture, Request(), None, None, loaded.checkpoint)
    assert analysis.weights.total_bytes == loaded.checkpoint.model_bytes
    assert analysis.weights.exact
    # OpenAI's model card: gpt-oss-120b's checkpoint is 60.8 GiB (MXFP4 experts, bf16 elsewhere)
    assert analysis.weights.total_bytes / 2**30 == pytest.approx(60.8, abs=0.05)
    # the MXFP4 scale tensors are bytes, not parameters: counts still equal the config's
    assert loaded.checkpoint.total_params == count_params(loaded.result.architecture).total
    assert loaded.checkpoint.aside_params["scale"] > 0
    # asking for another precision estimates instead
    other = analyze(loaded.result.architecture, Request(precision="bf16"), None, None, loaded.checkpoint)
    assert not other.weights.exact


def test_sharded_moe_repo_splits_stored_and_active_by_tensor_names(fake_hub: FakeHub) -> None:
    fake_hub.add("Qwen/Qwen3-30B-A3B", _repo("qwen3-30b-a3b", ck.qwen3_moe, 16))
    loaded = load_source("Qwen/Qwen3-30B-A3B")
    summary, arch = loaded.checkpoint, loaded.result.architecture
    assert summary is not None
    breakdown = count_params(arch)
    routed = next(c for c in breakdown.components if c.name == "routed_experts")
    assert summary.routed_expert_params == routed.stored
    assert active_params(summary, arch) == breakdown.active
    # Qwen's model card: 30.5B total, 3.3B activated
    assert summary.total_params / 1e9 == pytest.approx(30.5, abs=0.05)
    assert active_params(summary, arch) / 1e9 == pytest.approx(3.3, abs=0.1)


def test_second_look_is_cached_and_works_offline(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_hub.add("meta-llama/Llama-3.2-1B", _repo("llama-3.2-1b", ck.llama, 1))
    first = load_source("meta-llama/Llama-3.2-1B")
    count = len(fake_hub.log)
    second = load_source("meta-llama/Llama-3.2-1B")
    assert len(fake_hub.log) == count + 1  # only model_info, to learn the commit
    assert second.checkpoint == first.checkpoint
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    offline = load_source("meta-llama/Llama-3.2-1B")
    assert len(fake_hub.log) == count + 1
    assert offline.checkpoint == first.checkpoint
    assert any("offline" in n for n in offline.result.notes)


def test_unreachable_hub_falls_back_to_the_cache(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_hub.add("meta-llama/Llama-3.2-1B", _repo("llama-3.2-1b", ck.llama, 1))
    load_source("meta-llama/Llama-3.2-1B")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    loaded = load_source("meta-llama/Llama-3.2-1B")
    assert loaded.checkpoint is not None
    assert any("could not be reached" in n for n in loaded.result.notes)


def test_offline_with_nothing_cached_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(SourceError, match=r"offline .* nothing cached"):
        load_source("meta-llama/Llama-3.1-8B")


def test_gated_repo_says_how_to_get_access_and_never_prints_the_token(
    fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_hub.add("meta-llama/Llama-3.2-1B", _repo("llama-3.2-1b", ck.llama, 1, gated=True))
    assert main(["inspect", "meta-llama/Llama-3.2-1B"]) == 2
    err = capsys.readouterr().err
    assert "gated" in err and "HF_TOKEN" in err and err.count("\n") == 1
    monkeypatch.setenv("HF_TOKEN", GOOD_TOKEN)
    assert main(["inspect", "meta-llama/Llama-3.2-1B", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["checkpoint"]["params"] == 1_235_814_400
    assert GOOD_TOKEN not in out + err


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("nobody/nothing", "no repo 'nobody/nothing'"),
        ("meta-llama/Llama-3.2-1B@no-such-branch", "no revision 'no-such-branch'"),
        ("meta-llama/Llama-3.2-1B:Q4_K_M", "has no GGUF files"),
    ],
)
def test_missing_repo_revision_or_variant_is_one_line(
    fake_hub: FakeHub, source: str, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_hub.add("meta-llama/Llama-3.2-1B", _repo("llama-3.2-1b", ck.llama, 1))
    assert main(["inspect", source]) == 2
    out, err = capsys.readouterr()
    assert out == "" and fragment in err and err.count("\n") == 1


def test_revision_resolves_to_its_commit(fake_hub: FakeHub) -> None:
    repo = fake_hub.add("meta-llama/Llama-3.2-1B", _repo("llama-3.2-1b", ck.llama, 1))
    repo.revisions["v1.0"] = repo.sha
    loaded = load_source("meta-llama/Llama-3.2-1B@v1.0")
    assert loaded.source == "meta-llama/Llama-3.2-1B@v1.0"
    assert any(repo.sha[:12] in n for n in loaded.result.notes)


def test_config_only_repo_falls_back_and_says_so(fake_hub: FakeHub) -> None:
    fake_hub.add("someone/config-only", FakeRepo({"config.json": json_file(_config("qwen3-8b"))}))
    loaded = load_source("someone/config-only")
    assert loaded.checkpoint is None
    assert any("config.json alone" in n for n in loaded.result.notes)


def test_a_stalled_hub_times_out_and_says_so(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_hub.add("meta-llama/Llama-3.2-1B", _repo("llama-3.2-1b", ck.llama, 1))
    monkeypatch.setattr("paramtui.engine.adapters.hub.TIMEOUT_S", 0.1)
    fake_hub.delay_s = 0.5
    with pytest.raises(SourceError, match=r"could not reach the Hub .*Timeout.*3 attempts"):
        load_source("meta-llama/Llama-3.2-1B")


def test_network_errors_are_retried_then_reported(fake_hub: FakeHub) -> None:
    fake_hub.add("meta-llama/Llama-3.2-1B", _repo("llama-3.2-1b", ck.llama, 1))
    fake_hub.fail_next = 2  # two 503s, then the Hub answers
    assert load_source("meta-llama/Llama-3.2-1B").checkpoint is not None
    fake_hub.fail_next = 100
    with pytest.raises(SourceError, match=r"could not reach the Hub .*HTTP 503, 3 attempts"):
        load_source("meta-llama/Llama-3.2-8B-does-not-matter")


@pytest.mark.parametrize(
    ("head", "fragment"),
    [
        ((200 * 2**20).to_bytes(8, "little"), "above the 100 MB limit"),
        ((10**7).to_bytes(8, "little") + b"{", "runs past the end"),
        ((60).to_bytes(8, "little") + b'{"a": {"dtype": "F16", "shape": [2], "data_offs', "not valid JSON"),
    ],
)
def test_hostile_safetensors_headers_fail_cleanly(
    fake_hub: FakeHub, head: bytes, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"config.json": json_file(_config("llama-3.2-1b")), "model.safetensors": VirtualFile(head, 4096)}
    fake_hub.add("evil/model", FakeRepo(files))
    assert main(["inspect", "evil/model"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and fragment in err and err.count("\n") == 1


def test_two_hundred_shards_cost_at_most_two_requests_each(fake_hub: FakeHub) -> None:
    """200 shards: at most 2 requests per shard and under 0.1% of the repo's bytes.

    The time over a 20 ms link is measured by benchmarks/hub_headers.py, not asserted here.
    """
    config = _config("llama-3.2-1b")
    tensors = list(ck.llama(config))
    parts = ck.shard(tensors, 200)
    files = {}
    for i, part in enumerate(parts, 1):
        head = ck.header_bytes(part)
        data = sum(ck.nbytes(d, s) for _, d, s in part)
        # declared as full-size 5 GB shards, as a large model's would be; the data is a hole
        files[f"model-{i:05d}-of-{len(parts):05d}.safetensors"] = VirtualFile(head, max(5 * 10**9, len(head) + data))
    files["config.json"] = json_file(config)
    repo = fake_hub.add("big/two-hundred", FakeRepo(files))
    loaded = load_source("big/two-hundred")
    assert loaded.checkpoint is not None and loaded.checkpoint.total_params == 1_235_814_400
    shard_requests = fake_hub.requests_for(".safetensors")
    assert len(shard_requests) <= 2 * 200
    fetched = sum(r.bytes_sent for r in fake_hub.log)
    assert fetched < 0.001 * sum(f.size for f in repo.files.values())
