"""Which keys of an unknown model_type's config.json the common-key fallback understands.

The fallback (engine/importer.py) reads the common key names and assumes a Llama-like layer. Its
count is only as good as that assumption: a config with keys that shape parameters which the
fallback does not read (a Mamba state size, a shared expert, a layer pattern) would get a
confident wrong number. This module lists what the fallback reads and what never bears
parameters (token ids, dropout, epsilons, rotary settings, generation defaults); every other key
with a set value is "not understood", and the count is marked approximate with those keys named.

Pure: a parsed config in, key names out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

FALLBACK_READS: frozenset[str] = frozenset(
    {
        "model_type",
        "vocab_size",
        "hidden_size",
        "n_embd",
        "n_embed",
        "d_model",
        "num_hidden_layers",
        "n_layer",
        "n_layers",
        "num_attention_heads",
        "n_head",
        "n_heads",
        "num_key_value_heads",
        "head_dim",
        "intermediate_size",
        "n_inner",
        "max_position_embeddings",
        "n_positions",
        "max_seq_len",
        "tie_word_embeddings",
        "torch_dtype",
        "dtype",
        "quantization_config",
        "num_local_experts",
        "num_experts",
        "n_routed_experts",
        "num_experts_per_tok",
        "experts_per_token",
        "moe_intermediate_size",
    }
)
"""Keys the fallback reads (importer._common and its MoE guess)."""

INERT_KEYS: frozenset[str] = frozenset(
    {
        "_name_or_path",
        "architectures",
        "auto_map",
        "transformers_version",
        "initializer_range",
        "initializer_factor",
        "use_cache",
        "output_attentions",
        "output_hidden_states",
        "return_dict",
        "use_return_dict",
        "torchscript",
        "is_decoder",
        "is_encoder_decoder",
        "pretraining_tp",
        "sliding_window",
        "use_sliding_window",
        "max_window_layers",
        "attn_implementation",
        "_attn_implementation",
        "tokenizer_class",
        "task_specific_params",
        "id2label",
        "label2id",
        "problem_type",
        "finetuning_task",
        "prefix",
        "chat_template",
        "router_aux_loss_coef",
        "output_router_logits",
        "norm_topk_prob",
        "router_jitter_noise",
        "routed_scaling_factor",
        "scoring_func",
        "topk_method",
        "n_group",
        "topk_group",
        "aux_loss_alpha",
        "seq_aux",
        "max_length",
        "min_length",
        "do_sample",
        "temperature",
        "top_p",
        "top_k",
        "num_beams",
        "num_return_sequences",
        "repetition_penalty",
        "length_penalty",
        "no_repeat_ngram_size",
        "early_stopping",
        "bad_words_ids",
        "use_bfloat16",
        "tf_legacy_loss",
        "cross_attention_hidden_size",
        "add_cross_attention",
        "chunk_size_feed_forward",
        "pruned_heads",
        "typical_p",
        "diversity_penalty",
        "num_beam_groups",
        "remove_invalid_values",
        "forced_bos_token_id",
        "forced_eos_token_id",
        "decoder_start_token_id",
        "sep_token_id",
        "exponential_decay_length_penalty",
        "suppress_tokens",
        "begin_suppress_tokens",
        "encoder_no_repeat_ngram_size",
        "output_scores",
        "return_dict_in_generate",
    }
)
"""Keys that never change a parameter count."""

_INERT_PATTERNS = re.compile(
    r".*token_ids?$|.*dropout.*|.*_eps$|.*epsilon$|^rope.*|.*_rope_.*|^partial_rotary_factor$|"
    r".*_scaling$|.*_multiplier$|.*loss.*|^attn_logit_softcapping$|^final_logit_softcapping$|"
    r"^query_pre_attn_scalar$|^rotary_.*|^position_embedding_type$|^use_.*_kernel.*|^_.*"
)
"""Name patterns of keys that hold no shape: token ids, dropout, epsilons, rotary and scaling settings."""


ACTIVATION_KEYS: frozenset[str] = frozenset({"hidden_act", "activation_function", "hidden_activation"})
"""Keys naming the FFN's activation: they say whether the FFN is gated, which the fallback assumes."""

GATED_ACTIVATIONS: frozenset[str] = frozenset({"silu", "swish", "swiglu"})
"""Activations of the gated (SwiGLU) FFN the fallback counts. Another activation often means a
plain two-matrix MLP (Phi, GPT-NeoX, StarCoder), which the gated guess over-counts by half of the FFN:
Phi-1 read as gated is +28%."""

NOT_STATED_TIE = "tie_word_embeddings (not stated)"
"""Listed when the config leaves the tie out: the fallback cannot know the type's default."""


def _set(value: Any) -> bool:
    """A value that switches something on (None, False, 0 and empty values leave the default layer)."""
    if value is None or value is False:
        return False
    if isinstance(value, str | list | tuple | Mapping) and not value:
        return False
    return not (isinstance(value, int | float) and not isinstance(value, bool) and value == 0)


def keys_not_understood(cfg: Mapping[str, Any]) -> tuple[str, ...]:
    """Keys of ``cfg`` that may shape parameters and that the common-key fallback does not read.

    A key is understood when the fallback reads it, when it never bears parameters (a known
    name or pattern), or when it is unset (null, false, zero, empty). Sorted. A config that does
    not state ``tie_word_embeddings`` is listed too: each model_type has its own default (Gemma
    ties, Llama does not), and the output head is vocab x hidden parameters either way. An
    activation other than SiLU is listed too: the fallback counts a gated FFN, and a GELU model may
    well have a plain one.
    """
    out = [] if "tie_word_embeddings" in cfg else [NOT_STATED_TIE]
    for key, value in cfg.items():
        if key in ACTIVATION_KEYS:
            if str(value).lower() not in GATED_ACTIVATIONS:
                out.append(key)
            continue
        if key in FALLBACK_READS or key in INERT_KEYS or _INERT_PATTERNS.fullmatch(key):
            continue
        if not _set(value):
            continue
        out.append(key)
    return tuple(sorted(out))
