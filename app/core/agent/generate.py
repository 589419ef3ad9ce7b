"""One model step: stream visible text, and constrain the call with a grammar once `<tool_call>` opens."""

from __future__ import annotations

import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.core.agent.events import AssistantText, Event, PromptReading
from app.core.agent.tool_call_parser import CLOSE, OPEN, find_open, in_fence
from app.core.cancel import CancelToken
from app.core.runtime.chat_template import Message
from app.core.runtime.generation import ChatModel, GenerationDone, PromptRead, Sampling, TextDelta
from app.core.runtime.holdback import partial_tail

CALL_MAX_TOKENS = 512


@dataclass
class StepStats:
    """What the model calls of one turn cost, summed."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    generation_s: float = 0.0
    first_token_at: float | None = None  # perf_counter() when the turn's first token arrived

    @property
    def tokens_per_s(self) -> float:
        """Generated tokens per second of generation time."""
        return self.completion_tokens / self.generation_s if self.generation_s > 0 else 0.0


@dataclass(frozen=True)
class StepReply:
    """The raw reply of one step and how it ended."""

    text: str
    finish_reason: str


class VisibleText:
    """Hides tool-call markup from the streamed text, holding back a half-seen tag."""

    def __init__(self) -> None:
        self._buf = ""
        self._inside = False
        self._shown = ""  # text shown so far (to know whether a fence is open)

    def feed(self, text: str) -> str:
        """The part of `text` the user should see now."""
        self._buf += text
        out: list[str] = []
        while True:
            tag = CLOSE if self._inside else OPEN
            at = self._buf.find(tag)
            if at >= 0 and not self._inside and in_fence(self._shown + "".join(out) + self._buf[:at]):
                # `<tool_call>` inside a code block is code: show it.
                out.append(self._buf[: at + len(tag)])
                self._buf = self._buf[at + len(tag) :]
                continue
            if at >= 0:
                if not self._inside:
                    out.append(self._buf[:at])
                self._buf = self._buf[at + len(tag) :]
                self._inside = not self._inside
                continue
            if self._inside:
                self._buf = self._buf[len(self._buf) - partial_tail(self._buf, (CLOSE,)) :]
                shown = "".join(out)
                self._shown = (self._shown + shown)[-20_000:]
                return shown
            hold = partial_tail(self._buf, (OPEN,))
            out.append(self._buf[: len(self._buf) - hold])
            self._buf = self._buf[len(self._buf) - hold :]
            shown = "".join(out)
            self._shown = (self._shown + shown)[-20_000:]
            return shown

    def flush(self) -> str:
        """Whatever was held back, once the stream has ended."""
        out, self._buf = ("" if self._inside else self._buf), ""
        return out


def generate_step(
    model: ChatModel,
    messages: Sequence[Message],
    *,
    tools: Sequence[Mapping[str, Any]],
    sampling: Sampling,
    grammar: str | None,
    force_call: bool,
    stats: StepStats,
    cancel: CancelToken,
) -> Generator[Event, None, StepReply]:
    """Run the model for one step, yielding `AssistantText`; returns the raw reply.

    With a `grammar`, free generation stops as soon as `<tool_call>` appears and the call is
    generated again under the grammar (prefilled with the text so far); `force_call`
    skips the free part and starts inside `<tool_call>` at once.
    """
    visible = VisibleText()
    before = ""
    finish = "stop"
    if not force_call:
        parts: list[str] = []
        opened = False
        started = time.perf_counter()
        stream = model.chat(messages, tools=tools or None, sampling=sampling, cancel=cancel)
        count = 0
        recent = ""
        try:
            for item in stream:
                if isinstance(item, PromptRead):
                    yield PromptReading(item.done, item.total, item.prompt)
                elif isinstance(item, TextDelta):
                    if stats.first_token_at is None:
                        stats.first_token_at = time.perf_counter()
                    parts.append(item.text)
                    count += 1
                    shown = visible.feed(item.text)
                    if shown:
                        yield AssistantText(shown)
                    recent = (recent + item.text)[-4 * len(OPEN) :]
                    if grammar and OPEN in recent and find_open("".join(parts)) >= 0:
                        opened = True
                        break
                elif isinstance(item, GenerationDone):
                    finish = item.finish_reason
                    stats.prompt_tokens = max(stats.prompt_tokens, item.stats.prompt_tokens)
                    count = item.stats.completion_tokens or count
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        stats.completion_tokens += count
        stats.generation_s += time.perf_counter() - started
        text = "".join(parts)
        if not opened:
            tail = visible.flush()
            if tail:
                yield AssistantText(tail)
            return StepReply(text, finish)
        before = text[: find_open(text)]
    if not grammar:
        raise ValueError("force_call needs a grammar")
    call_text, finish = yield from _constrained_call(
        model,
        messages,
        tools=tools,
        sampling=sampling,
        grammar=grammar,
        prefill=before + OPEN + "\n",
        stats=stats,
        cancel=cancel,
    )
    return StepReply(before + OPEN + "\n" + call_text.strip() + "\n" + CLOSE, finish)


def _constrained_call(
    model: ChatModel,
    messages: Sequence[Message],
    *,
    tools: Sequence[Mapping[str, Any]],
    sampling: Sampling,
    grammar: str,
    prefill: str,
    stats: StepStats,
    cancel: CancelToken,
) -> Generator[Event, None, tuple[str, str]]:
    started = time.perf_counter()
    parts: list[str] = []
    finish = "stop"
    # Enough for the longest call the grammar allows, whatever the reply budget is.
    call_sampling = replace(sampling, max_tokens=CALL_MAX_TOKENS)
    for item in model.chat(
        messages,
        tools=tools or None,
        sampling=call_sampling,
        grammar=grammar,
        prefill=prefill,
        cancel=cancel,
    ):
        if isinstance(item, TextDelta):
            if stats.first_token_at is None:
                stats.first_token_at = time.perf_counter()
            parts.append(item.text)
        elif isinstance(item, GenerationDone):
            finish = item.finish_reason
            stats.prompt_tokens = max(stats.prompt_tokens, item.stats.prompt_tokens)
            stats.completion_tokens += item.stats.completion_tokens or len(parts)
    stats.generation_s += time.perf_counter() - started
    yield from ()
    # The grammar ends the call itself (no stop string: a string argument may hold the text
    # `</tool_call>`). "</" can only occur inside a JSON string here, where "<\/" means the same.
    return "".join(parts).replace("</", "<\\/"), finish
