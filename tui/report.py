"""The inspect report: the JSON contract and the human table, built from engine objects only."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from paramtui.engine.analysis import DEFAULT_CONTEXT
from paramtui.engine.fit import budget_basis
from paramtui.engine.kv_cache import attention_bytes_per_token
from paramtui.engine.memory import device_totals, pool_tokens
from paramtui.engine.params import ParamBreakdown, flops_per_token
from paramtui.engine.placement import device_numbers, plan_nodes, selection, tensor_split
from paramtui.engine.units import format_bytes, format_params, format_share

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from paramtui.engine.adapters.sources import LoadedSource
    from paramtui.engine.analysis import Analysis
    from paramtui.engine.options import Option


def _memory_section(analysis: Analysis) -> dict[str, Any]:
    """``memory``: bytes for the request, per device when hardware was given."""
    fit = analysis.fit
    plan = fit.attempt.plan if fit is not None else None
    devices = fit.attempt.devices if fit is not None else ()
    if devices:
        weights, kv, overhead = device_totals(devices)
    else:
        weights, kv, overhead = analysis.weights.total_bytes, analysis.kv.bytes, analysis.overhead_bytes
    offloaded = plan.offloaded_bytes if plan is not None else 0
    return {
        "precision": analysis.precision,
        "kv_dtype": analysis.kv.kv_dtype,
        "context": analysis.workload.context,
        "batch": analysis.workload.batch,
        "runtime": analysis.runtime.name,
        "weights_bytes": weights,
        "kv_cache_bytes": kv,
        "overhead_bytes": overhead,
        "total_bytes": weights + kv + overhead,
        "offloaded_bytes": offloaded,
        "model_weights_bytes": analysis.weights.total_bytes,
        "model_kv_cache_bytes": analysis.kv.bytes,
        "per_device": [
            {
                "device": d.device,
                "weights_bytes": d.weights_bytes,
                "kv_cache_bytes": d.kv_cache_bytes,
                "overhead_bytes": d.overhead_bytes,
                "budget_bytes": d.budget_bytes,
            }
            for d in devices
        ],
        "plan": {
            "tp": plan.tp if plan else 1,
            "pp": plan.pp if plan else 1,
            "offload": plan.offload if plan else "none",
            "offloaded_bytes": offloaded,
        },
        "basis": {"weights": analysis.weights.basis, "kv_cache": analysis.kv.basis},
        "kv": _kv_section(analysis),
    }


def _kv_section(analysis: Analysis) -> dict[str, Any]:
    """``memory.kv``: the cache by kind of layer, K and V apart, the rule applied, and the pool as engines
    report it (vLLM "GPU KV cache size: N tokens" and "Maximum concurrency")."""
    kv = analysis.kv
    fit = analysis.fit
    tokens = None
    pooled = analysis.runtime.budget_rule != "free"  # vLLM and SGLang size a pool; llama.cpp sizes the context
    if pooled and fit is not None and fit.verdict == "fits" and fit.attempt.devices:
        rules = analysis.runtime.kv
        per_token = attention_bytes_per_token(analysis.arch, kv.kv_dtype, rules)
        pool = min(d.budget_bytes - d.weights_bytes - d.overhead_bytes for d in fit.attempt.devices)
        tokens = pool_tokens(pool, per_token, fit.attempt.plan, analysis.arch, rules.block_tokens)
    return {
        "bytes": kv.bytes,
        "k_bytes": kv.k_bytes,
        "v_bytes": kv.v_bytes,
        "by_kind": [{"kind": c.kind, "layers": c.layers, "cells": c.cells, "bytes": c.bytes} for c in kv.by_kind],
        "rule": kv.rule,
        "release": analysis.runtime.release,
        "gpu_kv_cache_tokens": tokens,
        "max_concurrency": round(fit.max_concurrency, 2) if fit is not None else None,
    }


def _hardware_section(analysis: Analysis) -> dict[str, Any] | None:
    hw = analysis.hardware
    if hw is None:
        return None
    return {
        "source": hw.source,
        "gpus": [
            {
                "id": g.id,
                "name": g.name,
                "memory_total_bytes": g.memory_bytes,
                "memory_free_bytes": g.memory_free_bytes,
                "bandwidth_bytes_per_s": g.bandwidth_bytes_per_s,
                "fp16_flops": g.fp16_flops,
                "fp8_flops": g.fp8_flops,
                "int8_ops": g.int8_ops,
                "fp16_acc16_flops": g.fp16_acc16_flops or g.fp16_flops,
            }
            for g in hw.gpus
        ],
        "nodes": hw.nodes,
        "inter_node_bytes_per_s": hw.inter_node_bytes_per_s,
        "ram_total_bytes": hw.ram_total_bytes,
        "ram_available_bytes": hw.ram_available_bytes,
    }


def launch_repo(loaded: LoadedSource) -> str:
    """The model as an engine is told to load it: the preset's Hub repo; a local SOURCE as an absolute
    path (a config.json by its directory, which is what engines load); else the repo id."""
    if loaded.preset is not None and loaded.preset.hf_repo:
        return loaded.preset.hf_repo
    source = loaded.source.removeprefix("preset:")
    path = Path(source).expanduser()
    if loaded.preset is None and path.exists():
        path = path.resolve()
        return str(path.parent if path.is_file() and path.suffix == ".json" else path)
    return source


def option_json(option: Option) -> dict[str, Any]:
    """One ``fit.options`` entry."""
    return {
        "kind": option.kind,
        "verdict": option.verdict,
        "gpu": option.gpu,
        "count": option.count,
        "nodes": option.nodes,
        "tp": option.tp,
        "pp": option.pp,
        "ep": option.ep,
        "precision": option.precision,
        "runtime": option.runtime,
        "offload": option.offload,
        "offloaded_bytes": option.offloaded_bytes,
        "per_device": {"bytes": option.per_device_bytes, "budget_bytes": option.budget_bytes},
        "decode_tokens_per_s": round(option.decode_tokens_per_s, 2),
        "launch": option.launch,
        "note": option.note,
    }


def _fit_section(analysis: Analysis, options: tuple[Option, ...] = (), launch: str = "") -> dict[str, Any] | None:
    fit = analysis.fit
    if fit is None:
        return None
    return {
        "launch": launch,
        "options": [option_json(o) for o in options],
        "verdict": fit.verdict,
        "max_context": fit.max_context,
        "best_precision": fit.best_precision,
        "headroom_bytes": fit.attempt.headroom_bytes,
        "max_concurrency": round(fit.max_concurrency, 2),
        "reasons": list(fit.reasons),
        "budget_basis": budget_basis(analysis.hardware.gpus[fit.attempt.devices[0].device], analysis.runtime)
        if analysis.hardware and fit.attempt.devices
        else None,
        "gpus_used": list(device_numbers(fit.attempt.plan, analysis.hardware)) if analysis.hardware else [],
        "select": selection(fit.attempt.plan, analysis.hardware) if analysis.hardware else None,
        "tensor_split": tensor_split(fit.attempt.plan),
    }


def _speed_section(analysis: Analysis) -> dict[str, Any] | None:
    s = analysis.speed
    if s is None:
        return None
    return {
        "decode_tokens_per_s": round(s.decode_tokens_per_s, 2),
        "decode_low": round(s.decode_low, 2),
        "decode_high": round(s.decode_high, 2),
        "decode_batch_tokens_per_s": round(s.decode_batch_tokens_per_s, 2),
        "prefill_tokens_per_s": round(s.prefill_tokens_per_s, 1) if s.prefill_tokens_per_s is not None else None,
        "ttft_s": round(s.ttft_s, 4) if s.ttft_s is not None else None,
        "basis": s.basis,
        "concurrency": s.concurrency,
        "per_user_tokens_per_s": round(s.per_user_tokens_per_s, 2),
        "total_tokens_per_s": round(s.total_tokens_per_s, 2),
        "load_basis": s.load_basis,
    }


def _checkpoint_section(loaded: LoadedSource, breakdown: ParamBreakdown) -> dict[str, Any] | None:
    """``checkpoint``: what the weight files' headers hold, exactly, and how it compares with config.json."""
    from paramtui.engine.checkpoint import active_params, cross_check

    read, summary = loaded.read, loaded.checkpoint
    if read is None:
        return None
    out: dict[str, Any] = {
        "files": [{"name": n, "bytes": b} for n, b in read.files],
        "gguf_variants": [{"label": v.label, "bytes": v.bytes, "files": len(v.files)} for v in read.variants],
        "mmproj": [{"name": n, "bytes": b} for n, b in read.mmproj],
        "precision": read.precision,
    }
    if summary is None:
        return out
    arch = loaded.result.architecture
    check = cross_check(summary, breakdown)
    out.update(
        {
            "file_bytes": summary.file_bytes,
            "tensor_count": summary.tensor_count,
            "model_bytes": summary.model_bytes,
            "params": summary.total_params,
            "active": active_params(summary, arch),
            "routed_expert_params": summary.routed_expert_params,
            "params_by_dtype": dict(summary.params_by_dtype),
            "bytes_by_dtype": dict(summary.bytes_by_dtype),
            "components": [
                {"name": name, "params": summary.component_params[name], "bytes": summary.component_bytes[name]}
                for name in summary.component_params
            ],
            "set_aside": {
                role: {"elements": summary.aside_params[role], "bytes": summary.aside_bytes.get(role, 0)}
                for role in summary.aside_params
            },
            "cross_check": {
                "header_params": check.header_total,
                "config_params": check.config_total,
                "difference": check.difference,
                "matches": check.matches,
                "per_component": [{"name": n, "headers": h, "config": c} for n, h, c in check.per_component],
            },
        }
    )
    return out


