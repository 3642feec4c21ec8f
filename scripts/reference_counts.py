"""Regenerate the reference parameter counts that tests/test_golden_counts.py pins.

Why: paramtui's engine must count exactly what the reference implementation builds. This
script builds every preset with transformers' own modeling code on the meta device (no
weights are allocated) and counts ``parameters()``; active = total minus routed experts x
(1 - k/E). It needs torch (CPU) and transformers, installed by hand; neither is a dependency
of paramtui or of CI.

    python -m venv /tmp/ref && /tmp/ref/bin/pip install torch==2.13.0 transformers==5.23.0
    /tmp/ref/bin/python scripts/reference_counts.py presets/models > tests/data/reference_counts.json
    /tmp/ref/bin/python scripts/reference_counts.py tests/data/vl_configs --vision > tests/data/vl_reference_counts.json
    /tmp/ref/bin/python scripts/reference_counts.py tests/data/current_configs --vision > tests/data/current_reference_counts.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForImageTextToText

# Routed-expert tensors: per-expert modules (experts.N.) or fused expert tensors (experts.gate_up_proj).
ROUTED = re.compile(r"\.experts\.")


def text_config(raw: dict) -> dict:
    """Return the text part of a multimodal config, as the importer does."""
    return raw["text_config"] if "text_config" in raw else raw


def build_config(raw: dict):
    cfg = {k: v for k, v in text_config(raw).items() if k != "paramtui"}
    model_type = cfg["model_type"]
    if model_type == "kimi_k2":  # Kimi K2 reuses DeepSeek-V3's modeling code.
        model_type = "deepseek_v3"
    if model_type in ("RefinedWebModel", "RefinedWeb"):
        # Falcon's old config form. transformers 4.x read n_layer/n_head/n_head_kv through an
        # attribute_map that 5.x dropped, and "RefinedWeb" (40B) meant the new decoder.
        renames = {"n_layer": "num_hidden_layers", "n_head": "num_attention_heads", "n_head_kv": "num_kv_heads"}
        cfg = {renames.get(k, k): v for k, v in cfg.items()}
        cfg.setdefault("new_decoder_architecture", model_type == "RefinedWeb")
        model_type = "falcon"
    if model_type == "hunyuan" and "HunYuanMoEV1ForCausalLM" in cfg.get("architectures", []):
        # Tencent's remote-code form of Hunyuan-A13B (Tencent-Hunyuan/Hunyuan-A13B models/config.json):
        # its modeling_hunyuan.py builds, with use_cla/use_mla off, the layers transformers' hunyuan_v1_moe
        # builds; it names head_dim attention_head_dim (equal to hidden_size / num_attention_heads there).
        cfg["head_dim"] = cfg.pop("attention_head_dim", None) or cfg["hidden_size"] // cfg["num_attention_heads"]
        model_type = "hunyuan_v1_moe"
    cfg.pop("model_type")
    cfg.pop("quantization_config", None)  # count the architecture, not the quantized loader
    cfg.pop("auto_map", None)
    return AutoConfig.for_model(model_type, **cfg)


# Vision (and audio) tower and projector tensors of the full multimodal model.
VISION = re.compile(
    r"(^|\.)(visual|vision_tower|vision_model|multi_modal_projector|mm_projector|embed_vision|audio_tower)\."
)


def vision_params(raw: dict) -> int:
    """Parameters of the vision tower and projector: the full model built from the outer config."""
    cfg = {k: v for k, v in raw.items() if k not in ("paramtui", "model_type", "quantization_config", "auto_map")}
    config = AutoConfig.for_model(raw["model_type"], **cfg)
    with torch.device("meta"):
        model = AutoModelForImageTextToText.from_config(config)
    return sum(p.numel() for name, p in model.named_parameters() if VISION.search(name))


def text_parameters(raw: dict, config) -> list[tuple[str, int]]:  # noqa: ANN001 - a transformers config
    """(name, numel) of the text model: the causal LM, or the full model's non-vision part for a flat VL config."""
    full = "vision_config" in raw and "text_config" not in raw  # Qwen2.5-VL: text keys at the top level
    if not full:
        try:
            with torch.device("meta"):
                model = AutoModelForCausalLM.from_config(config)
            return [(n, p.numel()) for n, p in model.named_parameters()]
        except ValueError:  # a text config with no causal-LM class of its own (Qwen3-VL): the full model
            if "vision_config" not in raw:
                raise
    cfg = {k: v for k, v in raw.items() if k not in ("paramtui", "model_type", "quantization_config", "auto_map")}
    with torch.device("meta"):
        model = AutoModelForImageTextToText.from_config(AutoConfig.for_model(raw["model_type"], **cfg))
    return [(n, p.numel()) for n, p in model.named_parameters() if not VISION.search(n)]


def count(path: Path) -> dict:
    raw = json.loads(path.read_text())
    config = build_config(raw)
    total = 0
    routed = 0
    for name, numel in text_parameters(raw, config):
        total += numel
        if ROUTED.search(name) and "shared" not in name:
            routed += numel
    experts = (
        getattr(config, "n_routed_experts", None)
        or getattr(config, "num_local_experts", None)
        or getattr(config, "num_experts", None)
        or getattr(config, "moe_num_experts", None)  # ERNIE 4.5
    )
    k = (
        getattr(config, "num_experts_per_tok", None)
        or getattr(config, "experts_per_token", None)
        or getattr(config, "top_k_experts", None)  # Gemma 4
        or getattr(config, "moe_k", None)  # ERNIE 4.5
        or getattr(config, "moe_topk", None)  # Hunyuan
    )
    if isinstance(k, list):  # Hunyuan states one top-k per layer; they are all the same in published configs
        k = k[0]
    ffn = getattr(config, "ffn_config", None)
    if ffn is not None:  # DBRX nests its expert settings
        experts, k = ffn.moe_num_experts, ffn.moe_top_k
    active = total
    if routed and experts and k:
        # exact integer: routed params are E identical experts, k of them active
        assert routed % experts == 0, (path.name, routed, experts)
        active = total - routed + routed // experts * k
    out = {"total": total, "active": active, "routed_experts": routed}
    if "vision_config" in raw and "--vision" in sys.argv:
        out["vision"] = vision_params(raw)
    return out


def main() -> None:
    folder = Path(sys.argv[1])  # --vision after it: also count the vision tower apart ("vision")
    out = {
        "_provenance": (
            f"scripts/reference_counts.py: transformers {transformers.__version__}, torch {torch.__version__}, "
            "AutoModelForCausalLM.from_config on torch.device('meta'), sum of parameters() numel"
        )
    }
    for path in sorted(folder.glob("*.json")):
        try:
            out[path.stem] = count(path)
        except Exception as exc:  # noqa: BLE001 - report and continue: one bad config must not hide others
            out[path.stem] = {"error": f"{type(exc).__name__}: {exc}"}
        print(path.stem, out[path.stem], file=sys.stderr)
    print(json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
