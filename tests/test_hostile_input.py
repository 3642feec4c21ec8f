"""Hostile and absurd input (issue 17): one test per failure a fuzz campaign found, each refused in one line.

Before the fix these were tracebacks (OverflowError, ZeroDivisionError, RecursionError, TypeError),
hangs of minutes, reads of /dev/zero until the process held gigabytes, or quiet nonsense with exit 0.
"""

from __future__ import annotations

import json
import math
import os
import struct
import time
from pathlib import Path
from typing import Any

import pytest
from checkpoints import header_bytes, llama, write_sparse
from fuzz_cases import SMALL_LLAMA, _add, _gguf_bytes, _gguf_data_size, non_finite

from paramtui.engine.limits import MAX_LAYERS, config_int
from paramtui.tui.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the CLI; assert exit 2, nothing on stdout, one line on stderr; return that line."""
    code, out, err = _run(capsys, *argv)
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _config(tmp_path: Path, raw: str, **changes: Any) -> str:
    """SMALL_LLAMA's config.json with keys set to raw JSON text (Infinity, 1e400, ...)."""
    cfg = {**SMALL_LLAMA, **dict.fromkeys(changes, "__RAW__")}
    text = json.dumps(cfg)
    for value in changes.values():
        text = text.replace('"__RAW__"', value, 1)
    path = tmp_path / "config.json"
    path.write_text(text if raw == "" else raw)
    return str(path)


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_infinity_in_an_integer_field_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """Was OverflowError in the importer (int(float('inf')))."""
    line = _refused(capsys, "inspect", _config(tmp_path, "", num_hidden_layers=value), "--gpu", "h100-sxm")
    assert ("number" in line and "finite" in line) or "infinity" in line