def build_report(
    loaded: LoadedSource, analysis: Analysis | None = None, options: tuple[Option, ...] = (), launch: str = ""
) -> dict[str, Any]:
    """The ``inspect --json`` object (DESIGN.md contract)."""
    arch = loaded.result.architecture
    breakdown = analysis.breakdown if analysis is not None else loaded.breakdown
    context = analysis.workload.context if analysis is not None else min(DEFAULT_CONTEXT, arch.max_context)
    report: dict[str, Any] = {
        "model": {"name": arch.name, "source": loaded.source, "kind": arch.kind, "model_type": arch.model_type},
        "params": {
            "total": breakdown.total,
            "active": breakdown.active,
            "active_excluding_embeddings": breakdown.active_excluding_embeddings,
            "exact": not loaded.approximate,
            "keys_not_understood": list(loaded.result.unread_keys),
            "counted_from": "checkpoint headers" if loaded.header_breakdown is not None else "config.json",
            "vision_tower": (
                {"params": vision.params, "basis": vision.basis}
                if (vision := loaded.result.vision) is not None
                else None
            ),
            "mtp": breakdown.mtp,
            "mtp_basis": breakdown.mtp_basis,
            "flops_per_token": flops_per_token(arch, breakdown, context),
            "flops_context": context,
            "components": [
                {"name": c.name, "stored": c.stored, "active": c.active, "basis": c.basis} for c in breakdown.components
            ],
        },
        "notes": list(loaded.result.notes) + (list(analysis.notes) if analysis is not None else []),
        "checkpoint": _checkpoint_section(loaded, breakdown),
        "memory": _memory_section(analysis) if analysis is not None else None,
        "hardware": _hardware_section(analysis) if analysis is not None else None,
        "fit": _fit_section(analysis, options, launch) if analysis is not None else None,
        "speed": _speed_section(analysis) if analysis is not None else None,
    }
    if loaded.preset is not None:
        pub = loaded.preset.published
        report["model"]["hf_repo"] = loaded.preset.hf_repo
        report["published"] = {
            "total": pub.total,
            "active": pub.active,
            "active_excludes_embeddings": pub.active_excludes_embeddings,
            "convention": pub.convention,
            "source": pub.source,
        }
    return report


