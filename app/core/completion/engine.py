"""`CompletionEngine`: ghost text at the cursor from a FIM model, in the model's own format.

Qt-free. One engine per model; call it on the model's thread (llama.cpp is not thread-safe)
and cancel it from anywhere: a keystroke sets the request's `CancelToken`, and generation
stops within one token.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from app.core.cancel import CancelToken
from app.core.completion.cache import CompletionCache
from app.core.completion.fim_format import FimTokens, build_prompt, fim_tokens, split_at
from app.core.completion.repo_context import RepoContext
from app.core.completion.truncate import Truncator, read_until_cut
from app.core.runtime.generation import GenerationDone, Sampling, StreamItem, TextDelta

logger = logging.getLogger(__name__)

MAX_TOKENS = 96
TIME_LIMIT_S = 1.5


class FimModel(Protocol):
    """What completion needs from a loaded model (`LocalModel` provides it)."""

    info: Any  # .name and .architecture

    def tokenize(self, text: str, *, special: bool = False) -> list[int]:
        """Token ids of `text`."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes as content."""
        ...

    def vocab_token(self, name: str) -> int:
        """A special token's id, -1 when absent."""
        ...

    def cached_tokens(self, prompt: Sequence[int]) -> int:
        """Leading tokens of `prompt` the KV cache holds."""
        ...

    def stream(
        self,
        prompt: Sequence[int],
        *,
        sampling: Sampling,
        stop_tokens: frozenset[int] = frozenset(),
        cancel: CancelToken,
    ) -> Iterator[StreamItem]:
        """Generate after `prompt`."""
        ...


@dataclass(frozen=True)
class Completion:
    """The ghost text for one request and what it cost."""

    text: str
    cached: bool  # served from the cache: no model call
    prompt_tokens: int = 0
    evaluated_tokens: int = 0  # prompt tokens read this time (the rest came from the KV cache)
    generated_tokens: int = 0
    seconds: float = 0.0
    finish: str = "stop"  # stop | cut (truncated) | length | time | cancelled

    def as_dict(self) -> dict[str, object]:
        """Plain data for `enclave complete --json`."""
        return {
            "text": self.text,
            "cached": self.cached,
            "prompt_tokens": self.prompt_tokens,
            "evaluated_tokens": self.evaluated_tokens,
            "generated_tokens": self.generated_tokens,
            "seconds": round(self.seconds, 4),
            "finish": self.finish,
        }


class CompletionEngine:
    """Fill-in-the-middle completion with repository context, a cache and indentation cut-off.

    Raises (from the constructor):
        EnclaveError: the model cannot fill in the middle (see `fim_tokens`).
    """

    def __init__(
        self,
        model: FimModel,
        *,
        repo_name: str = "",
        context: RepoContext | None = None,
        max_tokens: int = MAX_TOKENS,
        time_limit_s: float = TIME_LIMIT_S,
    ) -> None:
        self.model = model
        self.fim: FimTokens = fim_tokens(
            model, architecture=getattr(model.info, "architecture", ""), name=getattr(model.info, "name", "")
        )
        self.context = context or RepoContext()
        self.cache = CompletionCache()
        self._repo = repo_name
        self._max_tokens = max_tokens
        self._time_limit_s = time_limit_s

    def complete(
        self, *, path: str, text: str, offset: int, cancel: CancelToken, use_context: bool = True
    ) -> Completion:
        """The completion at character `offset` of `text` (the document `path`, relative to the project)."""
        return last_completion(
            self.completions(path=path, text=text, offset=offset, cancel=cancel, use_context=use_context)
        )

    def completions(
        self, *, path: str, text: str, offset: int, cancel: CancelToken, use_context: bool = True
    ) -> Iterator[str | Completion]:
        """`complete`, streamed: the ghost text so far each time it grows, then the `Completion`."""
        started = time.perf_counter()
        offset = max(0, min(offset, len(text)))
        prefix, suffix = split_at(text, offset, count=self.model.count_tokens)
        hit = self.cache.get(path, prefix, suffix)
        if hit is not None:
            yield Completion(hit, cached=True, seconds=time.perf_counter() - started)
            return
        chunks = self.context.chunks(path, text, offset) if use_context else []
        prompt = build_prompt(
            self.model, self.fim, path=path, prefix=prefix, suffix=suffix, chunks=chunks, repo=self._repo
        )
        cached = self.model.cached_tokens(prompt.tokens)
        line_before = prefix.rsplit("\n", 1)[-1]
        cut = Truncator(line_before=line_before, suffix=suffix)
        sampling = replace(Sampling.greedy(max_tokens=self._max_tokens), loop_guard=False)  # the cut ends it
        stream = self.model.stream(
            prompt.tokens, sampling=sampling, stop_tokens=self.fim.stops, cancel=cancel
        )
        ended: list[GenerationDone] = []

        def texts() -> Iterator[str]:
            for item in stream:
                if isinstance(item, TextDelta):
                    yield item.text
                elif isinstance(item, GenerationDone):
                    ended.append(item)

        try:
            finish, generated = yield from read_until_cut(texts(), cut, deadline=started + self._time_limit_s)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        if ended:
            finish, generated = ended[0].finish_reason, ended[0].stats.completion_tokens
        result = cut.result()
        if finish == "cancelled" or cancel.cancelled:
            yield Completion("", cached=False, seconds=time.perf_counter() - started, finish="cancelled")
            return
        if finish in ("stop", "cut"):
            self.cache.put(path, prefix, suffix, result)
        logger.debug(
            "completion: %d prompt tokens, %d read, %d generated, %s",
            len(prompt.tokens),
            len(prompt.tokens) - cached,
            generated,
            finish,
        )
        yield Completion(
            result,
            cached=False,
            prompt_tokens=len(prompt.tokens),
            evaluated_tokens=len(prompt.tokens) - cached,
            generated_tokens=generated,
            seconds=time.perf_counter() - started,
            finish=finish,
        )


def last_completion(items: Iterator[str | Completion]) -> Completion:
    """The `Completion` that ends a `completions` stream (the partial texts before it skipped)."""
    done: Completion | None = None
    for item in items:
        if isinstance(item, Completion):
            done = item
    if done is None:
        raise RuntimeError("a completion stream ended without its Completion")
    return done
