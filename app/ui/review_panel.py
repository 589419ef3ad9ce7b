"""Proposed edits as diffs: accept or reject each file or hunk, undo; nothing is written before accepting."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.ui.hunk_review import HunkReview
from app.ui.theme import code_font, is_dark

if TYPE_CHECKING:
    from app.core.agent.events import EditProposed, EditResolved


def diff_html(diff: str, *, dark: bool) -> str:
    """A unified diff as coloured, escaped HTML (never loads anything)."""
    add, rem, hunk = ("#1d3b27", "#4a1f1f", "#7ab7ff") if dark else ("#e6ffec", "#ffebe9", "#0b4f9e")
    rows = []
    for line in diff.splitlines():
        text = html.escape(line) or "&nbsp;"
        if line.startswith("+") and not line.startswith("+++"):
            rows.append(f"<div style='background:{add}'>{text}</div>")
        elif line.startswith("-") and not line.startswith("---"):
            rows.append(f"<div style='background:{rem}'>{text}</div>")
        elif line.startswith("@@"):
            rows.append(f"<div style='color:{hunk}'>{text}</div>")
        else:
            rows.append(f"<div>{text}</div>")
    return f"<pre style=\"font-family:'{code_font().family()}'\">{''.join(rows)}</pre>"


class EditCard(QWidget):
    """One proposed edit: its diff hunk by hunk, Accept / Reject, and Undo once applied.

    With several hunks each has a check box; Accept applies the checked ones only. The
    decisions live in `review`, which the editor-area review view of the same edit shares.
    """

    decided = Signal(str, object)  # once | reject, and the accepted hunks (None: all)
    undo_requested = Signal(int)  # edit_id
    review_requested = Signal(int)  # edit_id: show the edit in the editor area

    def __init__(
        self, *, edit_id: int, path: str, diff: str, needs_answer: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.edit_id = edit_id
        self.path = path
        self.setAccessibleName(f"Proposed edit to {path}")
        title = QLabel(f"<b>{html.escape(path)}</b>", self)
        self.state = QLabel("waiting for your decision" if needs_answer else "applied automatically", self)
        self.accept_button = QPushButton("Accept", self)
        self.accept_button.setAccessibleName(f"Accept edit to {path}")
        self.accept_button.setToolTip("Write the checked changes to the file (Ctrl+Shift+Enter)")
        self.reject_button = QPushButton("Reject", self)
        self.reject_button.setAccessibleName(f"Reject edit to {path}")
        self.reject_button.setToolTip("Leave the file as it is (Ctrl+Shift+Backspace)")
        self.undo_button = QPushButton("Undo", self)
        self.undo_button.setAccessibleName(f"Undo edit to {path}")
        self.undo_button.setToolTip("Put the file back as it was before this edit (newest edit first)")
        self.undo_button.hide()
        self.open_button = QPushButton("Review", self)
        self.open_button.setAccessibleName(f"Review edit to {path} in the editor area")
        self.open_button.setToolTip("Review hunk by hunk, side by side or inline, with syntax colours")
        self.open_button.setVisible(needs_answer)
        self.accept_button.setEnabled(needs_answer)
        self.reject_button.setEnabled(needs_answer)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addWidget(self.state, 1)
        head.addWidget(self.open_button)
        head.addWidget(self.accept_button)
        head.addWidget(self.reject_button)
        head.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addLayout(head)
        from app.core.agent.edits.hunks import split_hunks  # the agent's package: not on the start-up path

        _header, hunks = split_hunks(diff)
        self.review = HunkReview(
            edit_id=edit_id, path=path, hunks=len(hunks), waiting=needs_answer, parent=self
        )
        self.review.changed.connect(self._on_review_changed)
        self.review.answered.connect(self._on_review_answered)
        self.hunk_boxes: list[QCheckBox] = []
        dark = is_dark(self.palette())
        for i, hunk in enumerate(hunks or [diff]):
            if len(hunks) > 1:
                box = QCheckBox(f"Hunk {i + 1} of {len(hunks)}: {hunk.splitlines()[0]}", self)
                box.setAccessibleName(f"Apply hunk {i + 1} of {path}")
                box.setChecked(True)
                box.setEnabled(needs_answer)
                box.toggled.connect(lambda checked, i=i: self.review.set_hunk(
                    i, accepted=None if checked else False, settle=False))  # fmt: skip
                self.hunk_boxes.append(box)
                layout.addWidget(box)
            view = QTextBrowser(self)
            view.setOpenLinks(False)
            view.setAccessibleName(f"Diff of {path}" + (f", hunk {i + 1}" if len(hunks) > 1 else ""))
            view.setHtml(diff_html(hunk, dark=dark))
            lines = hunk.count("\n") + 1
            view.setMinimumHeight(min(120, 22 + 16 * lines))
            view.setMaximumHeight(max(120, min(360, 22 + 16 * lines)))
            layout.addWidget(view)
        self.accept_button.clicked.connect(self.review.accept_rest)
        self.reject_button.clicked.connect(self.review.reject_all)
        self.open_button.clicked.connect(lambda: self.review_requested.emit(self.edit_id))
        self.undo_button.clicked.connect(lambda: self.undo_requested.emit(self.edit_id))

    def chosen_hunks(self) -> list[int] | None:
        """The checked hunks (0-based), or None when every hunk is checked."""
        chosen = [i for i, box in enumerate(self.hunk_boxes) if box.isChecked()]
        return None if len(chosen) == len(self.hunk_boxes) else chosen

    def resolve(self, *, applied: bool, reason: str = "") -> None:
        """Show the outcome the core reported."""
        self.review.close()  # e.g. a stopped turn: its review view closes too
        self._lock()
        self.state.setText(("applied" if applied else "not applied") + (f": {reason}" if reason else ""))
        self.undo_button.setVisible(applied)

    def mark_undone(self) -> None:
        """The edit was reverted."""
        self.state.setText("undone")
        self.undo_button.hide()

    def _on_review_changed(self) -> None:
        for box, state in zip(self.hunk_boxes, self.review.states, strict=False):
            box.blockSignals(True)  # noqa: FBT003 (Qt API)
            box.setChecked(state is not False)
            box.blockSignals(False)  # noqa: FBT003 (Qt API)
        chosen = self.chosen_hunks()
        self.accept_button.setEnabled(self.review.open and (chosen is None or bool(chosen)))
        self.accept_button.setText(
            "Accept" if chosen is None else f"Accept {len(chosen)} of {len(self.hunk_boxes)}"
        )

    def _lock(self) -> None:
        self.accept_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        self.open_button.hide()
        for box in self.hunk_boxes:
            box.setEnabled(False)

    def _on_review_answered(self, decision: str, hunks: object) -> None:
        self._lock()
        self.state.setText("accepted" if decision == "once" else "rejected")
        self.decided.emit(decision, hunks)


class ReviewPanel(QWidget):
    """All edits proposed in this session, newest last; Undo reverts the newest applied one."""

    undo_requested = Signal()
    review_requested = Signal(object, str)  # the edit's HunkReview and its diff: show it in the editor area

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Review edits")
        self._empty = QLabel("Edits the assistant proposes appear here as diffs to accept or reject.", self)
        self._cards = QVBoxLayout()
        inner = QWidget(self)
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(self._empty)
        inner_layout.addLayout(self._cards)
        inner_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.cards: dict[int, EditCard] = {}
        self._applied: list[int] = []  # applied edits, newest last (the agent's undo order)

    def add_edit(self, event: EditProposed) -> EditCard:
        """Show a proposed edit; its reply (when present) is answered from the card."""
        reply = event.reply
        card = EditCard(
            edit_id=event.edit_id,
            path=event.path,
            diff=event.diff,
            needs_answer=reply is not None,
            parent=self,
        )
        if reply is not None:
            card.decided.connect(lambda decision, hunks: reply.answer(decision, hunks=hunks))
        card.undo_requested.connect(lambda _id: self.undo_requested.emit())
        card.review_requested.connect(lambda _id: self.review_requested.emit(card.review, event.diff))
        self._empty.hide()
        self._cards.addWidget(card)
        self.cards[card.edit_id] = card
        if reply is not None:
            self.review_requested.emit(card.review, event.diff)
        return card

    def resolve(self, event: EditResolved) -> None:
        """Show what became of a proposed edit."""
        card = self.cards.get(event.edit_id)
        if card is None:
            return
        card.resolve(applied=event.applied, reason=event.reason)
        if event.applied:
            self._applied.append(card.edit_id)
        self._refresh_undo()

    def mark_undone(self, path: str | None) -> None:
        """The newest applied edit was reverted (`path` None: the agent had nothing to undo)."""
        if path is None:
            self._applied.clear()
        elif self._applied:
            self.cards[self._applied.pop()].mark_undone()
        self._refresh_undo()

    def decide_pending(self, decision: str) -> bool:
        """Accept (`once`) or reject the oldest edit still waiting (the keyboard's way); False if none."""
        card = next((c for c in self.cards.values() if c.review.open), None)
        if card is None:
            return False
        if decision == "once":
            card.review.accept_rest()
        else:
            card.review.reject_all()
        return True

    def _refresh_undo(self) -> None:
        # The agent undoes newest first, so only the newest applied edit offers Undo.
        newest = self._applied[-1] if self._applied else None
        for edit_id in self._applied:
            self.cards[edit_id].undo_button.setEnabled(edit_id == newest)
