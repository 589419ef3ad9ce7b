"""The typed events one agent turn yields, and the reply slot a front end answers.

A `PermissionRequest` or an `EditProposed` with a `reply` pauses the turn: the loop waits
(checking the cancel token) until the front end calls `reply.answer(...)`. A headless
front end answers before asking for the next event; the GUI answers from its own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from app.core.cancel import CancelToken

Decision = Literal["once", "always", "reject"]


class Reply:
    """A one-shot answer slot, safe to fill from another thread."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._decision: Decision = "reject"
        self._message = ""
        self._hunks: tuple[int, ...] | None = None

    def answer(self, decision: Decision, *, message: str = "", hunks: Sequence[int] | None = None) -> None:
        """Give the answer: allow once, allow always (this project, this run), or reject.

        `message` goes back to the model with a rejection (e.g. what to do instead).
        `hunks` (edits only): the 0-based hunks of the diff to apply; None applies them all.
        """
        if decision not in ("once", "always", "reject"):
            raise ValueError(f"unknown decision {decision!r}")
        if self._done.is_set():
            return
        self._decision, self._message = decision, message
        self._hunks = None if hunks is None else tuple(sorted(set(hunks)))
        self._done.set()

    @property
    def answered(self) -> bool:
        """Whether `answer` was called."""
        return self._done.is_set()

    @property
    def decision(self) -> Decision:
        """The answer; `reject` until answered."""
        return self._decision

    @property
    def hunks(self) -> tuple[int, ...] | None:
        """The accepted hunks of an edit (0-based), or None for all of them."""
        return self._hunks

    @property
    def message(self) -> str:
        """The user's note with a rejection, if any."""
        return self._message

    def wait(self, cancel: CancelToken, *, poll_s: float = 0.05) -> Decision:
        """Block until answered or cancelled (a cancel counts as a rejection)."""
        while not self._done.wait(poll_s):
            if cancel.cancelled:
                return "reject"
        return self._decision


@dataclass(frozen=True)
class PromptReading:
    """The model is reading the step's prompt: `done` of `total` new tokens (of `prompt` in all)."""

    done: int
    total: int
    prompt: int


@dataclass(frozen=True)
class AssistantText:
    """Visible text the model streamed (tool-call markup is not included)."""

    text: str


@dataclass(frozen=True)
class ToolCallStarted:
    """The loop is about to run a tool the model called."""

    call_id: int
    name: str
    arguments: dict[str, object]
    step: int


@dataclass(frozen=True)
class ToolCallFinished:
    """A tool ran (or was refused); `output` is exactly what the model sees."""

    call_id: int
    name: str
    ok: bool
    output: str
    sandboxed: bool | None = None  # run tool only: whether bubblewrap confined it


@dataclass(frozen=True)
class PermissionRequest:
    """The loop waits for `reply` before it runs (or refuses) the call."""

    request_id: int
    tool: str  # the permission key: read | edit | run | doom_loop
    subject: str  # path, command or call being asked about
    reason: str  # one line for the dialog
    always_pattern: str  # what "always" would allow for this project
    reply: Reply = field(default_factory=Reply, compare=False, repr=False)


@dataclass(frozen=True)
class EditProposed:
    """A change to one file as a unified diff; nothing is written before it is accepted.

    `reply` is None when the edit is applied without asking (auto-accept or an allow rule).
    """

    edit_id: int
    path: str
    kind: str  # create | file | symbol | search_replace
    diff: str
    reply: Reply | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class EditResolved:
    """What became of a proposed edit."""

    edit_id: int
    path: str
    applied: bool
    reason: str = ""


@dataclass(frozen=True)
class SyntaxIssue:
    """One syntax problem: 1-based line and column."""

    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Diagnostics:
    """Syntax diagnostics of a file after an edit (also sent to the model)."""

    path: str
    issues: tuple[SyntaxIssue, ...]


@dataclass(frozen=True)
class ContextTrimmed:
    """The conversation neared the context limit and was shortened."""

    trimmed_tool_outputs: int
    summarised_turns: int
    tokens_before: int
    tokens_after: int


class TurnReason(StrEnum):
    """Why a turn ended."""

    ANSWERED = "answered"
    STEP_LIMIT = "step_limit"  # the step limit was reached before a final answer
    DOOM_LOOP = "doom_loop"  # the user stopped a call the model kept repeating
    CANCELLED = "cancelled"
    CONTEXT_FULL = "context_full"  # the conversation no longer fits the context window


@dataclass(frozen=True)
class TurnDone:
    """The last event of every turn."""

    reason: TurnReason
    text: str  # the final answer text (the last model reply without tool calls)
    steps: int
    prompt_tokens: int
    completion_tokens: int
    tokens_per_s: float
    elapsed_s: float
    ttft_s: float | None = None  # seconds from the start of the turn to the model's first token


Event = (
    PromptReading
    | AssistantText
    | ToolCallStarted
    | ToolCallFinished
    | PermissionRequest
    | EditProposed
    | EditResolved
    | Diagnostics
    | ContextTrimmed
    | TurnDone
)
