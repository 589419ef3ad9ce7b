"""Font sizes of the editor and the chat: from the settings, and Ctrl+= / Ctrl+- / Ctrl+0.

The sizes live in `Settings` (`editor_font_size`, `chat_font_size`; 0 is the system's
size). The keys act on the pane that has the focus: the editor tabs or the conversation.
A file opened later gets the editor's size too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QWidget

from app.core.settings import FONT_SIZES, Settings
from app.ui.theme import code_font

logger = logging.getLogger(__name__)

EDITOR, CHAT = "editor", "chat"
SMALLEST, LARGEST = FONT_SIZES[1], FONT_SIZES[-1]
ZOOM_IN = ("Ctrl+=", "Ctrl++")  # Ctrl+= on most layouts; Ctrl++ where + has its own key
ZOOM_OUT = ("Ctrl+-",)
ZOOM_RESET = ("Ctrl+0",)


def default_size(pane: str) -> int:
    """The size a pane has at 0: the fixed-width font's for the editor, the app font's for chat."""
    return code_font().pointSize() if pane == EDITOR else max(QApplication.font().pointSize(), 9)


class FontZoom(QObject):
    """Applies the two font sizes and handles the zoom keys in each pane."""

    sizes_changed = Signal()  # a size changed and is in the settings (save them)

    def __init__(
        self,
        *,
        settings: Settings,
        editor_area: QWidget,
        editors: Callable[[], Iterable[QWidget]],
        chat_area: QWidget,
        chat_views: Iterable[QWidget],
        parent: QObject | None = None,
    ) -> None:
        """`editors()` lists the open code editors; `chat_views` are the widgets that show chat text."""
        super().__init__(parent)
        self.settings = settings
        self._editors = editors
        self._chat_views = list(chat_views)
        for area, pane in ((editor_area, EDITOR), (chat_area, CHAT)):
            for keys, step in ((ZOOM_IN, 1), (ZOOM_OUT, -1), (ZOOM_RESET, 0)):
                for key in keys:
                    shortcut = QShortcut(
                        QKeySequence(key), area, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
                    )
                    shortcut.activated.connect(lambda p=pane, s=step: self.zoom(p, step=s))
        self.apply()

    def size(self, pane: str) -> int:
        """The point size `pane` shows now."""
        chosen = self.settings.editor_font_size if pane == EDITOR else self.settings.chat_font_size
        return chosen or default_size(pane)

    def zoom(self, pane: str, *, step: int) -> None:
        """One point larger (`step` 1) or smaller (-1), or back to the system size (0)."""
        size = 0 if step == 0 else min(LARGEST, max(SMALLEST, self.size(pane) + step))
        self.set_size(pane, size)

    def set_size(self, pane: str, size: int) -> None:
        """Set `pane`'s size in points (0: the system's); applied at once."""
        size = size if size in FONT_SIZES else 0
        name = "editor_font_size" if pane == EDITOR else "chat_font_size"
        if getattr(self.settings, name) == size:
            return
        setattr(self.settings, name, size)
        self.apply()
        self.sizes_changed.emit()

    def apply(self) -> None:
        """Give every open editor and the chat their sizes (also after a file opens)."""
        editor_font = code_font()
        editor_font.setPointSize(self.size(EDITOR))
        for editor in self._editors():
            if editor.font().pointSize() != editor_font.pointSize():
                editor.setFont(editor_font)
        for view in self._chat_views:
            font = view.font()
            font.setPointSize(self.size(CHAT))
            view.setFont(font)
