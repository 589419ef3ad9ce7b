"""`ScriptedModel`: a `ChatModel` that replays recorded replies, for tests, demos and bug reports.

Each `chat()` call plays the next reply. It honours `stop` strings like a real model, and it
continues the same reply when the agent stops reading at `<tool_call>` and calls again with
a `prefill` (the grammar path), so scripted runs take the same route as real ones.
A script file is JSON Lines: one JSON string per line, the raw text of one model reply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.cancel import CancelToken
from app.core.errors import EnclaveError
from app.core.runtime.chat_template import Message
from app.core.runtime.generation import GenerationDone, GenerationStats, Sampling, StreamItem, TextDelta

_PIECES = re.compile(r"(<tool_call>|</tool_call>|\n)")
EXHAUSTED_REPLY = "(the script has no more replies)"


@dataclass
class ChatCall:
    """What the agent asked for in one `chat()` call (tests inspect these)."""

    messages: list[Message]
    tools: list[dict[str, Any]]
    grammar: str | None
    prefill: str
    stop: tuple[str, ...]


@dataclass
class ScriptedModel:
    """Replays `replies` in order; counts tokens as whitespace-separated words plus punctuation."""

    replies: list[str]
    n_ctx: int = 8192
    calls: list[ChatCall] = field(default_factory=list)
    prefills: list[list[Message]] = field(default_factory=list)
    _index: int = 0
    _current: str | None = None
    _pos: int = 0

    @classmethod
    def from_file(cls, path: Path, *, n_ctx: int = 8192) -> ScriptedModel:
        """Load a JSON Lines script: each line one JSON string.

        Raises:
            EnclaveError: the file is missing or a line is not a JSON string.

        """
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise EnclaveError(f"{path}: cannot read the script ({exc.strerror or exc})") from None
        replies = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError:
                raise EnclaveError(f"{path}:{n}: not JSON; each line must be one JSON string") from None
            if not isinstance(value, str):
                raise EnclaveError(f"{path}:{n}: each line must be one JSON string (a model reply)")
            replies.append(value)
        return cls(replies, n_ctx=n_ctx)

    @property
    def remaining(self) -> int:
        """Replies not yet started."""
        return len(self.replies) - self._index

    def count_tokens(self, text: str) -> int:
        """A stable stand-in for a tokenizer: about one token per word or symbol."""
        return len(re.findall(r"\w+|[^\w\s]", text))

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
        """Stream the next reply (or the rest of the current one, after a prefill)."""
        self.calls.append(
            ChatCall(list(messages), [dict(t) for t in tools or []], grammar, prefill, tuple(stop))
        )
        if grammar:
            # A grammar-constrained model stops where the call's JSON ends.
            stop = (*stop, "</tool_call>")
        return self._play(prefill=prefill, stop=tuple(stop), cancel=cancel, max_tokens=sampling.max_tokens)

    def prefill(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Mapping[str, Any]] | None = None,
        code_free: int = 0,
        cancel: CancelToken,
    ) -> int:
        """Nothing to evaluate ahead; recorded so tests can see the prefix that would be."""
        self.prefills.append(list(messages))
        return 0

    def _play(
        self, *, prefill: str, stop: tuple[str, ...], cancel: CancelToken, max_tokens: int
    ) -> Iterator[StreamItem]:
        if prefill and self._current is not None and self._pos < len(self._current):
            text = self._current[self._pos :]
            text = text[_overlap(prefill, text) :]
        else:
            if self._index < len(self.replies):
                self._current = self.replies[self._index]
                self._index += 1
            else:
                self._current = EXHAUSTED_REPLY
            self._pos = 0
            text = self._current
        base = len(self._current) - len(text)
        cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
        body = text if cut < 0 else text[:cut]
        emitted: list[str] = []
        finish = "stop"
        pos = 0
        count = 0
        for piece in _PIECES.split(body):
            if not piece:
                continue
            if cancel.cancelled:
                finish = "cancelled"
                break
            if count >= max_tokens:
                finish = "length"
                break
            pos += len(piece)
            self._pos = base + pos
            count += 1
            emitted.append(piece)
            yield TextDelta(piece)
        if finish == "stop":
            self._pos = len(self._current)  # a finished reply is not continued
        out = "".join(emitted)
        stats = GenerationStats(
            prompt_tokens=0,
            cached_tokens=0,
            completion_tokens=count,
            ttft_s=0.0,
            tokens_per_s=0.0,
            total_s=0.0,
        )
        yield GenerationDone(finish_reason=finish, text=out, stats=stats)


def _overlap(prefill: str, text: str) -> int:
    """Length of the longest suffix of `prefill` that `text` starts with (what was already said)."""
    for k in range(min(len(prefill), len(text)), 0, -1):
        if text.startswith(prefill[-k:]):
            return k
    return 0
