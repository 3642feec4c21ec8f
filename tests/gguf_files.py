"""GGUF files written at test time: a real header (metadata + tensor table), sparse data.

Written by hand from the GGUF spec (ggml/docs/gguf.md: magic, version, tensor and key counts,
typed key/values, tensor infos, 32-byte alignment) so hostile variants can be made too.
Bytes per block come from ggml's block definitions: Q4_K 144 bytes per 256 weights
(2 fp16 + 12 scale bytes + 128 nibble bytes), Q6_K 210, Q8_0 34 per 32, F32 4, F16 2.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

BLOCK = {"F32": (1, 4), "F16": (1, 2), "Q8_0": (32, 34), "Q4_K": (256, 144), "Q6_K": (256, 210)}
TYPE_ID = {"F32": 0, "F16": 1, "Q8_0": 8, "Q4_K": 12, "Q6_K": 14}
UINT32, INT32, FLOAT32, STRING, ARRAY, UINT64 = 4, 5, 6, 8, 9, 10


def tensor_bytes(dtype: str, dims: Sequence[int]) -> int:
    block, size = BLOCK[dtype]
    n = 1
    for d in dims:
        n *= d
    return n // block * size


def _string(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def _value(vtype: int, value: Any) -> bytes:
    if vtype == STRING:
        return _string(value)
    if vtype == ARRAY:
        etype, items = value
        return struct.pack("<IQ", etype, len(items)) + b"".join(_value(etype, v) for v in items)
    return struct.pack({UINT32: "<I", INT32: "<i", FLOAT32: "<f", UINT64: "<Q"}[vtype], value)


def header(metadata: Sequence[tuple[str, int, Any]], tensors: Sequence[tuple[str, Sequence[int], str]]) -> bytes:
    """The header of a GGUF v3 file, padded to the 32-byte alignment."""
    out = [b"GGUF", struct.pack("<IQQ", 3, len(tensors), len(metadata))]
    for key, vtype, value in metadata:
        out.append(_string(key) + struct.pack("<I", vtype) + _value(vtype, value))
    offset = 0
    for name, dims, dtype in tensors:
        out.append(_string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims))
        out.append(struct.pack("<IQ", TYPE_ID[dtype], offset))
        offset += -(-tensor_bytes(dtype, dims) // 32) * 32
    raw = b"".join(out)
    return raw + b"\0" * (-len(raw) % 32)


def file_size(head: bytes, tensors: Sequence[tuple[str, Sequence[int], str]]) -> int:
    return len(head) + sum(-(-tensor_bytes(d, dims) // 32) * 32 for _, dims, d in tensors)


def _model_meta(arch: str, name: str, ftype: int, dims: dict[str, int]) -> list[tuple[str, int, Any]]:
    """general.* and ``{arch}.*`` keys; ``dims`` maps a key suffix (block_count, ...) to its value."""
    meta: list[tuple[str, int, Any]] = [
        ("general.architecture", STRING, arch),
        ("general.name", STRING, name),
        ("general.file_type", UINT32, ftype),
    ]
    return meta + [(f"{arch}.{key}", UINT32, value) for key, value in dims.items()]


def _attention(p: str, h: int, heads: int, kv: int, hd: int, matrix: str, v_type: str) -> list[Any]:
    """One block's attention norm and q/k/v/output matrices, as llama.cpp names them."""
    return [
        (p + "attn_norm.weight", (h,), "F32"),
        (p + "attn_q.weight", (h, heads * hd), matrix),
        (p + "attn_k.weight", (h, kv * hd), matrix),
        (p + "attn_v.weight", (h, kv * hd), v_type),
        (p + "attn_output.weight", (heads * hd, h), matrix),
    ]


def llama_1b(matrix: str = "Q4_K", vocab: int = 128256) -> tuple[list[tuple[str, int, Any]], list[Any]]:
    """Llama 3.2 1B as llama.cpp's converter writes it (tied embeddings: no output.weight)."""
    h, ff, layers, heads, kv, hd = 2048, 8192, 16, 32, 8, 64
    dims = {
        "block_count": layers,
        "context_length": 131072,
        "embedding_length": h,
        "feed_forward_length": ff,
        "attention.head_count": heads,
        "attention.head_count_kv": kv,
        "attention.key_length": hd,
        "attention.value_length": hd,
        "rope.dimension_count": hd,
    }
    meta = _model_meta("llama", "Llama 3.2 1B Instruct", 15 if matrix == "Q4_K" else 7, dims)
    meta.append(("llama.attention.layer_norm_rms_epsilon", FLOAT32, 1e-5))
    meta.append(("tokenizer.ggml.tokens", ARRAY, (STRING, [f"t{i}" for i in range(vocab)])))
    tensors: list[Any] = [("token_embd.weight", (h, vocab), "Q6_K" if matrix == "Q4_K" else matrix)]
    tensors.append(("rope_freqs.weight", (hd // 2,), "F32"))
    for i in range(layers):
        p = f"blk.{i}."
        tensors += _attention(p, h, heads, kv, hd, matrix, "Q6_K" if matrix == "Q4_K" else matrix)
        tensors += [
            (p + "ffn_norm.weight", (h,), "F32"),
            (p + "ffn_gate.weight", (h, ff), matrix),
            (p + "ffn_up.weight", (h, ff), matrix),
            (p + "ffn_down.weight", (ff, h), "Q6_K" if matrix == "Q4_K" else matrix),
        ]
    tensors.append(("output_norm.weight", (h,), "F32"))
    return meta, tensors


def qwen3_moe_30b(matrix: str = "Q4_K") -> tuple[list[tuple[str, int, Any]], list[Any]]:
    """Qwen3-30B-A3B as llama.cpp's converter writes it: fused experts (``ffn_*_exps``), q/k norms."""
    h, layers, heads, kv, hd, experts, used, ff_exp, vocab = 2048, 48, 32, 4, 128, 128, 8, 768, 151936
    dims = {
        "block_count": layers,
        "context_length": 40960,
        "embedding_length": h,
        "feed_forward_length": 6144,
        "attention.head_count": heads,
        "attention.head_count_kv": kv,
        "attention.key_length": hd,
        "attention.value_length": hd,
        "expert_count": experts,
        "expert_used_count": used,
        "expert_feed_forward_length": ff_exp,
    }
    meta = _model_meta("qwen3moe", "Qwen3 30B A3B", 15, dims)
    meta.append(("tokenizer.ggml.tokens", ARRAY, (STRING, ["t"] * vocab)))
    tensors: list[Any] = [("token_embd.weight", (h, vocab), matrix)]
    for i in range(layers):
        p = f"blk.{i}."
        tensors += _attention(p, h, heads, kv, hd, matrix, "Q6_K")
        tensors += [
            (p + "attn_q_norm.weight", (hd,), "F32"),
            (p + "attn_k_norm.weight", (hd,), "F32"),
            (p + "ffn_norm.weight", (h,), "F32"),
            (p + "ffn_gate_inp.weight", (h, experts), "F32"),
            (p + "ffn_gate_exps.weight", (h, ff_exp, experts), matrix),
            (p + "ffn_up_exps.weight", (h, ff_exp, experts), matrix),
            (p + "ffn_down_exps.weight", (ff_exp, h, experts), "Q8_0"),
        ]
    tensors += [("output_norm.weight", (h,), "F32"), ("output.weight", (h, vocab), "Q6_K")]
    return meta, tensors
