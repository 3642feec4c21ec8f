"""Seeded generators of hostile and absurd input for paramtui's CLI, in five families.

Each case is a command line plus the files it needs, written into a fresh directory; the same
seed gives the same cases. The families are the ways input enters paramtui:

- ``config``: a real preset's config.json with one to three keys set to hostile values
  (``Infinity``, ``NaN``, 0, -1, 1e30, 2^63, a 401-digit integer, wrong types, 100,000-deep
  nesting), or a whole-file mutation (truncated, not UTF-8, /dev/zero behind a symlink, a FIFO);
- ``safetensors``: a small Llama checkpoint (config.json + sparse safetensors files) whose
  header, layout, shards or index is broken;
- ``gguf``: a small Llama GGUF written with ``gguf.GGUFWriter``, then byte-mutated, or written
  with metadata of the wrong type or absurd value;
- ``cli``: ``--gpu``, ``--context``, ``--batch`` and SOURCE strings;
- ``record``: a model saved from the dashboard (``paramtui_architecture``) with fields mutated.

``tests/test_fuzz.py`` runs a few hundred in-process; ``benchmarks/fuzz.py`` runs thousands as
child processes under a time and memory limit and counts the outcomes.
"""

from __future__ import annotations

import copy
import io
import json
import os
import random
import re
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkpoints import header_bytes, llama

ROOT = Path(__file__).resolve().parent.parent
FAMILIES = ("config", "safetensors", "gguf", "cli", "record")

HOSTILE = "__HOSTILE__"
"""Placeholder a mutated value takes in the dict; the raw JSON text replaces it after dumping."""

HOSTILE_NUMBERS = (
    "Infinity",
    "-Infinity",
    "NaN",
    "0",
    "-1",
    "-0",
    "1e30",
    str(2**63),
    str(2**64 + 1),
    "1" + "0" * 400,
    "1e400",
    "-1e400",
    "1.5",
    "1e-300",
    "100001",
    str(2**31),
    "123456789012",
)
HOSTILE_TYPES = ('"abc"', '"12"', "null", "[]", "{}", "true", "false", "[1,2,3]", '{"a":1}', '""', '"\\u0000"')

CONFIG_KEYS = (
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "hidden_size",
    "vocab_size",
    "head_dim",
    "intermediate_size",
    "max_position_embeddings",
    "num_experts",
    "num_local_experts",
    "n_routed_experts",
    "num_experts_per_tok",
    "moe_intermediate_size",
    "shared_expert_intermediate_size",
    "n_shared_experts",
    "sliding_window",
    "layer_types",
    "text_config",
    "quantization_config",
    "rope_scaling",
    "decoder_sparse_step",
    "first_k_dense_replace",
    "moe_layer_freq",
    "mlp_only_layers",
    "kv_lora_rank",
    "q_lora_rank",
    "qk_rope_head_dim",
    "qk_nope_head_dim",
    "v_head_dim",
    "full_attention_interval",
    "interleave_moe_layer_step",
    "moe_layers",
    "no_rope_layers",
    "attention_chunk_size",
    "num_nextn_predict_layers",
    "sliding_window_pattern",
    "linear_num_key_heads",
    "linear_num_value_heads",
    "linear_key_head_dim",
    "linear_value_head_dim",
    "linear_conv_kernel_dim",
    "mamba_num_heads",
    "mamba_head_dim",
    "ssm_state_size",
    "hybrid_override_pattern",
    "layers_block_type",
    "torch_dtype",
    "model_type",
    "tie_word_embeddings",
    "vision_config",
)
BASE_PRESETS = (
    "llama-3.2-1b",
    "qwen3-30b-a3b",
    "deepseek-v3",
    "gpt-oss-20b",
    "qwen3-next-80b-a3b",
    "nemotron-3-nano-30b-a3b",
    "jamba-1.5-mini",
    "gemma-3-27b",
    "llama-4-scout",
    "mixtral-8x7b",
    "lfm2-1.2b",
    "gpt2",
)
MODEL_TYPES = (
    "llama",
    "qwen3_moe",
    "deepseek_v3",
    "gpt_oss",
    "qwen3_next",
    "nemotron_h",
    "jamba",
    "gemma3_text",
    "llama4_text",
    "dbrx",
    "falcon",
    "mamba2",
    "falcon_h1",
    "granitemoehybrid",
    "qwen2_5_vl",
    "unknown_xyz",
)
GPUS = ("h100-sxm", "2xrtx-4090", "mem=24GiB,bw=1008GB/s,fp16=165TFLOPS", "cpu-pi5-16gb", "8xb200")
SMALL_LLAMA = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 256,
    "max_position_embeddings": 4096,
    "torch_dtype": "bfloat16",
    "tie_word_embeddings": False,
}


