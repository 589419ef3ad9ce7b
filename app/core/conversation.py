"""The conversation as a tree, so editing a sent message or regenerating makes a branch.

Qt-free and in memory only (never written to disk). The active branch is the path from the
root that follows each node's chosen child.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from app.core.runtime.chat_template import Message


class ReplyStats(Protocol):
    """The numbers a finished reply shows: a plain chat's `GenerationStats`, an agent's `TurnDone`."""

    @property
    def completion_tokens(self) -> int: ...

    @property
    def tokens_per_s(self) -> float: ...

    @property
    def ttft_s(self) -> float | None: ...


@dataclass
class ToolStep:
    """One tool call of an assistant turn, as the chat shows it (a card between the text)."""

    at: int  # offset in the turn's text where the model called the tool
    name: str
    arguments: dict[str, object]
    output: str = ""  # what the model was given back
    ok: bool | None = None  # None while the tool runs
    seconds: float | None = None  # how long it ran, as the front end measured it


@dataclass
class Turn:
    """One message in the tree."""

    id: int
    role: str  # user | assistant
    text: str
    parent: int | None
    children: list[int] = field(default_factory=list)
    chosen: int = -1  # index into children of the active branch
    finish: str = ""  # assistant: stop | length | cancelled | failed
    note: str = ""  # assistant: what the user should know about the outcome ("no edit was proposed")
    context_files: tuple[
        str, ...
    ] = ()  # assistant: project files the answer was given (pinned, read, edited)
    stats: ReplyStats | None = None  # assistant: GenerationStats, or the agent's TurnDone
    payload: Any = None  # assistant: the agent's messages for this turn (tool calls included)
    steps: list[ToolStep] = field(default_factory=list)  # assistant: the tool calls, in order


class Conversation:
    """Turns in a tree; `active_path` is what the user sees and what the model is sent."""

    def __init__(self) -> None:
        self._turns: dict[int, Turn] = {}
        self._roots: list[int] = []
        self._chosen_root = -1
        self._next = 1

    def clear(self) -> None:
        """Forget every turn (Forget Everything, New Conversation)."""
        self._turns.clear()
        self._roots.clear()
        self._chosen_root = -1

    def get(self, turn_id: int) -> Turn:
        """The turn with `turn_id`."""
        return self._turns[turn_id]

    def active_path(self) -> list[Turn]:
        """The turns on the active branch, oldest first."""
        path: list[Turn] = []
        if not self._roots:
            return path
        turn = self._turns[self._roots[self._chosen_root]]
        while True:
            path.append(turn)
            if not turn.children:
                return path
            turn = self._turns[turn.children[turn.chosen]]

    def leaf(self) -> Turn | None:
        """The newest turn on the active branch."""
        path = self.active_path()
        return path[-1] if path else None

    def add(self, role: str, text: str, *, parent: int | None) -> Turn:
        """Add a turn under `parent` (None: a new root) and make it the active branch."""
        turn = Turn(id=self._next, role=role, text=text, parent=parent)
        self._next += 1
        self._turns[turn.id] = turn
        if parent is None:
            self._roots.append(turn.id)
            self._chosen_root = len(self._roots) - 1
        else:
            owner = self._turns[parent]
            owner.children.append(turn.id)
            owner.chosen = len(owner.children) - 1
        return turn

    def ask(self, text: str) -> Turn:
        """Add a user message after the active leaf."""
        leaf = self.leaf()
        return self.add("user", text, parent=leaf.id if leaf else None)

    def edit(self, turn_id: int, text: str) -> Turn:
        """A new version of a sent user message: a sibling branch; the old one stays."""
        old = self._turns[turn_id]
        return self.add("user", text, parent=old.parent)

    def regenerate(self, turn_id: int) -> Turn:
        """A fresh, empty assistant reply beside `turn_id` (an assistant turn)."""
        old = self._turns[turn_id]
        return self.add("assistant", "", parent=old.parent)

    def siblings(self, turn_id: int) -> tuple[int, int]:
        """(1-based position, count) of `turn_id` among its siblings."""
        turn = self._turns[turn_id]
        group = self._roots if turn.parent is None else self._turns[turn.parent].children
        return group.index(turn_id) + 1, len(group)

    def switch(self, turn_id: int, *, step: int) -> None:
        """Show the previous (`step=-1`) or next (`step=1`) sibling branch of `turn_id`."""
        turn = self._turns[turn_id]
        if turn.parent is None:
            self._chosen_root = (self._roots.index(turn_id) + step) % len(self._roots)
        else:
            owner = self._turns[turn.parent]
            owner.chosen = (owner.children.index(turn_id) + step) % len(owner.children)

    def prior_turns(self, *, upto: int) -> list[list[Message]]:
        """Completed exchanges before turn `upto`, as the agent's per-turn message lists."""
        out: list[list[Message]] = []
        path = self.active_path()
        for turn in path:
            if turn.id == upto:
                break
            if turn.role != "assistant" or turn.parent is None:
                continue
            if turn.payload:
                out.append(list(turn.payload))
            elif turn.text:
                question = self._turns[turn.parent].text
                out.append(
                    [{"role": "user", "content": question}, {"role": "assistant", "content": turn.text}]
                )
        return out

    def messages(self, *, upto: int | None = None) -> list[Message]:
        """The active branch as chat messages, ending before turn `upto` when given."""
        out: list[Message] = []
        for turn in self.active_path():
            if turn.id == upto:
                break
            if turn.text or turn.role == "user":
                out.append({"role": turn.role, "content": turn.text})
        return out

    def export_messages(self) -> list[Message]:
        """The active branch for an export: the agent's own messages (tool calls too) where kept."""
        out: list[Message] = []
        for turn in self.active_path():
            if turn.role == "user":
                out.append({"role": "user", "content": turn.text})
            elif turn.payload:
                if out and out[-1]["role"] == "user":
                    out.pop()  # the agent's record starts with the question itself
                out.extend(turn.payload)
            elif turn.text:
                out.append({"role": "assistant", "content": turn.text})
        return out