def test_zero_attention_heads_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Was ZeroDivisionError (hidden_size // num_attention_heads)."""
    line = _refused(capsys, "inspect", _config(tmp_path, "", num_attention_heads="0"), "--json")
    assert "num_attention_heads 0 is below the 1 this tool accepts" in line


def test_a_config_nested_100000_levels_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Was RecursionError in json.loads."""
    line = _refused(capsys, "inspect", _config(tmp_path, "[" * 100_000 + "]" * 100_000))
    assert "nests deeper than the 64 levels" in line


@pytest.mark.parametrize("value", ["1e30", str(2**63), "1" + "0" * 400])
def test_absurd_layer_counts_are_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """Were hangs of minutes and gigabytes (a tuple per layer); now refused with the range stated."""
    start = time.perf_counter()
    line = _refused(capsys, "inspect", _config(tmp_path, "", num_hidden_layers=value), "--gpu", "h100-sxm")
    assert time.perf_counter() - start < 2
    assert "num_hidden_layers " in line
    assert f"is above the {MAX_LAYERS:,} this tool accepts" in line


def test_the_range_is_stated_the_way_the_issue_asks() -> None:
    with pytest.raises(ValueError, match=r"^num_hidden_layers 1e\+30 is above the 10,000 this tool accepts$"):
        config_int({"num_hidden_layers": 1e30}, "num_hidden_layers")


def _special(path: Path, target: str, symlink: bool) -> None:
    if target == "fifo":
        os.mkfifo(path)
    elif symlink:
        path.symlink_to(target)


@pytest.mark.parametrize("kind", ["config.json", "m.gguf", "model.safetensors"])
@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "fifo"])
def test_devices_fifos_and_symlinks_to_them_are_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, target: str
) -> None:
    """Was a read of /dev/zero until the process held 3.7 GB (and a FIFO blocks forever)."""
    directory = tmp_path / "m"
    directory.mkdir()
    if kind == "model.safetensors":
        (directory / "config.json").write_text(json.dumps(SMALL_LLAMA))
    _special(directory / kind, target, symlink=True)
    for source in (directory / kind, directory):
        line = _refused(capsys, "inspect", str(source), "--gpu", "h100-sxm")
        assert "not a regular file" in line or "has no config.json" in line


def test_a_device_given_directly_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    line = _refused(capsys, "inspect", "/dev/zero")
    assert line == "paramtui: /dev/zero is a device, not a regular file; point at a config.json"


def test_a_bandwidth_of_10_to_the_100_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """Was exit 0 with Infinity in the JSON output."""
    line = _refused(capsys, "inspect", "qwen3-8b", "--json", "--gpu", f"mem=24GiB,bw=1{'0' * 100}GB/s")
    assert "bw 1e+109 B/s is outside the 1e+06-1e+15 B/s this tool accepts" in line
    line = _refused(capsys, "inspect", "qwen3-8b", "--json", "--gpu", f"mem=24GiB,bw=1TB/s,fp16=1{'0' * 100}TFLOPS")
    assert "fp16" in line and "outside" in line


def test_memory_only_gpu_with_options_has_no_division_by_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """Was ZeroDivisionError in engine/options.py: the options asked the speed model for a plan
    on a GPU with no bandwidth."""
    code, out, err = _run(capsys, "inspect", "llama-4-scout", "--gpu", "mem=80GiB", "--tp", "64", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["speed"] is None
    assert report["fit"]["options"]  # the options were computed, on this GPU and on presets with a bandwidth


@pytest.mark.parametrize("spec", ["mem=24GiB,bw=1MB/s,fp16=1TFLOPS", "mem=1TiB,bw=999TB/s,fp16=999999TFLOPS"])
def test_extreme_but_accepted_gpus_give_finite_output(capsys: pytest.CaptureFixture[str], spec: str) -> None:
    code, out, err = _run(capsys, "inspect", "deepseek-v3", "--json", "--gpu", spec)
    assert code == 0, err
    assert not non_finite(out, as_json=True)


def _checkpoint(tmp_path: Path) -> Path:
    directory = tmp_path / "m"
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps(SMALL_LLAMA))
    return directory


def test_tensors_claiming_more_bytes_than_the_file_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was accepted: a header whose last tensor ends past the end of the file (a truncated download)."""
    directory = _checkpoint(tmp_path)
    tensors = list(llama(SMALL_LLAMA))
    head = header_bytes(tensors)
    write_sparse(directory, {"model.safetensors": (head, len(head) + 1000)})
    line = _refused(capsys, "inspect", str(directory))
    assert "lies outside the file" in line


def test_dtype_times_shape_must_equal_the_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = _checkpoint(tmp_path)
    head = header_bytes([("model.embed_tokens.weight", "BF16", (256, 64))])
    raw = json.loads(head[8:])
    raw["model.embed_tokens.weight"]["shape"] = [2**47, 2**47]
    body = json.dumps(raw).encode()
    write_sparse(directory, {"model.safetensors": (len(body).to_bytes(8, "little") + body, 8 + len(body) + 32768)})
    line = _refused(capsys, "inspect", str(directory))
    assert "not what BF16" in line


def test_an_unknown_dtype_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = _checkpoint(tmp_path)
    head = header_bytes([("model.embed_tokens.weight", "BF16", (256, 64))]).replace(b'"BF16"', b'"Q4XX"')
    write_sparse(directory, {"model.safetensors": (head, len(head) + 32768)})
    assert "which safetensors does not define" in _refused(capsys, "inspect", str(directory))


def _sharded(directory: Path) -> None:
    tensors = list(llama(SMALL_LLAMA))
    parts = [tensors[: len(tensors) // 2], tensors[len(tensors) // 2 :]]
    weight_map = {}
    files = {}
    for i, part in enumerate(parts, 1):
        name = f"model-{i:05d}-of-00002.safetensors"
        head = header_bytes(part)
        files[name] = (head, len(head) + sum(2 * math.prod(s) for _, _, s in part))
        weight_map.update(dict.fromkeys((t[0] for t in part), name))
    write_sparse(directory, files)
    (directory / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))


def test_a_missing_shard_makes_the_checkpoint_incomplete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Was read as if complete: the shards present were summed and the count came out short."""
    directory = _checkpoint(tmp_path)
    _sharded(directory)
    assert main(["inspect", str(directory), "--json"]) == 0
    capsys.readouterr()
    (directory / "model-00002-of-00002.safetensors").unlink()
    line = _refused(capsys, "inspect", str(directory))
    assert "incomplete checkpoint: model-00002-of-00002.safetensors missing" in line


def test_an_index_naming_a_missing_shard_is_incomplete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = _checkpoint(tmp_path)
    _sharded(directory)
    index = json.loads((directory / "model.safetensors.index.json").read_text())
    index["weight_map"]["lm_head.weight"] = "model-extra.safetensors"
    (directory / "model.safetensors.index.json").write_text(json.dumps(index))
    line = _refused(capsys, "inspect", str(directory / "model-00001-of-00002.safetensors"))
    assert "incomplete checkpoint: model-extra.safetensors missing" in line


def test_a_hub_repo_missing_a_shard_is_incomplete() -> None:
    from paramtui.engine.adapters.checkpoint_files import missing_shards

    names = ["model-00001-of-00003.safetensors", "model-00003-of-00003.safetensors"]
    assert missing_shards(names) == ["model-00002-of-00003.safetensors"]
    assert missing_shards(["model-00001-of-00001.safetensors"]) == []


def _gguf(tmp_path: Path, mutate: Any = None, key: str = "base") -> str:
    raw = _gguf_bytes(mutate, key)
    path = tmp_path / "m.gguf"
    with open(path, "wb") as fh:
        fh.write(raw)
        fh.truncate(len(raw) + _gguf_data_size())
    return str(path)


@pytest.mark.parametrize(
    ("key", "kind", "value"),
    [
        ("llama.block_count", "string", "sixteen"),
        ("llama.block_count", "float32", float("nan")),
        ("llama.context_length", "float64", float("inf")),
        ("llama.attention.head_count", "array", ["x"]),
        ("general.architecture", "uint32", 7),
    ],
)
def test_gguf_metadata_of_the_wrong_type_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, kind: str, value: Any
) -> None:
    """Was TypeError / OverflowError in the GGUF-to-config mapping. Files written with gguf.GGUFWriter."""
    from fuzz_cases import _add

    path = _gguf(tmp_path, lambda w: _add(w, key, kind, value), f"t:{key}:{kind}:{value!r}")
    line = _refused(capsys, "inspect", path, "--gpu", "h100-sxm")
    assert key.split(".", 1)[1] in line


def test_gguf_layer_count_2_to_the_63_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _gguf(tmp_path, lambda w: _add(w, "llama.block_count", "uint64", 2**63), "t:layers")
    line = _refused(capsys, "inspect", path)
    assert "num_hidden_layers 9.22e+18 is above the 10,000 this tool accepts" in line


def test_gguf_huge_tensor_shape_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Was OverflowError for shapes whose product overflows a float."""
    raw = bytearray(_gguf_bytes())
    at = raw.index(b"blk.0.ffn_up.weight") + len(b"blk.0.ffn_up.weight")
    raw[at + 4 : at + 12] = struct.pack("<Q", 2**47)
    path = tmp_path / "m.gguf"
    path.write_bytes(bytes(raw) + b"\0" * _gguf_data_size())
    line = _refused(capsys, "inspect", str(path))
    assert "larger than the file" in line or "past the end" in line


def test_gguf_tensor_past_the_end_of_the_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = _gguf_bytes()
    path = tmp_path / "m.gguf"
    path.write_bytes(raw + b"\0" * (_gguf_data_size() - 32 * 40 - 100))
    assert "past the end of the" in _refused(capsys, "inspect", str(path))


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--context", str(2**63), "--context 9.22e+18 is above the 1,000,000,000"),
        ("--batch", "10000000000", "--batch 10000000000 is above the 1,000,000"),
        ("--tp", "99999", "--tp 99,999 is above the 1,024 GPUs"),
        ("--max-num-batched-tokens", str(10**12), "--max-num-batched-tokens is above the 1,000,000,000"),
    ],
)
def test_absurd_workload_numbers_are_refused(
    capsys: pytest.CaptureFixture[str], flag: str, value: str, message: str
) -> None:
    line = _refused(capsys, "inspect", "qwen3-8b", "--gpu", "h100-sxm", flag, value)
    assert message in line