def render_table(loaded: LoadedSource, breakdown: ParamBreakdown | None = None) -> RenderableType:
    """A compact rich table of components x stored/active with shares and totals."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    arch = loaded.result.architecture
    bd = breakdown or loaded.breakdown
    title = f"{arch.name}  ({arch.kind}, {arch.model_type})"
    if loaded.approximate:
        title = f"APPROXIMATE  {title}"
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("component")
    table.add_column("stored", justify="right")
    table.add_column("share", justify="right")
    table.add_column("active", justify="right")
    table.add_column("share", justify="right")
    for c in bd.components:
        if c.stored == 0:
            continue
        table.add_row(
            c.name.replace("_", " "),
            format_params(c.stored),
            format_share(c.stored, bd.total),
            format_params(c.active),
            format_share(c.active, bd.active),
        )
    table.add_section()
    table.add_row("total", format_params(bd.total), "100%", format_params(bd.active), "100%", style="bold")
    lines = [
        f"active per token: {format_params(bd.active)} ({format_share(bd.active, bd.total)} of stored); "
        f"without the input embedding: {format_params(bd.active_excluding_embeddings)}",
        "memory follows stored parameters; compute per token follows active ones",
    ]
    if bd.mtp:
        lines.append(f"multi-token prediction: {format_params(bd.mtp)} more, kept out of the totals")
    if loaded.result.vision is not None:
        lines.append(f"vision tower: {format_params(loaded.result.vision.params)} more, counted apart from the totals")
    if loaded.preset is not None:
        pub = loaded.preset.published
        lines.append(
            f"published: {format_params(pub.total, 1)} total / {format_params(pub.active, 1)} active"
            + (f"; {pub.convention}" if pub.convention else "")  # conventions hold parentheses of their own
        )
    if loaded.approximate:
        lines.insert(0, approximate_line(loaded.approximate))
    lines.extend(f"note: {note}" for note in loaded.result.notes)
    lines.extend(_checkpoint_lines(loaded))
    lines.append(f"source: {loaded.source}")
    return Group(table, *(Text(line, style="dim" if line.startswith("source") else "") for line in lines))


def approximate_line(keys: tuple[str, ...]) -> str:
    """The warning every view shows over counts that rest on the fallback's guess."""
    return f"approximate: config keys not understood ({', '.join(keys)}); these counts may be far off"


