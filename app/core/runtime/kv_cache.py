"""`KVCache`: what a loaded model's KV cache holds, and reading more of a prompt into it.

The model's thread is the only caller (llama.cpp is not thread-safe). Reading is done here,
batch by batch, rather than inside `Llama.generate`, so that progress can be reported, a
cancel can stop between batches, a prompt's start can be read ahead of the question
(prefill), and its code-free part can come from a saved state (`saved_prefix`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from app.core.cancel import CancelToken
from app.core.runtime import saved_prefix
from app.core.runtime.generation import PromptRead


class KVCache:
    """The prompt tokens a `Llama` holds in its KV cache, as one sequence."""

    def __init__(self, llm: Any, *, evaluate: Callable[[list[int]], None]) -> None:
        self._llm = llm
        self._evaluate = evaluate  # Llama.eval itself: no cancel check, no counting
        self.last_read = 0  # tokens the last `read_prompt` evaluated

    def cached_prefix(self, prompt: Sequence[int]) -> int:
        """How many leading tokens of `prompt` the cache already holds."""
        llm = self._llm
        cached = 0
        for have, want in zip(llm._input_ids[: llm.n_tokens], prompt, strict=False):
            if have != want:
                break
            cached += 1
        return cached

    def keep_prefix(self, cached: int) -> int:
        """Drop what follows the first `cached` tokens; the tokens kept (0 when it cannot be cut)."""
        llm = self._llm
        if cached < llm.n_tokens and not llm._ctx.kv_cache_seq_rm(-1, cached, -1):
            llm.reset()
            cached = 0
        llm.n_tokens = cached
        return cached

    def read_prompt(self, prompt: Sequence[int], *, cancel: CancelToken) -> Iterator[PromptRead]:
        """Read what the cache lacks of `prompt` (all but its last token), yielding progress per batch.

        The last token is left to `generate`, which evaluates it and samples from its logits.
        """
        self.last_read = 0
        head = len(prompt) - 1
        cached = self.keep_prefix(min(self.cached_prefix(prompt), head))
        total = head - cached
        if total <= 0:
            return
        step = self._llm.n_batch
        for at in range(cached, head, step):
            if cancel.cancelled:
                return
            batch = list(prompt[at : min(at + step, head)])
            self._evaluate(batch)
            self.last_read += len(batch)
            yield PromptRead(self.last_read, total, len(prompt))

    def prefill(self, prompt: Sequence[int], *, shared: Sequence[int], key: str, cancel: CancelToken) -> int:
        """Read `prompt` ahead of time; its code-free start `shared` may come from (or go to) a saved state.

        Returns the tokens evaluated; a set `cancel` stops between batches, keeping what was read.
        """
        cached = self.cached_prefix(prompt)
        if cached == len(prompt):
            return 0
        llm = self._llm
        if shared and cached < len(shared) and saved_prefix.restore(llm, shared, key=key) is not None:
            cached = len(shared)
        else:
            cached = self.keep_prefix(cached)
        done = 0
        if shared and cached < len(shared):
            started = time.perf_counter()
            done += self._read(prompt, cached, len(shared), cancel=cancel)
            if not cancel.cancelled:
                saved_prefix.save_if_it_pays(llm, shared, key=key, eval_s=time.perf_counter() - started)
            cached = llm.n_tokens
        if not cancel.cancelled:
            done += self._read(prompt, cached, len(prompt), cancel=cancel)
        return done

    def _read(self, prompt: Sequence[int], start: int, end: int, *, cancel: CancelToken) -> int:
        step = self._llm.n_batch
        done = 0
        for at in range(start, end, step):
            if cancel.cancelled:
                break
            batch = list(prompt[at : min(at + step, end)])
            self._evaluate(batch)
            done += len(batch)
        return done
