"""How one tensor's weights are stored: bits per block of weights, scales included.

Every encoding is a block of ``block_weights`` values stored in ``block_bits`` bits, so the
scales, zero points and super-block headers of quantized formats are part of the size. The
GGML block sizes are checked against the ``gguf`` package's ``GGML_QUANT_SIZES`` in the tests
(they are kept here as constants because the core must not import a package that loads
numpy at start-up).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Encoding:
    """A storage format for one tensor."""

    name: str
    """Short name (the GGML type name for GGUF types)."""
    block_weights: int
    """Weights per block."""
    block_bits: int
    """Bits one block takes, scales and zero points included."""
    description: str
    """What a block holds, so the size can be traced."""

    @property
    def bits_per_weight(self) -> float:
        """Average bits per weight."""
        return self.block_bits / self.block_weights

    def tensor_bytes(self, elements: int) -> int:
        """Bytes for ``elements`` weights, rounded up to whole blocks."""
        blocks = -(-elements // self.block_weights)
        return -(-blocks * self.block_bits // 8)


def _ggml(name: str, block_weights: int, block_bytes: int, description: str) -> Encoding:
    return Encoding(name, block_weights, block_bytes * 8, description)


# GGML types: (block size, bytes per block) as in ggml/src/ggml-common.h (block_q4_K etc.).
F32 = _ggml("f32", 1, 4, "IEEE float32")
F16 = _ggml("f16", 1, 2, "IEEE float16")
BF16 = _ggml("bf16", 1, 2, "bfloat16")
Q8_0 = _ggml("q8_0", 32, 34, "32 int8 + fp16 scale")
Q6_K = _ggml("q6_k", 256, 210, "256 x 6-bit + 16 int8 sub-scales + fp16 scale")
Q5_K = _ggml("q5_k", 256, 176, "256 x 5-bit + 12 bytes of 6-bit scales/mins + 2 fp16")
Q5_0 = _ggml("q5_0", 32, 22, "32 x 5-bit + fp16 scale")
Q5_1 = _ggml("q5_1", 32, 24, "32 x 5-bit + fp16 scale and min")
Q4_K = _ggml("q4_k", 256, 144, "256 x 4-bit + 12 bytes of 6-bit scales/mins + 2 fp16")
Q4_0 = _ggml("q4_0", 32, 18, "32 x 4-bit + fp16 scale")
Q4_1 = _ggml("q4_1", 32, 20, "32 x 4-bit + fp16 scale and min")
Q3_K = _ggml("q3_k", 256, 110, "256 x 3-bit + 12 bytes of 6-bit scales + fp16")
Q2_K = _ggml("q2_k", 256, 84, "256 x 2-bit + 16 bytes of 4-bit scales/mins + 2 fp16")
IQ4_XS = _ggml("iq4_xs", 256, 136, "256 x 4-bit non-linear + 6-bit sub-scales + fp16")
IQ4_NL = _ggml("iq4_nl", 32, 18, "32 x 4-bit non-linear + fp16 scale")
MXFP4 = _ggml("mxfp4", 32, 17, "OCP MX: 32 x FP4 (E2M1) + one E8M0 scale byte")

# Formats of safetensors checkpoints and serving runtimes.
FP8_BLOCK = Encoding(
    "fp8",
    128 * 128,
    128 * 128 * 8 + 32,
    "FP8 E4M3 with one fp32 scale per 128x128 block (DeepSeek-V3 / vLLM block FP8)",
)
INT8 = Encoding(
    "int8",
    4096,
    4096 * 8 + 16,
    "int8 with an fp16 per-output-channel scale, charged per 4096 weights (one typical row)",
)
INT4_G128 = Encoding(
    "int4",
    128,
    128 * 4 + 16 + 4,
    "AWQ/GPTQ: 128 x 4-bit + fp16 scale + 4-bit zero point per group of 128",
)
NVFP4 = Encoding("nvfp4", 16, 16 * 4 + 8, "NVFP4: 16 x FP4 (E2M1) + one FP8 (E4M3) scale; per-tensor fp32 ignored")

GGML_TYPES: dict[str, Encoding] = {
    e.name: e
    for e in (F32, F16, BF16, Q8_0, Q6_K, Q5_K, Q5_0, Q5_1, Q4_K, Q4_0, Q4_1, Q3_K, Q2_K, IQ4_XS, IQ4_NL, MXFP4)
}
"""GGML tensor types by lower-case name (the test compares them with gguf.GGML_QUANT_SIZES)."""

GGML_FALLBACK: dict[str, Encoding] = {
    "q2_k": Q4_0,
    "q3_k": Q4_0,
    "q4_k": Q5_0,
    "q5_k": Q5_1,
    "q6_k": Q8_0,
    "iq4_xs": IQ4_NL,
}
"""llama.cpp's fallback when a row is not a multiple of 256 (tensor_type_fallback in llama-quant.cpp)."""