def _checkpoint_lines(loaded: LoadedSource) -> list[str]:
    """A few lines on the weight files: exact bytes, dtypes, what was set aside, GGUF variants."""
    read, summary = loaded.read, loaded.checkpoint
    if read is None:
        return []
    lines = []
    if summary is not None:
        dtypes = ", ".join(
            f"{d} {format_bytes(b)}" for d, b in sorted(summary.bytes_by_dtype.items(), key=lambda x: -x[1])
        )
        lines.append(
            f"checkpoint: {len(summary.files)} file(s), {format_bytes(summary.file_bytes)}; "
            f"language model {format_bytes(summary.model_bytes)} ({dtypes})"
        )
        aside = ", ".join(f"{role} {format_bytes(summary.aside_bytes.get(role, 0))}" for role in summary.aside_params)
        if aside:
            lines.append(f"set aside from the counts: {aside}")
    if read.variants:
        shown = ", ".join(f"{v.label} {format_bytes(v.bytes)}" for v in read.variants[:12])
        more = f" and {len(read.variants) - 12} more" if len(read.variants) > 12 else ""
        lines.append(f"GGUF variants: {shown}{more}")
    if read.mmproj:
        lines.append("vision projector (not counted): " + ", ".join(f"{n} {format_bytes(b)}" for n, b in read.mmproj))
    return lines


