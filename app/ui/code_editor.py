"""A plain-text code editor with line numbers and a current-line highlight."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QResizeEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from app.ui.theme import code_font, is_dark


class _LineNumbers(QWidget):
    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(self._editor.line_number_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        self._editor.paint_line_numbers(self, event)


class CodeEditor(QPlainTextEdit):
    """Edits one file's text; knows nothing about files or saving."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(code_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self._gutter = _LineNumbers(self)
        self.blockCountChanged.connect(self._update_margin)
        self.updateRequest.connect(self._on_update_request)
        self.cursorPositionChanged.connect(self._highlight_current_line)
        self._update_margin()
        self._highlight_current_line()

    def line_number_width(self) -> int:
        """Pixels the gutter needs for the highest line number."""
        digits = max(3, len(str(self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * digits

    def go_to_line(self, line: int) -> None:
        """Put the cursor at the start of `line` (1-based) and centre it."""
        block = self.document().findBlockByNumber(max(0, line - 1))
        cursor = QTextCursor(block)
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus()

    def current_line(self) -> int:
        """The cursor's line, 1-based."""
        return self.textCursor().blockNumber() + 1

    def paint_line_numbers(self, gutter: QWidget, event: QPaintEvent) -> None:
        """Draw the numbers of the visible lines."""
        painter = QPainter(gutter)
        painter.setFont(self.font())  # the numbers zoom with the text they stand beside
        dark = is_dark(self.palette())
        painter.fillRect(event.rect(), QColor("#1b1c1f" if dark else "#f3f3f3"))
        painter.setPen(QColor("#6c6f76" if dark else "#9a9a9a"))
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                painter.drawText(
                    0, top, gutter.width() - 6, height, Qt.AlignmentFlag.AlignRight, str(number + 1)
                )
            block = block.next()
            top += round(self.blockBoundingRect(block).height()) if block.isValid() else height
            number += 1

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Shift+Enter is a plain Enter: Qt's soft line break (U+2028) is not a line of the file."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.textCursor().insertBlock()
            self.ensureCursorVisible()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """Keep the gutter as tall as the editor."""
        super().resizeEvent(event)
        self._place_gutter()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """A new font size (zoom, settings): tab stops and the gutter follow it."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "_gutter"):  # not during __init__
            self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
            self._update_margin()
            self._place_gutter()

    def _place_gutter(self) -> None:
        rect = self.contentsRect()
        self._gutter.setGeometry(QRect(rect.left(), rect.top(), self.line_number_width(), rect.height()))

    def _update_margin(self) -> None:
        self.setViewportMargins(self.line_number_width(), 0, 0, 0)

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._update_margin()

    def _highlight_current_line(self) -> None:
        selection = QTextEdit.ExtraSelection()
        dark = is_dark(self.palette())
        selection.format.setBackground(QColor("#24262b" if dark else "#f5f8ff"))
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)  # noqa: FBT003 (Qt API)
        selection.cursor = self.textCursor()
        selection.cursor.clearSelection()
        self.setExtraSelections([selection])
