r"""Ghost text: a dimmed completion drawn at an editor's cursor, with the keys that take it.

`GhostText` attaches to one `QPlainTextEdit` from outside (an event filter and a transparent
overlay on its viewport), so the editor itself knows nothing about completion:

- **Tab** inserts the whole ghost text, **Ctrl+→** its next word, **Esc** dismisses it.
  With no ghost text shown, these keys keep their normal meaning.
- **Alt+\** asks for a completion now (`trigger_requested`).
- Typing the characters the ghost text starts with keeps the rest shown (`edited(True)`);
  any other edit hides it (`edited(False)`), and a cursor move hides it (`cursor_moved`).

Accepting inserts text like typing does, so a partial accept is simply a type-through.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPalette, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QWidget

# The next word of a suggestion: leading spaces, then a run of word characters or of others.
_WORD = re.compile(r"\s*(?:\w+|[^\w\s]+)|\s+")
TAB_SPACES = 4
DIM = 0.5  # ghost colour: this far from the text colour towards the background
COVER_TINT = 0.05  # the background under a multi-line ghost: this far towards the text colour


class GhostText(QObject):
    """The ghost text of one editor: what is shown, where, and the keys that act on it."""

    edited = Signal(bool)  # the text changed; True when the edit typed into the ghost text
    cursor_moved = Signal()  # the cursor moved (or selected) without an edit
    trigger_requested = Signal()  # Alt+\: complete now
    shown = Signal(str)  # ghost text appeared (the text)
    hidden = Signal()  # ghost text went away: dismissed, accepted, typed over or stale

    def __init__(self, editor: QPlainTextEdit) -> None:
        super().__init__(editor)
        self.editor = editor
        self.text = ""
        self.anchor = -1  # the document position the ghost text starts at
        self.revision = 0  # counts edits, so a late result for older text can be told apart
        self._expected_cursor = -1  # where an edit leaves the cursor (not a move)
        self._viewport = editor.viewport()
        self._overlay = _Overlay(self)
        editor.installEventFilter(self)
        self._viewport.installEventFilter(self)
        editor.document().contentsChange.connect(self._on_contents_change)
        editor.cursorPositionChanged.connect(self._on_cursor_position_changed)
        editor.updateRequest.connect(self._on_update_request)

    @property
    def visible(self) -> bool:
        """Whether ghost text is shown."""
        return bool(self.text)

    def show_text(self, text: str, *, position: int) -> None:
        """Show `text` as ghost text at document `position` (the cursor's)."""
        if not text:
            self.hide()
            return
        self.text, self.anchor = text, position
        self._overlay.update()
        self.shown.emit(text)

    def hide(self) -> None:
        """Remove the ghost text (nothing is inserted)."""
        if not self.text:
            return
        self.text, self.anchor = "", -1
        self._overlay.update()
        self.hidden.emit()

    def accept_all(self) -> None:
        """Insert the whole ghost text at the cursor, as one undo step."""
        self._insert(self.text)

    def accept_word(self) -> None:
        """Insert the ghost text's next word; the rest stays shown."""
        match = _WORD.match(self.text)
        self._insert(match.group() if match else self.text)

    def line_suffix(self) -> int:
        """How many characters sit right of the cursor on its line."""
        cursor = self.editor.textCursor()
        return len(cursor.block().text()) - cursor.positionInBlock()

    def cursor_context(self) -> tuple[bool, bool]:
        """(after a non-word character, at the end of the line): both make a completion likelier wanted."""
        cursor = self.editor.textCursor()
        line, column = cursor.block().text(), cursor.positionInBlock()
        before = line[column - 1] if column > 0 else " "
        return (not (before.isalnum() or before == "_"), column == len(line))

    # -- events ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        r"""Take Tab, Ctrl+→ and Esc while ghost text shows, Alt+\ always; keep the overlay sized."""
        kind = event.type()
        if watched is self.editor and kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            assert isinstance(event, QKeyEvent)
            action = self._action_for(event)
            if action is None:
                return False
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # the key comes to the editor as a KeyPress, not to a shortcut
                return True
            action()
            return True
        if watched is self._viewport and kind == QEvent.Type.Resize:
            self._overlay.setGeometry(self._viewport.rect())
        return False

    def _action_for(self, event: QKeyEvent) -> Callable[[], object] | None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = event.key()
        if key == Qt.Key.Key_Backslash and mods == Qt.KeyboardModifier.AltModifier:
            return self.trigger_requested.emit
        if not self.text:
            return None
        if key == Qt.Key.Key_Tab and mods == Qt.KeyboardModifier.NoModifier:
            return self.accept_all
        if key == Qt.Key.Key_Right and mods == Qt.KeyboardModifier.ControlModifier:
            return self.accept_word
        if key == Qt.Key.Key_Escape and mods == Qt.KeyboardModifier.NoModifier:
            return self.hide
        return None

    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        self.revision += 1
        self._expected_cursor = position + added
        if self.text and removed == 0 and added > 0 and position == self.anchor:
            typed = self._document_text(position, added)
            if self.text.startswith(typed):
                self.text, self.anchor = self.text[len(typed) :], position + added
                self._overlay.update()
                if self.text:
                    self.edited.emit(True)  # noqa: FBT003 (a signal argument)
                    return
                self.hidden.emit()  # typed (or accepted) to its end
                self.edited.emit(False)  # noqa: FBT003 (a signal argument)
                return
        self.hide()
        self.edited.emit(False)  # noqa: FBT003 (a signal argument)

    def _on_cursor_position_changed(self) -> None:
        cursor = self.editor.textCursor()
        if cursor.position() == self._expected_cursor and not cursor.hasSelection():
            self._expected_cursor = -1
            return  # the cursor moved because of the edit just made
        self._expected_cursor = -1
        if self.text and (cursor.position() != self.anchor or cursor.hasSelection()):
            self.hide()
        self.cursor_moved.emit()

    def _on_update_request(self, _rect: QRect, dy: int) -> None:
        # Scrolling moves the viewport's children with it; the overlay must stay put.
        if dy:
            self._overlay.setGeometry(self._viewport.rect())
        if self.text:
            self._overlay.update()

    # -- helpers --------------------------------------------------------------------------

    def _insert(self, text: str) -> None:
        if not text:
            return
        cursor = self.editor.textCursor()
        cursor.clearSelection()
        cursor.insertText(text)  # `_on_contents_change` sees the ghost's own start: a type-through
        self.editor.setTextCursor(cursor)
        self.editor.ensureCursorVisible()

    def _document_text(self, position: int, length: int) -> str:
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText().replace("\u2029", "\n")  # Qt's paragraph separator

    def paint(self, painter: QPainter) -> None:
        """Draw the ghost text (the overlay calls this)."""
        editor = self.editor
        document = editor.document()
        if not self.text or self.anchor < 0 or self.anchor >= document.characterCount():
            return
        cursor = QTextCursor(document)
        cursor.setPosition(self.anchor)
        rect = editor.cursorRect(cursor)
        block = cursor.block()
        rest = _expand(block.text()[cursor.positionInBlock() :])
        lines = [_expand(line) for line in self.text.split("\n")]
        palette = editor.palette()
        text_colour = palette.color(QPalette.ColorRole.Text)
        ghost_colour = _mix(text_colour, palette.color(QPalette.ColorRole.Base), DIM)
        metrics = editor.fontMetrics()
        painter.setFont(editor.font())
        height = rect.height()
        width = self._overlay.width()
        x, top = rect.left(), rect.top()
        if rest:  # cover what sits right of the cursor; it is drawn again after the ghost text
            painter.fillRect(QRect(x, top, width - x, height), _line_background(editor))
        painter.setPen(ghost_colour)
        painter.drawText(x, top + metrics.ascent(), lines[0])
        end_x = x + metrics.horizontalAdvance(lines[0])
        if len(lines) > 1:
            geometry = editor.blockBoundingGeometry(block).translated(editor.contentOffset())
            left = round(geometry.left() + document.documentMargin())
            below = top + height
            # The lines below are covered (not pushed down) while it shows: a faint tint says so.
            cover = _mix(palette.color(QPalette.ColorRole.Base), text_colour, COVER_TINT)
            painter.fillRect(QRect(0, below, width, height * (len(lines) - 1)), cover)
            for i, line in enumerate(lines[1:]):
                painter.drawText(left, below + i * height + metrics.ascent(), line)
            end_x = left + metrics.horizontalAdvance(lines[-1])
            top = below + (len(lines) - 2) * height
        if rest:
            painter.setPen(text_colour)
            painter.drawText(end_x, top + metrics.ascent(), rest)


class _Overlay(QWidget):
    """A transparent layer over the editor's viewport that paints the ghost text."""

    def __init__(self, ghost: GhostText) -> None:
        viewport = ghost.editor.viewport()
        super().__init__(viewport)
        self._ghost = ghost
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setGeometry(viewport.rect())
        self.show()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        self._ghost.paint(painter)
        painter.end()


def _expand(text: str) -> str:
    return text.replace("\t", " " * TAB_SPACES)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


def _line_background(editor: QPlainTextEdit) -> QColor:
    # The current-line highlight, when the editor draws one, else the plain background.
    for selection in editor.extraSelections():
        if selection.format.property(QTextFormat.Property.FullWidthSelection):
            return selection.format.background().color()
    return editor.palette().color(QPalette.ColorRole.Base)


def char_offset(text: str, position: int) -> int:
    """The Python index of Qt document `position` in `text` (Qt counts UTF-16 code units)."""
    if text.isascii():
        return position
    return len(text.encode("utf-16-le")[: 2 * position].decode("utf-16-le", errors="ignore"))
