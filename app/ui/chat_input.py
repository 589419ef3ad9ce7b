"""The message box and its keys.

Enter sends, Shift+Enter breaks the line, Tab moves on to the next control (keyboard-only
use; Plan/Build is Ctrl+Shift+B), Esc stops, `@` completes project files and `/` completes skills.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QPlainTextEdit, QWidget


class ChatInput(QPlainTextEdit):
    """Where the user types; knows nothing about models."""

    submitted = Signal(str)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatInput")
        self.setAccessibleName("Message")
        self.setPlaceholderText("Ask about your code…  (@ mentions a file, / a skill)")
        self.setTabChangesFocus(True)
        # Four lines of the current font (not a pixel count): it follows the font size.
        margins = self.contentsMargins()
        doc_margin = 2 * int(self.document().documentMargin())
        self.setFixedHeight(
            4 * self.fontMetrics().lineSpacing() + doc_margin + margins.top() + margins.bottom() + 8
        )
        self._files = QStringListModel(self)
        self._skills = QStringListModel(self)
        self._completer = QCompleter(self)
        self._completer.setWidget(self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self._completer.activated.connect(self._insert_completion)
        popup = self._completer.popup()
        if popup is not None:
            popup.setObjectName("mentionPopup")
            popup.setTextElideMode(Qt.TextElideMode.ElideLeft)
            popup.setStyleSheet("#mentionPopup { border: 1px solid palette(highlight); }")
        self._trigger = ""
        # The @ list's order: files mentioned lately, then the open tabs, then the index's
        # ranking (implementation first). The popup keeps this order for every prefix.
        self._ranked: list[str] = []
        self._open: list[str] = []
        self._recent: list[str] = []

    def set_mention_candidates(self, paths: list[str]) -> None:
        """Project-relative file paths offered after `@`, in the index's order."""
        self._ranked = list(paths)
        self._order_files()

    def set_open_files(self, paths: list[str]) -> None:
        """The files open in the editor (project-relative), the one in front first."""
        self._open = list(paths)
        self._order_files()

    def _order_files(self) -> None:
        known = set(self._ranked)
        first = [p for p in (*self._recent, *self._open) if p in known]
        self._files.setStringList(list(dict.fromkeys([*first, *self._ranked])))

    def set_skills(self, names: list[str]) -> None:
        """Skill names offered after `/` at the start of the message."""
        self._skills.setStringList(names)

    def completion_visible(self) -> bool:
        """Whether the completion popup is open."""
        return self._popup().isVisible()

    def _popup(self) -> QAbstractItemView:
        popup = self._completer.popup()
        assert popup is not None
        return popup

    def event(self, event: QEvent) -> bool:
        """Claim Esc while the completion popup is open, so it closes the popup.

        Otherwise the chat's Esc shortcut (Stop) takes the key first and the popup stays
        open, eating the next Enter.
        """
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and self.completion_visible()
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Route the special keys; everything else types."""
        key = event.key()
        popup_open = self.completion_visible()
        if popup_open and key == Qt.Key.Key_Escape:
            self._popup().hide()
            return
        if popup_open and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            event.ignore()  # the completer's popup handles these
            return
        if key == Qt.Key.Key_Escape:
            self.stop_requested.emit()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            text = self.toPlainText().strip()
            if text:
                self.submitted.emit(text)
            return
        super().keyPressEvent(event)
        self._update_completion()

    def _word_before_cursor(self) -> str:
        cursor = self.textCursor()
        block = cursor.block().text()[: cursor.positionInBlock()]
        cut = max(block.rfind(" "), block.rfind("\t"))
        return block[cut + 1 :]

    def _update_completion(self) -> None:
        word = self._word_before_cursor()
        at_start = self.textCursor().position() == len(word)
        if word.startswith("@"):
            self._open_completer(self._files, "@", word[1:])
        elif word.startswith("/") and at_start:
            self._open_completer(self._skills, "/", word[1:])
        else:
            self._popup().hide()

    def _open_completer(self, model: QStringListModel, trigger: str, prefix: str) -> None:
        if not model.rowCount():
            self._popup().hide()
            return
        self._trigger = trigger
        if self._completer.model() is not model:
            self._completer.setModel(model)
        self._completer.setCompletionPrefix(prefix)
        popup = self._popup()
        # Wide enough for the longest match (a path is cut at its start, keeping the file name),
        # and above the message box, so it never covers what is being typed.
        matches = self._completer.completionModel()
        longest = max(
            (
                popup.fontMetrics().horizontalAdvance(str(matches.index(r, 0).data()))
                for r in range(matches.rowCount())
            ),
            default=0,
        )
        window = self.window()
        width = min(max(240, longest + 40), max(240, window.width() - 24))
        rect = self.cursorRect()
        rect.setWidth(width)
        self._completer.complete(rect)
        top_left = self.mapToGlobal(self.rect().topLeft())
        window_left = window.mapToGlobal(window.rect().topLeft()).x()
        x = max(
            window_left + 12,
            min(self.mapToGlobal(rect.topLeft()).x(), window_left + window.width() - width - 12),
        )
        popup.move(x, top_left.y() - popup.height() - 2)

    def _insert_completion(self, completion: str) -> None:
        word = self._word_before_cursor()
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(word))
        cursor.insertText(f"{self._trigger}{completion} ")
        self.setTextCursor(cursor)
        if self._trigger == "@":
            self._recent = [completion, *(p for p in self._recent if p != completion)][:20]
            self._order_files()
