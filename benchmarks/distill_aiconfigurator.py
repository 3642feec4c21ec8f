"""Distil NVIDIA AIConfigurator's measured per-operation latencies into presets/data/op_latency.json.

Why: AIConfigurator (PyPI ``aiconfigurator-core``, Apache-2.0) ships silicon measurements of
vLLM, SGLang and TensorRT-LLM kernels on datacenter GPUs: GEMMs at batch 1, graph-captured
all-reduce by TP size and message size, decode attention and MLA by context, fused MoE. As a
dependency it does not fit (Python 3.11-3.13 only, ~600 MB, changing API), so this script reads
its parquet tables once and keeps a small summary, with attribution, that paramtui's engine can
read: per GPU x runtime x op, a fitted floor and bandwidth share plus a handful of raw points.

Run (pandas, pyarrow, pyyaml are NOT paramtui dependencies; use a scratch venv)::

    python3 -m venv /tmp/aicvenv && /tmp/aicvenv/bin/pip install pandas pyarrow pyyaml
    pip download aiconfigurator-core==0.12.0 --no-deps -d /tmp/aic   # the abi3 manylinux wheel
    unzip -q /tmp/aic/aiconfigurator_core-0.12.0-*.whl -d /tmp/aic/x
    /tmp/aicvenv/bin/python benchmarks/distill_aiconfigurator.py /tmp/aic/x/aiconfigurator_core

It writes presets/data/op_latency.json (``--out`` to change) and prints a summary.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parent.parent
AIC_VERSION = "0.12.0"

SYSTEMS = {
    "h100_sxm": "h100-sxm",
    "h200_sxm": "h200",
    "b200_sxm": "b200",
    "a100_sxm": "a100-sxm-80gb",
    "l40s": "l40s",
    "rtx_pro_6000_server": "rtx-pro-6000",
}
"""AIC system directory -> paramtui GPU preset id. gb200, gb300, b300_sxm and b60 have data but
no paramtui preset; l4, a30, a100_pcie and h100_pcie have no data in this wheel."""

BACKENDS = ("vllm", "sglang", "trtllm")

DTYPE_KEY = {
    "bfloat16": "bf16",
    "fp8": "fp8",
    "fp8_block": "fp8_block",
    "nvfp4": "nvfp4",
    "int4_wo": "int4_wo",
    "int8_wo": "int8_wo",
    "w4a16_mxfp4": "mxfp4_w4a16",
    "w4a8_mxfp4_mxfp8": "mxfp4_w4a8",
}
"""AIC dtype -> our key. ``sq`` (TRT-LLM SmoothQuant int8) and ``w4afp8`` are left out."""

BYTES_PER_WEIGHT = {
    "bf16": 2.0,
    "fp8": 1.0,
    "fp8_block": 1.0 + 4 / (128 * 128),  # one fp32 scale per 128x128 block
    "nvfp4": 0.5 + 1 / 16,  # fp8 scale per 16 values
    "int4_wo": 0.5 + 2 / 128,  # fp16 scale per group of 128 (AWQ/GPTQ layout)
    "int8_wo": 1.0 + 2 / 4096,  # per-channel scale, negligible
    "mxfp4_w4a16": 0.5 + 1 / 32,  # e8m0 scale per 32 values
    "mxfp4_w4a8": 0.5 + 1 / 32,
}

GEMM_M = [1, 2, 4, 8, 16, 32, 64, 128]
GEMM_SHAPES = [(4096, 4096), (7168, 2048), (16384, 7168), (65536, 8192)]
"""(N, K) sample shapes: Llama-8B q/o, DeepSeek-V3 o_proj-like, a large FFN, a 1 GB bf16 weight."""
GEMM_BIG_BYTES = 256 * 2**20
"""Weights at least this large (2x the largest L2 here, 126 MB on B200) measure DRAM reads."""
GEMM_TINY_NK = 1024 * 1024
"""N*K at most this: the weight read takes well under 1 us, so the time is the kernel floor."""

ANOMALY_RATIO = 3.0
ANOMALY_ABS_US = 10.0

AR_BYTES = [1024 * 4**i for i in range(9)]  # 1 KiB .. 64 MiB
AR_KERNEL = {"vllm": "vLLM_custom_graph", "sglang": "SGLang_CustomAllReduce_graph", "trtllm": "TRTLLM"}
AR_EAGER_KERNEL = {"vllm": "vLLM_custom_eager", "sglang": "SGLang_CustomAllReduce_eager"}
"""The same kernel launched outside a CUDA graph (--enforce-eager / --disable-cuda-graph)."""

ATTN_CONFIGS = [(32, 8, 128), (8, 1, 128), (64, 8, 128)]
"""(q heads, kv heads, head_dim) per rank: Llama-3-8B at TP1, Llama-3-70B at TP8, 70B at TP1."""
ATTN_CTX = [1, 128, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072]
ATTN_BATCH = [1, 8]

MLA_HEADS = [128, 16]  # DeepSeek-V3 at TP1 and TP8 (heads per rank)
MLA_KV_LORA, MLA_ROPE = 512, 64  # DeepSeek-V3 latent cache width per token

MOE_SHAPES = {
    "deepseek-v3": (7168, 2048, 256, 8),
    "qwen3-235b-a22b": (4096, 1536, 128, 8),
    "qwen3-30b-a3b": (2048, 768, 128, 8),
    "gpt-oss-120b": (2880, 2880, 128, 4),
}
"""(hidden, moe_intermediate, experts, top-k), as in each model's config.json."""
MOE_TOKENS = [1, 2, 4, 8, 16, 64]
MOE_PARALLEL = [(1, 1), (8, 1), (1, 8)]  # (moe_tp, moe_ep)

