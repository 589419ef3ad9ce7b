"""An inline question in the chat: may the agent do this? Allow once, always, or deny."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

_VERBS = {"read": "read", "edit": "change", "run": "run", "doom_loop": "keep repeating"}
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")


def inline_markdown(text: str) -> str:
    """`code` and **bold** of a one-line reason as escaped rich text (nothing else is markup)."""
    escaped = html.escape(text)
    return _BOLD.sub(r"<b>\1</b>", _CODE.sub(r"<code>\1</code>", escaped))


class PermissionPrompt(QFrame):
    """Shows one request; emits `answered` with once | always | reject, then disables itself."""

    answered = Signal(str)

    def __init__(
        self, *, tool: str, subject: str, reason: str, always_pattern: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("permissionPrompt")
        self.setAccessibleName("Permission request")
        verb = _VERBS.get(tool, tool)
        title = QLabel(
            f"<b>Enclave wants to {html.escape(verb)}</b> <code>{html.escape(subject)}</code>", self
        )
        title.setWordWrap(True)
        detail = QLabel(inline_markdown(reason), self)
        detail.setWordWrap(True)
        self.allow_once = QPushButton("Allow once", self)
        self.allow_always = QPushButton("Always for this project", self)
        self.allow_always.setToolTip(f"Allow {always_pattern} until Enclave closes")
        self.deny = QPushButton("Deny", self)
        self.allow_once.setToolTip("Ctrl+Shift+Enter")
        self.deny.setToolTip("Ctrl+Shift+Backspace")
        for button, name in (
            (self.allow_once, "Allow once"),
            (self.allow_always, "Allow always for this project"),
            (self.deny, "Deny"),
        ):
            button.setAccessibleName(name)
        buttons = QHBoxLayout()
        buttons.addWidget(self.allow_once)
        buttons.addWidget(self.allow_always)
        buttons.addWidget(self.deny)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(detail)
        layout.addLayout(buttons)
        self._status = QLabel(self)
        self._status.hide()
        layout.addWidget(self._status)
        self.allow_once.clicked.connect(lambda: self._answer("once"))
        self.allow_always.clicked.connect(lambda: self._answer("always"))
        self.deny.clicked.connect(lambda: self._answer("reject"))

    def _answer(self, decision: str) -> None:
        for button in (self.allow_once, self.allow_always, self.deny):
            button.setEnabled(False)
        self._status.setText(
            {"once": "Allowed once.", "always": "Allowed for this project.", "reject": "Denied."}[decision]
        )
        self._status.show()
        self.answered.emit(decision)
