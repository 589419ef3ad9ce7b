"""The chat pane: transcript, permission prompts, message box, gauge and speed.

It keeps the conversation tree and turns user actions into `ask_requested`; it never
touches a model. The session object feeds replies back through the `on_*` methods.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.conversation import Conversation, ReplyStats, ToolStep
from app.ui.chat_footer import ChatFooter
from app.ui.chat_input import ChatInput
from app.ui.chat_markdown import code_blocks, parse_open_link
from app.ui.chat_meters import ChatMeters
from app.ui.chat_styles import dim_colour
from app.ui.chat_transcript import ChatTranscript
from app.ui.model_picker import ModelPicker
from app.ui.permission_prompt import PermissionPrompt
from app.ui.theme import is_dark

_MENTION = re.compile(r"(?:^|\s)@([\w./-]+)")
RENDER_INTERVAL_MS = 40


@dataclass(frozen=True)
class AskRequest:
    """Fill the empty assistant turn `reply_id` (under the question in the tree), in this mode."""

    reply_id: int
    mode: str  # plan | build
    mentions: tuple[str, ...] = ()


class ChatPanel(QWidget):
    """Conversation UI; emits what the user asked for, shows what comes back."""

    ask_requested = Signal(object)  # AskRequest
    stop_requested = Signal()
    open_location_requested = Signal(str, int)
    apply_requested = Signal(object)  # the CodeBlock whose Apply link was clicked
    mode_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Chat")
        self.conversation = Conversation()
        self._busy = False
        self._editing: int | None = None
        self._mode = "plan"
        self._skills: dict[str, str] = {}  # name -> description
        self._step_started = 0.0  # when the running tool step began (monotonic)

        self.model_picker = ModelPicker(self)
        self.mode_button = QPushButton(self)
        self.mode_button.setAccessibleName("Plan or Build mode")
        self.mode_button.setToolTip("Plan reads only; Build may edit files and run commands (Ctrl+Shift+B)")
        top = QHBoxLayout()
        top.addWidget(self.model_picker, 1)
        top.addWidget(self.mode_button)

        self.transcript = ChatTranscript(self)
        self.transcript.set_empty_text(
            f"<div style='color:{dim_colour(dark=is_dark(self.palette()))}; margin:24px'>"
            "<h3>Ask about your project</h3>"
            "<p>Try: <a href='prompt:where is the retry logic?'>where is the retry logic?</a> · "
            "<a href='prompt:add a --verbose flag'>add a --verbose flag</a> · "
            "<a href='prompt:write tests for parse_url'>write tests for parse_url</a></p>"
            "<p>Answers cite <code>path:line</code>; click one to open it. Edits arrive as diffs you "
            "accept or reject. Nothing leaves this machine.</p></div>"
        )
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        self.notice.setObjectName("disabledNotice")
        self.notice.setOpenExternalLinks(False)
        self.notice.hide()
        self._prompts = QVBoxLayout()
        self.input = ChatInput(self)
        self.editing_label = QLabel(self)
        self.editing_label.setWordWrap(True)  # a long line here would set the pane's width
        self.editing_label.hide()

        self.footer = ChatFooter(self)
        self.gauge = self.footer.gauge
        self.speed = self.footer.speed
        self.meters = ChatMeters(gauge=self.gauge, speed=self.speed)
        self.stop_button = self.footer.stop_button
        self.send_button = self.footer.send_button

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.notice)
        layout.addLayout(self._prompts)
        layout.addWidget(self.editing_label)
        layout.addWidget(self.input)
        layout.addWidget(self.footer)

        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(RENDER_INTERVAL_MS)
        self._render_timer.timeout.connect(
            lambda: self.transcript.update_last(self.conversation, streaming=True)
        )

        self.input.submitted.connect(self.send)
        self.input.stop_requested.connect(self.stop)
        self.send_button.clicked.connect(lambda: self.send(self.input.toPlainText().strip()))
        self.stop_button.clicked.connect(self.stop)
        self.mode_button.clicked.connect(self.toggle_mode)
        self.transcript.link_activated.connect(self._on_link_activated)
        self.set_context(used=0, size=0)
        self._update_mode_button()
        self._set_busy(busy=False)
        self.transcript.show_conversation(self.conversation)

    # -- state from outside -----------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether an answer is being generated."""
        return self._busy

    @property
    def mode(self) -> str:
        """Plan | build."""
        return self._mode

    def set_ready(self, *, ready: bool, reason: str = "") -> None:
        """Enable asking (a model is loaded) or show why not."""
        self.input.setEnabled(ready)
        self.send_button.setEnabled(ready and not self._busy)
        if ready:
            self.notice.hide()
        else:
            self.notice.setText(reason)
            self.notice.show()

    def set_context(self, *, used: int, size: int) -> None:
        """The context gauge: exact tokens used of the model's window."""
        self.meters.set_context(used=used, size=size)

    def set_conversation(self, conversation: Conversation) -> None:
        """Show `conversation` (the session's tree) from now on."""
        self.conversation = conversation
        self._editing = None
        self.editing_label.hide()
        self.transcript.collapse_cards()
        self.transcript.show_conversation(self.conversation)
        self.meters.follow_branch(self.conversation)

    def clear_conversation(self) -> None:
        """Start over with an empty conversation (nothing of the old one is kept)."""
        if self._busy:
            return
        self.conversation.clear()
        self._editing = None
        self.editing_label.hide()
        self.transcript.collapse_cards()
        self.transcript.show_conversation(self.conversation)
        self.meters.follow_branch(self.conversation)

    def set_skills(self, skills: dict[str, str]) -> None:
        """Skills offered after `/`: name -> one-line description."""
        self._skills = dict(skills)
        self.input.set_skills(["skills", *skills])

    # -- user actions -----------------------------------------------------------------

    def send(self, text: str) -> None:
        """Ask `text` (or send the edited version of a message as a new branch)."""
        if not text or self._busy or not self.input.isEnabled():
            return
        if text.strip() == "/skills":
            self._show_skills()
            self.input.clear()
            return
        if self._editing is not None:
            user = self.conversation.edit(self._editing, text)
            self._editing = None
            self.editing_label.hide()
        else:
            user = self.conversation.ask(text)
        self.input.clear()
        self._start_reply(parent=user.id, text=text)

    def regenerate(self, turn_id: int) -> None:
        """A new answer beside the one shown (the old one stays as a branch)."""
        if self._busy or not self.input.isEnabled():
            return
        old = self.conversation.get(turn_id)
        if old.parent is None:
            return
        user = self.conversation.get(old.parent)
        self.conversation.regenerate(turn_id)
        self._emit_ask(user.text)

    def stop(self) -> None:
        """Stop the answer being generated (nothing happens when idle)."""
        if self._busy:
            self.stop_requested.emit()
            # The model stops at its next token (or prompt batch): say so until it has.
            self.meters.show_stopping()
        elif self._editing is not None:
            self._editing = None
            self.editing_label.hide()
            self.input.clear()

    def toggle_mode(self) -> None:
        """Switch between Plan (read only) and Build."""
        self._mode = "build" if self._mode == "plan" else "plan"
        self._update_mode_button()
        self.mode_changed.emit(self._mode)

    # -- replies ------------------------------------------------------------------------

    def on_reading(self, *, done: int, total: int, prompt: int) -> None:
        """The model is reading the prompt: say how far it got, and keep the gauge live."""
        self.meters.show_reading(done=done, total=total, prompt=prompt)

    def on_text(self, text: str) -> None:
        """A streamed piece of the answer."""
        self.meters.answer_started()
        leaf = self.conversation.leaf()
        if leaf is None or leaf.role != "assistant":
            return
        leaf.text += text
        if not self._render_timer.isActive():
            self._render_timer.start()

    def on_tool_started(self, *, name: str, arguments: dict[str, object]) -> None:
        """The agent called a tool: a card appears where the reply has got to."""
        leaf = self.conversation.leaf()
        if leaf is None or leaf.role != "assistant":
            return
        leaf.steps.append(ToolStep(at=len(leaf.text), name=name, arguments=dict(arguments)))
        self._step_started = time.monotonic()
        self._render_timer.stop()
        self.transcript.update_last(self.conversation, streaming=True)

    def on_tool_finished(self, *, ok: bool, output: str) -> None:
        """The tool ran: its card gets the result and the time it took."""
        leaf = self.conversation.leaf()
        if leaf is None or leaf.role != "assistant" or not leaf.steps or leaf.steps[-1].ok is not None:
            return
        step = leaf.steps[-1]
        step.ok, step.output = ok, output
        step.seconds = time.monotonic() - self._step_started
        self._render_timer.stop()
        self.transcript.update_last(self.conversation, streaming=True)

    def on_reply_done(
        self,
        *,
        finish: str,
        stats: ReplyStats | None,
        text: str | None = None,
        note: str = "",
        context_files: tuple[str, ...] = (),
    ) -> None:
        """The answer ended (stop | length | cancelled); show its numbers (and `note` under it)."""
        leaf = self.conversation.leaf()
        if leaf is not None and leaf.role == "assistant":
            if text is not None:
                leaf.text = text
            leaf.finish = finish
            leaf.stats = stats
            leaf.note = note
            leaf.context_files = context_files
        self._finish()
        self.meters.show_stats(stats)

    def on_reply_failed(self) -> None:
        """The answer failed (the error itself goes to the presenter)."""
        leaf = self.conversation.leaf()
        if leaf is not None and leaf.role == "assistant":
            leaf.finish = "failed"
        self._finish()

    def answer_waiting_question(self, decision: str) -> bool:
        """Allow once (`once`) or deny the oldest permission question still open; False if none."""
        for i in range(self._prompts.count()):
            item = self._prompts.itemAt(i)
            prompt = item.widget() if item is not None else None
            if isinstance(prompt, PermissionPrompt) and prompt.allow_once.isEnabled():
                (prompt.allow_once if decision == "once" else prompt.deny).click()
                return True
        return False

    def add_permission_prompt(self, prompt: PermissionPrompt) -> None:
        """Show a permission question above the message box."""
        self._prompts.addWidget(prompt)
        prompt.answered.connect(lambda _d, p=prompt: QTimer.singleShot(1500, p.deleteLater))

    # -- internals ----------------------------------------------------------------------

    def _start_reply(self, *, parent: int, text: str) -> None:
        self.conversation.add("assistant", "", parent=parent)
        self._emit_ask(text)

    def _emit_ask(self, text: str) -> None:
        leaf = self.conversation.leaf()
        assert leaf is not None
        mentions = tuple(dict.fromkeys(_MENTION.findall(text)))
        self._set_busy(busy=True)
        self.transcript.show_conversation(self.conversation, streaming=True)
        self.ask_requested.emit(AskRequest(reply_id=leaf.id, mode=self._mode, mentions=mentions))

    def _finish(self) -> None:
        self._render_timer.stop()
        self._set_busy(busy=False)
        self.transcript.update_last(self.conversation, streaming=False)

    def _set_busy(self, *, busy: bool) -> None:
        self._busy = busy
        self.stop_button.setEnabled(busy)
        self.send_button.setEnabled(not busy and self.input.isEnabled())

    def _update_mode_button(self) -> None:
        self.mode_button.setText("Plan" if self._mode == "plan" else "Build")
        self.mode_button.setAccessibleDescription(f"Current mode: {self._mode}")

    def _show_skills(self) -> None:
        if self._skills:
            rows = "".join(
                f"<tr><td><code>/{html.escape(name)}</code>&nbsp;&nbsp;</td><td>{html.escape(text)}</td></tr>"
                for name, text in self._skills.items()
            )
            self.notice.setText(f"<b>Skills</b> (type one at the start of a message)<table>{rows}</table>")
        else:
            self.notice.setText("No skills are available in this build yet.")
        self.notice.show()

    def _on_link_activated(self, target: str) -> None:
        kind, _, rest = target.partition(":")
        if kind == "open":
            parsed = parse_open_link(target)
            if parsed:
                self.open_location_requested.emit(parsed[0], parsed[1])
        elif kind in ("copy", "apply"):
            turn_id, _, index = rest.partition(":")
            blocks = code_blocks(self.conversation.get(int(turn_id)).text)
            if index.isdigit() and int(index) < len(blocks):
                block = blocks[int(index)]
                if kind == "apply":
                    self.apply_requested.emit(block)
                else:
                    QGuiApplication.clipboard().setText(block.code)
        elif kind == "prompt" and self.input.isEnabled():  # a welcome example: put it in the box
            self.input.setPlainText(rest)
            self.input.moveCursor(QTextCursor.MoveOperation.End)
            self.input.setFocus()
        elif kind == "step":
            turn_id, _, index = rest.partition(":")
            if turn_id.isdigit() and index.isdigit():
                self.transcript.toggle_step(
                    self.conversation, turn_id=int(turn_id), index=int(index), streaming=self._busy
                )
        elif kind == "copymsg":
            QGuiApplication.clipboard().setText(self.conversation.get(int(rest)).text)
        elif kind == "regen":
            self.regenerate(int(rest))
        elif kind == "edit" and not self._busy:
            self._editing = int(rest)
            self.input.setPlainText(self.conversation.get(self._editing).text)
            self.editing_label.setText(
                "Editing a sent message: sending makes a new branch (Esc keeps the old one)."
            )
            self.editing_label.show()
            self.input.setFocus()
        elif kind == "branch" and not self._busy:
            turn_id, _, step = rest.partition(":")
            self.conversation.switch(int(turn_id), step=int(step))
            self.transcript.show_conversation(self.conversation)
            self.meters.follow_branch(self.conversation)
