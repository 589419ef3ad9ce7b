"""One open file: the editor, its find bar, and a banner when the file changed on disk."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.atomic_file import write_atomic
from app.core.errors import EnclaveError
from app.core.text_file import TextFormat, decode_text, looks_binary
from app.ui.code_editor import CodeEditor
from app.ui.find_bar import FindBar
from app.ui.syntax_highlighter import SyntaxHighlighter
from app.ui.syntax_queries import highlight_language
from app.ui.theme import is_dark

MAX_OPEN_BYTES = 5 * 1024 * 1024


def read_text(path: Path) -> tuple[str, TextFormat]:
    """The text of `path` (LF endings, no BOM) and how it is stored on disk.

    Raises:
        EnclaveError: the file is missing, too large, binary or unreadable.

    """
    try:
        size = path.stat().st_size
        if size > MAX_OPEN_BYTES:
            raise EnclaveError(f"{path.name} is {size // (1024 * 1024)} MB; files over 5 MB are not opened")
        data = path.read_bytes()
    except OSError as exc:
        raise EnclaveError(f"Could not open {path.name}: {exc.strerror or exc}") from exc
    if looks_binary(data):
        raise EnclaveError(f"{path.name} looks like a binary file; it is not opened in the editor")
    return decode_text(data)


def save_text(path: Path, text: str, fmt: TextFormat) -> None:
    """Write `text` in the file's own format, atomically (see `app.core.atomic_file`).

    Raises:
        EnclaveError: the folder cannot be written.

    """
    try:
        write_atomic(path, fmt.encode(text))
    except OSError as exc:
        raise EnclaveError(f"Could not save {path.name}: {exc.strerror or exc}") from exc


class EditorPage(QWidget):
    """The editor for one file; `modified_changed` drives the tab's unsaved mark."""

    modified_changed = Signal(bool)

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.editor = CodeEditor(self)
        self.editor.setAccessibleName(f"Editor: {path.name}")
        self.find_bar = FindBar(self.editor, self)
        self._banner = QWidget(self)
        banner_layout = QHBoxLayout(self._banner)
        banner_layout.setContentsMargins(6, 2, 6, 2)
        banner_layout.addWidget(QLabel("This file changed on disk.", self._banner), 1)
        reload_btn = QPushButton("Reload", self._banner)
        keep_btn = QPushButton("Keep my version", self._banner)
        banner_layout.addWidget(reload_btn)
        banner_layout.addWidget(keep_btn)
        self._banner.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._banner)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.editor)
        self.highlighter = SyntaxHighlighter(
            self.editor, language=highlight_language(path.name), dark=is_dark(self.palette())
        )
        self._format = TextFormat()
        self._saved_text = ""
        reload_btn.clicked.connect(self.reload)
        keep_btn.clicked.connect(self._banner.hide)
        self.editor.document().modificationChanged.connect(self.modified_changed)

    @property
    def modified(self) -> bool:
        """Whether the buffer has unsaved changes."""
        return self.editor.document().isModified()

    def load(self) -> None:
        """Read the file into the editor (raises EnclaveError)."""
        text, self._format = read_text(self.path)
        self._set_text(text)

    def reload(self) -> None:
        """Re-read the file, keeping the cursor's line."""
        line = self.editor.current_line()
        self.load()
        self._banner.hide()
        self.editor.go_to_line(line)

    def save(self) -> None:
        """Write the buffer to disk atomically (raises EnclaveError)."""
        text = self.editor.toPlainText()
        save_text(self.path, text, self._format)
        self._saved_text = text
        self.editor.document().setModified(False)

    def on_disk_changed(self) -> None:
        """The file changed on disk: reload a clean buffer, ask before replacing edits."""
        try:
            text, _ = read_text(self.path)
        except EnclaveError:
            return  # deleted or unreadable for now; keep the buffer
        if text == self._saved_text:
            return  # our own save, or a touch
        if self.modified:
            self._banner.show()
        else:
            self.reload()

    def _set_text(self, text: str) -> None:
        self._saved_text = text
        self.editor.setPlainText(text)
        self.editor.document().setModified(False)
