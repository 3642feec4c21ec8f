"""An unknown model_type never yields a confident wrong number.

Either every key that may shape parameters is understood by the common-key fallback (the count
is then the Llama-like count of those keys), or the counts are marked approximate wherever they
are shown (table header, bars, fit, JSON ``params.exact``) with the keys named; or, when the
checkpoint's headers can be read, the counts come from the tensors themselves.

Reference for the header case: tests/checkpoints.py writes the tensor names and shapes that
transformers' Qwen3MoeForCausalLM.save_pretrained writes, independently of the engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import checkpoints as ck
import pytest

from paramtui.engine import count_params, import_config
from paramtui.engine.adapters.sources import load_source
from paramtui.presets import get_preset
from paramtui.tui.cli import main

HYBRID = {
    "model_type": "acme_hybrid",
    "vocab_size": 131072,
    "hidden_size": 2688,
    "num_hidden_layers": 52,
    "num_attention_heads": 32,
    "num_key_value_heads": 2,
    "head_dim": 128,
    "intermediate_size": 1856,
    "hybrid_override_pattern": "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME",
    "mamba_num_heads": 64,
    "mamba_head_dim": 64,
    "ssm_state_size": 128,
    "n_groups": 8,
    "conv_kernel": 4,
    "n_shared_experts": 1,
    "rms_norm_eps": 1e-5,
    "bos_token_id": 1,
    "attention_dropout": 0.0,
    "rope_theta": 10000,
    "tie_word_embeddings": False,
}
"""Nemotron-3-Nano-like keys under a model_type nothing maps: the fallback's Llama guess is wrong here."""


def test_a_llama_config_under_another_name_counts_exactly() -> None:
    """Every key is one the fallback reads or one that never bears parameters: exact, nothing flagged."""
    cfg = {**get_preset("llama-3.1-8b").config, "model_type": "my_llama"}
    result = import_config(cfg)
    assert result.fallback and result.exact and result.unread_keys == ()
    assert count_params(result.architecture).total == 8_030_261_248  # meta-llama/Llama-3.1-8B safetensors


def test_keys_the_fallback_does_not_read_make_it_approximate() -> None:
    result = import_config(HYBRID)
    assert not result.exact
    assert set(result.unread_keys) == {
        "hybrid_override_pattern",
        "mamba_num_heads",
        "mamba_head_dim",
        "ssm_state_size",
        "n_groups",
        "conv_kernel",
        "n_shared_experts",
    }
    assert any(n.startswith("approximate: keys not understood") for n in result.notes)


def test_a_config_that_leaves_the_tie_out_is_approximate() -> None:
    """Gemma 3 27B's text config does not state tie_word_embeddings (Gemma ties by default): guessing
    untied would add 262,208 x 5,376 = 1.41B parameters, 5% of the model."""
    cfg = {**get_preset("gemma-3-27b").config["text_config"], "model_type": "acme_gemma", "vocab_size": 262208}
    assert "tie_word_embeddings (not stated)" in import_config(cfg).unread_keys


def test_a_plain_gelu_mlp_is_not_taken_for_a_gated_one() -> None:
    """Phi-1's config under a name nothing maps: every key is a common one, but its MLP is two matrices
    with GELU, and the fallback's gated guess counts 1.81B instead of transformers' 1,414,562,935
    (tests/data/current_dense_configs/phi-1.json). The activation says so: approximate, key named."""
    cfg = json.loads((Path(__file__).parent / "data/current_dense_configs/phi-1.json").read_text())
    result = import_config({k: v for k, v in cfg.items() if k != "paramtui"} | {"model_type": "acme_phi"})
    assert not result.exact and "hidden_act" in result.unread_keys


def test_a_switched_on_bias_is_not_understood_but_a_switched_off_one_is() -> None:
    base = {**get_preset("llama-3.1-8b").config, "model_type": "my_llama"}
    assert import_config({**base, "attention_bias": False}).exact
    assert import_config({**base, "attention_bias": True}).unread_keys == ("attention_bias",)


def test_approximate_everywhere_it_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(HYBRID))
    assert main(["inspect", str(path), "--json", "--gpu", "h100-sxm"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["params"]["exact"] is False
    assert "hybrid_override_pattern" in report["params"]["keys_not_understood"]
    assert main(["inspect", str(path), "--gpu", "h100-sxm"]) == 0
    out = capsys.readouterr().out
    assert out.lstrip().startswith("APPROXIMATE")  # the table header
    assert "approximate: config keys not understood" in out  # under the table
    assert "approximate: KV cache and speed rest on a guess" in out  # over the fit


def test_a_mapped_model_is_exact_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "llama-3.1-8b", "--json"]) == 0
    params = json.loads(capsys.readouterr().out)["params"]
    assert params["exact"] is True and params["keys_not_understood"] == []
    assert params["counted_from"] == "config.json"


