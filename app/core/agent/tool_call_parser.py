"""Find and parse tool calls in a model reply, leniently.

Order of attempts, as Qwen-Agent does it and then some: hermes `<tool_call>` blocks parsed
with json5; a regex rescue of `"name"` and `"arguments"`; and only when the reply holds no
`<tool_call>` at all, a ```json block or a bare JSON object that looks like a call.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import json5

OPEN, CLOSE = "<tool_call>", "</tool_call>"
_FENCED_JSON = re.compile(r"```(?:json|json5|tool_call)?\s*\n(\{.*?\})\s*\n```", re.DOTALL)
_FENCE_LINE = re.compile(r"^(`{3,}|~{3,})")
_NAME = re.compile(r"""["']?name["']?\s*:\s*["']([A-Za-z_][\w.-]*)["']""")
_ARGS = re.compile(r"""["']?(?:arguments|parameters)["']?\s*:\s*""")


@dataclass(frozen=True)
class ParsedCall:
    """A tool call as written: `error` is set when it could not be understood."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    raw: str = ""
    attached: str = ""  # text after the JSON inside <tool_call> (e.g. a code block)
    error: str = ""


@dataclass(frozen=True)
class SplitReply:
    """A reply cut into visible text and the calls it makes."""

    text: str  # what the user sees: the reply without tool-call markup
    calls: tuple[ParsedCall, ...]


def find_open(text: str, start: int = 0) -> int:
    """Index of the first `<tool_call>` at or after `start` that is not inside a fenced code block.

    A file the model quotes or rewrites may itself contain `<tool_call>`; inside a fence it
    is code, not a call.
    """
    at = text.find(OPEN, start)
    while at >= 0:
        if not in_fence(text[:at]):
            return at
        at = text.find(OPEN, at + len(OPEN))
    return -1


def in_fence(text: str) -> bool:
    """Whether `text` ends inside an open ``` or ~~~ fence."""
    fence = ""
    for line in text.split("\n"):
        stripped = line.strip()
        if fence:
            if stripped == fence or (stripped.startswith(fence) and not stripped[len(fence) :].strip()):
                fence = ""
        else:
            m = _FENCE_LINE.match(stripped)
            if m:
                fence = m.group(1)
    return bool(fence)


def split_reply(reply: str, *, tool_names: frozenset[str] = frozenset()) -> SplitReply:
    """Separate the visible text from the tool calls in `reply`.

    `tool_names` enables the last-resort fallbacks (bare JSON, ```json blocks): they are
    taken as calls only when they name a known tool.
    """
    if find_open(reply) >= 0:
        text_parts: list[str] = []
        calls: list[ParsedCall] = []
        rest = reply
        while (at := find_open(rest)) >= 0:
            before, after = rest[:at], rest[at + len(OPEN) :]
            text_parts.append(before)
            body, closed, rest = after.partition(CLOSE)
            if not closed:
                rest = ""  # an unclosed call at the end of a reply is still a call
            calls.append(parse_call_body(body))
        text_parts.append(rest)
        return SplitReply("".join(text_parts).strip(), tuple(calls))
    if tool_names:
        for match in _FENCED_JSON.finditer(reply):
            call = _as_known_call(match.group(1), tool_names)
            if call is not None:
                text = (reply[: match.start()] + reply[match.end() :]).strip()
                return SplitReply(text, (call,))
        stripped = reply.strip()
        start = stripped.find("{")
        if start >= 0 and stripped.endswith("}"):
            call = _as_known_call(stripped[start:], tool_names)
            if call is not None:
                return SplitReply(stripped[:start].strip(), (call,))
    return SplitReply(reply.strip(), ())


def parse_call_body(body: str) -> ParsedCall:
    """Parse what stands between `<tool_call>` and `</tool_call>`."""
    raw = body.strip()
    if not raw:
        return ParsedCall(name="", raw=body, error="the tool call is empty")
    obj, end = _leading_object(raw)
    attached = raw[end:].strip() if obj is not None else ""
    if obj is None:
        obj = _rescue(raw)
        if obj is None:
            return ParsedCall(
                name="",
                raw=raw,
                error='the tool call is not valid JSON; write {"name": "<tool>", "arguments": {...}}',
            )
    return _from_object(obj, raw=raw, attached=attached)


def canonical(arguments: dict[str, Any]) -> str:
    """A stable text form of arguments, to spot the same call made again."""
    return json.dumps(arguments, sort_keys=True, ensure_ascii=False)


def _as_known_call(text: str, tool_names: frozenset[str]) -> ParsedCall | None:
    obj, _ = _leading_object(text)
    if not isinstance(obj, dict) or obj.get("name") not in tool_names:
        return None
    return _from_object(obj, raw=text, attached="")


def _from_object(obj: Any, *, raw: str, attached: str) -> ParsedCall:
    if not isinstance(obj, dict):
        return ParsedCall(name="", raw=raw, error="the tool call must be a JSON object")
    if "function" in obj and isinstance(obj["function"], dict):
        obj = obj["function"]  # OpenAI-style nesting
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        return ParsedCall(name="", raw=raw, error='the tool call has no "name"')
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        # Some models double-encode the arguments as a JSON string.
        try:
            args = json5.loads(args) if args.strip() else {}
        except ValueError:
            return ParsedCall(name=name, raw=raw, error='"arguments" is a string that is not a JSON object')
    if args is None:
        args = {}
    if not isinstance(args, dict):
        return ParsedCall(name=name, raw=raw, error='"arguments" must be a JSON object')
    return ParsedCall(name=name.strip(), arguments=args, raw=raw, attached=attached)


def _leading_object(text: str) -> tuple[Any, int]:
    """Parse the first balanced {...} in `text`; returns (object or None, end offset)."""
    start = text.find("{")
    if start < 0:
        return None, 0
    end = _balanced_end(text, start)
    candidates = [text[start:end]] if end else []
    candidates.append(text[start:])
    for chunk in candidates:
        try:
            return json.loads(chunk), start + len(chunk)
        except ValueError:
            pass
        try:
            return json5.loads(chunk), start + len(chunk)
        except (ValueError, RecursionError):
            pass
    return None, 0


def _balanced_end(text: str, start: int) -> int:
    depth, quote, escaped = 0, "", False
    for i in range(start, len(text)):
        c = text[i]
        if quote:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return 0


def _rescue(raw: str) -> dict[str, Any] | None:
    """Pull `name` and `arguments` out of almost-JSON (missing braces, trailing junk)."""
    name = _NAME.search(raw)
    if not name:
        return None
    args: Any = {}
    found = _ARGS.search(raw)
    if found:
        obj, _ = _leading_object(raw[found.end() :])
        if obj is None:
            # Close what the model left open: cut at the last '}' and balance braces.
            tail = raw[found.end() :].rstrip()
            cuts = [len(tail)] + [i + 1 for i in range(len(tail) - 1, -1, -1) if tail[i] in "}\"'"]
            for cut in cuts[:20]:
                piece = tail[:cut].rstrip().rstrip(",")
                missing = piece.count("{") - piece.count("}")
                if not piece.startswith("{") or missing < 0:
                    continue
                try:
                    obj = json5.loads(piece + "}" * missing)
                    break
                except ValueError:
                    continue
        if obj is None:
            return None
        args = obj
    return {"name": name.group(1), "arguments": args}