A2A_TOKENS = [1, 4, 16, 64, 128]


def sig(x: float, digits: int = 3) -> float:
    """Round to a few significant digits: the tables' run-to-run noise is several percent."""
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.{digits}g}")


def version_key(v: str) -> tuple[Any, ...]:
    """Sort key for '1.3.0rc20', '0.5.6.post2', '0.24.0' (pre-releases before the release)."""
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?(?:\.?(rc|post|dev)(\d+))?", v)
    if not m:
        return (0,)
    major, minor, patch, tag, num = m.groups()
    rank = {"dev": -2, "rc": -1, None: 0, "post": 1}[tag]
    return (int(major), int(minor), int(patch or 0), rank, int(num or 0))


class Wheel:
    """Finds tables in the unpacked wheel the way AIC does: the backend's current version, else
    the newest earlier one (its backward fill)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.systems = root / "systems"
        qv = yaml.safe_load((self.systems / "query_versions.yaml").read_text())
        self.defaults = {k: v["current"] for k, v in qv["defaults"].items()}
        self.overrides = {s: {k: v["current"] for k, v in o.items()} for s, o in qv.get("overrides", {}).items()}
        self.paths: set[str] = set()

    def current(self, system: str, backend: str) -> str:
        return self.overrides.get(system, {}).get(backend, self.defaults[backend])

    def table(self, system: str, op: str, backend: str, filename: str) -> tuple[pd.DataFrame | None, str]:
        base = self.systems / "data" / system / op / backend
        if not base.is_dir():
            return None, ""
        cur = version_key(self.current(system, backend)) if backend in self.defaults else None
        cands = [d for d in base.iterdir() if (d / filename).is_file()]
        if cur is not None:
            cands = [d for d in cands if version_key(d.name) <= cur]
        if not cands:
            return None, ""
        best = max(cands, key=lambda d: version_key(d.name))
        rel = best.relative_to(self.systems / "data") / filename
        self.paths.add(str(rel))
        return pd.read_parquet(best / filename), best.name

    def spec(self, system: str) -> dict[str, Any]:
        return yaml.safe_load((self.systems / f"{system}.yaml").read_text())


def load_gpu_bw() -> dict[str, float]:
    rows = json.loads((REPO / "presets" / "data" / "gpus.json").read_text())["gpus"]
    return {r["id"]: r["bandwidth_gb_per_s"] * 1e9 for r in rows}


# ---------------------------------------------------------------- GEMM


def gemm_best(df: pd.DataFrame) -> pd.DataFrame:
    """Fastest kernel per (dtype, m, n, k): AIC records each kernel the runtime may dispatch to."""
    df = df[df.gemm_dtype.isin(DTYPE_KEY)].copy()
    df["dtype"] = df.gemm_dtype.map(DTYPE_KEY)
    df["us"] = df.latency * 1000.0
    idx = df.groupby(["dtype", "m", "n", "k"]).us.idxmin()
    return df.loc[idx, ["dtype", "m", "n", "k", "us", "kernel_source"]].reset_index(drop=True)


def gemm_section(frames: dict[str, pd.DataFrame], bw: float, anomalies: list[str], gpu: str) -> dict[str, Any]:
    """Per backend x dtype: floor, bandwidth share, additive fit, samples; flagged rows excluded."""
    allb = pd.concat([f.assign(backend=b) for b, f in frames.items()])
    ref = allb.groupby(["dtype", "m", "n", "k"]).us.min().rename("ref")
    out: dict[str, Any] = {}
    for backend, f in frames.items():
        f = f.join(ref, on=["dtype", "m", "n", "k"])
        f = f[f.m <= GEMM_M[-1]]  # decode-sized M only: larger M is compute-bound and kernel choice differs
        bad = (f.us > ANOMALY_RATIO * f.ref) & (f.us - f.ref > ANOMALY_ABS_US)
        sec: dict[str, Any] = {}
        for dtype, g in f.groupby("dtype"):
            gb = bad[g.index]
            small = g[g.m <= 16]
            share_bad = float(gb[small.index].mean()) if len(small) else 0.0
            if gb.any():
                worst = g[gb]
                kern = Counter(worst.kernel_source).most_common(2)
                anomalies.append(
                    f"{gpu}/{backend}/gemm/{dtype}: {int(gb.sum())} of {len(g)} rows at M<={GEMM_M[-1]} > "
                    f"{ANOMALY_RATIO:g}x the fastest "
                    f"runtime on the same shape (median {float((worst.us / worst.ref).median()):.1f}x; kernels "
                    f"{', '.join(k for k, _ in kern)})"
                    + ("; whole dtype dropped" if share_bad > 0.5 else "; those rows dropped")
                )
            if share_bad > 0.5:
                continue
            g = g[~gb]
            m1 = g[g.m == 1]
            bpw = BYTES_PER_WEIGHT[dtype]
            wbytes = m1.n * m1.k * bpw
            tiny = m1[m1.n * m1.k <= GEMM_TINY_NK]
            big = m1[wbytes >= GEMM_BIG_BYTES]
            if len(tiny) < 3 or len(big) < 3:
                continue
            floor = float(tiny.us.median())
            tiny_all = g[g.n * g.k <= GEMM_TINY_NK].groupby("m").us.median()
            floor_by_m = [sig(float(tiny_all[m])) for m in GEMM_M if m in tiny_all.index]
            if len(floor_by_m) != len(GEMM_M):
                continue
            if floor > 2.0 * floor_by_m[1]:
                anomalies.append(
                    f"{gpu}/{backend}/gemm/{dtype}: tiny GEMMs take {floor:.1f} us at M=1 but {floor_by_m[1]} us at "
                    "M=2 (kept as measured; floor_by_m_us shows it)"
                )
            eff = (big.n * big.k * bpw) / (big.us * 1e-6 * bw)
            bw_eff = float(eff.median())
            # Additive form t = floor + bytes / (bw * e_add), e_add from the same large shapes.
            add_eff = float(((big.n * big.k * bpw) / ((big.us - floor) * 1e-6 * bw)).median())
            x = (wbytes / bw * 1e6).to_numpy()  # us at 100% of datasheet bandwidth
            y = m1.us.to_numpy()
            mid = wbytes.to_numpy() >= 4 * 2**20
            err_max = np.abs(np.maximum(floor, x / bw_eff) - y)[mid] / y[mid]
            err_add = np.abs(floor + x / add_eff - y)[mid] / y[mid]
            samples = []
            for n, k in GEMM_SHAPES:
                s = g[(g.n == n) & (g.k == k)].set_index("m").us
                if all(m in s.index for m in GEMM_M):
                    samples.append({"n": n, "k": k, "us": [sig(s[m]) for m in GEMM_M]})
            sec[dtype] = {
                "floor_us": sig(floor),
                "floor_by_m_us": floor_by_m,
                "bw_eff": sig(bw_eff),
                "add_bw_eff": sig(add_eff),
                "max_model_p90_err": sig(float(np.quantile(err_max, 0.9)), 2),
                "add_model_p90_err": sig(float(np.quantile(err_add, 0.9)), 2),
                "kernels": sorted(set(g.kernel_source)),
                "samples": samples,
            }
        if sec:
            out[backend] = sec
    return out


# ---------------------------------------------------------------- all-reduce


def envelope(sizes: np.ndarray, us: np.ndarray) -> np.ndarray:
    """Lower monotone envelope: each point becomes the least time of any larger message. This drops
    one-off spikes (a 38 us point among 3-4 us neighbours) and keeps time rising with size."""
    order = np.argsort(sizes)
    env = np.minimum.accumulate(us[order][::-1])[::-1]
    out = np.empty_like(env)
    out[order] = env
    return out


def alpha_beta(bytes_: np.ndarray, us: np.ndarray) -> tuple[float, float, float]:
    """t = alpha + bytes / beta by least squares on relative error; returns alpha, beta, max error."""
    design = np.stack([np.ones_like(bytes_), bytes_], axis=1) / us[:, None]
    (a, b), *_ = np.linalg.lstsq(design, np.ones_like(us), rcond=None)
    a = max(float(a), 1e-3)
    model = a + bytes_ * b
    return a, 1e6 / float(b), float(np.max(np.abs(model - us) / us))


def ar_table(df: pd.DataFrame, elem_bytes: int = 2) -> dict[str, Any]:
    """Per TP size: table at AR_BYTES and the alpha/beta fit. AIC's message_size counts elements
    (bf16 here), so bytes = 2 x message_size."""
    out: dict[str, Any] = {}
    for tp, g in df.groupby("num_gpus"):
        g = g.groupby("message_size").latency.min()
        sizes = g.index.to_numpy(dtype=float) * elem_bytes
        us = envelope(sizes, g.to_numpy() * 1000.0)
        lookup = dict(zip(sizes, us, strict=True))
        if not all(float(b) in lookup for b in AR_BYTES):
            continue
        table = np.array([lookup[float(b)] for b in AR_BYTES])
        a, beta, err = alpha_beta(np.array(AR_BYTES, dtype=float), table)
        out[str(int(tp))] = {
            "us": [sig(v) for v in table],
            "alpha_us": sig(a),
            "beta_bytes_per_s": sig(beta),
            "fit_max_err": sig(err, 2),
        }
    return out


# ---------------------------------------------------------------- attention


def nearest_step(steps: np.ndarray, ctx: int) -> int | None:
    """AIC's decode step s reads isl + s = s + 1 cached tokens; pick the step closest to ctx - 1."""
    target = ctx - 1
    best = steps[np.argmin(np.abs(steps - target))]
    return int(best) if abs(best - target) <= max(1, 0.02 * target) else None


