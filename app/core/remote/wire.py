"""The OpenAI chat-completions wire format, both ways, and what a request carries out.

Out: the agent's messages become OpenAI messages. The same conversation always gives the
same bytes (call ids are derived from the call, not random), so turn N's request is a
prefix of turn N+1's and the server's prefix cache hits.

In: `ReplyAssembler` joins a streamed reply. Tool-call deltas are joined by `index` (the
`id` and `name` come only in a call's first chunk; later ones add argument fragments), and
the finished calls are handed to the agent as hermes `<tool_call>` text, the form it
already parses for local models. A model that writes its calls as text (Qwen2.5-Coder does,
vLLM's hermes parser sometimes leaves them there) takes the same path unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import json5

from app.core.runtime.chat_template import Message

# Tools whose `path` argument is a file whose content went out, with the call or its result.
_FILE_TOOLS = frozenset({"read", "edit", "write", "symbols"})
_PINNED = re.compile(r"^File (\S.*?):\n```", re.MULTILINE)
_LINE_HIT = re.compile(r"^(\S[^\n:]*?):\d+: ", re.MULTILINE)
PROJECT_MAP = "(project map)"
COMMAND_OUTPUT = "(command output)"


def to_openai(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """The agent's messages as OpenAI chat messages, the same bytes for the same conversation.

    An assistant message with `tool_calls` followed by one tool message per call becomes
    structured calls with matching ids. Where the counts differ (a call the agent could not
    parse still gets an error result), the calls are written as hermes text and the results
    as `<tool_response>` user messages, which every template reads.
    """
    out: list[dict[str, Any]] = []
    i = 0
    while i < len(messages):
        message = messages[i]
        role = message["role"]
        calls = message.get("tool_calls") or []
        if role == "assistant" and calls:
            results = _following_tool_results(messages, i + 1)
            if len(results) == len(calls):
                ids = [
                    call_id(message.get("content", ""), c["name"], c["arguments"], n)
                    for n, c in enumerate(calls)
                ]
                reply: dict[str, Any] = {"role": "assistant"}
                if message.get("content"):
                    reply["content"] = message["content"]  # no text: no key (null is refused by some servers)
                reply["tool_calls"] = [
                    {
                        "id": ids[n],
                        "type": "function",
                        "function": {"name": c["name"], "arguments": _dumps(c["arguments"])},
                    }
                    for n, c in enumerate(calls)
                ]
                out.append(reply)
                out.extend(
                    {"role": "tool", "tool_call_id": ids[n], "content": r["content"]}
                    for n, r in enumerate(results)
                )
                i += 1 + len(results)
                continue
            text = message.get("content", "")
            blocks = "".join(
                f"\n<tool_call>\n{_dumps({'name': c['name'], 'arguments': c['arguments']})}\n</tool_call>"
                for c in calls
            )
            out.append({"role": "assistant", "content": (text + blocks).strip()})
        elif role == "tool":
            out.append(
                {"role": "user", "content": f"<tool_response>\n{message['content']}\n</tool_response>"}
            )
        else:
            out.append({"role": role, "content": message.get("content", "")})
        i += 1
    return out


def call_id(text: str, name: str, arguments: Any, n: int) -> str:
    """A call id that depends only on the call (and its message), so a replay sends the same bytes."""
    digest = hashlib.sha256(f"{text}\0{name}\0{_dumps(arguments)}\0{n}".encode("utf-8", "replace"))
    return "call_" + digest.hexdigest()[:24]


def files_sent(messages: Sequence[Message]) -> tuple[str, ...]:
    """The project files whose content these messages carry (names only), and the map if sent.

    Read from what the agent puts in a prompt: pinned files (`File x:` blocks), the paths
    of read/edit/write/symbols calls, `path:line:` hits in tool results (grep), the project
    map, and command output.
    """
    found: dict[str, None] = {}
    for message in messages:
        content = message.get("content") or ""
        if message["role"] == "user":
            if (
                content.startswith("Project map (main files and definitions):")
                or "\n\nProject map (" in content
            ):
                found[PROJECT_MAP] = None
            for match in _PINNED.finditer(content):
                found[match.group(1)] = None
        elif message["role"] == "tool":
            if content.startswith("$ "):
                found[COMMAND_OUTPUT] = None
            for match in _LINE_HIT.finditer(content):
                found[match.group(1)] = None
        for call in message.get("tool_calls") or []:
            if call["name"] == "map":
                found[PROJECT_MAP] = None
            path = call["arguments"].get("path") if isinstance(call["arguments"], dict) else None
            if call["name"] in _FILE_TOOLS and isinstance(path, str) and path:
                found[path] = None
    return tuple(found)


@dataclass
class _Call:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class Usage:
    """Token counts from the server's usage report (None: the server did not say)."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None


