"""Turn AIConfigurator's per-operation tables into the serving model's kernel costs.

Run by ``benchmarks/calibrate.py --write``; reads ``presets/data/op_latency.json`` (distilled from
aiconfigurator-core 0.12.0 by ``benchmarks/distill_aiconfigurator.py``) and returns, per engine
(vLLM, SGLang) and GPU class (ampere, ada, hopper, blackwell, blackwell_rtx), the numbers
``engine/serving.py`` adds up for one decode step:

- ``gemm_floor_s`` / ``gemm_fp8_floor_s``: the latency of a GEMM at M = 1 when its bytes are
  negligible (the intercept of AIConfigurator's "floor + bytes / (bandwidth x share)" fit), 16-bit
  and FP8 weights; ``bandwidth``: that fit's share of the datasheet bandwidth;
- ``attention_floor_s``: the decode attention kernel at a one-token context (GQA rows);
  ``mla_attention_floor_s``: the MLA decode kernel at a one-token context (128 heads, batch 1);
- ``moe_floor_s``: the fused-MoE module at one token, DeepSeek-V3 at tp 8 (its routing over 256
  experts and block-scaled FP8 is the case that matters on multi-GPU servers);
- ``elementwise_s``: AIConfigurator's own constant latency of a memory-bound kernel
  (``mem_empirical_constant_latency_us`` in its system files);
- collectives: the graph-captured custom all-reduce's latency and bus bandwidth by TP size, NVLink
  from the SXM systems, PCIe from the L40S and RTX PRO 6000 servers; between nodes, the systems'
  ``inter_node_bw`` and twice their ``p2p_latency``.

A class with several systems (H100 and H200 are both Hopper) takes the median; a value a backend
lacks falls back to the other backend's value for the same system, and then to Hopper's.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

OP_LATENCY = Path(__file__).parents[1] / "presets" / "data" / "op_latency.json"

SYSTEM_CLASS = {
    "h100-sxm": "hopper",
    "h200": "hopper",
    "b200": "blackwell",
    "a100-sxm-80gb": "ampere",
    "l40s": "ada",
    "rtx-pro-6000": "blackwell_rtx",
}
"""paramtui GPU preset id -> the serving model's GPU class (engine.serving.gpu_class)."""

PCIE_SYSTEMS = ("l40s", "rtx-pro-6000")
NVLINK_SYSTEMS = ("h100-sxm", "h200", "b200", "a100-sxm-80gb")
US = 1e-6


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _gemm(backend: dict[str, Any], dtypes: tuple[str, ...]) -> tuple[float | None, float | None]:
    """(floor us, bandwidth share) of the first dtype present, additive fit preferred."""
    gemm = backend.get("gemm", {})
    for dtype in dtypes:
        if dtype in gemm:
            row = gemm[dtype]
            return row.get("add_us", row.get("floor_us")), row.get("add_bw_eff", row.get("bw_eff"))
    return None, None


def _attention_floor(backend: dict[str, Any]) -> float | None:
    rows = [r for r in backend.get("attention_decode", []) if r.get("batch") == 1]
    return _median(r.get("floor_us") for r in rows)


def _mla_floor(backend: dict[str, Any]) -> float | None:
    rows = [r for r in backend.get("mla_decode", []) if r.get("batch") == 1]
    return _median(r.get("floor_us") for r in rows)


MOE_EXPERTS = {"deepseek-v3": 256, "qwen3-235b-a22b": 128, "qwen3-30b-a3b": 128, "gpt-oss-120b": 128}
"""Routed experts of the models AIConfigurator times its fused-MoE module on."""


def _moe_floor(backend: dict[str, Any], experts: int) -> float | None:
    """Median module floor at tp 8 (no expert parallelism) over the models with ``experts`` experts."""
    rows = [
        r
        for r in backend.get("moe", [])
        if MOE_EXPERTS.get(r.get("model", "")) == experts and r.get("ep") == 1 and r.get("tp") == 8
    ]
    return _median(r.get("floor_us") for r in rows)


def _system_values(system: dict[str, Any], runtime: str) -> dict[str, float | None]:
    backends = system["backends"]
    own = backends.get(runtime, {})
    other = backends.get("sglang" if runtime == "vllm" else "vllm", {})

    def pick(fn: Any) -> Any:
        value = fn(own)
        return value if value is not None else fn(other)

    bf16_floor, bf16_bw = pick(lambda b: _gemm(b, ("bf16",)) if _gemm(b, ("bf16",))[0] is not None else None) or (
        None,
        None,
    )
    # the lower of the two engines' FP8 floors: some vLLM FP8 rows at M = 1 are several times
    # SGLang's for the same shapes (a tuning gap AIConfigurator measured, not the GPU's floor)
    fp8_floors = [v for v in (_gemm(own, ("fp8_block", "fp8"))[0], _gemm(other, ("fp8_block", "fp8"))[0]) if v]
    fp8_floor = min(fp8_floors) if fp8_floors else None
    return {
        "gemm_floor_s": bf16_floor,
        "gemm_fp8_floor_s": fp8_floor,
        "bandwidth": bf16_bw,
        "attention_floor_s": pick(_attention_floor),
        "mla_attention_floor_s": pick(_mla_floor),
        "moe_floor_s": pick(lambda b: _moe_floor(b, 128)),
        "moe_floor_256_s": pick(lambda b: _moe_floor(b, 256)),
        "elementwise_s": system.get("aic_spec", {}).get("mem_empirical_constant_latency_us"),
    }


