"""Proposed edits as diffs: accept or reject each file; nothing is written before accepting."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.ui.theme import code_font, is_dark


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
    """One proposed edit: its diff and Accept / Reject."""

    decided = Signal(str)  # once | reject

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
        self.reject_button = QPushButton("Reject", self)
        self.reject_button.setAccessibleName(f"Reject edit to {path}")
        self.accept_button.setEnabled(needs_answer)
        self.reject_button.setEnabled(needs_answer)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addWidget(self.state, 1)
        head.addWidget(self.accept_button)
        head.addWidget(self.reject_button)
        view = QTextBrowser(self)
        view.setOpenLinks(False)
        view.setAccessibleName(f"Diff of {path}")
        view.setHtml(diff_html(diff, dark=is_dark(self.palette())))
        view.setMinimumHeight(120)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addLayout(head)
        layout.addWidget(view)
        self.accept_button.clicked.connect(lambda: self._decide("once"))
        self.reject_button.clicked.connect(lambda: self._decide("reject"))

    def resolve(self, *, applied: bool, reason: str = "") -> None:
        """Show the outcome the core reported."""
        self.accept_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        self.state.setText(("applied" if applied else "not applied") + (f": {reason}" if reason else ""))

    def _decide(self, decision: str) -> None:
        self.accept_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        self.state.setText("accepted" if decision == "once" else "rejected")
        self.decided.emit(decision)


class ReviewPanel(QWidget):
    """All edits proposed in this session, newest last."""

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

    def add_edit(self, event: object) -> EditCard:
        """Show an `EditProposed`; its reply (when present) is answered from the card."""
        reply = getattr(event, "reply", None)
        card = EditCard(
            edit_id=int(getattr(event, "edit_id", 0)),
            path=str(getattr(event, "path", "")),
            diff=str(getattr(event, "diff", "")),
            needs_answer=reply is not None,
            parent=self,
        )
        if reply is not None:
            card.decided.connect(lambda decision: reply.answer(decision))
        self._empty.hide()
        self._cards.addWidget(card)
        self.cards[card.edit_id] = card
        return card

    def resolve(self, event: object) -> None:
        """Show an `EditResolved`."""
        card = self.cards.get(int(getattr(event, "edit_id", -1)))
        if card is not None:
            card.resolve(
                applied=bool(getattr(event, "applied", False)), reason=str(getattr(event, "reason", ""))
            )