def _qwen3_moe_checkpoint(tmp_path: Path, model_type: str) -> dict[str, object]:
    cfg = dict(get_preset("qwen3-30b-a3b").config)
    small = {**cfg, "num_hidden_layers": 2, "vocab_size": 1024}
    ck.write_sparse(tmp_path, ck.shard_files(list(ck.qwen3_moe(small)), 2))
    (tmp_path / "config.json").write_text(json.dumps({**small, "model_type": model_type, "acme_router_groups": 4}))
    return small


def test_an_unknown_architecture_with_headers_counts_from_the_tensors(tmp_path: Path) -> None:
    small = _qwen3_moe_checkpoint(tmp_path, "acme_moe")
    loaded = load_source(str(tmp_path))
    expected = count_params(import_config(small).architecture)  # the real qwen3_moe mapping
    bd = loaded.breakdown
    assert loaded.header_breakdown is not None and loaded.approximate == ()
    assert (bd.total, bd.active) == (expected.total, expected.active)
    assert bd.component("routed_experts").stored == expected.component("routed_experts").stored
    assert loaded.result.notes[0] == "unknown architecture acme_moe: counts from the checkpoint's headers"


def test_header_counts_reach_the_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small = _qwen3_moe_checkpoint(tmp_path, "acme_moe")
    expected = count_params(import_config(small).architecture)
    assert main(["inspect", str(tmp_path), "--json"]) == 0
    params = json.loads(capsys.readouterr().out)["params"]
    assert (params["total"], params["active"]) == (expected.total, expected.active)
    assert params["exact"] is True and params["counted_from"] == "checkpoint headers"


async def test_the_dashboard_marks_the_bars_and_the_fit(tmp_path: Path) -> None:
    """The bars' title and the fit pane say APPROXIMATE and name the keys, as the CLI does."""
    from textual.worker import WorkerCancelled

    from paramtui.tui.app import ParamApp

    path = tmp_path / "config.json"
    path.write_text(json.dumps(HYBRID))
    app = ParamApp(str(path), probe=False)
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(5):
            try:
                await app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                continue
        await pilot.pause()
        assert "APPROXIMATE" in str(app.query_one("#bars").render())
        fit = str(app.query_one("#fit").render())
        assert "APPROXIMATE" in fit and "hybrid_override_pattern" in fit


def test_an_unmapped_gguf_architecture_is_counted_from_its_tensors(tmp_path: Path) -> None:
    """A GGUF whose general.architecture paramtui does not map: the tensors give the exact counts."""
    import gguf_files as gf

    meta, tensors = gf.llama_1b(vocab=300)
    renamed = [
        (key.replace("llama.", "acme.", 1), vtype, "acme" if key == "general.architecture" else value)
        for key, vtype, value in meta
    ]
    path = tmp_path / "acme.gguf"
    head = gf.header(renamed, tensors)
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(gf.file_size(head, tensors))
    loaded = load_source(str(path))
    assert loaded.result.notes[0] == "unknown architecture gguf:acme: counts from the checkpoint's headers"
    original = tmp_path / "llama.gguf"
    head = gf.header(meta, tensors)
    with open(original, "wb") as fh:
        fh.write(head)
        fh.truncate(gf.file_size(head, tensors))
    mapped = load_source(str(original)).breakdown  # the llama mapping of the same tensors
    assert (loaded.breakdown.total, loaded.breakdown.active) == (mapped.total, mapped.active)
    assert loaded.approximate == () and "gguf_architecture" in loaded.result.unread_keys


def test_an_unmapped_hub_repo_is_counted_from_its_tensors(fake_hub) -> None:  # type: ignore[no-untyped-def]
    """A Hub repo of a model_type nothing maps: the safetensors headers (read by range requests) give
    the exact total and the stored/active split, here the full Nemotron 3 Nano 30B-A3B layout."""
    from fake_hub import FakeRepo, files_from, json_file

    cfg = dict(get_preset("nemotron-3-nano-30b-a3b").config)
    files = files_from(ck.shard_files(list(ck.nemotron_h(cfg)), 4))
    files["config.json"] = json_file({**cfg, "model_type": "nemotron_h_next"})
    fake_hub.add("acme/Nemotron-Next", FakeRepo(files))
    loaded = load_source("acme/Nemotron-Next")
    assert loaded.result.notes[0] == "unknown architecture nemotron_h_next: counts from the checkpoint's headers"
    bd = loaded.breakdown
    # transformers 5.25.0 on the published config (tests/data/reference_counts.json)
    assert (bd.total, bd.active) == (31_577_937_344, 3_580_073_408)
