"""Assemble the prompt in a fixed order so llama.cpp keeps reusing the KV prefix.

Order: system prompt (+ the tool schemas the template renders after it), the project
context (repo map, then pinned files), the conversation history, the turn in progress.
Near the context limit, old tool outputs are trimmed first, then old turns are replaced by a
short summary. Trimming rewrites the stored history, so the next turn's prefix is stable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.runtime.chat_template import Message

PER_MESSAGE_OVERHEAD = 6  # role markers and newlines each message costs in ChatML
TRIMMED_NOTE = "[old tool output trimmed to save context]"
KEEP_RECENT_TURNS = 1


@dataclass(frozen=True)
class Assembled:
    """The messages to send and what shortening them took."""

    messages: list[Message]
    tokens: int
    trimmed_tool_outputs: int = 0
    summarised_turns: int = 0
    tokens_before: int = 0


def assemble(
    *,
    system: str,
    project: str,
    history: list[list[Message]],
    current: list[Message],
    tools: Sequence[Mapping[str, Any]],
    budget: int,
    count: Callable[[str], int],
) -> Assembled:
    """The prompt messages within `budget` tokens; `history` (a list of turns) is shortened in place."""
    fixed = count(system) + count(json.dumps(list(tools))) + 2 * PER_MESSAGE_OVERHEAD
    fixed += count(project) if project else 0

    def total() -> int:
        return (
            fixed
            + sum(_cost(m, count) for turn in history for m in turn)
            + sum(_cost(m, count) for m in current)
        )

    before = total()
    trimmed = summarised = 0
    if before > budget:
        # 1. Old tool outputs, oldest first.
        for turn in history:
            for i, msg in enumerate(turn):
                if (
                    msg["role"] == "tool"
                    and msg["content"] != TRIMMED_NOTE
                    and len(msg["content"]) > len(TRIMMED_NOTE)
                ):
                    turn[i] = {"role": "tool", "content": TRIMMED_NOTE}
                    trimmed += 1
            if total() <= budget:
                break
    if total() > budget and len(history) > KEEP_RECENT_TURNS:
        # 2. Old turns become one summary message.
        old = history[: len(history) - KEEP_RECENT_TURNS]
        keep = history[len(history) - KEEP_RECENT_TURNS :]
        summarised = sum(1 for t in old if not _is_summary(t))
        history[:] = [[summarise(old)], *keep]
    if total() > budget:
        # 3. Tool outputs of the turn in progress, all but the newest.
        tool_idx = [i for i, m in enumerate(current) if m["role"] == "tool"]
        for i in tool_idx[:-1]:
            if current[i]["content"] != TRIMMED_NOTE:
                current[i] = {"role": "tool", "content": TRIMMED_NOTE}
                trimmed += 1
            if total() <= budget:
                break
    messages: list[Message] = [{"role": "system", "content": system}]
    if project:
        messages.append({"role": "user", "content": project})
    for turn in history:
        messages.extend(turn)
    messages.extend(current)
    return Assembled(messages, total(), trimmed, summarised, before)


def summarise(turns: list[list[Message]]) -> Message:
    """A short, deterministic summary of earlier turns (no model call)."""
    lines = ["Summary of the earlier conversation (details trimmed to fit the context):"]
    for turn in turns:
        if _is_summary(turn):
            lines.extend(turn[0]["content"].splitlines()[1:])
            continue
        asked = next((m["content"] for m in turn if m["role"] == "user"), "")
        answer = next((m["content"] for m in reversed(turn) if m["role"] == "assistant" and m["content"]), "")
        tools = [
            c["name"] + "(" + _short_args(c["arguments"]) + ")" for m in turn for c in m.get("tool_calls", [])
        ]
        line = f"- user: {_clip(asked, 160)}"
        if tools:
            line += f" | tools: {', '.join(tools[:6])}"
        if answer:
            line += f" | answer: {_clip(answer, 240)}"
        lines.append(line)
    return {"role": "user", "content": "\n".join(lines[-40:])}


def _is_summary(turn: list[Message]) -> bool:
    return len(turn) == 1 and turn[0]["content"].startswith("Summary of the earlier conversation")


def _cost(message: Message, count: Callable[[str], int]) -> int:
    cost = PER_MESSAGE_OVERHEAD + count(message["content"])
    for call in message.get("tool_calls", []):
        cost += count(json.dumps(call, ensure_ascii=False)) + 4
    return cost


def _clip(text: str, n: int) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"


def _short_args(args: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_clip(str(v), 40)}" for k, v in list(args.items())[:3])
