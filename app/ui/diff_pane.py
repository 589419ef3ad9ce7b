"""One read-only side of a review: code with the editor's syntax colours, changed lines and words tinted.

Line tints are block backgrounds and word tints character backgrounds of the document itself,
so the syntax highlighter's colours (foregrounds) sit on top of them. The gutter shows each
line's number in the file (none on filler lines) and a bar beside each hunk: wide and blue
for the current one, green once accepted, red once rejected.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.ui.syntax_highlighter import SyntaxHighlighter
from app.ui.syntax_queries import highlight_language
from app.ui.theme import code_font, is_dark
from app.ui.word_diff import Span


@dataclass(frozen=True)
class PaneLine:
    """One line of a pane: its text, its number in the file, and how it is tinted."""

    text: str
    number: int | None
    kind: str  # same | removed | added | filler | gap
    hunk: int = -1
    words: tuple[Span, ...] = ()


def tints(*, dark: bool) -> dict[str, str]:
    """Background colours by line kind, and for changed words (`removed_word`, `added_word`)."""
    if dark:
        return {
            "removed": "#3d2226", "added": "#1f3a28", "filler": "#25272b", "gap": "#25272b",
            "removed_word": "#7a2f36", "added_word": "#2f6b3f", "bar": "#58a6ff", "accepted": "#3fb950", "rejected": "#f85149",
        }  # fmt: skip
    return {
        "removed": "#ffebe9", "added": "#e6ffec", "filler": "#f3f4f6", "gap": "#eef1f5",
        "removed_word": "#ffb3ad", "added_word": "#8fe3a5", "bar": "#0969da", "accepted": "#1a7f37", "rejected": "#cf222e",
    }  # fmt: skip


class _Gutter(QWidget):
    def __init__(self, pane: DiffPane) -> None:
        super().__init__(pane)
        self._pane = pane

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(self._pane.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        self._pane.paint_gutter(self, event)


class DiffPane(QPlainTextEdit):
    """Shows `PaneLine`s; `current_hunk` gets the gutter bar."""

    def __init__(self, *, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFont(code_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.lines: list[PaneLine] = []
        self.current_hunk = -1
        self.states: list[bool | None] = []  # per hunk: accepted, rejected, or undecided (None)
        self._dark = is_dark(self.palette())
        self._language = highlight_language(path)
        self.highlighter: SyntaxHighlighter | None = None
        self._gutter = _Gutter(self)
        self.updateRequest.connect(self._on_update_request)

    def set_lines(self, lines: list[PaneLine]) -> None:
        """Show `lines`, tinting changed lines and words."""
        self.lines = lines
        self.setPlainText("\n".join("⋯" if line.kind == "gap" else line.text for line in lines))
        colours = tints(dark=self._dark)
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        block = self.document().firstBlock()
        for line in lines:
            if not block.isValid():
                break
            if line.kind != "same":
                fmt = QTextBlockFormat()
                fmt.setBackground(QColor(colours[line.kind]))
                cursor.setPosition(block.position())
                cursor.setBlockFormat(fmt)
            word = colours.get(f"{line.kind}_word")
            for start, length in line.words if word else ():
                char = QTextCharFormat()
                char.setBackground(QColor(word))
                cursor.setPosition(block.position() + start)
                cursor.setPosition(block.position() + start + length, QTextCursor.MoveMode.KeepAnchor)
                cursor.mergeCharFormat(char)
            block = block.next()
        cursor.endEditBlock()
        self._update_margin()
        if self.highlighter is None:
            # The editor's own highlighter, attached once the text and its tints are in, so the
            # tints are not re-parsed as edits.
            self.highlighter = SyntaxHighlighter(self, language=self._language, dark=self._dark)

    def first_line_of(self, hunk: int) -> int:
        """The first changed line (0-based) of `hunk`, or -1."""
        return next((i for i, line in enumerate(self.lines) if line.hunk == hunk and line.kind != "same"), -1)

    def set_current_hunk(self, hunk: int, *, states: list[bool | None]) -> None:
        """Mark `hunk` as the current one and each hunk's decision in the gutter."""
        self.current_hunk = hunk
        self.states = list(states)
        self._gutter.update()

    def gutter_width(self) -> int:
        """Pixels for the largest line number and the hunk bar."""
        top = max((line.number or 0 for line in self.lines), default=0)
        return 14 + self.fontMetrics().horizontalAdvance("9") * max(3, len(str(top)))

    def paint_gutter(self, gutter: QWidget, event: QPaintEvent) -> None:
        """Draw the line numbers of the visible lines and the current hunk's bar."""
        painter = QPainter(gutter)
        painter.setFont(self.font())
        painter.fillRect(event.rect(), QColor("#1b1c1f" if self._dark else "#f3f3f3"))
        colours = tints(dark=self._dark)
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            n = block.blockNumber()
            line = self.lines[n] if n < len(self.lines) else None
            if line is not None and line.hunk >= 0 and line.kind != "same":
                state = self.states[line.hunk] if line.hunk < len(self.states) else None
                if line.hunk == self.current_hunk:
                    painter.fillRect(0, top, 4, height, QColor(colours["bar"]))
                elif state is not None:
                    painter.fillRect(0, top, 3, height, QColor(colours["accepted" if state else "rejected"]))
            if line is not None and line.number is not None:
                painter.setPen(QColor("#8b9099" if self._dark else "#6e7781"))
                painter.drawText(
                    0, top, gutter.width() - 6, height, Qt.AlignmentFlag.AlignRight, str(line.number)
                )
            block = block.next()
            top += round(self.blockBoundingRect(block).height()) if block.isValid() else height

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """Keep the gutter as tall as the pane."""
        super().resizeEvent(event)
        rect = self.contentsRect()
        self._gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def _update_margin(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        rect = self.contentsRect()
        self._gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())
