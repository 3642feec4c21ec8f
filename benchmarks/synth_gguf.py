"""Write a GGUF with a preset's exact tensor layout and filler weights, to time llama.cpp on a GPU.

Decode speed depends on the bytes each token reads and the kernels that read them, not on the
weight values, so a file with the real tensor names, shapes and GGML types of a model runs as fast
as the published one. That lets ``llama-bench`` measure MoE models on a machine that cannot
download them: ``python benchmarks/synth_gguf.py PRESET QUANT OUT.gguf`` (QUANT: q4_k_m, q8_0 or
mxfp4_moe), then ``llama-bench -m OUT.gguf -ngl 99``. Needs only numpy and the ``gguf`` package
(llama.cpp's gguf-py), so it runs on a bare GPU machine without paramtui installed.

Types follow llama.cpp's quantizer (``llama_tensor_get_type`` in src/llama-quant.cpp): Q4_K_M
keeps the output head at Q6_K and gives Q6_K to attn_v and ffn_down in the "more bits" layers; with
8 experts attn_k/attn_v go to Q8_0 and attn_output to Q5_K; MXFP4_MOE puts routed experts in MXFP4
and the other matrices in Q8_0. Norms, routers and biases stay F32. Block bytes carry finite
scales (d = 2^-10, MXFP4 exponent 2^0) and random quants; routers get random normal rows so tokens
route to different experts, as in a trained model. No tokenizer: ``tokenizer.ggml.model = none``
with ``vocab_size`` dummy tokens, which llama-bench accepts (it feeds random token ids).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import GGUFWriter

FILE_TYPE = {"q8_0": 7, "q4_k_m": 15, "mxfp4_moe": 38}
"""llama_ftype values (include/llama.h) for general.file_type."""
MODELS = Path(__file__).resolve().parent.parent / "presets" / "models"

# (weights per block, bytes per block) from ggml's type traits (ggml/src/ggml.c)
BLOCK = {T.Q4_K: (256, 144), T.Q5_K: (256, 176), T.Q6_K: (256, 210), T.Q8_0: (32, 34), T.MXFP4: (32, 17)}
# byte offsets of each block's f16 scale fields (ggml-common.h block_q4_K / q5_K / q6_K / q8_0)
F16_SCALES = {T.Q4_K: (0, 2), T.Q5_K: (0, 2), T.Q6_K: (208,), T.Q8_0: (0,)}
ARCH = {"llama": "llama", "mistral": "llama", "mixtral": "llama", "qwen2": "qwen2", "qwen3": "qwen3",
        "qwen3_moe": "qwen3moe", "qwen2_moe": "qwen2moe", "olmoe": "olmoe", "gpt_oss": "gpt-oss"}  # fmt: skip


@dataclass(frozen=True)
class Tensor:
    """One GGUF tensor: name, GGML ne (innermost first), llama.cpp tensor class, layer."""

    name: str
    ne: tuple[int, ...]
    cls: str
    layer: int = -1
    routed: bool = False


def more_bits(i: int, n: int) -> bool:
    """llama.cpp's use_more_bits: first and last eighth of the layers, and every third between."""
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def ggml_type(t: Tensor, quant: str, n_layers: int, n_expert: int, tied: bool) -> T:
    """The type llama.cpp's quantizer gives this tensor for QUANT (see the module docstring)."""
    if len(t.ne) == 1 or t.cls in ("router", "vector"):
        return T.F32
    if quant == "q8_0":
        return T.Q8_0
    if quant == "mxfp4_moe":
        return T.MXFP4 if t.routed else T.Q8_0
    if t.cls == "output" or (t.cls == "token_embd" and tied):  # a tied table is quantized as the head
        return T.Q6_K
    if t.cls == "attn_v":
        return T.Q8_0 if n_expert == 8 else (T.Q6_K if more_bits(t.layer, n_layers) else T.Q4_K)
    if t.cls == "attn_k" and n_expert == 8:
        return T.Q8_0
    if t.cls == "attn_output" and n_expert == 8:
        return T.Q5_K
    if t.cls == "ffn_down" and more_bits(t.layer, n_layers):
        return T.Q6_K
    return T.Q4_K


