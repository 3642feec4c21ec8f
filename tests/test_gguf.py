"""GGUF files, local and in Hub repos: architecture from metadata, exact bytes, variants, hostile files."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import gguf_files as gf
import pytest
from fake_hub import FakeHub, FakeRepo, VirtualFile

from paramtui.engine.adapters.checkpoint_files import CheckpointFileError, read_local_gguf
from paramtui.engine.adapters.gguf_header import quant_label
from paramtui.engine.adapters.sources import SourceError, load_source
from paramtui.engine.params import count_params
from paramtui.presets import get_preset
from paramtui.tui.cli import main


def _write(path: Path, meta: list, tensors: list) -> int:
    head = gf.header(meta, tensors)
    size = gf.file_size(head, tensors)
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return size


def test_local_gguf_gives_the_architecture_and_exact_bytes(tmp_path: Path) -> None:
    meta, tensors = gf.llama_1b()
    _write(tmp_path / "Llama-3.2-1B-Instruct-Q4_K_M.gguf", meta, tensors)
    loaded = load_source(str(tmp_path / "Llama-3.2-1B-Instruct-Q4_K_M.gguf"))
    arch = loaded.result.architecture
    # the same model as the Llama 3.2 1B preset: 1,235,814,400 parameters (transformers on meta device)
    assert count_params(arch).total == 1_235_814_400
    assert arch.tie_embeddings and arch.num_kv_heads == 8 and arch.max_context == 131072
    summary = loaded.checkpoint
    assert summary is not None
    assert summary.total_params == 1_235_814_400
    assert summary.aside_params == {"buffer": 32}  # rope_freqs: a buffer, not a parameter
    # ggml blocks: Q4_K 144 B / 256 weights, Q6_K 210 B / 256, F32 4 B; the rope buffer is loaded too
    expected = sum(gf.tensor_bytes(d, dims) for _, dims, d in tensors)
    assert summary.model_bytes == expected
    assert loaded.checkpoint_precision == "q4_k_m"
    assert summary.bytes_by_dtype["Q4_K"] == 16 * (2 * 2048 * 2048 + 2048 * 512 + 2 * 2048 * 8192) * 144 // 256


def test_gguf_inspect_json_uses_llama_cpp_and_the_file_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta, tensors = gf.llama_1b()
    path = tmp_path / "model-Q4_K_M.gguf"
    _write(path, meta, tensors)
    assert main(["inspect", str(path), "--json", "--gpu", "rtx-4090"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["memory"]["runtime"] == "llama.cpp"
    assert report["memory"]["precision"] == "q4_k_m"
    assert report["memory"]["model_weights_bytes"] == report["checkpoint"]["model_bytes"]
    assert report["checkpoint"]["cross_check"]["matches"] is True
    assert report["fit"]["verdict"] == "fits"


def test_split_gguf_files_are_summed(tmp_path: Path) -> None:
    meta, tensors = gf.llama_1b(matrix="Q8_0")
    half = len(tensors) // 2
    split_meta = [*meta, ("split.count", gf.UINT32, 2)]
    size1 = _write(tmp_path / "m-Q8_0-00001-of-00002.gguf", split_meta, tensors[:half])
    size2 = _write(tmp_path / "m-Q8_0-00002-of-00002.gguf", [("split.count", gf.UINT32, 2)], tensors[half:])
    read = read_local_gguf(tmp_path / "m-Q8_0-00001-of-00002.gguf")
    assert len(read.tensors) == len(tensors)
    assert sum(size for _, size in read.files) == size1 + size2
    (tmp_path / "m-Q8_0-00002-of-00002.gguf").unlink()
    with pytest.raises(CheckpointFileError, match=r"00002-of-00002\.gguf is missing"):
        read_local_gguf(tmp_path / "m-Q8_0-00001-of-00002.gguf")


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda h: b"GGML" + h[4:], "not a GGUF file"),
        (lambda h: h[:8] + struct.pack("<Q", 2**40) + h[16:], "tensor count"),
        (lambda h: h[:16] + struct.pack("<Q", 2**40) + h[24:], "metadata key count"),
        (lambda h: h[:24] + struct.pack("<Q", 2**50) + h[32:], "string length"),
        (lambda h: h[:4000], "truncated"),
    ],
)
def test_hostile_gguf_files_fail_with_one_line(tmp_path: Path, mutate, fragment: str, capsys) -> None:
    meta, tensors = gf.llama_1b(vocab=300)
    head = mutate(gf.header(meta, tensors))
    path = tmp_path / "bad.gguf"
    path.write_bytes(head)
    assert main(["inspect", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and fragment in err and err.count("\n") == 1


def test_quant_labels_follow_llama_cpp_file_names() -> None:
    assert quant_label("Llama-3.2-1B-Instruct-Q4_K_M.gguf") == "Q4_K_M"
    assert quant_label("Qwen3-30B-A3B-UD-Q4_K_XL-00001-of-00002.gguf") == "UD-Q4_K_XL"
    assert quant_label("gpt-oss-20b-MXFP4.gguf") == "MXFP4"
    assert quant_label("model.IQ4_XS.gguf") == "IQ4_XS"
    assert quant_label("model-f16.gguf") == "F16"


def _gguf_repo() -> FakeRepo:
    meta, tensors = gf.llama_1b(vocab=2000)
    q4 = gf.header(meta, tensors)
    meta8, tensors8 = gf.llama_1b(matrix="Q8_0", vocab=2000)
    half = len(tensors8) // 2
    q8a = gf.header([*meta8, ("split.count", gf.UINT32, 2)], tensors8[:half])
    q8b = gf.header([("split.count", gf.UINT32, 2)], tensors8[half:])
    files = {
        "Llama-3.2-1B-Instruct-Q4_K_M.gguf": VirtualFile(q4, gf.file_size(q4, tensors)),
        "Q8_0/Llama-3.2-1B-Instruct-Q8_0-00001-of-00002.gguf": VirtualFile(q8a, gf.file_size(q8a, tensors8[:half])),
        "Q8_0/Llama-3.2-1B-Instruct-Q8_0-00002-of-00002.gguf": VirtualFile(q8b, gf.file_size(q8b, tensors8[half:])),
        "mmproj-model-f16.gguf": VirtualFile(b"GGUF", 600_000_000),
        "README.md": VirtualFile(b"# GGUF", 6),
    }
    return FakeRepo(files)


def test_gguf_repo_lists_variants_and_reads_the_default_one(fake_hub: FakeHub) -> None:
    fake_hub.add("bartowski/Llama-3.2-1B-Instruct-GGUF", _gguf_repo())
    loaded = load_source("bartowski/Llama-3.2-1B-Instruct-GGUF")
    assert loaded.read is not None
    assert [v.label for v in loaded.read.variants] == ["Q4_K_M", "Q8_0"]
    assert loaded.read.variants[1].bytes == sum(
        f.size for n, f in fake_hub.repos["bartowski/Llama-3.2-1B-Instruct-GGUF"].files.items() if "Q8_0" in n
    )
    assert [n for n, _ in loaded.read.mmproj] == ["mmproj-model-f16.gguf"]
    assert loaded.checkpoint_precision == "q4_k_m"
    assert all(r.range is not None for r in fake_hub.requests_for(".gguf"))


def test_gguf_repo_variant_is_picked_with_quant_suffix(fake_hub: FakeHub) -> None:
    fake_hub.add("bartowski/Llama-3.2-1B-Instruct-GGUF", _gguf_repo())
    loaded = load_source("bartowski/Llama-3.2-1B-Instruct-GGUF:q8_0")
    assert loaded.checkpoint_precision == "q8_0"
    assert loaded.checkpoint is not None and len(loaded.checkpoint.files) == 2
    with pytest.raises(SourceError, match="has no IQ2_XS GGUF; it has Q4_K_M, Q8_0"):
        load_source("bartowski/Llama-3.2-1B-Instruct-GGUF:IQ2_XS")


def test_moe_gguf_maps_experts_and_splits_active_by_tensor_names(tmp_path: Path) -> None:
    meta, tensors = gf.qwen3_moe_30b()
    _write(tmp_path / "Qwen3-30B-A3B-Q4_K_M.gguf", meta, tensors)
    loaded = load_source(str(tmp_path / "Qwen3-30B-A3B-Q4_K_M.gguf"))
    arch, summary = loaded.result.architecture, loaded.checkpoint
    assert summary is not None and arch.moe is not None
    breakdown = count_params(arch)
    # the same counts as the Qwen3-30B-A3B preset (transformers on the meta device)
    assert breakdown.total == summary.total_params == 30_532_122_624
    assert (arch.moe.num_experts, arch.moe.top_k) == (128, 8)
    from paramtui.engine.checkpoint import active_params

    assert active_params(summary, arch) == breakdown.active == 3_353_032_704


def test_a_local_model_is_launched_from_its_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """llama-server loads a local GGUF with -m PATH (-hf takes only Hub repo ids, llama.cpp
    tools/server/README.md); vLLM and SGLang load a local checkpoint from its directory. Paths are
    absolute and quoted for the shell (a directory name may hold a space)."""
    meta, tensors = gf.llama_1b()
    folder = tmp_path / "my models"
    folder.mkdir()
    path = folder / "Llama-3.2-1B-Q4_K_M.gguf"
    _write(path, meta, tensors)
    assert main(["inspect", str(path), "--json", "--gpu", "rtx-4090"]) == 0
    launch = json.loads(capsys.readouterr().out)["fit"]["launch"]
    assert launch.startswith(f"llama-server -m '{path}' -ngl 99")
    assert "-hf" not in launch
    config = folder / "config.json"
    config.write_text(json.dumps(get_preset("llama-3.1-8b").config))
    assert main(["inspect", str(config), "--json", "--gpu", "rtx-4090", "--runtime", "vllm"]) == 0
    assert json.loads(capsys.readouterr().out)["fit"]["launch"].startswith(f"vllm serve '{folder}' ")
    assert main(["inspect", str(config), "--json", "--gpu", "rtx-4090", "--runtime", "llama.cpp"]) == 0
    line = json.loads(capsys.readouterr().out)["fit"]["launch"]
    assert line.startswith(f"llama-server -m '{folder}/model-BF16.gguf' ")
