"""The find bar above an editor: type to search, Enter for next, Shift+Enter for previous.

It says where the selected match is among all of them ("3 of 7") and, opened for
replacing (Ctrl+H), replaces the selected match or all of them as one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

# Matches counted at most (a count past this says "10,000+").
MAX_COUNTED = 10_000


class FindBar(QWidget):
    """Searches one QPlainTextEdit; hidden until asked for."""

    def __init__(self, editor: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editor = editor
        self._field = QLineEdit(self)
        self._field.setPlaceholderText("Find")
        self._field.setAccessibleName("Find text")
        self._field.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setAccessibleName("Matches")
        self.status.setMinimumWidth(self.status.fontMetrics().horizontalAdvance("10,000+ matches"))
        prev_btn = _tool(self, "↑", "Previous match (Shift+Enter)", "Previous match")
        next_btn = _tool(self, "↓", "Next match (Enter)", "Next match")
        close_btn = _tool(self, "✕", "Close (Esc)", "Close find bar")
        self.replace_field = QLineEdit(self)
        self.replace_field.setPlaceholderText("Replace with")
        self.replace_field.setAccessibleName("Replace with")
        self.replace_button = QPushButton("Replace", self)
        self.replace_button.setToolTip("Replace the selected match and go to the next (Enter)")
        self.replace_all_button = QPushButton("All", self)
        self.replace_all_button.setToolTip("Replace every match (one undo step)")
        self.replace_all_button.setAccessibleName("Replace all")
        layout = QGridLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setVerticalSpacing(2)
        layout.addWidget(self._field, 0, 0)
        layout.addWidget(self.status, 0, 1)
        layout.addWidget(prev_btn, 0, 2)
        layout.addWidget(next_btn, 0, 3)
        layout.addWidget(close_btn, 0, 4)
        layout.addWidget(self.replace_field, 1, 0)
        layout.addWidget(self.replace_button, 1, 1)
        layout.addWidget(self.replace_all_button, 1, 2, 1, 3)
        layout.setColumnStretch(0, 1)
        self._replace_row = (self.replace_field, self.replace_button, self.replace_all_button)
        self._field.returnPressed.connect(self.find_next)
        self._field.textChanged.connect(self._on_text_changed)
        self.replace_field.returnPressed.connect(self.replace_current)
        prev_btn.clicked.connect(self.find_previous)
        next_btn.clicked.connect(self.find_next)
        close_btn.clicked.connect(self.close_bar)
        self.replace_button.clicked.connect(self.replace_current)
        self.replace_all_button.clicked.connect(self.replace_all)
        self._show_replace(shown=False)
        self.hide()

    def open_bar(self, *, replace: bool = False) -> None:
        """Show the bar (with the replace row when `replace`), seeded with the editor's selection."""
        selected = self._editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self._field.setText(selected)
        self._show_replace(shown=replace)
        self.show()
        self._field.setFocus()
        self._field.selectAll()
        self._update_status()

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

    def replace_current(self) -> None:
        """Replace the selected match (selecting one first if needed), then go to the next."""
        if not self._field.text():
            return
        if not self._selection_is_match():
            self.find_next()
            return
        self._editor.textCursor().insertText(self.replace_field.text())
        self.find_next()

    def replace_all(self) -> int:
        """Replace every match as one undo step; returns how many were replaced."""
        needle, new = self._field.text(), self.replace_field.text()
        if not needle:
            return 0
        doc = self._editor.document()
        count = 0
        edit = QTextCursor(doc)
        edit.beginEditBlock()
        found = doc.find(needle, 0)
        while not found.isNull():
            found.insertText(new)
            count += 1
            found = doc.find(needle, found.position())
        edit.endEditBlock()
        self.status.setText(f"Replaced {count:,}" if count else "No matches")
        return count

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

    def _show_replace(self, *, shown: bool) -> None:
        for widget in self._replace_row:
            widget.setVisible(shown)

    def _find(self, flags: QTextDocument.FindFlag) -> bool:
        needle = self._field.text()
        if not needle:
            self.status.clear()
            return False
        found = self._editor.find(needle, flags)
        if not found:
            cursor = self._editor.textCursor()
            backward = bool(flags & QTextDocument.FindFlag.FindBackward)
            cursor.movePosition(cursor.MoveOperation.End if backward else cursor.MoveOperation.Start)
            self._editor.setTextCursor(cursor)
            found = self._editor.find(needle, flags)
        self._update_status()
        return found

    def _selection_is_match(self) -> bool:
        selected = self._editor.textCursor().selectedText()
        return bool(selected) and selected.lower() == self._field.text().lower()

    def _update_status(self) -> None:
        """Say "3 of 7" for the selected match, "7 matches" otherwise, "No matches" for none."""
        needle = self._field.text()
        if not needle:
            self.status.clear()
            return
        doc = self._editor.document()
        starts: list[int] = []
        found = doc.find(needle, 0)
        while not found.isNull() and len(starts) < MAX_COUNTED:
            starts.append(found.selectionStart())
            found = doc.find(needle, found.selectionEnd())
        if not starts:
            self.status.setText("No matches")
            return
        total = f"{len(starts):,}" + ("+" if len(starts) >= MAX_COUNTED else "")
        at = self._editor.textCursor().selectionStart()
        if self._selection_is_match() and at in starts:
            self.status.setText(f"{starts.index(at) + 1:,} of {total}")
        else:
            self.status.setText(f"{total} matches" if len(starts) != 1 else "1 match")

    def _on_text_changed(self, _text: str) -> None:
        cursor = self._editor.textCursor()
        cursor.setPosition(cursor.selectionStart())
        self._editor.setTextCursor(cursor)
        self.find_next()


def _tool(parent: QWidget, text: str, tip: str, name: str) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(name)
    return button
