"""Size the context window from free memory with the GQA-aware KV-cache formula.

Never `n_ctx=0`: llama.cpp would take the trained context (262,144 tokens for
Qwen3-4B-Instruct-2507, a 36 GiB KV cache).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import EnclaveError
from app.core.runtime.gguf_file import GGUFInfo

KV_BYTES_F16 = 2
CTX_STEP = 256
MIN_CTX = 512
DEFAULT_MAX_CTX = 32768  # above this, CPU prompt processing gets too slow to be useful
_OVERHEAD = 512 * 2**20  # compute buffers, logits, allocator slack
_HEADROOM = 0.15  # leave this share of free memory to the rest of the machine


@dataclass(frozen=True)
class ModelShape:
    """The GGUF facts the KV formula needs."""

    n_layers: int
    n_kv_heads: int
    key_length: int
    value_length: int
    n_ctx_train: int
    weights_bytes: int

    @property
    def kv_bytes_per_token(self) -> int:
        """K and V for every layer: layers x KV heads x (key + value dims) x 2 bytes (f16)."""
        return self.n_layers * self.n_kv_heads * (self.key_length + self.value_length) * KV_BYTES_F16


@dataclass(frozen=True)
class ContextPlan:
    """The chosen context size, the most that fits, and why."""

    n_ctx: int
    max_fit: int
    kv_bytes: int
    reason: str


def max_context_that_fits(shape: ModelShape, *, free_bytes: int, weights_in_budget: bool = True) -> int:
    """The largest context (a multiple of 256) whose KV cache fits into `free_bytes`."""
    budget = free_bytes * (1 - _HEADROOM) - _OVERHEAD
    if weights_in_budget:
        budget -= shape.weights_bytes
    if budget <= 0 or shape.kv_bytes_per_token <= 0:
        return 0
    fit = int(budget // shape.kv_bytes_per_token)
    if shape.n_ctx_train:
        fit = min(fit, shape.n_ctx_train)
    return fit // CTX_STEP * CTX_STEP


def plan_context(
    shape: ModelShape, *, free_bytes: int, requested: int = 0, weights_in_budget: bool = True
) -> ContextPlan:
    """Pick `n_ctx`: the user's request clamped to what fits, or the default when 0.

    Raises:
        EnclaveError: not even a minimal context fits into free memory.

    """
    max_fit = max_context_that_fits(shape, free_bytes=free_bytes, weights_in_budget=weights_in_budget)
    floor = min(MIN_CTX, shape.n_ctx_train or MIN_CTX)
    if max_fit < floor:
        need = shape.weights_bytes + floor * shape.kv_bytes_per_token + _OVERHEAD
        raise EnclaveError(
            f"not enough free memory for this model: about {need / 2**30:.1f} GiB needed, "
            f"{free_bytes / 2**30:.1f} GiB free (close other programs or pick a smaller model)"
        )
    if requested > 0:
        n_ctx = max(floor, min(requested, max_fit))
        if n_ctx < requested:
            reason = f"{requested} tokens asked; {max_fit} is the most that fits in free memory"
        else:
            reason = f"{n_ctx} tokens as set"
    else:
        n_ctx = min(max_fit, DEFAULT_MAX_CTX)
        reason = f"sized from free memory ({max_fit} would fit; default cap {DEFAULT_MAX_CTX})"
        if shape.n_ctx_train and n_ctx == shape.n_ctx_train:
            reason = f"the model's full trained context ({n_ctx}) fits in free memory"
    return ContextPlan(n_ctx=n_ctx, max_fit=max_fit, kv_bytes=n_ctx * shape.kv_bytes_per_token, reason=reason)


def shape_from_gguf(info: GGUFInfo) -> ModelShape:
    """Read a `ModelShape` from a `GGUFInfo` (key/value lengths default to embd / heads)."""
    n_layers = int(info.arch_value("block_count", 0) or 0)
    n_heads = _first_int(info.arch_value("attention.head_count", 1)) or 1
    n_kv = _first_int(info.arch_value("attention.head_count_kv", n_heads)) or n_heads
    embd = int(info.arch_value("embedding_length", 0) or 0)
    key_len = int(info.arch_value("attention.key_length", 0) or embd // n_heads)
    value_len = int(info.arch_value("attention.value_length", 0) or embd // n_heads)
    return ModelShape(
        n_layers=n_layers,
        n_kv_heads=n_kv,
        key_length=key_len,
        value_length=value_len,
        n_ctx_train=info.n_ctx_train,
        weights_bytes=info.tensor_bytes,
    )


def _first_int(value: object) -> int:
    # Some architectures store per-layer head counts as an array.
    if isinstance(value, list):
        return max((int(v) for v in value), default=0)
    return int(value) if isinstance(value, int | float) else 0