def render_options(options: tuple[Option, ...], launch: str = "") -> list[Text]:
    """The "to run it:" section: the plan's own command, then each option with its speed and command."""
    from rich.text import Text

    lines = []
    if launch or options:
        lines.append(Text("to run it:", style="bold"))
    if launch:
        lines.append(Text(f"  {launch}"))
    for o in options:
        where = f"{o.count} x {o.gpu}" + (f" on {o.nodes} nodes" if o.nodes > 1 else "")
        plan = f"tp={o.tp} pp={o.pp}" + (f" ep={o.ep}" if o.ep > 1 else "")
        offload = f", {format_bytes(o.offloaded_bytes)} of {o.offload} in RAM" if o.offloaded_bytes else ""
        speed = f"{o.decode_tokens_per_s:,.1f} tok/s" if o.decode_tokens_per_s else "no speed (the GPUs cannot hold it)"
        if not o.decode_tokens_per_s and o.verdict != "does_not_fit":
            speed = "no speed (no bandwidth: give bw=)"
        lines.append(
            Text(
                f"  {o.kind}: {o.verdict.replace('_', ' ')} on {where} ({plan}, {o.precision}, {o.runtime}{offload}); "
                f"fullest GPU {format_bytes(o.per_device_bytes)} of {format_bytes(o.budget_bytes)}; {speed}",
                style=FIT_STYLES_TEXT.get(o.verdict, ""),
            )
        )
        if o.launch:
            lines.append(Text(f"    {o.launch}", style="dim"))
        if o.note:
            lines.append(Text(f"    {o.note}", style="dim"))
    return lines


FIT_STYLES_TEXT = {"fits": "green", "fits_with_offload": "yellow", "does_not_fit": "red"}
"""Option lines in the verdict's colour (not bold: the plan's own verdict stays the loudest line)."""


