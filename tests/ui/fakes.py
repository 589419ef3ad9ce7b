"""A replaying chat model for UI tests: implements the ChatModel protocol, no llama.cpp."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from app.core.cancel import CancelToken
from app.core.runtime.generation import GenerationDone, GenerationStats, Sampling, TextDelta


class ReplayModel:
    """Answers each chat call with the next scripted reply, word by word.

    With `pause_s`, it waits between words (waking at once on cancel), so a test can stop it
    mid-answer.
    """

    n_ctx = 4096

    def __init__(self, replies: Sequence[str], *, pause_s: float = 0.0) -> None:
        self._replies = list(replies)
        self._pause_s = pause_s
        self.calls: list[list[dict[str, Any]]] = []
        self.prefills: list[list[dict[str, Any]]] = []
        self.closed = False

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def close(self) -> None:
        self.closed = True

    def prefill(self, messages: Sequence[Any], *, cancel: CancelToken, **_: Any) -> int:
        self.prefills.append([dict(m) for m in messages])
        return 0

    def chat(
        self, messages: Sequence[Any], *, sampling: Sampling, cancel: CancelToken, **_: Any
    ) -> Iterator[Any]:
        self.calls.append([dict(m) for m in messages])
        reply = self._replies.pop(0) if self._replies else "(no more replies)"
        sent: list[str] = []
        finish = "stop"
        for word in reply.split(" "):
            if cancel.cancelled or (self._pause_s and sent and cancel.wait(self._pause_s)):
                finish = "cancelled"
                break
            piece = word if not sent else " " + word
            sent.append(piece)
            yield TextDelta(piece)
        prompt = sum(len(str(m.get("content", "")).split()) for m in messages)
        stats = GenerationStats(
            prompt_tokens=prompt,
            cached_tokens=0,
            completion_tokens=len(sent),
            ttft_s=0.01,
            tokens_per_s=50.0,
            total_s=0.1,
        )
        yield GenerationDone(finish_reason=finish, text="".join(sent), stats=stats)