def ctx_fit(ctx: list[int], us: list[float]) -> tuple[float, float]:
    """floor = least time at <= 128 tokens; slope = least squares over >= 4096 tokens (us per 1k)."""
    c = np.array(ctx, dtype=float)
    t = np.array(us)
    floor = float(t[c <= 128].min()) if (c <= 128).any() else float(t.min())
    big = c >= 4096
    if big.sum() >= 2:
        slope = float(np.polyfit(c[big], t[big], 1)[0]) * 1000.0
    else:
        slope = float((t[-1] - floor) / max(c[-1], 1)) * 1000.0
    return floor, max(slope, 0.0)


def series(
    g: pd.DataFrame, kv_bytes_per_tok: float, batch: int, bw: float, dropped: list[str], label: str
) -> dict[str, Any] | None:
    """Latency by context; a point that reads the KV cache faster than the datasheet bandwidth had it
    in L2 (L40S and RTX PRO 6000 hold 96-128 MB) and is dropped: real decode streams it from DRAM."""
    steps = np.array(sorted(g.step.unique()))
    best = g.groupby("step").latency.min() * 1000.0
    ctx, us, effs = [], [], []
    for c in ATTN_CTX:
        s = nearest_step(steps, c)
        if s is None:
            continue
        u = float(best[s])
        eff = batch * c * kv_bytes_per_tok / (u * 1e-6 * bw)
        if eff > 1.0:
            dropped.append(f"{label} ctx={c} ({eff:.2f}x bw)")
            continue
        ctx.append(c)
        us.append(u)
        effs.append(eff)
    if len(ctx) < 5:
        return None
    floor, slope = ctx_fit(ctx, us)
    return {
        "ctx": ctx,
        "us": [sig(v) for v in us],
        "floor_us": sig(floor),
        "us_per_1k_ctx": sig(slope),
        "kv_bw_eff_at_max_ctx": sig(effs[-1]),
    }


