"""The main window: file tree on the left, chat on the right."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileSystemModel,
    QLabel,
    QMainWindow,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import NoModelError
from app.core.paths import user_dirs
from app.core.settings import Settings
from app.core.store.resolve import resolve_model


class MainWindow(QMainWindow):
    """File tree beside the chat pane."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Enclave")
        self.resize(1200, 780)
        self._fs = QFileSystemModel(self)
        self._tree = QTreeView(self)
        self._tree.setAccessibleName("Project files")
        self._tree.setModel(self._fs)
        for column in (1, 2, 3):
            self._tree.hideColumn(column)
        self._chat = QWidget(self)
        layout = QVBoxLayout(self._chat)
        self._notice = QLabel(self._chat)
        self._notice.setWordWrap(True)
        self._notice.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self._notice)
        splitter = QSplitter(self)
        splitter.addWidget(self._tree)
        splitter.addWidget(self._chat)
        splitter.setSizes([350, 850])
        self.setCentralWidget(splitter)
        self._show_model_state()
        self.statusBar().showMessage("Offline")

    def _show_model_state(self) -> None:
        try:
            path = resolve_model(None, settings=Settings.load(user_dirs().settings_file))
            self._notice.setText(f"<b>Model:</b> {path.name}<br>Drop a project folder here to start.")
        except NoModelError:
            self._notice.setText(
                "<h3>No model yet</h3>"
                "<p>Enclave runs a local model and never sends your code anywhere. To get one:</p>"
                "<ol><li><code>enclave models recommend</code> names the best model for this machine;</li>"
                "<li><code>enclave models download ID</code> fetches it once, or</li>"
                "<li><code>enclave models import FILE.gguf</code> adds a file you copied in.</li></ol>"
                "<p>You can browse and index a project without a model.</p>"
            )

    def open_project(self, root: Path) -> None:
        """Show `root` in the file tree."""
        root = root.resolve()
        self._fs.setRootPath(str(root))
        self._tree.setRootIndex(self._fs.index(str(root)))
        self.setWindowTitle(f"{root.name} — Enclave")