class ReplyAssembler:
    """Turns streamed chat-completion chunks into text for the agent."""

    def __init__(self) -> None:
        self._calls: dict[int, _Call] = {}
        self._last_index = 0
        self.finish_reason: str | None = None
        self.usage = Usage()
        self.content_chunks = 0
        self.malformed = 0  # tool-call deltas that could not be placed

    def feed(self, chunk: dict[str, Any]) -> str:
        """The visible text in `chunk` (calls are kept until `finish()`)."""
        self._read_usage(chunk)
        choices = chunk.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            return ""
        choice = choices[0]
        if choice.get("finish_reason"):
            self.finish_reason = str(choice["finish_reason"])
        delta = choice.get("delta") or {}
        if not isinstance(delta, dict):
            return ""
        for call in delta.get("tool_calls") or []:
            self._add_call_delta(call)
        content = delta.get("content")
        if isinstance(content, str) and content:
            self.content_chunks += 1
            return content
        return ""

    def finish(self) -> str:
        """The joined calls as hermes `<tool_call>` blocks, in index order (empty: no calls)."""
        blocks = []
        for index in sorted(self._calls):
            call = self._calls[index]
            if not call.name:
                self.malformed += 1
                continue
            raw = "".join(call.arguments).strip() or "{}"
            arguments: Any
            try:
                arguments = json5.loads(raw)
            except (ValueError, RecursionError):
                # Cut off or broken: passed on as a string, so the agent tells the model which
                # call had bad arguments (the name survives) instead of guessing at them.
                arguments = raw
            blocks.append(f"<tool_call>\n{_dumps({'name': call.name, 'arguments': arguments})}\n</tool_call>")
        return ("\n" if blocks else "") + "\n".join(blocks)

    @property
    def call_count(self) -> int:
        """How many calls were started in the stream."""
        return len(self._calls)

    def _add_call_delta(self, delta: Any) -> None:
        if not isinstance(delta, dict):
            self.malformed += 1
            return
        index = delta.get("index")
        if not isinstance(index, int):
            # Some servers omit the index for a single call: a new id starts a new call.
            new_id = delta.get("id")
            index = self._last_index
            if new_id and index in self._calls and self._calls[index].id and self._calls[index].id != new_id:
                index = max(self._calls) + 1
        self._last_index = index
        call = self._calls.setdefault(index, _Call())
        if isinstance(delta.get("id"), str) and not call.id:
            call.id = delta["id"]
        function = delta.get("function")
        if not isinstance(function, dict):
            if function is not None:
                self.malformed += 1
            return
        name = function.get("name")
        if isinstance(name, str) and name and not call.name:
            call.name = name  # only the first: servers that repeat it in every chunk do not double it
        arguments = function.get("arguments")
        if isinstance(arguments, str):
            call.arguments.append(arguments)
        elif isinstance(arguments, dict):
            call.arguments.append(_dumps(arguments))
        elif arguments is not None:
            self.malformed += 1

    def _read_usage(self, chunk: dict[str, Any]) -> None:
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self.usage.prompt_tokens = _int(usage.get("prompt_tokens"), self.usage.prompt_tokens)
            self.usage.completion_tokens = _int(usage.get("completion_tokens"), self.usage.completion_tokens)
            details = usage.get("prompt_tokens_details")
            if isinstance(details, dict):
                self.usage.cached_tokens = _int(details.get("cached_tokens"), self.usage.cached_tokens)
        timings = chunk.get("timings")  # llama-server: prompt_n evaluated, cache_n reused
        if isinstance(timings, dict):
            cached = _int(timings.get("cache_n"), None)
            evaluated = _int(timings.get("prompt_n"), None)
            if cached is not None:
                self.usage.cached_tokens = cached
            if cached is not None and evaluated is not None and self.usage.prompt_tokens is None:
                self.usage.prompt_tokens = cached + evaluated
            self.usage.completion_tokens = _int(timings.get("predicted_n"), self.usage.completion_tokens)


def iter_text(assembler: ReplyAssembler, chunks: Iterator[dict[str, Any]]) -> Iterator[str]:
    """Feed every chunk and yield its visible text; the calls follow once the stream ends."""
    for chunk in chunks:
        text = assembler.feed(chunk)
        if text:
            yield text
    tail = assembler.finish()
    if tail:
        yield tail


def _following_tool_results(messages: Sequence[Message], start: int) -> list[Message]:
    results = []
    for message in messages[start:]:
        if message["role"] != "tool":
            break
        results.append(message)
    return results


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _int(value: Any, default: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default
