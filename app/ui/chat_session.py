"""Connects the chat pane to the model thread: turns requests into jobs, events into views.

Agent events (tool calls, permission requests, proposed edits) are handled when the agent
is part of the build; until then a turn is a plain chat with the local model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.errors import NoModelError
from app.core.events import CancelToken
from app.core.runtime.generation import GenerationDone, Sampling, TextDelta
from app.ui.chat_panel import AskRequest, ChatPanel
from app.ui.model_worker import ModelWorker, TurnJob
from app.ui.permission_prompt import PermissionPrompt

logger = logging.getLogger(__name__)

MAX_ANSWER_TOKENS = 1024
JobFactory = Callable[[AskRequest], TurnJob]


def plain_chat_job(request: AskRequest) -> TurnJob:
    """A turn without tools: the model answers the history as it stands."""

    def job(model: Any, cancel: CancelToken) -> Iterator[object]:
        if model is None:
            raise NoModelError("no model is loaded: Models › Set up a model…")
        yield from model.chat(
            list(request.history), sampling=Sampling(max_tokens=MAX_ANSWER_TOKENS), cancel=cancel
        )

    return job


@dataclass(frozen=True)
class TurnRecorded:
    """The agent's messages for the turn that just ended (so a branch can replay them)."""

    messages: tuple[Any, ...]


@dataclass(frozen=True)
class EditUndone:
    """An accepted edit was reverted (`path` is None when there was nothing to undo)."""

    path: str | None


class AgentTurns:
    """Turns through the agent for the project at `root`; `index()` gives the built index or None.

    The agent lives on the model thread with the model; it is rebuilt when the model or the
    index changes. Its history is set from the branch the user is on before each turn.
    """

    def __init__(self, root: Path, *, index: Callable[[], Any]) -> None:
        self._root = root
        self._index = index
        self._agent: Any = None
        self._model: Any = None
        self._built: Any = None

    def __call__(self, request: AskRequest) -> TurnJob:
        """The job for one question."""

        def job(model: Any, cancel: CancelToken) -> Iterator[object]:
            from app.core.agent import Mode, TurnRequest

            agent = self._agent_for(model)
            agent.history = [list(turn) for turn in request.prior]
            mode = Mode.BUILD if request.mode == "build" else Mode.PLAN
            yield from agent.run_turn(
                TurnRequest(text=request.text, mode=mode, mentions=request.mentions), cancel=cancel
            )
            if agent.history:
                yield TurnRecorded(messages=tuple(agent.history[-1]))

        return job

    def undo(self) -> TurnJob:
        """A job reverting the newest applied edit."""

        def job(model: Any, cancel: CancelToken) -> Iterator[object]:
            yield EditUndone(path=self._agent.undo() if self._agent is not None else None)

        return job

    def _agent_for(self, model: Any) -> Any:
        if model is None:
            raise NoModelError("no model is loaded: Models › Set up a model…")
        from app.core.agent import Agent

        built = self._index()
        if self._agent is None or self._model is not model or self._built is not built:
            port = None
            if built is not None:
                from app.core.agent.project_index import IndexAdapter

                port = IndexAdapter(built, count_tokens=model.count_tokens)
            self._agent = Agent(model, root=self._root, index=port)
            self._model, self._built = model, built
        return self._agent


class ChatSession(QObject):
    """Routes one conversation between `ChatPanel` and `ModelWorker`."""

    context_used = Signal(int)
    edit_proposed = Signal(object)  # EditProposed
    edit_resolved = Signal(object)  # EditResolved
    edit_undone = Signal(object)  # EditUndone
    tool_activity = Signal(str)  # a line for the output panel
    failed = Signal(object)

    def __init__(
        self,
        panel: ChatPanel,
        worker: ModelWorker,
        *,
        job_factory: JobFactory = plain_chat_job,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._panel = panel
        self._worker = worker
        self._job_factory = job_factory
        self._in_turn = False
        self._done_seen = False
        self._failed = False
        panel.ask_requested.connect(self._on_ask_requested)
        panel.stop_requested.connect(self._on_stop_requested)
        worker.event_emitted.connect(self._on_event)
        worker.failed.connect(self._on_failed)
        worker.job_finished.connect(self._on_job_finished)

    def set_job_factory(self, factory: JobFactory) -> None:
        """Switch how turns run (plain chat, or the agent once a project is open)."""
        self._job_factory = factory

    def undo_last_edit(self) -> bool:
        """Revert the newest accepted edit (on the model thread); False when there is no agent."""
        undo = getattr(self._job_factory, "undo", None)
        if undo is None or self._in_turn:
            return False
        self._worker.run_turn(undo())
        return True

    def _on_ask_requested(self, request: AskRequest) -> None:
        self._in_turn, self._done_seen, self._failed = True, False, False
        self._worker.run_turn(self._job_factory(request))

    def _on_stop_requested(self) -> None:
        # Directly, not through a queued signal: the worker is busy in its loop.
        self._worker.stop()

    def _on_failed(self, exc: object) -> None:
        if self._in_turn:
            self._failed = True
        self.failed.emit(exc)

    def _on_job_finished(self, kind: str) -> None:
        if kind != "turn" or not self._in_turn:
            return
        self._in_turn = False
        if self._done_seen:
            return
        if self._failed:
            self._panel.on_reply_failed()
        else:  # cancelled before any end event: show it as stopped, no error
            self._panel.on_reply_done(finish="cancelled", stats=None)

    def _on_event(self, event: object) -> None:
        if isinstance(event, TextDelta):
            self._panel.on_text(event.text)
        elif isinstance(event, GenerationDone):
            self._done_seen = True
            s = event.stats
            self._panel.on_reply_done(finish=event.finish_reason, stats=s, text=event.text)
            self.context_used.emit(s.prompt_tokens + s.completion_tokens)
        elif isinstance(event, EditUndone):
            self.edit_undone.emit(event)
        elif isinstance(event, TurnRecorded):
            self._panel.on_turn_recorded(list(event.messages))
        else:
            self._on_agent_event(event)

    def _on_agent_event(self, event: object) -> None:
        try:
            from app.core.agent import events as ev
        except ImportError:  # the agent is not part of this build
            logger.debug("unexpected event %s", type(event).__name__)
            return
        if isinstance(event, ev.AssistantText):
            self._panel.on_text(event.text)
        elif isinstance(event, ev.PermissionRequest):
            prompt = PermissionPrompt(
                tool=event.tool,
                subject=event.subject,
                reason=event.reason,
                always_pattern=event.always_pattern,
            )
            reply = event.reply
            prompt.answered.connect(lambda decision: reply.answer(decision))
            self._panel.add_permission_prompt(prompt)
        elif isinstance(event, ev.EditProposed):
            self.edit_proposed.emit(event)
        elif isinstance(event, ev.EditResolved):
            self.edit_resolved.emit(event)
        elif isinstance(event, ev.ToolCallStarted):
            self.tool_activity.emit(f"▶ {event.name} {_short(event.arguments)}")
        elif isinstance(event, ev.ToolCallFinished):
            self.tool_activity.emit(("✓ " if event.ok else "✗ ") + f"{event.name}\n{event.output}")
        elif isinstance(event, ev.TurnDone):
            self._done_seen = True
            finish = {"answered": "stop", "cancelled": "cancelled"}.get(event.reason, event.reason)
            self._panel.on_reply_done(finish=finish, stats=event)
            self.context_used.emit(event.prompt_tokens + event.completion_tokens)


def _short(arguments: dict[str, object]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return text if len(text) < 120 else text[:117] + "…"
