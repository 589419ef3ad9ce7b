"""Connects the chat pane to the model thread: turns requests into jobs, events into views.

Agent events (tool calls, permission requests, proposed edits) are handled when the agent
is part of the build; until then a turn is a plain chat with the local model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
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


class ChatSession(QObject):
    """Routes one conversation between `ChatPanel` and `ModelWorker`."""

    context_used = Signal(int)
    edit_proposed = Signal(object)  # EditProposed
    edit_resolved = Signal(object)  # EditResolved
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