def num_experts(cfg: dict) -> int:  # type: ignore[type-arg]
    """Routed experts per MoE layer (Mixtral's and Qwen's key names), 0 for a dense model."""
    return int(cfg.get("num_local_experts") or cfg.get("num_experts") or 0)


def head_dim(cfg: dict) -> int:  # type: ignore[type-arg]
    """The config's head_dim, or hidden size over heads when it has none."""
    return int(cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"])


def tensors(cfg: dict, arch: str) -> list[Tensor]:  # type: ignore[type-arg]
    """Every tensor llama.cpp's loader expects for this architecture (src/models/<arch>.cpp)."""
    d, n_layers, vocab = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["vocab_size"]
    heads, kv = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
    hd, n_exp = head_dim(cfg), num_experts(cfg)
    ff_exp = cfg.get("moe_intermediate_size") or cfg["intermediate_size"]
    out = [Tensor("token_embd.weight", (d, vocab), "token_embd"), Tensor("output_norm.weight", (d,), "vector")]
    if not cfg.get("tie_word_embeddings"):
        out.append(Tensor("output.weight", (d, vocab), "output"))
    bias = arch in ("qwen2", "qwen2moe", "gpt-oss")
    for i in range(n_layers):
        b = f"blk.{i}."
        out += [
            Tensor(b + "attn_norm.weight", (d,), "vector", i),
            Tensor(b + "attn_q.weight", (d, heads * hd), "attn_q", i),
            Tensor(b + "attn_k.weight", (d, kv * hd), "attn_k", i),
            Tensor(b + "attn_v.weight", (d, kv * hd), "attn_v", i),
            Tensor(b + "attn_output.weight", (heads * hd, d), "attn_output", i),
        ]
        if bias:
            out += [
                Tensor(b + f"attn_{x}.bias", (n * hd,), "vector", i) for x, n in (("q", heads), ("k", kv), ("v", kv))
            ]
        if arch in ("qwen3", "qwen3moe", "olmoe"):
            q_norm = heads * hd if arch == "olmoe" else hd
            k_norm = kv * hd if arch == "olmoe" else hd
            out += [Tensor(b + "attn_q_norm.weight", (q_norm,), "vector", i)]
            out += [Tensor(b + "attn_k_norm.weight", (k_norm,), "vector", i)]
        if arch == "gpt-oss":
            out += [
                Tensor(b + "post_attention_norm.weight", (d,), "vector", i),
                Tensor(b + "attn_sinks.weight", (heads,), "vector", i),
                Tensor(b + "attn_output.bias", (d,), "vector", i),
                Tensor(b + "ffn_gate_inp.bias", (n_exp,), "vector", i),
                Tensor(b + "ffn_gate_exps.bias", (ff_exp, n_exp), "vector", i),
                Tensor(b + "ffn_up_exps.bias", (ff_exp, n_exp), "vector", i),
                Tensor(b + "ffn_down_exps.bias", (d, n_exp), "vector", i),
            ]
        else:
            out.append(Tensor(b + "ffn_norm.weight", (d,), "vector", i))
        if not n_exp:
            ff = cfg["intermediate_size"]
            out += [
                Tensor(b + "ffn_gate.weight", (d, ff), "ffn_gate", i),
                Tensor(b + "ffn_up.weight", (d, ff), "ffn_up", i),
                Tensor(b + "ffn_down.weight", (ff, d), "ffn_down", i),
            ]
            continue
        out += [
            Tensor(b + "ffn_gate_inp.weight", (d, n_exp), "router", i),
            Tensor(b + "ffn_gate_exps.weight", (d, ff_exp, n_exp), "ffn_gate", i, routed=True),
            Tensor(b + "ffn_up_exps.weight", (d, ff_exp, n_exp), "ffn_up", i, routed=True),
            Tensor(b + "ffn_down_exps.weight", (ff_exp, d, n_exp), "ffn_down", i, routed=True),
        ]
        if cfg.get("shared_expert_intermediate_size"):
            ff_sh = cfg["shared_expert_intermediate_size"]
            out += [
                Tensor(b + "ffn_gate_inp_shexp.weight", (d,), "vector", i),
                Tensor(b + "ffn_gate_shexp.weight", (d, ff_sh), "ffn_gate", i),
                Tensor(b + "ffn_up_shexp.weight", (d, ff_sh), "ffn_up", i),
                Tensor(b + "ffn_down_shexp.weight", (ff_sh, d), "ffn_down", i),
            ]
    return out


def metadata(w: GGUFWriter, cfg: dict, arch: str) -> None:  # type: ignore[type-arg]
    """The hyperparameters llama.cpp reads for this architecture."""
    heads, hd, n_exp = cfg["num_attention_heads"], head_dim(cfg), num_experts(cfg)
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(heads)
    w.add_head_count_kv(cfg.get("num_key_value_heads", heads))
    w.add_key_length(hd)
    w.add_value_length(hd)
    w.add_rope_dimension_count(hd)
    w.add_rope_freq_base(float(cfg.get("rope_theta", 10000.0)))
    w.add_layer_norm_rms_eps(float(cfg["rms_norm_eps"]))
    w.add_vocab_size(cfg["vocab_size"])
    w.add_tokenizer_model("none")
    if n_exp:
        w.add_expert_count(n_exp)
        w.add_expert_used_count(cfg.get("num_experts_per_tok") or cfg["experts_per_token"])
        w.add_expert_feed_forward_length(cfg.get("moe_intermediate_size") or cfg["intermediate_size"])
    if cfg.get("shared_expert_intermediate_size"):
        w.add_expert_shared_feed_forward_length(cfg["shared_expert_intermediate_size"])
    if arch == "gpt-oss":
        w.add_sliding_window(cfg["sliding_window"])


def filler(qtype: T, nbytes: int, rng: np.random.Generator) -> np.ndarray:  # type: ignore[type-arg]
    """``nbytes`` of valid blocks: random quants, finite scales, tiled from a 4 MiB template."""
    if qtype == T.F32:
        return rng.standard_normal(nbytes // 4, dtype=np.float32) * np.float32(0.02)
    size = BLOCK[qtype][1]
    template = rng.integers(0, 256, size=(4 << 20) // size * size, dtype=np.uint8).reshape(-1, size)
    for offset in F16_SCALES.get(qtype, ()):
        template[:, offset : offset + 2] = np.frombuffer(np.float16(2**-10).tobytes(), dtype=np.uint8)
    if qtype == T.MXFP4:
        template[:, 0] = 127  # E8M0 exponent: 2^0
    flat = template.reshape(-1)
    return np.resize(flat, nbytes)


def nbytes(t: Tensor, qtype: T) -> int:
    """Bytes of the tensor in this type."""
    elements = int(np.prod(t.ne))
    if qtype == T.F32:
        return 4 * elements
    weights, size = BLOCK[qtype]
    assert t.ne[0] % weights == 0, (t.name, t.ne, qtype)
    return elements // weights * size


def write(preset: str, quant: str, path: Path) -> int:
    """Write the file; returns its size in bytes."""
    cfg = json.loads((MODELS / f"{preset}.json").read_text())
    arch = ARCH[cfg["model_type"]]
    tied = bool(cfg.get("tie_word_embeddings"))
    plan = [(t, ggml_type(t, quant, cfg["num_hidden_layers"], num_experts(cfg), tied)) for t in tensors(cfg, arch)]
    w = GGUFWriter(path, arch)
    metadata(w, cfg, arch)
    w.add_file_type(FILE_TYPE[quant])
    w.add_name(f"{preset} (synthetic {quant}, paramtui benchmarks/synth_gguf.py)")
    for t, qtype in plan:
        size = nbytes(t, qtype)
        shape = tuple(reversed(t.ne))
        if qtype == T.F32:
            w.add_tensor_info(t.name, shape, np.dtype(np.float32), size, raw_dtype=qtype)
        else:  # gguf-py takes a quantized tensor's shape in bytes per row
            weights, block = BLOCK[qtype]
            w.add_tensor_info(t.name, (*shape[:-1], shape[-1] // weights * block), np.dtype(np.uint8), size, qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    rng = np.random.default_rng(0)
    for t, qtype in plan:
        data = filler(qtype, nbytes(t, qtype), rng)
        if t.cls == "vector" and t.name.endswith("norm.weight"):
            data[:] = 1.0
        w.write_tensor_data(data)
    w.close()
    return path.stat().st_size


def main() -> int:
    """CLI: PRESET QUANT OUT."""
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    size = write(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
    print(f"{sys.argv[3]}: {size:,} bytes ({size / 2**30:.2f} GiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
