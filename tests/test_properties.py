"""Property tests over random valid architectures."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from paramtui.engine import Architecture, MlaSpec, MoeSpec, count_params
from paramtui.engine.record import architecture_from_dict, architecture_to_dict


@st.composite
def architectures(draw: st.DrawFn) -> Architecture:
    kv = draw(st.integers(1, 16))
    heads = kv * draw(st.integers(1, 8))
    layers = draw(st.integers(1, 64))
    moe = None
    if draw(st.booleans()):
        experts = draw(st.integers(1, 256))
        dense = draw(st.sets(st.integers(0, layers - 1), max_size=layers))
        shared = draw(st.integers(0, 2))
        moe = MoeSpec(
            num_experts=experts,
            top_k=draw(st.integers(1, experts)),
            expert_ffn_size=draw(st.integers(1, 8192)),
            num_shared_experts=shared,
            shared_expert_ffn_size=draw(st.integers(1, 4096)) if shared else 0,
            shared_expert_gate=draw(st.booleans()),
            router_bias=draw(st.booleans()),
            expert_bias=draw(st.booleans()),
            dense_layers=tuple(sorted(dense)),
        )
    mla = None
    if draw(st.booleans()):
        mla = MlaSpec(
            q_lora_rank=draw(st.integers(0, 2048)),
            kv_lora_rank=draw(st.integers(1, 1024)),
            qk_nope_head_dim=draw(st.integers(1, 256)),
            qk_rope_head_dim=draw(st.integers(1, 128)),
            v_head_dim=draw(st.integers(1, 256)),
        )
    return Architecture(
        name="random",
        model_type=draw(st.sampled_from(["llama", "qwen3", "deepseek_v3", "something_new"])),
        vocab_size=draw(st.integers(1, 300_000)),
        hidden_size=draw(st.integers(1, 16384)),
        num_layers=layers,
        num_heads=heads,
        num_kv_heads=kv,
        head_dim=draw(st.integers(1, 512)),
        ffn_size=draw(st.integers(1, 65536)),
        max_context=draw(st.integers(1, 1_000_000)),
        gated_ffn=draw(st.booleans()),
        qkv_bias=draw(st.booleans()),
        out_bias=draw(st.booleans()),
        mlp_bias=draw(st.booleans()),
        tie_embeddings=draw(st.booleans()),
        norm=draw(st.sampled_from(["rmsnorm", "layernorm"])),
        qk_norm=draw(st.booleans()),
        attention_sinks=draw(st.booleans()),
        mla=mla,
        moe=moe,
        mtp_layers=draw(st.integers(0, 2)),
    )


@settings(max_examples=200, deadline=None)
@given(architectures())
def test_active_never_exceeds_total(arch: Architecture) -> None:
    bd = count_params(arch)
    assert 0 < bd.active <= bd.total
    assert bd.active_excluding_embeddings <= bd.active
    for c in bd.components:
        assert 0 <= c.active <= c.stored


@settings(max_examples=200, deadline=None)
@given(architectures())
def test_dense_models_activate_everything(arch: Architecture) -> None:
    dense = replace(arch, moe=None)
    bd = count_params(dense)
    assert bd.active == bd.total


@settings(max_examples=100, deadline=None)
@given(architectures(), st.integers(1, 16))
def test_counts_grow_with_layers(arch: Architecture, extra: int) -> None:
    deeper = replace(arch, num_layers=arch.num_layers + extra)
    assert count_params(deeper).total > count_params(arch).total


@settings(max_examples=100, deadline=None)
@given(architectures(), st.integers(1, 64))
def test_stored_grows_with_experts_active_only_by_the_router(arch: Architecture, extra: int) -> None:
    if arch.moe is None or arch.num_moe_layers == 0:
        return
    more = replace(arch, moe=replace(arch.moe, num_experts=arch.moe.num_experts + extra))
    before, after = count_params(arch), count_params(more)
    assert after.total > before.total
    router_growth = after.component("router").active - before.component("router").active
    assert after.active - before.active == router_growth


@settings(max_examples=200, deadline=None)
@given(architectures())
def test_saved_model_round_trip(arch: Architecture) -> None:
    """The one serializer (engine/record.py, used by save and autosave) gives back the same record."""
    doc = json.loads(json.dumps(architecture_to_dict(arch)))
    assert architecture_from_dict(doc) == arch
