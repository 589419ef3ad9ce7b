"""Installed models in the model manager: verify (re-hash), remove (after a confirmation), use, import.

Verify and remove are the store's (`app.core.store.manage`); an import goes through the
same path as a dropped .gguf (the app's `use_model_file`: validation, sha256, probe, link).
A GGUF found in a model folder is listed too, but it is the user's file: never removed here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.store.location import StoreLocation
from app.core.store.manage import ListedModel
from app.ui.background import Job, JobEnded, Outcome
from app.ui.error_presenter import message_for
from app.ui.model_table import model_table
from app.ui.store_overview import size_text

logger = logging.getLogger(__name__)

COLUMNS = ("Model", "Role", "Size", "Verified", "Source", "File")
_MIB = 2**20


def ask_to_remove(parent: QWidget, text: str) -> bool:
    """The confirmation before files are deleted (tests replace it)."""
    answer = QMessageBox.question(
        parent,
        "Remove model",
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class InstalledPage(QWidget):
    """The installed models and what can be done with them."""

    model_chosen = Signal(object)  # Path: load this model
    import_requested = Signal(object)  # Path of a .gguf to import
    models_changed = Signal()  # one was removed, or a verify changed its state

    def __init__(
        self,
        *,
        location: Callable[[], StoreLocation] = StoreLocation.default,
        confirm: Callable[[QWidget, str], bool] = ask_to_remove,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._location = location
        self._confirm = confirm
        self._rows: list[ListedModel] = []
        self._results: dict[str, str] = {}  # id -> the last verify's outcome
        self._verify: Job | None = None
        self.table = model_table(COLUMNS, name="Installed models", stretch="File", parent=self)
        self.empty = QLabel(
            "No models installed yet. Download one from the Catalog, or import a .gguf file you copied here.",
            self,
        )
        self.empty.setWordWrap(True)
        self.use_button = QPushButton("Use", self)
        self.use_button.setToolTip("Load this model for the chat and the agent")
        self.verify_button = QPushButton("Verify", self)
        self.verify_button.setToolTip("Hash the files again and compare them with what was installed")
        self.remove_button = QPushButton("Remove…", self)
        self.remove_button.setToolTip("Delete the model's files from the models folder")
        self.import_button = QPushButton("Import a .gguf file…", self)
        row = QHBoxLayout()
        row.addWidget(self.use_button)
        row.addWidget(self.verify_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        row.addWidget(self.import_button)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Installed models status")
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.verify_button.clicked.connect(self.verify_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def show_models(self, rows: tuple[ListedModel, ...] | list[ListedModel]) -> None:
        """Fill the table (the selection is kept)."""
        chosen = self.selected()
        self._rows = list(rows)
        self.table.setRowCount(len(self._rows))
        for r, model in enumerate(self._rows):
            verified = self._results.get(model.id) or (
                ("yes" if model.verified else "not against a published hash") if model.present else "MISSING"
            )
            source = "in a model folder" if model.source == "folder" else model.source
            cells = (model.id, model.role, size_text(model.size), verified, source, model.path)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
            if chosen is not None and model.path == chosen.path:
                self.table.selectRow(r)
        self.empty.setVisible(not self._rows)
        self._update_buttons()

    def select(self, model_id: str) -> bool:
        """Select `model_id`'s row; False when it is not listed."""
        for r, model in enumerate(self._rows):
            if model.id == model_id:
                self.table.selectRow(r)
                return True
        return False

    def selected(self) -> ListedModel | None:
        """The selected model."""
        rows = self.table.selectionModel().selectedRows()
        return self._rows[rows[0].row()] if rows and rows[0].row() < len(self._rows) else None

    def verified_text(self, model_id: str) -> str:
        """The Verified column's text for `model_id`."""
        for r, model in enumerate(self._rows):
            if model.id == model_id:
                item = self.table.item(r, COLUMNS.index("Verified"))
                return item.text() if item is not None else ""
        return ""

    def verify_selected(self) -> bool:
        """Re-hash the selected installed model in the background; False when there is none."""
        from app.core.store.catalog import load_catalog
        from app.core.store.manage import verify_models

        model = self.selected()
        if model is None or model.source == "folder" or self.verifying:
            return False
        location = self._location()
        model_id = model.id
        self._say(f"Verifying {model_id}…")
        self._verify = Job(
            lambda cancel: verify_models(model_id, location=location, cancel=cancel, catalog=load_catalog()),
            name="verify",
            owner=self,
        )
        self._verify.progress.connect(self._on_verify_progress)
        self._verify.failed.connect(self._on_verify_failed)
        self._verify.finished.connect(self._on_verify_finished)
        self._verify.start()
        self._update_buttons()
        return True

    @property
    def verifying(self) -> bool:
        """Whether a verify runs."""
        return self._verify is not None and self._verify.running

    def stop(self) -> None:
        """Cancel a running verify (the window is closing)."""
        if self._verify is not None and self._verify.running:
            self._verify.cancel()

    def remove_selected(self) -> bool:
        """Ask, then delete the selected model's files from the models folder; False when not removed."""
        from app.core.errors import EnclaveError
        from app.core.store.manage import remove_model

        model = self.selected()
        if model is None or model.source == "folder" or self.verifying:
            return False
        text = (
            f"Delete {model.id} ({size_text(model.size)}) from the models folder?\n\n"
            "Files outside the models folder (a linked import's original) are left alone."
        )
        if not self._confirm(self, text):
            return False
        try:
            removed = remove_model(model.id, location=self._location())
        except EnclaveError as exc:
            self._say(str(exc))
            return False
        self._results.pop(removed.id, None)
        self._say(f"Removed {removed.id} ({size_text(removed.size)} freed).")
        self.models_changed.emit()
        return True

    # -- slots ----------------------------------------------------------------------------

    def _on_verify_progress(self, event: object) -> None:
        from app.core.store.manage import VerifyResult
        from app.core.store.progress import ByteProgress

        if isinstance(event, ByteProgress):
            self._say(f"Verifying {event.file}: {event.done / _MIB:,.0f} / {event.total / _MIB:,.0f} MiB")
        elif isinstance(event, VerifyResult):
            self._results[event.model_id] = "ok" if event.ok else "FAILED"
            self._say(f"{event.model_id}: {'ok' if event.ok else 'FAILED'} — {event.reason}")

    def _on_verify_failed(self, exc: object) -> None:
        text = message_for(exc) if isinstance(exc, BaseException) else None
        self._say(f"The check stopped: {text}" if text else "The check stopped.")

    def _on_verify_finished(self, ended: JobEnded) -> None:
        if ended.outcome is Outcome.CANCELLED:
            self._say("Verify cancelled.")
        self.show_models(self._rows)
        self.models_changed.emit()

    def _on_use_clicked(self) -> None:
        model = self.selected()
        if model is not None and model.present:
            self.model_chosen.emit(Path(model.path))
            self._say(f"Loading {model.id}…")

    def _on_import_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a model", str(Path.home()), "GGUF models (*.gguf)"
        )
        if name:
            self.import_requested.emit(Path(name))
            self._say(f"Checking {Path(name).name}… it is listed here once it is imported.")

    def _update_buttons(self) -> None:
        model = self.selected()
        managed = model is not None and model.source != "folder"
        busy = self.verifying
        self.use_button.setEnabled(model is not None and model.present)
        self.verify_button.setEnabled(managed and not busy)
        self.remove_button.setEnabled(managed and not busy)
        self.remove_button.setToolTip(
            "Delete the model's files from the models folder"
            if managed or model is None
            else "A file in a model folder is yours: remove the folder in Settings instead"
        )

    def _say(self, text: str) -> None:
        self.status.setText(text)
