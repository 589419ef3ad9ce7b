"""A quick-pick box over the window: type to filter (fuzzy), arrows to move, Enter to go.

Quick open (Ctrl+P), go to symbol (Ctrl+T) and go to line (Ctrl+G) are this box with
different items; it knows nothing of files or editors, only labels and what was chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.ui.chat_styles import dim_colour
from app.ui.fuzzy import rank
from app.ui.theme import is_dark

# Rows shown at most (the rest is reached by typing more).
SHOWN = 200


@dataclass(frozen=True)
class PickItem:
    """One row: what is matched and shown (`label`), a grey `detail`, and what it stands for."""

    label: str
    detail: str
    value: object


class QuickOpen(QDialog):
    """A filter field over a list; the picked item's value (or the parsed text) goes to `on_chosen`."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("quickOpen")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        self.field = QLineEdit(self)
        self.field.setAccessibleName("Filter")
        self.list = QListWidget(self)
        self.list.setAccessibleName("Matches")
        self.list.setUniformItemSizes(True)
        self.note = QLabel(self)
        self.note.setObjectName("quickOpenNote")
        self.title = QLabel(self)
        self.title.setObjectName("quickOpenTitle")
        # Frameless over the window: a border tells it apart from the editor beneath.
        self.setStyleSheet("#quickOpen { border: 1px solid palette(highlight); border-radius: 4px; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.field)
        layout.addWidget(self.note)
        layout.addWidget(self.list)
        self._items: Sequence[PickItem] = ()
        self._free_text: Callable[[str], object] | None = None
        self._on_chosen: Callable[[object], object] = lambda _value: None
        self.field.textChanged.connect(self._on_text_changed)
        self.field.returnPressed.connect(self._on_return_pressed)
        self.list.itemActivated.connect(lambda _item: self._on_return_pressed())
        self.field.installEventFilter(self)

    def pick(
        self,
        *,
        title: str,
        placeholder: str,
        items: Sequence[PickItem],
        on_chosen: Callable[[object], object],
        text: str = "",
    ) -> None:
        """Show the box over the top of the parent window with `items` to choose from."""
        self._on_chosen = on_chosen
        self._free_text = None
        self._items = items
        self.list.show()
        self._open(title=title, placeholder=placeholder, text=text)

    def ask(
        self,
        *,
        title: str,
        placeholder: str,
        note: str,
        parse: Callable[[str], object],
        on_chosen: Callable[[object], object],
    ) -> None:
        """Show the box with no list: Enter sends `parse(text)` on when it is not None (go to line)."""
        self._on_chosen = on_chosen
        self._free_text = parse
        self._items = ()
        self.list.hide()
        self.note.setText(note)
        self._open(title=title, placeholder=placeholder, text="")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Up/Down/PageUp/PageDown in the field move through the list."""
        if watched is self.field and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            step = {
                Qt.Key.Key_Down: 1,
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_PageDown: 10,
                Qt.Key.Key_PageUp: -10,
            }.get(Qt.Key(event.key()))
            if step is not None and self.list.count():
                row = min(max(self.list.currentRow() + step, 0), self.list.count() - 1)
                self.list.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    def _open(self, *, title: str, placeholder: str, text: str) -> None:
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.title.setText(
            f"<b>{title}</b> <span style='color:{dim_colour(dark=is_dark(self.palette()))}'>· Enter opens, Esc closes</span>"
        )
        self.field.setPlaceholderText(placeholder)
        self.field.setText(text)
        self._on_text_changed(text)
        parent = self.parentWidget()
        window = parent.window() if parent is not None else self
        width = min(640, max(320, window.width() - 80))
        height = min(420, max(160, window.height() // 2)) if self._free_text is None else 0
        self.resize(width, height)
        top_left = window.mapToGlobal(window.rect().topLeft())
        self.move(top_left.x() + (window.width() - width) // 2, top_left.y() + 48)
        self.show()
        self.raise_()
        self.activateWindow()
        self.field.setFocus()
        self.field.selectAll()

    def _on_text_changed(self, text: str) -> None:
        if self._free_text is not None:
            return
        self.list.clear()
        matches = rank(text, self._items, key=lambda item: item.label, limit=SHOWN)
        for item in matches:
            row = QListWidgetItem(f"{item.label}    {item.detail}" if item.detail else item.label)
            row.setData(Qt.ItemDataRole.UserRole, item)
            row.setToolTip(item.detail or item.label)
            self.list.addItem(row)
        if matches:
            self.list.setCurrentRow(0)
        self.note.setText("" if matches or not self._items else "No matches")
        self.note.setVisible(bool(self.note.text()))

    def _on_return_pressed(self) -> None:
        if self._free_text is not None:
            value = self._free_text(self.field.text())
            if value is None:
                return
        else:
            row = self.list.currentItem()
            if row is None:
                return
            value = row.data(Qt.ItemDataRole.UserRole).value
        self.hide()
        self._on_chosen(value)