def kernel_table(data: dict[str, Any], runtime: str) -> dict[str, dict[str, Any]]:
    """Kernel costs by GPU class for one engine, in seconds (bandwidth as a share)."""
    by_class: dict[str, list[dict[str, float | None]]] = {}
    for system_id, system in data["systems"].items():
        cls = SYSTEM_CLASS.get(system_id)
        if cls is not None:
            by_class.setdefault(cls, []).append(_system_values(system, runtime))
    table: dict[str, dict[str, Any]] = {}
    for cls, rows in by_class.items():
        table[cls] = {key: _median(r[key] for r in rows) for key in rows[0]}
    hopper = table["hopper"]
    for values in table.values():
        for key, value in values.items():
            if value is None:
                values[key] = hopper[key]
    for values in table.values():
        # the module's floor grows with the experts it routes over (top-k, alignment, per-expert
        # bookkeeping): 128-expert models (Qwen3, gpt-oss) against DeepSeek-V3's 256
        floor_256 = values.pop("moe_floor_256_s")
        values["moe_floor_per_expert_s"] = max(0.0, (floor_256 - values["moe_floor_s"]) / 128)
    for cls, values in table.items():
        systems = sorted(s for s, c in SYSTEM_CLASS.items() if c == cls)
        values["source"] = (
            f"AIConfigurator 0.12.0 {runtime} tables, {', '.join(systems)} (presets/data/op_latency.json)"
        )
    table["default"] = {**hopper, "source": "no measurement for this GPU: Hopper's (H100/H200) values"}
    for values in table.values():
        for key in list(values):
            if key.endswith("_s"):
                values[key] = round(values[key] * US, 9)
            elif key == "bandwidth":
                values[key] = round(values[key], 3)
    return table


def _allreduce(system: dict[str, Any], runtime: str) -> dict[str, tuple[float, float]]:
    backends = system["backends"]
    table = (backends.get(runtime) or {}).get("allreduce") or (backends.get("sglang") or {}).get("allreduce") or {}
    return {n: (row["alpha_us"], row["beta_bytes_per_s"]) for n, row in table.get("tp", {}).items()}


def collective_table(data: dict[str, Any], runtime: str) -> dict[str, dict[str, dict[str, float]]]:
    """All-reduce latency and bus bandwidth by link and GPU count for one engine."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for link, systems in (("nvlink", NVLINK_SYSTEMS), ("pcie", PCIE_SYSTEMS)):
        per_count: dict[str, list[tuple[float, float]]] = {}
        for system_id in systems:
            if system_id in data["systems"]:
                for n, value in _allreduce(data["systems"][system_id], runtime).items():
                    per_count.setdefault(n, []).append(value)
        out[link] = {
            n: {
                "alpha_s": round(statistics.median(a for a, _ in values) * US, 9),
                "bytes_per_s": round(statistics.median(b for _, b in values), -6),
            }
            for n, values in sorted(per_count.items(), key=lambda kv: int(kv[0]))
        }
    specs = [s.get("aic_spec", {}) for s in data["systems"].values()]
    p2p = statistics.median(s["p2p_latency_us"] for s in specs if "p2p_latency_us" in s)
    inter = statistics.median(s["inter_node_bw_bytes_per_s"] for s in specs if "inter_node_bw_bytes_per_s" in s)
    # across nodes NCCL does the whole all-reduce: its 8-GPU latency in a node plus a round trip
    # over the fabric (twice the systems' p2p latency), bytes at the per-GPU inter-node bandwidth
    nccl8 = _median(
        s.get("nccl", {}).get("all_reduce", {}).get("8", {}).get("alpha_us") for s in data["systems"].values()
    )
    alpha = (nccl8 or 0.0) + 2 * p2p
    out["ib"] = {str(n): {"alpha_s": round(alpha * US, 9), "bytes_per_s": float(inter)} for n in (2, 4, 8)}
    return out


def serving_tables(path: Path = OP_LATENCY) -> dict[str, dict[str, Any]]:
    """``{runtime: {"kernels": ..., "collectives": ...}}`` for vLLM and SGLang."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        rt: {"kernels": kernel_table(data, rt), "collectives": collective_table(data, rt)} for rt in ("vllm", "sglang")
    }


if __name__ == "__main__":
    print(json.dumps(serving_tables(), indent=1))
