"""Validation: impossible architectures raise a ValueError that names the field and the rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from paramtui.engine import Architecture, MoeSpec
from paramtui.engine.architecture import field_names


def _dense() -> Architecture:
    return Architecture(
        name="t",
        model_type="llama",
        vocab_size=32000,
        hidden_size=4096,
        num_layers=32,
        num_heads=32,
        num_kv_heads=8,
        head_dim=128,
        ffn_size=14336,
        max_context=8192,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"num_kv_heads": 7}, "divisible by num_kv_heads"),
        ({"num_layers": 0}, "num_layers must be positive"),
        ({"hidden_size": -5}, "hidden_size must be positive"),
        ({"vocab_size": 10**12}, "above the sane limit"),
        ({"num_kv_heads": 64}, "cannot exceed num_heads"),
        ({"layer_types": ("full",) * 3}, "layer_types has 3 entries"),
        ({"layer_types": ("sliding",) * 32}, "sliding_window must be positive"),
        ({"layer_types": ("linear",) * 32}, "linear_attention is not set"),
        ({"name": " "}, "name must not be empty"),
    ],
)
def test_invalid_architectures(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(_dense(), **changes)


def test_top_k_above_experts_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"top_k \(9\) cannot exceed moe.num_experts \(8\)"):
        MoeSpec(num_experts=8, top_k=9, expert_ffn_size=1024)


def test_dense_layers_beyond_the_model_are_rejected() -> None:
    moe = MoeSpec(num_experts=8, top_k=2, expert_ffn_size=1024, dense_layers=(40,))
    with pytest.raises(ValueError, match="only 32 layers"):
        replace(_dense(), moe=moe)


def test_a_bool_is_not_an_integer() -> None:
    with pytest.raises(ValueError, match="must be an integer"):
        replace(_dense(), num_layers=True)


def test_kind_and_layer_counts() -> None:
    arch = replace(_dense(), moe=MoeSpec(num_experts=8, top_k=2, expert_ffn_size=1024, dense_layers=(0, 1)))
    assert arch.kind == "moe"
    assert arch.num_moe_layers == 30
    assert arch.num_dense_ffn_layers == 2
    assert _dense().kind == "dense"
    assert "moe" in field_names(Architecture)