def attention_section(df: pd.DataFrame, bw: float, anomalies: list[str], where: str) -> list[dict[str, Any]]:
    if "window_size" in df:
        df = df[df.window_size == 0]
    df = df[(df.kv_cache_dtype == "bfloat16") & (df.isl == 1)]
    rows = []
    dropped: list[str] = []
    for h, kv, hd in ATTN_CONFIGS:
        for b in ATTN_BATCH:
            g = df[(df.num_heads == h) & (df.num_key_value_heads == kv) & (df.head_dim == hd) & (df.batch_size == b)]
            if g.empty:
                continue
            s = series(g, 2 * kv * hd * 2, b, bw, dropped, f"h{h}/kv{kv} b{b}")
            if s:
                rows.append(
                    {
                        "heads": h,
                        "kv_heads": kv,
                        "head_dim": hd,
                        "batch": b,
                        **s,
                    }
                )
    note_dropped(
        anomalies,
        f"{where}/attention_decode",
        dropped,
        "reading the KV cache faster than the datasheet bandwidth (L2-resident)",
    )
    return rows


def note_dropped(anomalies: list[str], where: str, dropped: list[str], why: str) -> None:
    if dropped:
        anomalies.append(f"{where}: {len(dropped)} points {why}, dropped (e.g. {'; '.join(dropped[:3])})")


