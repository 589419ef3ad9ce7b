"""Connects the chat pane to the model thread through the core `Session`: requests in, events out.

The session (app.core.session) owns the conversation tree, the permissions and the undo
stack; this class only turns what the user did into the session's jobs on `ModelWorker`,
and the events that come back into calls on the pane and signals for the window.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.core import services
from app.core.agent import Mode
from app.core.agent import events as ev
from app.core.cancel import CancelToken
from app.core.runtime.generation import GenerationDone, PromptRead, TextDelta
from app.core.session import ContextPrepared, Session
from app.ui.background import JobEnded, Outcome, start_job
from app.ui.chat_panel import AskRequest, ChatPanel
from app.ui.model_worker import ModelWorker
from app.ui.permission_prompt import PermissionPrompt

if TYPE_CHECKING:
    from app.core.agent.edits.blocks import EditBlock

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EditUndone:
    """An accepted edit was reverted (`path` is None when there was nothing to undo)."""

    path: str | None


class ChatSession(QObject):
    """Routes one conversation between `ChatPanel` and `ModelWorker`."""

    context_used = Signal(int)
    edit_proposed = Signal(object)  # ev.EditProposed
    edit_resolved = Signal(object)  # ev.EditResolved
    edit_undone = Signal(object)  # EditUndone
    tool_activity = Signal(str)  # a line for the output panel
    failed = Signal(object)
    preparing = Signal(str)  # "Preparing context…" while the next prompt's start is read; "" when done
    turn_finished = Signal()  # a turn's job ended (on the UI thread, after the pane was updated)

    def __init__(self, panel: ChatPanel, worker: ModelWorker, *, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._panel = panel
        self._worker = worker
        self._in_turn = False
        self._done_seen = False
        self._failed = False
        self._preparing = False
        self._turn_mode = Mode.PLAN
        self._edits_proposed = 0
        self._context_files: list[str] = []  # the files this turn's answer was given
        self.session: Session = services.new_session(None)
        panel.set_conversation(self.session.conversation)
        panel.ask_requested.connect(self._on_ask_requested)
        panel.stop_requested.connect(self._on_stop_requested)
        worker.event_emitted.connect(self._on_event)
        worker.failed.connect(self._on_failed)
        worker.job_finished.connect(self._on_job_finished)
        worker.model_loaded.connect(self._on_model_loaded)

    def open_project(self, root: Path) -> None:
        """A new conversation about `root`: its own tree, permissions, undo and skills."""
        self.session = services.new_session(root)
        self._panel.set_conversation(self.session.conversation)
        self._load_skills(root)

    def _load_skills(self, root: Path) -> None:
        # On the pool: it imports the agent package and reads skill files (~80 ms on a laptop).
        def load(_cancel: object) -> dict[str, str]:
            from app.core.agent.skills import load_skills

            return {name: skill.description for name, skill in sorted(load_skills(root).items())}

        # A broken skill file must not stop the project opening (the job logs the failure).
        job = start_job(load, name="skills", owner=self)
        job.finished.connect(lambda ended: self._on_skills_finished(root, ended))

    def _on_skills_finished(self, root: Path, ended: JobEnded) -> None:
        if ended.outcome is Outcome.DONE and self.session.root == root and isinstance(ended.result, dict):
            self._panel.set_skills({str(name): str(text) for name, text in ended.result.items()})

    def new_chat(self) -> None:
        """An empty conversation about the same project (permissions and undo stay)."""
        if self._in_turn:
            return
        self._panel.set_conversation(self.session.new_chat())
        self.prepare()  # the pinned files went with the old conversation

    def set_index(self, index: object) -> None:
        """The project's index finished building (or was rebuilt): the next turn uses it."""
        self.session.set_index(index)
        self.prepare()

    def prepare(self) -> None:
        """Read the next prompt's static start (system, tools, map, pinned files) while the user types."""
        if self.session.root is None or self._in_turn or self._preparing or not self._worker.has_model:
            return
        self._preparing = True
        self.preparing.emit("Preparing context…")
        mode = Mode.BUILD if self._panel.mode == "build" else Mode.PLAN
        self._worker.run_turn(self.session.prepare(mode=mode), kind="prepare")

    def undo_last_edit(self) -> bool:
        """Revert the newest accepted edit (on the model thread); False while a turn runs."""
        if self._in_turn or self.session.root is None:
            return False
        session = self.session

        def job(_model: Any, _cancel: CancelToken) -> Iterator[object]:
            yield EditUndone(session.undo())

        self._worker.run_turn(job)
        return True

    def apply_block(self, block: EditBlock, *, path: str) -> bool:
        """Propose a chat code block (an `EditBlock`) as an edit of `path`; False while a turn runs.

        The core plans it as it would the agent's block, and its `EditProposed` comes back
        through `edit_proposed`, so it is reviewed, written and undone like any other edit.
        """
        if self._in_turn or self.session.root is None:
            return False
        if self._preparing:
            self._worker.stop()  # the edit goes first: the prefill stops within one batch
        self._worker.run_turn(self.session.propose_from_block(block, path=path), kind="apply")
        return True

    def _on_model_loaded(self, _loaded: object) -> None:
        # A bound slot, not a lambda: Qt drops it with this object when the window closes.
        self.prepare()

    def _on_ask_requested(self, request: AskRequest) -> None:
        if self._preparing:
            # The question goes first: the prefill stops within one batch, keeping what it read.
            self._worker.stop()
        self._in_turn, self._done_seen, self._failed = True, False, False
        mode = Mode.BUILD if request.mode == "build" else Mode.PLAN
        self._turn_mode, self._edits_proposed = mode, 0
        self._context_files = list(dict.fromkeys(request.mentions))
        self._worker.run_turn(self.session.reply(request.reply_id, mode=mode, mentions=request.mentions))

    def _on_stop_requested(self) -> None:
        # Directly, not through a queued signal: the worker is busy in its loop.
        self._worker.stop()

    def _on_failed(self, exc: object) -> None:
        if self._in_turn:
            self._failed = True
        self.failed.emit(exc)

    def _on_job_finished(self, kind: str) -> None:
        if kind == "prepare":
            self._preparing = False
            self.preparing.emit("")
            return
        if kind == "apply":
            self.prepare()  # an applied block may have changed the map
            return
        if kind != "turn" or not self._in_turn:
            return
        self._in_turn = False
        if not self._done_seen:
            if self._failed:
                self._panel.on_reply_failed()
            else:  # cancelled before any end event: show it as stopped, no error
                self._panel.on_reply_done(finish="cancelled", stats=None)
        self.turn_finished.emit()
        if self._done_seen:
            self.prepare()  # the map may have changed (edits): refresh the prepared start

    def _on_event(self, event: object) -> None:
        if isinstance(event, PromptRead | ev.PromptReading):
            self._panel.on_reading(done=event.done, total=event.total, prompt=event.prompt)
        elif isinstance(event, TextDelta | ev.AssistantText):
            self._panel.on_text(event.text)
        elif isinstance(event, GenerationDone):
            self._done_seen = True
            s = event.stats
            self._panel.on_reply_done(finish=event.finish_reason, stats=s, text=event.text)
            self.context_used.emit(s.prompt_tokens + s.completion_tokens)
        elif isinstance(event, ContextPrepared):
            if event.tokens and self.session.conversation.leaf() is None:
                # Before the first question the gauge shows the prepared start it will reuse.
                self.context_used.emit(event.tokens)
        elif isinstance(event, EditUndone):
            self.edit_undone.emit(event)
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
            self._edits_proposed += 1
            self.edit_proposed.emit(event)
        elif isinstance(event, ev.EditResolved):
            self.edit_resolved.emit(event)
        elif isinstance(event, ev.ToolCallStarted):
            self.tool_activity.emit(f"▶ {event.name} {_short(event.arguments)}")
            self._panel.on_tool_started(name=event.name, arguments=event.arguments)
            path = event.arguments.get("path")
            if event.name in _FILE_TOOLS and isinstance(path, str) and path not in self._context_files:
                self._context_files.append(path)
        elif isinstance(event, ev.ToolCallFinished):
            self.tool_activity.emit(("✓ " if event.ok else "✗ ") + f"{event.name}\n{event.output}")
            self._panel.on_tool_finished(ok=event.ok, output=event.output)
        elif isinstance(event, ev.TurnDone):
            self._done_seen = True
            finish = {ev.TurnReason.ANSWERED: "stop", ev.TurnReason.CANCELLED: "cancelled"}.get(
                event.reason, str(event.reason)
            )
            # Build mode is for changes: an answer without one says so, instead of leaving it unsaid.
            quiet = self._turn_mode is Mode.BUILD and not self._edits_proposed
            note = "no edit was proposed" if quiet and event.reason is ev.TurnReason.ANSWERED else ""
            self._panel.on_reply_done(
                finish=finish, stats=event, note=note, context_files=tuple(self._context_files)
            )
            self.context_used.emit(event.prompt_tokens + event.completion_tokens)


# Tools whose `path` argument is a file whose content went to the model.
_FILE_TOOLS = frozenset({"read", "edit", "write"})


def _short(arguments: dict[str, object]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return text if len(text) < 120 else text[:117] + "…"