@dataclass
class Case:
    """One hostile input: the files to write under a fresh directory and the command line."""

    family: str
    """One of FAMILIES."""
    label: str
    """What was done to the input, for the report."""
    argv: list[str]
    """Arguments after ``paramtui``; ``{dir}`` stands for the case's directory."""
    files: dict[str, Any] = field(default_factory=dict)
    """Relative name -> bytes, or a tuple: ("symlink", target), ("fifo",), ("dir",), ("sparse", head, size)."""


def materialize(case: Case, root: Path) -> list[str]:
    """Write the case's files under ``root`` and return its command line."""
    for name, content in case.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content[0] == "symlink":
            os.symlink(content[1], path)
        elif content[0] == "fifo":
            os.mkfifo(path)
        elif content[0] == "dir":
            path.mkdir(exist_ok=True)
        elif content[0] == "sparse":
            with open(path, "wb") as fh:
                fh.write(content[1])
                fh.truncate(max(content[2], len(content[1])))
    return [a.replace("{dir}", str(root)) for a in case.argv]


def _preset_config(preset_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "presets" / "models" / f"{preset_id}.json").read_text())
    data.pop("paramtui", None)
    return data


def _dump(obj: Any, raw_values: list[str]) -> bytes:
    """JSON text with each HOSTILE placeholder replaced, in order, by raw JSON text."""
    text = json.dumps(obj)
    parts = text.split(json.dumps(HOSTILE))
    out = parts[0]
    for i, part in enumerate(parts[1:]):
        out += raw_values[i % len(raw_values)] + part
    return out.encode()


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _hostile_value(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.62:
        return rng.choice(HOSTILE_NUMBERS)
    if roll < 0.9:
        return rng.choice(HOSTILE_TYPES)
    if roll < 0.95:
        return _deep(rng.choice((50, 1000, 100_000)))
    return json.dumps([rng.choice(("full_attention", "sliding_attention", "x", 1))] * rng.choice((0, 3, 10**5)))


def _inspect(source: str, rng: random.Random) -> list[str]:
    argv = ["inspect", source]
    if rng.random() < 0.7:
        argv.append("--json")
    if rng.random() < 0.8:
        argv += ["--gpu", rng.choice(GPUS)]
    if rng.random() < 0.2:
        argv += ["--runtime", rng.choice(("vllm", "llama.cpp", "sglang", "transformers"))]
    return argv


SPECIAL_FILES: tuple[tuple[str, Any], ...] = (
    ("symlink to /dev/zero", ("symlink", "/dev/zero")),
    ("symlink to /dev/urandom", ("symlink", "/dev/urandom")),
    ("a FIFO", ("fifo",)),
    ("a directory", ("dir",)),
)


def config_case(rng: random.Random) -> Case:
    """A preset's config.json with hostile values, or a broken file."""
    roll = rng.random()
    name = rng.choice(("config.json", "model.json"))
    if roll < 0.08:
        label, content = rng.choice(SPECIAL_FILES)
        return Case("config", f"config.json is {label}", _inspect("{dir}/" + name, rng), {name: content})
    if roll < 0.1:
        target = rng.choice(("/dev/zero", "/dev/urandom", "/dev/null", "/proc/self/status", "/"))
        return Case("config", f"SOURCE is {target}", _inspect(target, rng))
    cfg = _preset_config(rng.choice(BASE_PRESETS))
    if roll < 0.2:
        raw = json.dumps(cfg).encode()
        how = rng.choice(("truncated", "latin-1", "array", "deep", "huge", "empty", "nul"))
        content = {
            "truncated": raw[: rng.randrange(len(raw))],
            "latin-1": raw.replace(b'"', b'"\xff', 1),
            "array": b"[" + raw + b"]",
            "deep": _deep(100_000).encode(),
            "huge": b'{"x": "' + b"a" * (20 * 2**20) + b'"}',
            "empty": b"",
            "nul": b"\0" * 64,
        }[how]
        return Case("config", f"config.json {how}", _inspect("{dir}/" + name, rng), {name: content})
    mutations = []
    raw_values = []
    if rng.random() < 0.15:
        cfg["model_type"] = rng.choice(MODEL_TYPES)
        mutations.append(f"model_type={cfg['model_type']}")
    for _ in range(rng.choice((1, 1, 2, 3))):
        key = rng.choice((*CONFIG_KEYS, *[k for k, v in cfg.items() if isinstance(v, int)]))
        target = cfg
        if isinstance(cfg.get("text_config"), dict) and rng.random() < 0.5:
            target = cfg["text_config"]
        if rng.random() < 0.1:
            target.pop(key, None)
            mutations.append(f"-{key}")
            continue
        value = _hostile_value(rng)
        target[key] = HOSTILE
        raw_values.append(value)
        mutations.append(f"{key}={value[:24]}")
    content = _dump(cfg, raw_values) if raw_values else json.dumps(cfg).encode()
    return Case("config", ", ".join(mutations), _inspect("{dir}/" + name, rng), {name: content})


def _st_header(header: dict[str, Any], raw_values: list[str], pad: bool = True) -> bytes:
    raw = _dump(header, raw_values) if raw_values else json.dumps(header).encode()
    if pad:
        raw += b" " * (-len(raw) % 8)
    return len(raw).to_bytes(8, "little") + raw


def _small_tensors() -> list[tuple[str, str, tuple[int, ...]]]:
    return list(llama(SMALL_LLAMA))


def _layout(tensors: list[tuple[str, str, tuple[int, ...]]]) -> tuple[dict[str, Any], int]:
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, dtype, shape in tensors:
        size = 2 * _prod(shape)
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    return header, offset


def _prod(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def safetensors_case(rng: random.Random) -> Case:
    """A small Llama checkpoint whose header, layout, shards or index is broken."""
    tensors = _small_tensors()
    cfg_bytes = json.dumps(SMALL_LLAMA).encode()
    files: dict[str, Any] = {"m/config.json": cfg_bytes}
    source = "{dir}/m" if rng.random() < 0.8 else "{dir}/m/model.safetensors"
    roll = rng.random()
    if roll < 0.3:  # sharded, maybe with a shard or the index broken
        count = 3
        parts = [tensors[i * len(tensors) // count : (i + 1) * len(tensors) // count] for i in range(count)]
        weight_map = {}
        for i, part in enumerate(parts, 1):
            name = f"model-{i:05d}-of-{count:05d}.safetensors"
            head = header_bytes(part)
            files[f"m/{name}"] = ("sparse", head, len(head) + sum(2 * _prod(s) for _, _, s in part))
            weight_map.update(dict.fromkeys((t[0] for t in part), name))
        index: Any = {"metadata": {"total_size": 1}, "weight_map": weight_map}
        how = rng.choice(
            ("drop shard", "index names missing", "index deep", "index zero", "index bad", "shard zero", "of 99999")
        )
        victim = f"m/model-{rng.randint(1, count):05d}-of-{count:05d}.safetensors"
        if how == "drop shard":
            del files[victim]
        elif how == "of 99999":  # one shard of a set that claims 99,999
            files = {"m/config.json": cfg_bytes, "m/model-00001-of-99999.safetensors": files[victim]}
            victim = "m/model-00001-of-99999.safetensors"
        elif how == "index names missing":
            weight_map["lm_head.weight"] = "model-00009-of-00009.safetensors"
        elif how == "shard zero":
            files[victim] = rng.choice((("symlink", "/dev/zero"), ("symlink", "/dev/urandom"), ("fifo",)))
        index_bytes = json.dumps(index).encode()
        if how == "index deep":
            index_bytes = _deep(100_000).encode()
        elif how == "index bad":
            index_bytes = rng.choice((b"{", b"[]", b'{"weight_map": 5}', b'{"weight_map": {"a": 7}}'))
        files["m/model.safetensors.index.json"] = ("symlink", "/dev/zero") if how == "index zero" else index_bytes
        return Case(
            "safetensors", f"sharded: {how}", _inspect(source.replace("model.safetensors", victim[2:]), rng), files
        )
    header, data = _layout(tensors)
    raw_values: list[str] = []
    label = ""
    size = data
    if roll < 0.75:  # mutate one tensor entry
        name = rng.choice([t[0] for t in tensors])
        entry = header[name]
        what = rng.choice(("shape", "offset", "dtype", "bytes", "entry"))
        label = f"{what} of {name}"
        if what == "shape":
            entry["shape"][rng.randrange(len(entry["shape"]))] = HOSTILE
            raw_values.append(rng.choice((*HOSTILE_NUMBERS, str(2**47), str(2**40), "[]", '"x"')))
        elif what == "offset":
            entry["data_offsets"][rng.randrange(2)] = HOSTILE
            raw_values.append(rng.choice((*HOSTILE_NUMBERS, str(10**12), str(data + 2))))
        elif what == "dtype":
            entry["dtype"] = rng.choice(("F32", "F8_E4M3", "I64", "Q4", "", "bf16", 7, None))
        elif what == "bytes":
            entry["shape"] = [2**20, 2**20]
            entry["data_offsets"] = [entry["data_offsets"][0], entry["data_offsets"][0] + 2**41]
            size = rng.choice((data, data + 2**41 + 64))
        else:
            header[name] = json.loads(rng.choice(HOSTILE_TYPES))
        label += f" = {raw_values[0][:24]}" if raw_values else ""
    elif roll < 0.85:  # the length prefix
        head = _st_header(header, [])
        length = rng.choice((0, 1, 2**63, 2**64 - 1, 100 * 2**20 + 1, len(head) + 10**9, len(head) - 9))
        files["m/model.safetensors"] = (
            "sparse",
            length.to_bytes(8, "little") + head[8:],
            rng.choice((8, len(head) + data)),
        )
        return Case("safetensors", f"header length {length}", _inspect(source, rng), files)
    elif roll < 0.92:  # the whole header
        how = rng.choice(("deep", "array", "garbage", "truncated", "empty file", "nan"))
        body = {
            "deep": _deep(100_000).encode(),
            "array": b"[1,2,3]",
            "garbage": bytes(rng.randrange(256) for _ in range(64)),
            "truncated": json.dumps(header).encode()[:100],
            "empty file": b"",
            "nan": json.dumps(header).encode().replace(b"[64]", b"[NaN]", 1),
        }[how]
        content = b"" if how == "empty file" else len(body).to_bytes(8, "little") + body
        files["m/model.safetensors"] = ("sparse", content, len(content) + (data if content else 0))
        return Case("safetensors", f"header {how}", _inspect(source, rng), files)
    else:
        label, special = rng.choice(SPECIAL_FILES)
        files["m/model.safetensors"] = special
        return Case("safetensors", f"model.safetensors is {label}", _inspect(source, rng), files)
    head = _st_header(header, raw_values)
    if rng.random() < 0.15:
        size = rng.randrange(size) if size else 0
        label += ", file truncated"
    files["m/model.safetensors"] = ("sparse", head, len(head) + size)
    return Case("safetensors", label, _inspect(source, rng), files)


_GGUF_CACHE: dict[str, bytes] = {}


def _gguf_bytes(mutate: Callable[[Any], None] | None = None, key: str = "base") -> bytes:
    """A small Llama GGUF header (tensor data left as a hole) written with ``gguf.GGUFWriter``."""
    if key in _GGUF_CACHE:
        return _GGUF_CACHE[key]
    import gguf
    import numpy as np

    h, ff, layers, heads, kv = 64, 128, 2, 4, 2
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.gguf"
        writer = gguf.GGUFWriter(str(path), "llama")
        writer.add_name("fuzz llama")
        writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
        writer.add_block_count(layers)
        writer.add_context_length(4096)
        writer.add_embedding_length(h)
        writer.add_feed_forward_length(ff)
        writer.add_head_count(heads)
        writer.add_head_count_kv(kv)
        writer.add_layer_norm_rms_eps(1e-5)
        writer.add_token_list([f"t{i}" for i in range(256)])
        if mutate is not None:
            mutate(writer)
        shapes = [("token_embd.weight", (256, h)), ("output_norm.weight", (h,)), ("output.weight", (256, h))]
        for i in range(layers):
            p = f"blk.{i}."
            shapes += [
                (p + "attn_norm.weight", (h,)),
                (p + "attn_q.weight", (h, h)),
                (p + "attn_k.weight", (h // 2, h)),
                (p + "attn_v.weight", (h // 2, h)),
                (p + "attn_output.weight", (h, h)),
                (p + "ffn_norm.weight", (h,)),
                (p + "ffn_gate.weight", (ff, h)),
                (p + "ffn_up.weight", (ff, h)),
                (p + "ffn_down.weight", (h, ff)),
            ]
        for name, shape in shapes:
            writer.add_tensor_info(name, shape, np.dtype(np.float16), 2 * _prod(shape))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        writer.close()
        raw = path.read_bytes()
    _GGUF_CACHE[key] = raw
    return raw


def _gguf_data_size() -> int:
    h, ff = 64, 128
    per_layer = 2 * (h + h * h + 2 * (h // 2) * h + h * h + h + 3 * ff * h)
    return 2 * (256 * h * 2 + h) + 2 * per_layer + 32 * 40


WRONG_METADATA: tuple[tuple[str, str, Any], ...] = (
    ("llama.block_count", "string", "sixteen"),
    ("llama.block_count", "float32", float("nan")),
    ("llama.block_count", "float32", float("inf")),
    ("llama.block_count", "uint64", 2**63),
    ("llama.block_count", "uint64", 2**64 - 1),
    ("llama.block_count", "uint32", 0),
    ("llama.block_count", "array", [1, 2, 3]),
    ("llama.block_count", "bool", True),
    ("llama.attention.head_count", "uint32", 0),
    ("llama.attention.head_count", "array", [4, 0]),
    ("llama.attention.head_count", "array", [4] * 5000),
    ("llama.attention.head_count", "string", "4"),
    ("llama.attention.head_count_kv", "uint32", 0),
    ("llama.attention.head_count_kv", "float32", -1.0),
    ("llama.embedding_length", "uint64", 10**15),
    ("llama.embedding_length", "int32", -64),
    ("llama.embedding_length", "float32", 1e30),
    ("llama.feed_forward_length", "array", ["x"]),
    ("llama.feed_forward_length", "uint32", 0),
    ("llama.context_length", "uint64", 2**62),
    ("llama.context_length", "float64", float("inf")),
    ("llama.context_length", "string", ""),
    ("llama.expert_count", "uint32", 2**31),
    ("llama.expert_used_count", "uint32", 9),
    ("llama.expert_count", "string", "8"),
    ("llama.attention.key_length", "uint32", 0),
    ("llama.attention.sliding_window", "float32", float("nan")),
    ("general.architecture", "uint32", 7),
    ("general.architecture", "string", "qwen3moe"),
    ("general.architecture", "string", "deepseek2"),
    ("general.architecture", "string", "zzz"),
    ("general.file_type", "string", "Q4"),
    ("general.file_type", "uint32", 2**31),
    ("general.name", "array", [1]),
    ("tokenizer.ggml.tokens", "uint32", 5),
    ("tokenizer.ggml.tokens", "string", "abc"),
)


def _add(writer: Any, key: str, kind: str, value: Any) -> None:
    import gguf

    if key in writer.kv_data[0]:
        del writer.kv_data[0][key]
    if kind == "array":
        writer.add_array(key, value)
    elif kind == "bool":
        writer.add_bool(key, value)
    else:
        vtype = {
            "string": gguf.GGUFValueType.STRING,
            "float32": gguf.GGUFValueType.FLOAT32,
            "float64": gguf.GGUFValueType.FLOAT64,
            "uint64": gguf.GGUFValueType.UINT64,
            "uint32": gguf.GGUFValueType.UINT32,
            "int32": gguf.GGUFValueType.INT32,
        }[kind]
        writer.add_key_value(key, value, vtype)


def gguf_case(rng: random.Random) -> Case:
    """A GGUFWriter file, byte-mutated or written with metadata of the wrong type or value."""
    roll = rng.random()
    data = _gguf_data_size()
    name = rng.choice(("m.gguf", "m-Q4_K_M.gguf"))
    if roll < 0.35:
        key, kind, value = rng.choice(WRONG_METADATA)
        raw = _gguf_bytes(lambda w: _add(w, key, kind, value), f"{key}:{kind}:{value!r}")
        label = f"{key} as {kind} {value!r}"[:80]
    elif roll < 0.42:
        label, special = rng.choice(SPECIAL_FILES)
        return Case("gguf", f"GGUF is {label}", _inspect("{dir}/" + name, rng), {name: special})
    elif roll < 0.44:  # header bombs: many strings, many kept array items, a long array to skip
        how = rng.choice(("strings", "strings over", "kept", "long array"))
        count = {"strings": 2**21 - 300, "strings over": 2**21 + 1, "kept": 400, "long array": 2**24}[how]
        etype, item = {"strings": (8, b"\0" * 8), "strings over": (8, b""), "kept": (4, b""), "long array": (10, b"")}[
            how
        ]
        key = b"tokenizer.ggml.merges"
        raw = b"GGUF" + struct.pack("<IQQ", 3, 0, 1 if how != "kept" else count)
        if how == "kept":
            for i in range(count):
                k = f"k{i}".encode()
                raw += struct.pack("<Q", len(k)) + k + struct.pack("<IIQ", 9, 4, 4000) + b"\0" * 16000
        else:
            raw += struct.pack("<Q", len(key)) + key + struct.pack("<IIQ", 9, etype, count) + item * count
        size = len(raw) + (8 * count if how == "long array" else 0)
        return Case("gguf", f"header bomb: {how}", _inspect("{dir}/" + name, rng), {name: ("sparse", raw, size)})
    elif roll < 0.5:  # a split set with a part missing
        raw = _gguf_bytes()
        files = {f"m-0000{i}-of-00003.gguf": ("sparse", raw, len(raw) + data) for i in (1, 3)}
        return Case("gguf", "split GGUF missing a part", _inspect("{dir}/m-00001-of-00003.gguf", rng), files)
    else:
        raw = bytearray(_gguf_bytes())
        how = rng.choice(("flip", "u64", "u64", "truncate", "dims"))
        if how == "flip":
            for _ in range(rng.randint(1, 20)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
        elif how == "u64":
            at = rng.randrange(4, len(raw) - 8)
            value = rng.choice((2**63, 2**64 - 1, 2**48, 2**32, 10**12, 0))
            raw[at : at + 8] = struct.pack("<Q", value)
            how += f"@{at}={value}"
        elif how == "truncate":
            raw = raw[: rng.randrange(len(raw))]
            data = 0
        else:  # a tensor dimension made huge, found by its name
            found = list(re.finditer(rb"(ffn_up|token_embd)\.weight", raw))
            at = rng.choice(found).end()
            value = rng.choice((2**47, 2**40, 2**32 + 1, 2**63))
            raw[at + 4 : at + 12] = struct.pack("<Q", value)
            how += f"={value}"
        raw = bytearray(raw)
        label = f"bytes {how}"
        return Case("gguf", label, _inspect("{dir}/" + name, rng), {name: ("sparse", bytes(raw), len(raw) + data)})
    return Case("gguf", label, _inspect("{dir}/" + name, rng), {name: ("sparse", raw, len(raw) + data)})


HOSTILE_INTS = (
    "0",
    "-1",
    "1e30",
    str(2**63),
    "1" + "0" * 400,
    "nan",
    "inf",
    "32k",
    "1" * 5000,
    "",
    " 7",
    "0x10",
    "4096",
    "1",
    "2",
    "64",
    "131072",
    "8192",
)
HOSTILE_GPUS = (
    "mem=80GiB",
    "mem=1e400GiB",
    "mem=nanGiB",
    "mem=infGiB",
    "mem=0GiB",
    "mem=-1GiB",
    "mem=24GiB,bw=1e100GB/s",
    "mem=24GiB,bw=1e100GB/s,fp16=1e100TFLOPS",
    "mem=24GiB,bw=1e-100GB/s,fp16=1e-100TFLOPS",
    "mem=1e30GiB,bw=1008GB/s",
    "mem=1e-30GiB,bw=1008GB/s",
    "mem=24GiB,bw=0GB/s",
    "mem=24GiB,fp16=0TFLOPS",
    "mem=24GiB,cc=nan",
    "mem=24GiB,cc=1e400",
    "mem=24GiB,ib=1e400Gb/s",
    "mem=24GiB,ib=0Gb/s",
    "mem=24GiB,int8=1e100TOPS",
    "mem=24GiB,fp8=1e100TFLOPS,bw=1008GB/s",
    "mem=24GiB,name=" + "x" * 5000,
    "mem=24GiB,bw=1" + "0" * 100 + "GB/s",
    "mem=24GiB,bw=1008GB/s,fp16=1" + "0" * 100 + "TFLOPS",
    "mem=24GiB,bw=9" * 1 + "9" * 400 + "GB/s",
    "mem=1" + "0" * 100 + "GiB,bw=1008GB/s",
    "mem=24GiB,bw=0.0000000000000000000001GB/s,fp16=0.00000000000001TFLOPS",
    "mem=24GiB,bw=1008GB/s,fp8=1" + "0" * 100 + "TFLOPS",
    "2x8xh100-sxm,ib=1" + "0" * 100 + "Gb/s",
    "1000000xh100-sxm",
    "0xh100-sxm",
    "2x8xh100-sxm",
    "1024x64xh100-sxm",
    "99999999999999999999xh100-sxm",
    "h100-sxm,ib=1e400Gb/s",
    "nosuchgpu",
    "",
    ",,,",
    "mem=",
    "=",
    "mem=24GiB,mem=48GiB",
)
HOSTILE_SOURCES = (
    "",
    " ",
    "x" * 5000,
    "../",
    "/",
    "/dev/zero",
    "/dev/urandom",
    "/dev/null",
    "owner/name",
    "a/b@c:Q4_K_M",
    "a/b:../../etc",
    "\u00e9\u00e8/\u4e2d",
    "-",
    "llama-3.2-1b",
    "qwen3-30b-a3b",
    "deepseek-v3",
    "gpt2",
    "LLAMA-3.2-1B",
    "lama-3.2-1b",
)


def cli_case(rng: random.Random) -> Case:
    """``--gpu``, ``--context``, ``--batch`` and SOURCE strings, hostile or not."""
    source = rng.choice(HOSTILE_SOURCES) if rng.random() < 0.4 else rng.choice(BASE_PRESETS)
    argv = ["inspect", source]
    if rng.random() < 0.6:
        argv.append("--json")
    labels = [f"SOURCE={source[:20]!r}"]
    options = (
        ("--gpu", HOSTILE_GPUS + GPUS),
        ("--context", HOSTILE_INTS),
        ("--batch", HOSTILE_INTS),
        ("--output-tokens", HOSTILE_INTS),
        ("--max-num-batched-tokens", HOSTILE_INTS),
        ("--tp", HOSTILE_INTS),
        ("--pp", HOSTILE_INTS),
        ("--precision", ("auto", "q4_k_m", "fp8", "nope", "")),
        ("--runtime", ("llama.cpp@b99999999999999999999", "vllm@", "vllm@0.0", "sglang", "x", "llama.cpp@b5500")),
        ("--kv-dtype", ("fp8", "q4_0", "zzz")),
    )
    for flag, values in rng.sample(options, rng.randint(1, 4)):
        value = rng.choice(values)
        argv += [flag, value]
        labels.append(f"{flag} {value[:24]}")
    if "--gpu" not in argv and rng.random() < 0.7:
        argv += ["--gpu", rng.choice(GPUS)]
    if rng.random() < 0.05:
        argv = [source]
    return Case("cli", " ".join(labels), argv)


def _saved_record(preset_id: str) -> dict[str, Any]:
    from paramtui.engine.adapters.sources import load_preset
    from paramtui.engine.record import architecture_to_dict
    from paramtui.presets import get_preset

    return architecture_to_dict(load_preset(get_preset(preset_id)).result.architecture)


_RECORDS: dict[str, dict[str, Any]] = {}


def record_case(rng: random.Random) -> Case:
    """A saved model (``paramtui_architecture``) with one to three fields mutated."""
    preset = rng.choice(BASE_PRESETS)
    if preset not in _RECORDS:
        _RECORDS[preset] = _saved_record(preset)
    doc = copy.deepcopy(_RECORDS[preset])
    arch = doc["architecture"]
    raw_values: list[str] = []
    labels = []
    roll = rng.random()
    if roll < 0.05:
        doc[rng.choice(("paramtui_architecture", "architecture"))] = HOSTILE
        raw_values.append(_hostile_value(rng))
        labels.append(f"top-level = {raw_values[0][:24]}")
    elif roll < 0.1:
        label, special = rng.choice(SPECIAL_FILES)
        return Case("record", f"saved model is {label}", _inspect("{dir}/saved.json", rng), {"saved.json": special})
    else:
        for _ in range(rng.choice((1, 1, 2, 3))):
            section = arch
            nested = [k for k in ("moe", "mla", "linear_attention", "ssm") if isinstance(arch.get(k), dict)]
            if nested and rng.random() < 0.4:
                section = arch[rng.choice(nested)]
            key = rng.choice(list(section))
            if rng.random() < 0.15 and key in ("layer_types", "dense_layers", "no_ffn_layers"):
                section[key] = [rng.choice((0, 1, "full", "sliding"))] * rng.choice((10**5, 3))
                labels.append(f"{key} long list")
                continue
            section[key] = HOSTILE
            raw_values.append(_hostile_value(rng))
            labels.append(f"{key}={raw_values[-1][:24]}")
    content = _dump(doc, raw_values) if raw_values else json.dumps(doc).encode()
    return Case("record", ", ".join(labels), _inspect("{dir}/saved.json", rng), {"saved.json": content})


GENERATORS: dict[str, Callable[[random.Random], Case]] = {
    "config": config_case,
    "safetensors": safetensors_case,
    "gguf": gguf_case,
    "cli": cli_case,
    "record": record_case,
}


def cases(count: int, seed: int, families: tuple[str, ...] = FAMILIES) -> Iterator[Case]:
    """``count`` cases spread evenly over ``families``, the same for the same seed."""
    for i in range(count):
        family = families[i % len(families)]
        rng = random.Random(f"{seed}:{i}")
        yield GENERATORS[family](rng)


NON_FINITE = re.compile(r"(?<![A-Za-z])(nan|inf|infinity)(?![A-Za-z])", re.IGNORECASE)
"""NaN or infinity as a word in text output (Python and JSON spellings)."""


def non_finite(stdout: str, as_json: bool) -> bool:
    """Whether output holds a non-finite number (JSON's NaN/Infinity, or 'nan'/'inf' in text)."""
    if as_json:

        def refuse(_: str) -> Any:
            raise ValueError

        try:
            json.loads(stdout, parse_constant=refuse)
        except ValueError:
            return True
        return False
    return bool(NON_FINITE.search(stdout))


def classify(rc: int | None, stdout: str, stderr: str, argv: list[str]) -> str:
    """ok, one-line error, traceback, hang, memory or non-finite, from how a run ended."""
    if rc is None:
        return "hang"
    if "MemoryError" in stderr or rc in (-9, -11, -6):
        return "memory"
    if "Traceback" in stderr or rc not in (0, 2):
        return "traceback"
    if rc == 2:
        lines = [line for line in stderr.splitlines() if line.strip()]
        return "one-line error" if len(lines) == 1 and not stdout.strip() else "traceback"
    if non_finite(stdout, "--json" in argv and argv[:1] == ["inspect"]):
        return "non-finite"
    return "ok"


def run_in_process(case: Case, root: Path) -> tuple[str, str, str]:
    """Run a case through the CLI's ``main`` in this process; (outcome, stdout, stderr)."""
    import contextlib
    import traceback

    from paramtui.tui.cli import main

    argv = materialize(case, root)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc: int | None = main(argv)
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # a traceback is the finding
        err.write(traceback.format_exc())
        rc = 1
    return classify(rc, out.getvalue(), err.getvalue(), argv), out.getvalue(), err.getvalue()


__all__ = [
    "FAMILIES",
    "Case",
    "cases",
    "classify",
    "materialize",
    "non_finite",
    "run_in_process",
]