def mla_section(df: pd.DataFrame, bw: float, module: bool, anomalies: list[str], where: str) -> list[dict[str, Any]]:
    df = df[df.isl == 1]
    kv = "bfloat16" if (df.kv_cache_dtype == "bfloat16").any() else "fp8"
    df = df[df.kv_cache_dtype == kv]
    if module and "gemm_type" in df:
        df = df[df.gemm_type == ("fp8_block" if (df.gemm_type == "fp8_block").any() else "bfloat16")]
    kv_tok = (MLA_KV_LORA + MLA_ROPE) * (2 if kv == "bfloat16" else 1)
    rows = []
    dropped: list[str] = []
    for h in MLA_HEADS:
        for b in ATTN_BATCH:
            g = df[(df.num_heads == h) & (df.batch_size == b)]
            if "tp_size" in g and not module:
                g = g[g.tp_size == 128 // h]
            if g.empty:
                continue
            s = series(g, kv_tok, b, bw, dropped, f"h{h} b{b}")
            if s:
                row = {"heads": h, "batch": b, "kv_dtype": kv, **s}
                if module and "gemm_type" in g:
                    row["gemm_dtype"] = str(g.gemm_type.iloc[0])
                rows.append(row)
    name = "mla_module_decode" if module else "mla_decode"
    note_dropped(
        anomalies,
        f"{where}/{name}",
        dropped,
        "reading the latent cache faster than the datasheet bandwidth (L2-resident)",
    )
    return rows


# ---------------------------------------------------------------- MoE


def moe_fit(us: list[float], effs: list[float]) -> tuple[float, float]:
    """t = floor + bytes / (bw x e) through the kept points (least squares on relative error), so a
    caller can price any active-expert count. x = t x eff is the time at 100% of datasheet bandwidth."""
    t = np.array(us)
    x = t * np.array(effs)
    design = np.stack([np.ones_like(x), x], axis=1) / t[:, None]
    (a, inv_e), *_ = np.linalg.lstsq(design, np.ones_like(t), rcond=None)
    if a <= 0 or inv_e < 1.0:  # no physical fit: fall back to the 1-token time as a pure floor
        return sig(float(t[0])), sig(float(max(effs)))
    return sig(float(a)), sig(1.0 / float(inv_e))


def moe_section(df: pd.DataFrame, bw: float, anomalies: list[str], where: str) -> list[dict[str, Any]]:
    """Fused MoE per layer at small token counts, balanced routing; bw_eff = active expert weight
    bytes per rank / (time x datasheet bandwidth). A point above the datasheet bandwidth cannot have
    read those weights from DRAM (the layer sat in L2 between repeats, or fewer experts were hit than
    AIC's balanced routing implies), so it is dropped and counted in anomalies."""
    df = df[(df.distribution == "balanced") & df.moe_dtype.isin(DTYPE_KEY)]
    rows = []
    dropped: list[str] = []
    for name, (hid, inter, ne, k) in MOE_SHAPES.items():
        s = df[(df.hidden_size == hid) & (df.inter_size == inter) & (df.num_experts == ne) & (df.topk == k)]
        for (tp, ep), dt in [((tp, ep), dt) for tp, ep in MOE_PARALLEL for dt in sorted(s.moe_dtype.unique())]:
            g = s[(s.moe_tp_size == tp) & (s.moe_ep_size == ep) & (s.moe_dtype == dt)]
            best = g.groupby("num_tokens").latency.min() * 1000.0
            key = DTYPE_KEY[dt]
            toks, us, effs = [], [], []
            for t in MOE_TOKENS:
                if t not in best.index:
                    continue
                u = float(best[t])
                active = min(ne, t * k)
                per_rank = min(ne // ep, math.ceil(active / ep))
                wbytes = per_rank * 3 * hid * inter / tp * BYTES_PER_WEIGHT[key]
                eff = wbytes / (u * 1e-6 * bw)
                if eff > 1.0:
                    dropped.append(f"{name} {key} tp{tp} ep{ep} T={t} ({eff:.2f}x bw)")
                    continue
                toks.append(t)
                us.append(sig(u))
                effs.append(sig(eff))
            if len(toks) < 3 or toks[0] != 1:
                continue
            kern = g[g.num_tokens == 1].sort_values("latency").kernel_source.iloc[0]
            floor_us, add_eff = moe_fit(us, effs)
            rows.append(
                {
                    "model": name,
                    "dtype": key,
                    "tp": tp,
                    "ep": ep,
                    "tokens": toks,
                    "us": us,
                    "bw_eff": effs,
                    "floor_us": floor_us,
                    "add_bw_eff": add_eff,
                    "kernel_at_1": kern,
                }
            )
    note_dropped(
        anomalies,
        f"{where}/moe",
        dropped,
        "faster than the datasheet bandwidth allows for the expert weights balanced routing touches",
    )
    return rows


# ---------------------------------------------------------------- EP all-to-all


def a2a_section(w: Wheel, system: str) -> list[dict[str, Any]]:
    rows = []
    df, ver = w.table(system, "comm", "sglang", "wideep_deepep_ll_perf.parquet")
    if df is not None:
        g = df[(df.node_num == 1) & (df.hidden_size == 7168) & (df.num_topk == 8) & (df.num_experts == 256)]
        g = g.set_index("num_token")
        if all(t in g.index for t in A2A_TOKENS):
            rows.append(
                {
                    "backend": "sglang",
                    "version": ver,
                    "kind": "deepep_low_latency",
                    "ep": 8,
                    "shape": "deepseek-v3 (hidden 7168, 256 experts, top-8), bf16 dispatch",
                    "tokens": A2A_TOKENS,
                    "dispatch_us": [sig(float(g.dispatch_avg_t_us[t])) for t in A2A_TOKENS],
                    "combine_us": [sig(float(g.combine_avg_t_us[t])) for t in A2A_TOKENS],
                }
            )
    df, ver = w.table(system, "comm", "vllm", "moe_a2a_perf.parquet")
    if df is not None:
        g = df[
            (df.comm_backend == "deepep_ll")
            & (df.ep_size == 8)
            & (df.node_num == 1)
            & (df.hidden_size == 7168)
            & (df.topk == 8)
            & (df.num_experts == 256)
        ]
        d = g[g.phase == "dispatch"].groupby("num_tokens").latency.min()
        c = g[g.phase == "combine"].groupby("num_tokens").latency.min()
        toks = [t for t in A2A_TOKENS if t in d.index and t in c.index]
        if len(toks) >= 3:
            rows.append(
                {
                    "backend": "vllm",
                    "version": ver,
                    "kind": "deepep_low_latency",
                    "ep": 8,
                    "shape": "deepseek-v3 (hidden 7168, 256 experts, top-8)",
                    "tokens": toks,
                    "dispatch_us": [sig(float(d[t])) for t in toks],
                    "combine_us": [sig(float(c[t])) for t in toks],
                }
            )
    return rows


# ---------------------------------------------------------------- driver


def nccl_section(w: Wheel, system: str, spec: dict[str, Any]) -> dict[str, Any]:
    base = w.systems / "data" / system / "comm" / "nccl"
    if not base.is_dir():
        return {}
    want = str((spec.get("misc") or {}).get("nccl_version", ""))
    versions = sorted((d.name for d in base.iterdir() if (d / "nccl_perf.parquet").is_file()), key=version_key)
    if not versions:
        return {}
    ver = want if want in versions else versions[-1]
    w.paths.add(str((base / ver / "nccl_perf.parquet").relative_to(w.systems / "data")))
    df = pd.read_parquet(base / ver / "nccl_perf.parquet")
    df = df[df.nccl_dtype == "half"]
    out: dict[str, Any] = {"version": ver}
    for op in ("all_reduce", "alltoall"):
        t = ar_table(df[df.op_name == op])
        if t:
            out[op] = t
    return out


def build(root: Path) -> tuple[dict[str, Any], list[str]]:
    w = Wheel(root)
    gpu_bw = load_gpu_bw()
    anomalies: list[str] = []
    systems: dict[str, Any] = {}
    for system, gpu in SYSTEMS.items():
        bw = gpu_bw[gpu]
        spec = w.spec(system)
        node = spec.get("node", {})
        sysout: dict[str, Any] = {
            "aic_system": system,
            "datasheet_bw_bytes_per_s": bw,
            "aic_spec": {
                "mem_bw_bytes_per_s": spec["gpu"]["mem_bw"],
                "mem_bw_empirical_scaling_factor": spec["gpu"].get("mem_bw_empirical_scaling_factor"),
                "mem_empirical_constant_latency_us": sig(spec["gpu"].get("mem_empirical_constant_latency", 0) * 1e6),
                "intra_node_bw_bytes_per_s": node.get("intra_node_bw"),
                "inter_node_bw_bytes_per_s": node.get("inter_node_bw"),
                "p2p_latency_us": sig(node.get("p2p_latency", 0) * 1e6),
                "gpus_per_node": node.get("num_gpus_per_node"),
            },
            "backends": {},
        }
        gemm_frames: dict[str, pd.DataFrame] = {}
        versions: dict[str, dict[str, str]] = {b: {} for b in BACKENDS}
        for b in BACKENDS:
            df, ver = w.table(system, "gemm", b, "gemm_perf.parquet")
            if df is not None:
                gemm_frames[b] = gemm_best(df)
                versions[b]["gemm"] = ver
        gemm = gemm_section(gemm_frames, bw, anomalies, gpu)
        for b in BACKENDS:
            be: dict[str, Any] = {}
            if b in gemm:
                be["gemm"] = gemm[b]
            df, ver = w.table(system, "comm", b, "custom_allreduce_perf.parquet")
            if df is not None:
                for key, kernel in (("allreduce", AR_KERNEL[b]), ("allreduce_eager", AR_EAGER_KERNEL.get(b))):
                    sub = df[df.kernel_source == kernel]
                    t = ar_table(sub) if not sub.empty else {}
                    if t and key == "allreduce_eager":  # the fit alone: the table would double the size
                        t = {tp: {k: v for k, v in row.items() if k != "us"} for tp, row in t.items()}
                    if t:
                        be[key] = {"kernel": kernel, "tp": t}
                        if key == "allreduce":
                            be[key]["message_bytes"] = AR_BYTES
                        versions[b]["allreduce"] = ver
            if b == "trtllm":  # TRT-LLM: GEMM and all-reduce only, to keep the file small
                if be:
                    be["versions"] = versions[b]
                    sysout["backends"][b] = be
                continue
            df, ver = w.table(system, "attention", b, "generation_attention_perf.parquet")
            if df is not None:
                rows = attention_section(df, bw, anomalies, f"{gpu}/{b}")
                if rows:
                    be["attention_decode"] = rows
                    be["attention_kernels"] = sorted(set(df.kernel_source))
                    versions[b]["attention_decode"] = ver
            for fname, module in (("generation_mla_perf.parquet", False), ("mla_generation_module_perf.parquet", True)):
                df, ver = w.table(system, "mla", b, fname)
                if df is not None:
                    rows = mla_section(df, bw, module, anomalies, f"{gpu}/{b}")
                    if rows:
                        be["mla_module_decode" if module else "mla_decode"] = rows
                        be["mla_kernels"] = sorted(set(df.kernel_source))
                        versions[b]["mla_module_decode" if module else "mla_decode"] = ver
            df, ver = w.table(system, "moe", b, "moe_perf.parquet")
            if df is not None:
                rows = moe_section(df, bw, anomalies, f"{gpu}/{b}")
                if rows:
                    be["moe"] = rows
                    versions[b]["moe"] = ver
            if be:
                be["versions"] = versions[b]
                sysout["backends"][b] = be
        nccl = nccl_section(w, system, spec)
        if nccl:
            nccl["message_bytes"] = AR_BYTES
            sysout["nccl"] = nccl
        a2a = a2a_section(w, system)
        if a2a:
            sysout["ep_all_to_all"] = a2a
        systems[gpu] = sysout
    return {"paths": sorted(w.paths), "systems": systems}, anomalies


METHOD = (
    "Tables: each system's current runtime version per query_versions.yaml (else the newest earlier one, as "
    "AIC back-fills); paths are relative to paths_root in the wheel. AIC stores median latencies in ms; we "
    "store us. Where a runtime has several kernels for one point (vLLM fp8_block: DeepGEMM, CUTLASS, "
    "FlashInfer) the fastest is kept. TRT-LLM: GEMM and all-reduce only. "
    "GEMM: floor_us = median M=1 latency over shapes with N*K <= 1M (floor_by_m_us: the same at each M in "
    "gemm_m); bw_eff = median of weight bytes / "
    "(latency x paramtui's datasheet bandwidth) over M=1 shapes with >= 256 MiB of weights (beyond L2); "
    "model t = max(floor_us, N*K*bytes_per_weight/(bw*bw_eff)); the additive form t = floor_us + "
    "bytes/(bw*add_bw_eff) takes add_bw_eff from the same large shapes; *_p90_err are each form's p90 relative "
    "error on the M=1 rows with >= 4 MiB of weights (shapes below L2 size run L2-hot in AIC's loop); samples "
    "give us at M = gemm_m for named N x K. GEMM anomalies: at M <= 128, a row more than 3x and 10 us slower "
    "than the fastest runtime on the same GPU, dtype and shape is dropped; a dtype whose M <= 16 rows are "
    "mostly flagged is dropped for that runtime. This drops vLLM fp8_block on H100, H200, B200 and L40S: "
    "at M=1-64 its block-fp8 rows are flat whatever the shape (FlashInfer/DeepGEMM 57-95 us on H100, "
    "DeepGEMM 155-275 us on B200, Triton 310-350 us on L40S), 4-34x SGLang's DeepGEMM (or TRT-LLM's on "
    "L40S) for the same shapes, which no decode run shows; use fp8 or another runtime's fp8_block for vLLM. "
    "All-reduce: graph-captured custom all-reduce (vLLM_custom_graph, SGLang_CustomAllReduce_graph, "
    "TRT-LLM's own; allreduce_eager: the alpha/beta fit of the same kernel outside a CUDA graph), bf16; "
    "AIC's message_size counts elements, so bytes = 2 x message_size; the table is "
    "the lower monotone envelope (each point = the fastest time at that or any larger size), which removes "
    "one-off spikes; alpha/beta fit t = alpha + bytes/beta over 1 KiB-64 MiB (relative least squares). "
    "On PCIe-only systems (L40S, RTX PRO 6000) vLLM and SGLang turn their custom all-reduce off above 2 GPUs, "
    "so use nccl.all_reduce there; the L40S host measured ~1 GB/s bus bandwidth at TP 8 in both tables. "
    "Decode attention (GQA, bf16 KV, no sliding window) and MLA: ctx = isl + step cached tokens per "
    "sequence; points that read the cache faster than the datasheet bandwidth (L2-resident on L40S/RTX PRO "
    "6000) are dropped; floor_us = least time at ctx <= 128; us_per_1k_ctx = least-squares slope over kept "
    "ctx >= 4096; kv_bw_eff_at_max_ctx = KV bytes read / (t x bw) at the largest kept ctx. mla_decode is SGLang's MLA "
    "attention kernel alone (heads per rank; tp = 128/heads); mla_module_decode is vLLM's whole MLA "
    "module per layer (projection GEMMs included; fp8_block GEMMs). MoE: fused MoE per layer, AIC's "
    "balanced routing, fastest kernel; bw_eff = active expert bytes per rank / (t x bw), with active "
    "experts = min(E, tokens x top_k) spread evenly over EP ranks, each split 1/tp, 3 matrices of hidden x "
    "moe_intermediate; floor_us/add_bw_eff fit t = floor + bytes/(bw*e) through a row's kept points "
    "(relative least squares; the 1-token time and best bw_eff where no physical fit exists). "
    "MoE anomalies: points with bw_eff > 1 cannot have read those weights from DRAM "
    "(the layer stayed in a 96-128 MB L2 between repeats on L40S/RTX PRO 6000, or the collector touched "
    "fewer experts than its routing implies, as in DeepSeek shapes at 4-64 tokens on every GPU); they are "
    "dropped, so a row lists only the tokens it keeps; trust the 1-token points most, except where a rank's "
    "active experts fit in L2 (small MoE at TP/EP 8 on L40S/RTX PRO 6000), which AIC's loop runs L2-hot. NCCL: the "
    "system's nccl_perf at its nccl_version, fp16. ep_all_to_all: DeepEP low-latency dispatch/combine on "
    "one 8-GPU node. Element-wise ops, embedding and cross-node P2P have no tables in AIC: it prices them "
    "from aic_spec (memory bandwidth x mem_bw_empirical_scaling_factor + mem_empirical_constant_latency_us; "
    "p2p_latency_us + bytes / inter_node_bw), copied here. Numbers are rounded to 3 significant digits."
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("aic_root", type=Path, help="the unpacked wheel's aiconfigurator_core directory")
    ap.add_argument("--out", type=Path, default=REPO / "presets" / "data" / "op_latency.json")
    args = ap.parse_args()
    if not (args.aic_root / "systems" / "query_versions.yaml").is_file():
        print(f"error: {args.aic_root} is not an unpacked aiconfigurator_core directory", file=sys.stderr)
        return 2
    body, anomalies = build(args.aic_root)
    doc = {
        "_about": "Per-operation decode latencies distilled from NVIDIA AIConfigurator's measured tables "
        "(see source). Times in microseconds, sizes in bytes, bandwidth in bytes/s; bw_eff is a share of "
        "paramtui's datasheet bandwidth for the GPU (presets/data/gpus.json).",
        "source": {
            "package": "aiconfigurator-core",
            "version": AIC_VERSION,
            "license": "Apache-2.0",
            "repository": "https://github.com/ai-dynamo/aiconfigurator",
            "paths_root": "aiconfigurator_core/systems/data/",
            "paths": body["paths"],
            "extracted": "2026-12-01",
            "method": METHOD,
            "script": "benchmarks/distill_aiconfigurator.py",
        },
        "gemm_m": GEMM_M,
        "anomalies": anomalies,
        "systems": body["systems"],
    }
    text = json.dumps(doc, indent=None, separators=(",", ":"))
    # One system/backend section per line keeps diffs readable without the size of full indentation.
    text = text.replace(',"systems":{', ',\n"systems":{\n').replace('},"', '},\n"')
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(text) / 1024:.0f} KiB), {len(anomalies)} anomaly notes")
    for a in anomalies:
        print("  ", a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