def test_a_source_longer_than_any_path_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """Was OSError: File name too long."""
    assert "characters" in _refused(capsys, "inspect", "x" * 5000)


def _gguf_with_array(etype: int, length: int, item: bytes, tail_keys: int = 0) -> bytes:
    """A GGUF v3 header of one array key (``length`` items of ``item`` bytes) and no tensors."""
    key = b"tokenizer.ggml.merges"
    head = b"GGUF" + struct.pack("<IQQ", 3, 0, 1 + tail_keys)
    head += struct.pack("<Q", len(key)) + key + struct.pack("<IIQ", 9, etype, length) + item * length
    for i in range(tail_keys):
        name = f"k{i}".encode()
        head += struct.pack("<Q", len(name)) + name + struct.pack("<IIQ", 9, 4, 4000) + b"\0" * 16000
    return head


def test_gguf_string_count_is_capped_so_the_parse_ends_in_seconds() -> None:
    """2^26 empty strings fit in 512 MiB of header and took minutes one by one; over 2^21 is refused
    at once, and 2^21 just under it parse in a few seconds without keeping them."""
    from paramtui.engine.adapters.gguf_header import GgufError, read_gguf_header
    from paramtui.engine.limits import GGUF_STRINGS

    raw = _gguf_with_array(8, GGUF_STRINGS + 1, struct.pack("<Q", 0))
    start = time.perf_counter()
    with pytest.raises(GgufError, match="more than 2,097,152 strings"):
        read_gguf_header(lambda o, n: raw[o : o + n], len(raw), "x.gguf")
    assert time.perf_counter() - start < 1
    raw = _gguf_with_array(8, GGUF_STRINGS - 10, struct.pack("<Q", 0))
    start = time.perf_counter()
    header = read_gguf_header(lambda o, n: raw[o : o + n], len(raw), "x.gguf")
    assert header.metadata["tokenizer.ggml.merges"].length == GGUF_STRINGS - 10
    assert time.perf_counter() - start < 8


