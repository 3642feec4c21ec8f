"""Measure real decode and prefill speed on a GPU with torch + transformers, as a reference by hand.

Not a paramtui dependency: run it only on a machine that has torch and transformers and a GPU,
``python benchmarks/measure_transformers.py PRESET [PRESET ...]``. Each preset's vendored
config.json builds the model with random weights in bf16 directly on the GPU (speed does not depend
on the values), then it times: a 2048-token prefill (batch 1), and greedy decode of 128 tokens after
a 512-token prompt at batch 1 and 8, and after 8192 tokens at batch 1 (no early stop).
``PARAMTUI_GPU_ID`` names the GPU preset for the CSV's gpu column (default: the device name).
Also the GPU's copy bandwidth (1 GiB device-to-device) and bf16 matmul rate (8192^3),
the two ceilings the speed model divides by.
Prints one CSV line per measurement in the columns of ``benchmarks/decode.csv``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import torch
import transformers

NEW_TOKENS = 128
MODELS = Path(__file__).resolve().parent.parent / "presets" / "models"


def _timed(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    """Best wall time of ``fn`` in seconds, synchronised around the GPU work."""
    best = float("inf")
    for _ in range(repeat):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return best


def ceilings() -> None:
    """Device-to-device copy bandwidth (read + write counted) and dense bf16 matmul FLOP/s."""
    src = torch.empty(1 << 30, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    seconds = _timed(lambda: dst.copy_(src), repeat=10)
    print(f"# copy bandwidth: {2 * src.numel() / seconds / 1e12:.3f} TB/s (1 GiB d2d, read+write)")
    a = torch.randn(8192, 8192, dtype=torch.bfloat16, device="cuda")
    b = torch.randn_like(a)
    seconds = _timed(lambda: a @ b, repeat=10)
    print(f"# bf16 matmul: {2 * 8192**3 / seconds / 1e12:.0f} TFLOP/s (8192^3)")


def build(preset: str) -> transformers.PreTrainedModel:
    """The preset's architecture with random bf16 weights, created on the GPU."""
    raw = json.loads((MODELS / f"{preset}.json").read_text())
    raw.pop("paramtui", None)
    raw.pop("quantization_config", None)
    config = transformers.AutoConfig.for_model(**raw)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    return model.eval()


@torch.inference_mode()
def measure(preset: str, gpu: str) -> None:
    """Prefill and decode tokens/s for one preset, printed as decode.csv lines."""
    t0 = time.perf_counter()
    time_model(build(preset), preset, gpu, t0)
    torch.cuda.empty_cache()


def time_model(model: transformers.PreTrainedModel, preset: str, gpu: str, t0: float) -> None:
    """Prefill at 2048 tokens, decode at batch 1 and 8; prints decode.csv lines."""
    params = sum(p.numel() for p in model.parameters())
    print(f"# {preset}: {params / 1e9:.3f}B params built in {time.perf_counter() - t0:.0f} s")
    vocab = model.config.vocab_size
    version = f"transformers {transformers.__version__}, torch {torch.__version__}"
    prompt = torch.randint(0, vocab, (1, 2048), device="cuda")
    seconds = _timed(lambda: model(prompt, use_cache=False), repeat=2)
    print(f"{gpu},{preset},bf16,transformers,{version},2048,1,{2048 / seconds:.0f},measured (prefill),prefill tokens/s")
    for batch, prompt_tokens in ((1, 512), (8, 512), (1, 8192)):
        prompt = torch.randint(0, vocab, (batch, prompt_tokens), device="cuda")
        whole = _timed(lambda p=prompt: _generate(model, p, NEW_TOKENS), repeat=2)
        first = _timed(lambda p=prompt: _generate(model, p, 1), repeat=2)
        tok_s = (NEW_TOKENS - 1) / (whole - first)
        print(
            f"{gpu},{preset},bf16,transformers,{version},{prompt_tokens + NEW_TOKENS // 2},{batch},{tok_s * batch:.1f},"
            f"measured (decode),per-sequence {tok_s:.1f} tok/s"
        )


def _generate(model: transformers.PreTrainedModel, prompt: torch.Tensor, new: int) -> None:
    """Greedy decode of exactly ``new`` tokens (no early stop on a random model's EOS)."""
    model.generate(prompt, max_new_tokens=new, min_new_tokens=new, do_sample=False, pad_token_id=0)


def main() -> None:
    gpu = os.environ.get("PARAMTUI_GPU_ID", torch.cuda.get_device_name(0))
    print(f"# {torch.cuda.get_device_name(0)}; {transformers.__version__=}; {torch.__version__=}")
    ceilings()
    for preset in sys.argv[1:]:
        try:
            measure(preset, gpu)
        except Exception as exc:  # one model failing must not lose the others' numbers
            print(f"# {preset}: failed: {type(exc).__name__}: {exc}")
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
