"""presets/data/op_latency.json: per-operation decode latencies distilled from NVIDIA AIConfigurator.

The file is data the engine may read (issue 16): these tests check that it ships with the package,
keeps its attribution, holds only finite positive numbers, names real GPU presets, and obeys
physics that does not depend on AIConfigurator: nothing reads memory faster than the datasheet
bandwidth, an all-reduce of more bytes takes no less time, and NVLink caps its bus bandwidth.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import pytest

from paramtui.presets import gpu_presets

BYTES_PER_WEIGHT = {"bf16": 2.0, "fp8": 1.0, "fp8_block": 1.0, "nvfp4": 0.5, "int4_wo": 0.5, "int8_wo": 1.0}
"""Lower bounds of bytes per weight (scales left out), for the roofline checks."""

H100_NVLINK_PER_DIRECTION = 450e9
"""NVIDIA H100 SXM datasheet: NVLink 900 GB/s total, so 450 GB/s each way per GPU.
https://www.nvidia.com/en-us/data-center/h100/"""


@cache
def _doc() -> dict[str, Any]:
    text = resources.files("paramtui.presets").joinpath("data").joinpath("op_latency.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def _numbers(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _numbers(v, f"{path}[{i}]")
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield path, node


def _backends() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for gpu, system in _doc()["systems"].items():
        for backend, section in system["backends"].items():
            yield gpu, backend, section


def test_ships_as_package_data_small_and_attributed() -> None:
    raw = resources.files("paramtui.presets").joinpath("data").joinpath("op_latency.json").read_bytes()
    assert len(raw) < 150 * 1024
    src = _doc()["source"]
    assert src["package"] == "aiconfigurator-core"
    assert src["version"] == "0.12.0"
    assert src["license"] == "Apache-2.0"
    assert src["repository"] == "https://github.com/ai-dynamo/aiconfigurator"
    assert src["extracted"] == "2026-12-01"
    assert len(src["method"]) > 200
    assert src["paths"]
    for p in src["paths"]:
        assert re.fullmatch(r"[a-z0-9_]+/[a-z_]+/[a-z]+/[0-9a-z.]+/[a-z0-9_]+\.parquet", p), p


def test_every_number_is_finite_and_positive() -> None:
    found = list(_numbers(_doc()))
    assert len(found) > 1000
    bad = [(p, v) for p, v in found if not (math.isfinite(v) and v > 0)]
    assert not bad


def test_gpu_ids_are_presets_and_bandwidth_is_the_presets() -> None:
    presets = gpu_presets()
    systems = _doc()["systems"]
    assert {"h100-sxm", "h200", "b200", "a100-sxm-80gb", "l40s", "rtx-pro-6000"} <= set(systems)
    for gpu, system in systems.items():
        assert gpu in presets
        assert system["datasheet_bw_bytes_per_s"] == pytest.approx(presets[gpu].bandwidth_bytes_per_s)


def test_vllm_and_sglang_have_each_op_on_the_hopper_and_blackwell_parts() -> None:
    systems = _doc()["systems"]
    for gpu in ("h100-sxm", "h200", "b200"):
        for backend in ("vllm", "sglang"):
            section = systems[gpu]["backends"][backend]
            assert {"gemm", "allreduce", "attention_decode", "moe"} <= set(section), (gpu, backend)
            assert "bf16" in section["gemm"]


def test_gemm_floor_and_bandwidth_share_are_physical() -> None:
    m_list = _doc()["gemm_m"]
    for gpu, backend, section in _backends():
        bw = _doc()["systems"][gpu]["datasheet_bw_bytes_per_s"]
        for dtype, g in section.get("gemm", {}).items():
            assert 2.0 <= g["floor_us"] <= 50.0, (gpu, backend, dtype)
            assert len(g["floor_by_m_us"]) == len(m_list)
            assert all(2.0 <= f <= 50.0 for f in g["floor_by_m_us"]), (gpu, backend, dtype)
            assert 0.3 <= g["bw_eff"] <= 1.0, (gpu, backend, dtype)
            assert g["add_bw_eff"] <= 1.0, (gpu, backend, dtype)
            for s in g["samples"]:
                assert len(s["us"]) == len(m_list)
                # No GEMM beats the floor by much, nor reads its weights faster than the datasheet allows.
                roofline_us = s["n"] * s["k"] * BYTES_PER_WEIGHT.get(dtype, 0.5) / bw * 1e6
                for us, floor in zip(s["us"], g["floor_by_m_us"], strict=True):
                    assert us >= 0.7 * floor, (gpu, backend, dtype, s["n"], s["k"])
                    if s["n"] * s["k"] * BYTES_PER_WEIGHT.get(dtype, 0.5) >= 256 * 2**20:
                        assert us >= roofline_us, (gpu, backend, dtype, s["n"], s["k"])


def test_vllm_block_fp8_rows_are_flagged_and_left_out() -> None:
    """The issue's warning: vLLM fp8 block-GEMM rows at batch 1 are 10-40x SGLang's."""
    doc = _doc()
    for gpu in ("h100-sxm", "h200", "b200"):
        assert "fp8_block" not in doc["systems"][gpu]["backends"]["vllm"]["gemm"]
        assert "fp8_block" in doc["systems"][gpu]["backends"]["sglang"]["gemm"]
        assert any(a.startswith(f"{gpu}/vllm/gemm/fp8_block") and "dropped" in a for a in doc["anomalies"])
    assert "fp8_block" in doc["source"]["method"]


def test_allreduce_rises_with_message_size() -> None:
    for gpu, backend, section in _backends():
        ar = section.get("allreduce")
        if not ar:
            continue
        sizes = ar["message_bytes"]
        assert sizes[0] == 1024
        assert sizes[-1] == 64 * 2**20
        assert sizes == sorted(sizes)
        for tp, t in ar["tp"].items():
            us = t["us"]
            assert len(us) == len(sizes)
            assert all(a <= b for a, b in itertools.pairwise(us)), (gpu, backend, tp)
            assert us[-1] > 3 * us[0], (gpu, backend, tp)
            assert 1.0 <= t["alpha_us"] <= 40.0, (gpu, backend, tp)


def test_nvlink_allreduce_bus_bandwidth_under_the_datasheet() -> None:
    """Ring all-reduce moves 2(n-1)/n of the message over each GPU's links (nccl-tests' busbw)."""
    for backend, section in _doc()["systems"]["h100-sxm"]["backends"].items():
        ar = section["allreduce"]
        for tp, t in ar["tp"].items():
            n = int(tp)
            busbw = 2 * (n - 1) / n * ar["message_bytes"][-1] / (t["us"][-1] * 1e-6)
            assert busbw <= 1.1 * H100_NVLINK_PER_DIRECTION, (backend, tp)
            # Small messages are latency-bound: a few microseconds on NVLink, not tens.
            assert t["us"][0] < 10.0, (backend, tp)


def test_decode_attention_grows_with_context_and_respects_bandwidth() -> None:
    for gpu, backend, section in _backends():
        for key in ("attention_decode", "mla_decode", "mla_module_decode"):
            for row in section.get(key, []):
                assert row["ctx"] == sorted(row["ctx"])
                assert len(row["ctx"]) == len(row["us"]) >= 5
                assert row["us"][-1] > row["floor_us"], (gpu, backend, key, row)
                assert row["kv_bw_eff_at_max_ctx"] <= 1.0, (gpu, backend, key, row)
                assert 2.0 <= row["floor_us"] <= 1000.0


def test_moe_bandwidth_share_at_most_one_and_deepseek_present() -> None:
    for gpu, backend, section in _backends():
        for row in section.get("moe", []):
            assert row["tokens"][0] == 1
            assert row["tokens"] == sorted(row["tokens"])
            assert len(row["tokens"]) == len(row["us"]) == len(row["bw_eff"])
            assert max(row["bw_eff"]) <= 1.0, (gpu, backend, row["model"])
    h100 = _doc()["systems"]["h100-sxm"]["backends"]
    for backend in ("vllm", "sglang"):
        rows = [r for r in h100[backend]["moe"] if r["model"] == "deepseek-v3" and r["dtype"] == "fp8_block"]
        assert {(r["tp"], r["ep"]) for r in rows} >= {(8, 1), (1, 8)}