def test_gguf_long_numeric_arrays_are_skipped_unread() -> None:
    """A 2^25-element u64 array (256 MiB) is moved past, never read into memory."""
    from paramtui.engine.adapters.gguf_header import read_gguf_header

    key = b"big"
    head = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", len(key)) + key
    head += struct.pack("<IIQ", 9, 10, 2**25)
    asked: list[int] = []

    def read_at(offset: int, n: int) -> bytes:
        asked.append(n)
        return head[offset : offset + n] if offset < len(head) else b"\0" * min(n, 2**20)

    header = read_gguf_header(read_at, len(head) + 8 * (2**25), "x.gguf")
    assert header.metadata["big"].length == 2**25
    assert sum(asked) < 4 * 2**20


def test_gguf_short_arrays_kept_are_capped_in_total() -> None:
    """Thousands of 4,000-item arrays would be kept as tuples of Python ints (gigabytes); past
    GGUF_KEPT_ITEMS in all they keep only their length."""
    from paramtui.engine.adapters.gguf_header import ArrayInfo, read_gguf_header

    raw = _gguf_with_array(4, 1, b"\0\0\0\0", tail_keys=100)
    header = read_gguf_header(lambda o, n: raw[o : o + n], len(raw), "x.gguf")
    kept = [v for k, v in header.metadata.items() if k.startswith("k") and isinstance(v, tuple)]
    assert 50 < len(kept) < 100
    assert isinstance(header.metadata["k99"], ArrayInfo)
