"""The find bar above an editor: type to search, Enter for next, Shift+Enter for previous."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QToolButton, QWidget


class FindBar(QWidget):
    """Searches one QPlainTextEdit; hidden until asked for."""

    def __init__(self, editor: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editor = editor
        self._field = QLineEdit(self)
        self._field.setPlaceholderText("Find")
        self._field.setAccessibleName("Find text")
        self._field.setClearButtonEnabled(True)
        self._status = QLabel(self)
        prev_btn = QToolButton(self)
        prev_btn.setText("↑")
        prev_btn.setToolTip("Previous match (Shift+Enter)")
        prev_btn.setAccessibleName("Previous match")
        next_btn = QToolButton(self)
        next_btn.setText("↓")
        next_btn.setToolTip("Next match (Enter)")
        next_btn.setAccessibleName("Next match")
        close_btn = QToolButton(self)
        close_btn.setText("✕")
        close_btn.setToolTip("Close (Esc)")
        close_btn.setAccessibleName("Close find bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for w in (self._field, self._status, prev_btn, next_btn, close_btn):
            layout.addWidget(w)
        self._field.returnPressed.connect(self.find_next)
        self._field.textChanged.connect(self._on_text_changed)
        prev_btn.clicked.connect(self.find_previous)
        next_btn.clicked.connect(self.find_next)
        close_btn.clicked.connect(self.close_bar)
        self.hide()

    def open_bar(self) -> None:
        """Show the bar, seeded with the editor's selection."""
        selected = self._editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self._field.setText(selected)
        self.show()
        self._field.setFocus()
        self._field.selectAll()

    def close_bar(self) -> None:
        """Hide the bar and give focus back to the editor."""
        self.hide()
        self._editor.setFocus()

    def find_next(self) -> bool:
        """Select the next match, wrapping at the end; False when there is none."""
        return self._find(QTextDocument.FindFlag(0))

    def find_previous(self) -> bool:
        """Select the previous match, wrapping at the start."""
        return self._find(QTextDocument.FindFlag.FindBackward)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Esc closes; Shift+Enter goes backwards."""
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.find_previous()
        else:
            super().keyPressEvent(event)

    def _find(self, flags: QTextDocument.FindFlag) -> bool:
        needle = self._field.text()
        if not needle:
            self._status.clear()
            return False
        if self._editor.find(needle, flags):
            self._status.clear()
            return True
        cursor = self._editor.textCursor()
        backward = bool(flags & QTextDocument.FindFlag.FindBackward)
        cursor.movePosition(cursor.MoveOperation.End if backward else cursor.MoveOperation.Start)
        self._editor.setTextCursor(cursor)
        found = self._editor.find(needle, flags)
        self._status.setText("" if found else "No matches")
        return found

    def _on_text_changed(self, _text: str) -> None:
        cursor = self._editor.textCursor()
        cursor.setPosition(cursor.selectionStart())
        self._editor.setTextCursor(cursor)
        self.find_next()
