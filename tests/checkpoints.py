"""Checkpoints generated at test time: real tensor names and shapes, sparse (all-zero) data.

The tensor lists follow the names and shapes that transformers' ``save_pretrained`` writes for
each architecture (LlamaForCausalLM, Qwen3MoeForCausalLM, DeepseekV3ForCausalLM with its FP8
block scales and MTP layer, GptOssForCausalLM with fused MXFP4 experts), written here from the
published configs, independently of the engine's own tensor inventory. Files are written
sparse: the header is real, the data section is a hole of the right length.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

BITS = {"F32": 32, "BF16": 16, "F16": 16, "F8_E4M3": 8, "U8": 8, "I32": 32}

Tensor = tuple[str, str, tuple[int, ...]]
"""(name, safetensors dtype, shape)."""


def nbytes(dtype: str, shape: tuple[int, ...]) -> int:
    return math.prod(shape) * BITS[dtype] // 8


def llama(cfg: Mapping[str, Any], dtype: str = "BF16") -> Iterator[Tensor]:
    """LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM (biases when attention_bias or qwen2)."""
    h, v, inter = cfg["hidden_size"], cfg["vocab_size"], cfg["intermediate_size"]
    heads, kv = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
    hd = cfg.get("head_dim") or h // heads
    bias = cfg.get("attention_bias", False) or cfg.get("model_type") == "qwen2"
    yield "model.embed_tokens.weight", dtype, (v, h)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        for proj, rows in (("q", heads * hd), ("k", kv * hd), ("v", kv * hd)):
            yield f"{p}self_attn.{proj}_proj.weight", dtype, (rows, h)
            if bias:
                yield f"{p}self_attn.{proj}_proj.bias", dtype, (rows,)
        yield f"{p}self_attn.o_proj.weight", dtype, (h, heads * hd)
        yield f"{p}mlp.gate_proj.weight", dtype, (inter, h)
        yield f"{p}mlp.up_proj.weight", dtype, (inter, h)
        yield f"{p}mlp.down_proj.weight", dtype, (h, inter)
        yield f"{p}input_layernorm.weight", dtype, (h,)
        yield f"{p}post_attention_layernorm.weight", dtype, (h,)
    yield "model.norm.weight", dtype, (h,)
    if not cfg.get("tie_word_embeddings", False):
        yield "lm_head.weight", dtype, (v, h)


def qwen3_moe(cfg: Mapping[str, Any]) -> Iterator[Tensor]:
    """Qwen3MoeForCausalLM: per-expert tensors ``mlp.experts.N.*``, q/k norms."""
    h, v = cfg["hidden_size"], cfg["vocab_size"]
    heads, kv, hd = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    e, inter = cfg["num_experts"], cfg["moe_intermediate_size"]
    yield "model.embed_tokens.weight", "BF16", (v, h)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        yield f"{p}self_attn.q_proj.weight", "BF16", (heads * hd, h)
        yield f"{p}self_attn.k_proj.weight", "BF16", (kv * hd, h)
        yield f"{p}self_attn.v_proj.weight", "BF16", (kv * hd, h)
        yield f"{p}self_attn.o_proj.weight", "BF16", (h, heads * hd)
        yield f"{p}self_attn.q_norm.weight", "BF16", (hd,)
        yield f"{p}self_attn.k_norm.weight", "BF16", (hd,)
        yield f"{p}mlp.gate.weight", "BF16", (e, h)
        for x in range(e):
            yield f"{p}mlp.experts.{x}.gate_proj.weight", "BF16", (inter, h)
            yield f"{p}mlp.experts.{x}.up_proj.weight", "BF16", (inter, h)
            yield f"{p}mlp.experts.{x}.down_proj.weight", "BF16", (h, inter)
        yield f"{p}input_layernorm.weight", "BF16", (h,)
        yield f"{p}post_attention_layernorm.weight", "BF16", (h,)
    yield "model.norm.weight", "BF16", (h,)
    yield "lm_head.weight", "BF16", (v, h)


def _fp8(name: str, rows: int, cols: int) -> Iterator[Tensor]:
    """An FP8 weight with its 128x128-block fp32 inverse scales (DeepSeek-V3's layout)."""
    yield name, "F8_E4M3", (rows, cols)
    yield f"{name}_scale_inv", "F32", (math.ceil(rows / 128), math.ceil(cols / 128))


def _deepseek_layer(cfg: Mapping[str, Any], p: str, moe: bool) -> Iterator[Tensor]:
    h, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    qk = cfg["qk_nope_head_dim"] + cfg["qk_rope_head_dim"]
    yield from _fp8(f"{p}self_attn.q_a_proj.weight", cfg["q_lora_rank"], h)
    yield f"{p}self_attn.q_a_layernorm.weight", "BF16", (cfg["q_lora_rank"],)
    yield from _fp8(f"{p}self_attn.q_b_proj.weight", heads * qk, cfg["q_lora_rank"])
    yield from _fp8(f"{p}self_attn.kv_a_proj_with_mqa.weight", cfg["kv_lora_rank"] + cfg["qk_rope_head_dim"], h)
    yield f"{p}self_attn.kv_a_layernorm.weight", "BF16", (cfg["kv_lora_rank"],)
    kv_b = heads * (cfg["qk_nope_head_dim"] + cfg["v_head_dim"])
    yield from _fp8(f"{p}self_attn.kv_b_proj.weight", kv_b, cfg["kv_lora_rank"])
    yield from _fp8(f"{p}self_attn.o_proj.weight", h, heads * cfg["v_head_dim"])
    if not moe:
        inter = cfg["intermediate_size"]
        yield from _fp8(f"{p}mlp.gate_proj.weight", inter, h)
        yield from _fp8(f"{p}mlp.up_proj.weight", inter, h)
        yield from _fp8(f"{p}mlp.down_proj.weight", h, inter)
    else:
        e, inter = cfg["n_routed_experts"], cfg["moe_intermediate_size"]
        yield f"{p}mlp.gate.weight", "BF16", (e, h)
        yield f"{p}mlp.gate.e_score_correction_bias", "F32", (e,)
        for x in range(e):
            yield from _fp8(f"{p}mlp.experts.{x}.gate_proj.weight", inter, h)
            yield from _fp8(f"{p}mlp.experts.{x}.up_proj.weight", inter, h)
            yield from _fp8(f"{p}mlp.experts.{x}.down_proj.weight", h, inter)
        shared = inter * cfg["n_shared_experts"]
        yield from _fp8(f"{p}mlp.shared_experts.gate_proj.weight", shared, h)
        yield from _fp8(f"{p}mlp.shared_experts.up_proj.weight", shared, h)
        yield from _fp8(f"{p}mlp.shared_experts.down_proj.weight", h, shared)
    yield f"{p}input_layernorm.weight", "BF16", (h,)
    yield f"{p}post_attention_layernorm.weight", "BF16", (h,)


def deepseek_v3(cfg: Mapping[str, Any]) -> Iterator[Tensor]:
    """DeepseekV3ForCausalLM as published: FP8 linear layers with scales, MTP module as layer 61."""
    h, v, n = cfg["hidden_size"], cfg["vocab_size"], cfg["num_hidden_layers"]
    yield "model.embed_tokens.weight", "BF16", (v, h)
    for i in range(n):
        yield from _deepseek_layer(cfg, f"model.layers.{i}.", i >= cfg["first_k_dense_replace"])
    for i in range(n, n + cfg.get("num_nextn_predict_layers", 0)):
        p = f"model.layers.{i}."
        yield f"{p}embed_tokens.weight", "BF16", (v, h)
        yield f"{p}enorm.weight", "BF16", (h,)
        yield f"{p}hnorm.weight", "BF16", (h,)
        yield f"{p}eh_proj.weight", "BF16", (h, 2 * h)
        yield f"{p}shared_head.norm.weight", "BF16", (h,)
        yield f"{p}shared_head.head.weight", "BF16", (v, h)
        yield from _deepseek_layer(cfg, p, True)
    yield "model.norm.weight", "BF16", (h,)
    yield "lm_head.weight", "BF16", (v, h)


def gpt_oss(cfg: Mapping[str, Any]) -> Iterator[Tensor]:
    """GptOssForCausalLM as published: fused MXFP4 experts (``_blocks`` + ``_scales``), bf16 elsewhere."""
    h, v, heads, kv, hd = (
        cfg["hidden_size"],
        cfg["vocab_size"],
        cfg["num_attention_heads"],
        cfg["num_key_value_heads"],
        cfg["head_dim"],
    )
    e, inter = cfg["num_local_experts"], cfg["intermediate_size"]
    yield "model.embed_tokens.weight", "BF16", (v, h)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        for proj, rows in (("q", heads * hd), ("k", kv * hd), ("v", kv * hd)):
            yield f"{p}self_attn.{proj}_proj.weight", "BF16", (rows, h)
            yield f"{p}self_attn.{proj}_proj.bias", "BF16", (rows,)
        yield f"{p}self_attn.o_proj.weight", "BF16", (h, heads * hd)
        yield f"{p}self_attn.o_proj.bias", "BF16", (h,)
        yield f"{p}self_attn.sinks", "BF16", (heads,)
        yield f"{p}mlp.router.weight", "BF16", (e, h)
        yield f"{p}mlp.router.bias", "BF16", (e,)
        yield f"{p}mlp.experts.gate_up_proj_blocks", "U8", (e, 2 * inter, h // 32, 16)
        yield f"{p}mlp.experts.gate_up_proj_scales", "U8", (e, 2 * inter, h // 32)
        yield f"{p}mlp.experts.gate_up_proj_bias", "BF16", (e, 2 * inter)
        yield f"{p}mlp.experts.down_proj_blocks", "U8", (e, h, inter // 32, 16)
        yield f"{p}mlp.experts.down_proj_scales", "U8", (e, h, inter // 32)
        yield f"{p}mlp.experts.down_proj_bias", "BF16", (e, h)
        yield f"{p}input_layernorm.weight", "BF16", (h,)
        yield f"{p}post_attention_layernorm.weight", "BF16", (h,)
    yield "model.norm.weight", "BF16", (h,)
    yield "lm_head.weight", "BF16", (v, h)


def header_bytes(tensors: list[Tensor]) -> bytes:
    """A safetensors header (8-byte length + JSON) for these tensors, data laid out in order."""
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, dtype, shape in tensors:
        size = nbytes(dtype, shape)
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # safetensors pads the header to 8 bytes
    return len(raw).to_bytes(8, "little") + raw


def shard(tensors: list[Tensor], count: int) -> list[list[Tensor]]:
    """Split a tensor list into exactly ``count`` shards (``count`` <= tensors), keeping order."""
    n = len(tensors)
    return [tensors[i * n // count : (i + 1) * n // count] for i in range(count)]


def shard_files(tensors: list[Tensor], count: int) -> dict[str, tuple[bytes, int]]:
    """File name -> (header bytes, file size) for a sharded checkpoint, plus its index."""
    parts = shard(tensors, count)
    files: dict[str, tuple[bytes, int]] = {}
    weight_map: dict[str, str] = {}
    total = 0
    for i, part in enumerate(parts, 1):
        name = "model.safetensors" if len(parts) == 1 else f"model-{i:05d}-of-{len(parts):05d}.safetensors"
        head = header_bytes(part)
        data = sum(nbytes(d, s) for _, d, s in part)
        files[name] = (head, len(head) + data)
        total += data
        weight_map.update(dict.fromkeys((t[0] for t in part), name))
    if len(parts) > 1:
        index = json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}).encode()
        files["model.safetensors.index.json"] = (index, len(index))
    return files


def write_sparse(directory: Path, files: Mapping[str, tuple[bytes, int]]) -> None:
    """Write each file's real header and a hole up to its full size."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, (head, size) in files.items():
        with open(directory / name, "wb") as fh:
            fh.write(head)
            fh.truncate(size)


def nemotron_h(cfg: Mapping[str, Any]) -> Iterator[Tensor]:
    """NVIDIA's Nemotron-H checkpoints: ``backbone.`` names, one mixer per block (M Mamba-2, * attention,
    - ReLU² MLP, E MoE with per-expert up/down, a sigmoid router and its correction bias, a shared expert)."""
    h, v = cfg["hidden_size"], cfg["vocab_size"]
    heads, kv, hd = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    mheads, mhd, groups, state = cfg["mamba_num_heads"], cfg["mamba_head_dim"], cfg["n_groups"], cfg["ssm_state_size"]
    inner = mheads * mhd
    conv = inner + 2 * groups * state
    yield "backbone.embeddings.weight", "BF16", (v, h)
    for i, block in enumerate(cfg["hybrid_override_pattern"]):
        p = f"backbone.layers.{i}."
        yield f"{p}norm.weight", "BF16", (h,)
        if block == "M":
            yield f"{p}mixer.in_proj.weight", "BF16", (inner + conv + mheads, h)
            yield f"{p}mixer.conv1d.weight", "BF16", (conv, 1, cfg["conv_kernel"])
            yield f"{p}mixer.conv1d.bias", "BF16", (conv,)
            for name in ("dt_bias", "A_log", "D"):
                yield f"{p}mixer.{name}", "F32", (mheads,)
            yield f"{p}mixer.norm.weight", "BF16", (inner,)
            yield f"{p}mixer.out_proj.weight", "BF16", (h, inner)
        elif block == "*":
            for proj, rows in (("q", heads * hd), ("k", kv * hd), ("v", kv * hd)):
                yield f"{p}mixer.{proj}_proj.weight", "BF16", (rows, h)
            yield f"{p}mixer.o_proj.weight", "BF16", (h, heads * hd)
        elif block == "-":
            yield f"{p}mixer.up_proj.weight", "BF16", (cfg["intermediate_size"], h)
            yield f"{p}mixer.down_proj.weight", "BF16", (h, cfg["intermediate_size"])
        else:
            e, inter, shared = (
                cfg["n_routed_experts"],
                cfg["moe_intermediate_size"],
                cfg["moe_shared_expert_intermediate_size"],
            )
            yield f"{p}mixer.gate.weight", "F32", (e, h)
            yield f"{p}mixer.gate.e_score_correction_bias", "F32", (e,)
            for x in range(e):
                yield f"{p}mixer.experts.{x}.up_proj.weight", "BF16", (inter, h)
                yield f"{p}mixer.experts.{x}.down_proj.weight", "BF16", (h, inter)
            yield f"{p}mixer.shared_experts.up_proj.weight", "BF16", (shared, h)
            yield f"{p}mixer.shared_experts.down_proj.weight", "BF16", (h, shared)
    yield "backbone.norm_f.weight", "BF16", (h,)
    if not cfg.get("tie_word_embeddings", False):
        yield "lm_head.weight", "BF16", (v, h)
