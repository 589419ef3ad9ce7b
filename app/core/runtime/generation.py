"""The records a model streams and the port the agent and front ends talk to."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.core.cancel import CancelToken
from app.core.runtime.chat_template import Message


@dataclass(frozen=True)
class Sampling:
    """Sampling settings; defaults follow Qwen3-Instruct-2507's model card."""

    temperature: float = 0.7
    top_p: float = 0.8
    top_k: int = 20
    min_p: float = 0.0
    repeat_penalty: float = 1.0
    presence_penalty: float = 0.0
    seed: int | None = None
    max_tokens: int = 1024
    loop_guard: bool = True  # end a reply that repeats one passage over and over
    draft: bool = False  # speculative decoding with drafts from the prompt (see speculative.py)

    @classmethod
    def greedy(cls, *, max_tokens: int = 1024) -> Sampling:
        """Deterministic decoding (tests, benchmarks, tool-call arguments)."""
        return cls(temperature=0.0, top_p=1.0, top_k=1, min_p=0.0, seed=0, max_tokens=max_tokens)


@dataclass(frozen=True)
class TextDelta:
    """A piece of generated text (may hold several tokens when a UTF-8 char spans them)."""

    text: str


@dataclass(frozen=True)
class GenerationStats:
    """What one generation call cost."""

    prompt_tokens: int
    cached_tokens: int  # prompt tokens reused from the KV cache, not evaluated again
    completion_tokens: int
    ttft_s: float  # time to first token
    tokens_per_s: float  # generated tokens per second after the first
    total_s: float
    drafted: int = 0  # speculative draft tokens checked by the model
    accepted: int = 0  # of those, the ones it kept

    @property
    def evaluated_tokens(self) -> int:
        """Prompt tokens that had to be evaluated this call."""
        return self.prompt_tokens - self.cached_tokens


@dataclass(frozen=True)
class GenerationDone:
    """The last item of every stream: why it stopped and what it cost."""

    finish_reason: str  # stop | length | cancelled | repetition
    text: str
    stats: GenerationStats
    tokens: tuple[int, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class PromptRead:
    """Progress while the prompt is read (one per batch): `done` of `total` new tokens, of `prompt` in all."""

    done: int
    total: int
    prompt: int


StreamItem = TextDelta | PromptRead | GenerationDone


class ChatModel(Protocol):
    """What the agent needs from a model: `LocalModel` and `ScriptedModel` both provide it."""

    @property
    def n_ctx(self) -> int:
        """The context window in tokens."""
        ...

    def count_tokens(self, text: str) -> int:
        """Exact token count of `text` as content."""
        ...

    def chat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Mapping[str, Any]] | None = None,
        sampling: Sampling,
        stop: Sequence[str] = (),
        grammar: str | None = None,
        prefill: str = "",
        cancel: CancelToken,
    ) -> Iterator[StreamItem]:
        """Render `messages` with the model's template and stream the reply."""
        ...

    def prefill(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Mapping[str, Any]] | None = None,
        code_free: int = 0,
        cancel: CancelToken,
    ) -> int:
        """Evaluate the leading `messages` of the next prompt ahead of time; the tokens evaluated."""
        ...