def render_fit(
    analysis: Analysis, approximate: tuple[str, ...] = (), options: tuple[Option, ...] = (), launch: str = ""
) -> RenderableType:
    """Memory breakdown, verdict, speeds and what would run it, as a few lines (marked when the counts
    are approximate)."""
    from rich.console import Group
    from rich.text import Text

    mem = _memory_section(analysis)
    weights = f"weights {format_bytes(mem['weights_bytes'])}"
    if mem["offloaded_bytes"]:  # say the model's size, then the part that stays on the GPUs
        weights = (
            f"weights {format_bytes(mem['model_weights_bytes'])} "
            f"({format_bytes(mem['offloaded_bytes'])} in RAM, {format_bytes(mem['weights_bytes'])} on GPU)"
        )
    on_gpu = " on GPU" if mem["offloaded_bytes"] else ""
    lines = [
        Text(
            f"memory ({mem['precision']} weights, {mem['kv_dtype']} KV, {mem['context']:,} tokens x {mem['batch']}, "
            f"{mem['runtime']}): {weights} "
            f"+ KV {format_bytes(mem['kv_cache_bytes'])} "
            f"+ overhead {format_bytes(mem['overhead_bytes'])} = {format_bytes(mem['total_bytes'])}{on_gpu}",
            style="bold",
        ),
        Text(f"  {analysis.weights.basis}", style="dim"),
        Text(f"  KV: {analysis.kv.basis}", style="dim"),
        Text(f"  KV rule: {analysis.kv.rule} [{analysis.runtime.release}]", style="dim"),
    ]
    lines.extend(Text(f"  note: {note}", style="yellow") for note in analysis.notes)
    if approximate:
        keys = ", ".join(approximate)
        lines.insert(0, Text(f"approximate: KV cache and speed rest on a guess; config keys not understood ({keys})"))
    fit = analysis.fit
    if fit is None:
        lines.append(
            Text(
                "fit and speed: no NVIDIA GPU found here (`paramtui hw` says why); "
                "pass --gpu (e.g. --gpu h100-sxm, --gpu 2xrtx-4090)"
            )
        )
        return Group(*lines)
    hw = analysis.hardware
    gpu_names = ", ".join(sorted({g.name for g in hw.gpus})) if hw else ""
    plan = fit.attempt.plan
    from paramtui.tui.fit_view import FIT_STYLES  # one verdict colour for the CLI and the dashboard

    used = plan.gpus if fit.attempt.devices else (len(hw.gpus) if hw else 0)
    verdict = f"{fit.verdict.replace('_', ' ')} on {used} x {gpu_names}"
    nodes = plan_nodes(plan, hw) if hw is not None else 1
    if nodes > 1:
        link = hw.inter_node_bytes_per_s * 8 / 1e9 if hw is not None and hw.inter_node_bytes_per_s else 0
        verdict += f" over {nodes} nodes ({link:.0f} Gb/s per GPU between them)"
    verdict += f" (tp={plan.tp}, pp={plan.pp}"
    verdict += f", {format_bytes(plan.offloaded_bytes)} of {plan.offload} in RAM)" if plan.offloaded_bytes else ")"
    lines.append(Text(verdict, style=FIT_STYLES[fit.verdict]))
    chosen = selection(plan, hw) if hw is not None else None
    if chosen:
        lines.append(Text(f"  {chosen}", style="bold"))
    split = tensor_split(plan)
    if split:
        lines.append(Text(f"  layers split by free memory: --tensor-split {split}"))
    for d in fit.attempt.devices[:8]:
        lines.append(
            Text(
                f"  GPU {d.device}: {format_bytes(d.total_bytes)} of {format_bytes(d.budget_bytes)} "
                f"(weights {format_bytes(d.weights_bytes)}, KV {format_bytes(d.kv_cache_bytes)}, "
                f"overhead {format_bytes(d.overhead_bytes)}), headroom {format_bytes(d.headroom_bytes)}"
            )
        )
    if fit.attempt.devices and hw is not None:
        first = hw.gpus[fit.attempt.devices[0].device]
        lines.append(Text(f"  budget: {budget_basis(first, analysis.runtime)}", style="dim"))
    with_offload = " (with offload)" if plan.offload != "none" else ""
    lines.append(
        Text(
            f"  largest context: {fit.max_context:,} tokens; "
            f"best precision that fits{with_offload}: {fit.best_precision or 'none'}"
        )
    )
    if fit.max_concurrency:
        context = analysis.workload.context
        tokens = mem["kv"]["gpu_kv_cache_tokens"]
        if tokens:
            lines.append(Text(f"  GPU KV cache size: {tokens:,} tokens"))
        lines.append(Text(f"  Maximum concurrency for {context:,} tokens per request: {fit.max_concurrency:.1f}x"))
    lines.extend(Text(f"  {reason}", style="yellow") for reason in fit.reasons)
    s = analysis.speed
    if s is not None:
        lines.append(
            Text(
                f"speed: decode {s.decode_tokens_per_s:.1f} tok/s ({s.decode_low:.0f}-{s.decode_high:.0f})"
                " at one request; "
                + (
                    f"prefill {s.prefill_tokens_per_s:,.0f} tok/s, first token after {s.ttft_s:.2f} s"
                    if s.prefill_tokens_per_s is not None and s.ttft_s is not None
                    else "prefill unknown (no FLOPS for this GPU)"
                ),
                style="bold",
            )
        )
        if s.concurrency > 1:
            lines.append(
                Text(
                    f"  at {s.concurrency} concurrent requests: {s.per_user_tokens_per_s:.1f} tok/s per user, "
                    f"{s.total_tokens_per_s:,.0f} tok/s in total",
                    style="bold",
                )
            )
            lines.append(Text(f"  {s.load_basis}", style="dim"))
        lines.append(Text(f"  {s.basis}", style="dim"))
    lines.extend(render_options(options, launch))
    return Group(*lines)
