"""n_ctx is sized from free memory with the GQA-aware KV formula, never 0."""

from __future__ import annotations

import pytest

from app.core.errors import EnclaveError
from app.core.runtime.context_plan import DEFAULT_MAX_CTX, ModelShape, max_context_that_fits, plan_context

GIB = 2**30
# Qwen3-4B-Instruct-2507: 36 layers, 8 KV heads of 128 dims, 262,144 trained context.
QWEN3_4B = ModelShape(
    n_layers=36,
    n_kv_heads=8,
    key_length=128,
    value_length=128,
    n_ctx_train=262144,
    weights_bytes=int(2.5 * GIB),
)
# Qwen2.5-Coder-1.5B: 28 layers, 2 KV heads of 128 dims.
CODER_1_5B = ModelShape(
    n_layers=28, n_kv_heads=2, key_length=128, value_length=128, n_ctx_train=32768, weights_bytes=GIB
)


def test_kv_bytes_per_token_uses_kv_heads_not_attention_heads() -> None:
    assert QWEN3_4B.kv_bytes_per_token == 144 * 1024
    assert CODER_1_5B.kv_bytes_per_token == 28 * 1024


def test_default_is_capped_and_never_the_trained_context() -> None:
    plan = plan_context(QWEN3_4B, free_bytes=64 * GIB)
    assert plan.n_ctx == DEFAULT_MAX_CTX
    assert plan.max_fit > DEFAULT_MAX_CTX
    assert plan.n_ctx != QWEN3_4B.n_ctx_train


def test_small_laptop_gets_what_fits() -> None:
    plan = plan_context(QWEN3_4B, free_bytes=6 * GIB)
    assert 0 < plan.n_ctx < DEFAULT_MAX_CTX
    assert plan.n_ctx % 256 == 0
    used = QWEN3_4B.weights_bytes + plan.kv_bytes
    assert used < 6 * GIB


def test_user_request_is_clamped_to_what_fits_and_said_so() -> None:
    fit = max_context_that_fits(QWEN3_4B, free_bytes=6 * GIB)
    plan = plan_context(QWEN3_4B, free_bytes=6 * GIB, requested=200_000)
    assert plan.n_ctx == fit
    assert "most that fits" in plan.reason
    lowered = plan_context(QWEN3_4B, free_bytes=6 * GIB, requested=2048)
    assert lowered.n_ctx == 2048


def test_raising_above_default_is_allowed_when_it_fits() -> None:
    plan = plan_context(CODER_1_5B, free_bytes=64 * GIB, requested=32768)
    assert plan.n_ctx == 32768  # the trained maximum


def test_too_little_memory_is_a_clear_error() -> None:
    with pytest.raises(EnclaveError, match="not enough free memory"):
        plan_context(QWEN3_4B, free_bytes=2 * GIB)
