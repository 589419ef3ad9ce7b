"""The catalog in the model manager: each model's size, fit on this machine, context, and its download.

One download runs at a time (`DownloadRunner`): Pause keeps the bytes (Resume continues
from them), Cancel deletes them. Nothing is installed until every file is verified.
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.background import JobEnded, Outcome
from app.ui.download_runner import DownloadRunner, show_event, stopped_text
from app.ui.model_table import model_table
from app.ui.store_overview import StoreOverview, size_text
from app.ui.theme import is_dark

logger = logging.getLogger(__name__)

COLUMNS = ("Model", "Role", "Size", "Fit", "Context", "Why", "State")
# Rating colours with at least 4.5:1 contrast on the light and the dark base.
_RATING_COLOURS = {
    "fits": ("#1e6b34", "#8fdca4"),
    "tight": ("#8a5a00", "#f0c060"),
    "too-big": ("#b3261e", "#ff8a80"),
}


class CatalogPage(QWidget):
    """Lists the catalog with ratings; downloads the selected model."""

    model_installed = Signal(object)  # InstalledModel, after a download finished
    download_ended = Signal()  # any outcome: the installed list may have changed

    def __init__(
        self, *, runner: DownloadRunner, download_options: dict[str, object], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.download_options = download_options
        self.overview: StoreOverview | None = None
        self._downloading = ""  # the id being downloaded
        self.recommendation = QLabel("Checking what fits this machine…", self)
        self.recommendation.setWordWrap(True)
        self.recommendation.setAccessibleName("Recommendation")
        self.table = model_table(COLUMNS, name="Catalog models", stretch="Why", parent=self)
        # The name is sized once per fill and capped, so a narrow window still shows the reason.
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.download_button = QPushButton("Download", self)
        self.download_button.setObjectName("primary")
        self.pause_button = QPushButton("Pause", self)
        self.pause_button.setToolTip("Stop for now and keep what was downloaded; Resume continues from there")
        self.cancel_button = QPushButton("Cancel download", self)
        self.cancel_button.setToolTip("Stop and delete what was downloaded")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Download progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Download status")
        for button in (self.download_button, self.pause_button, self.cancel_button):
            # Natural width: with the progress bar hidden they would share the whole row.
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout()
        row.addWidget(self.download_button)
        row.addWidget(self.pause_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.progress, 1)
        row.addStretch(0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.recommendation)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.download_button.clicked.connect(self._on_download_clicked)
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        runner.progress.connect(self._on_progress)
        runner.failed.connect(self._on_failed)
        runner.finished.connect(self._on_finished)
        self._update_buttons()

    def show_overview(self, overview: StoreOverview) -> None:
        """Fill the table from a fresh reading (the selection is kept)."""
        chosen = self.selected_id()
        self.overview = overview
        rec = overview.recommendation
        lines = []
        for label, fit in (("Agent", rec.agent), ("Completion", rec.completion)):
            if fit is not None:
                name = html.escape(_name(overview, fit.model_id))
                lines.append(f"<b>{label}:</b> {name} — {fit.rating}: {html.escape(fit.reason)}")
        if rec.note:
            lines.append(html.escape(rec.note[:1].upper() + rec.note[1:]) + ".")
        self.recommendation.setText("<br>".join(lines) or "No catalog model fits this machine.")
        dark = is_dark(self.palette())
        best = {f.model_id for f in (rec.agent, rec.completion) if f is not None}
        self.table.setRowCount(len(rec.fits))
        for r, fit in enumerate(rec.fits):
            entry = overview.catalog.require(fit.model_id)
            size = size_text(entry.size)
            context = f"{fit.n_ctx:,}" if fit.n_ctx else "—"
            name = ("★ " if fit.model_id in best else "") + entry.name
            cells = (name, fit.role, size, fit.rating, context, fit.reason, self._state(fit.model_id))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, fit.model_id)
                if c == COLUMNS.index("Why"):
                    item.setToolTip(text)
                if c == COLUMNS.index("Fit"):
                    light, dark_colour = _RATING_COLOURS.get(fit.rating, ("", ""))
                    if light:
                        item.setForeground(QColor(dark_colour if dark else light))
                if c in (COLUMNS.index("Size"), COLUMNS.index("Context")):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
                if c == 0 and fit.model_id in best:
                    item.setToolTip(f"{entry.name}: recommended for this machine")
            if fit.model_id == chosen:
                self.table.selectRow(r)
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), max(200, self.table.width() // 3)))
        if chosen is None and rec.fits:
            first = rec.agent.model_id if rec.agent else rec.fits[0].model_id
            self.select(first)
        self._update_buttons()

    def select(self, model_id: str) -> bool:
        """Select `model_id`'s row; False when it is not listed."""
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == model_id:
                self.table.selectRow(r)
                return True
        return False

    def selected_id(self) -> str | None:
        """The selected catalog id."""
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), 0) if rows else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def rating_of(self, model_id: str) -> str:
        """The Fit column's text for `model_id` ("" when not listed)."""
        for r in range(self.table.rowCount()):
            item = self.table.item(r, COLUMNS.index("Fit"))
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == model_id:
                return item.text()
        return ""

    def start_download(self) -> bool:
        """Download (or resume) the selected model; False when there is nothing to start."""
        model_id = self.selected_id()
        if model_id is None or self.overview is None or self.runner.running:
            return False
        entry = self.overview.catalog.require(model_id)
        if not self.runner.start_download(entry, **self.download_options):
            return False
        self._downloading = model_id
        self.progress.setValue(0)
        self._say(f"Connecting to download {entry.name}…")
        self._set_state(model_id, "Downloading")
        self._update_buttons()
        return True

    def _state(self, model_id: str) -> str:
        if model_id == self._downloading and self.runner.running:
            return "Downloading"
        overview = self.overview
        if overview is not None and any(
            r.id == model_id and r.present and r.source != "folder" for r in overview.installed
        ):
            return "Installed"
        if overview is not None and model_id in overview.paused:
            return "Paused"
        return ""

    def _set_state(self, model_id: str, text: str) -> None:
        for r in range(self.table.rowCount()):
            item = self.table.item(r, COLUMNS.index("State"))
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == model_id:
                item.setText(text)

    def _update_buttons(self) -> None:
        running = self.runner.running
        chosen = self.selected_id()
        state = self._state(chosen) if chosen else ""
        self.download_button.setEnabled(chosen is not None and not running and state != "Installed")
        entry = self.overview.catalog.get(chosen) if self.overview is not None and chosen else None
        size = f" ({size_text(entry.size)})" if entry is not None else ""
        self.download_button.setText("Resume download" if state == "Paused" else f"Download{size}")
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running or self.progress.value() > 0)

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # -- slots ----------------------------------------------------------------------------

    def _on_download_clicked(self) -> None:
        self.start_download()

    def _on_pause_clicked(self) -> None:
        self.runner.pause()
        self._say("Pausing…")

    def _on_cancel_clicked(self) -> None:
        self.runner.cancel()
        self._say("Cancelling…")

    def _on_progress(self, event: object) -> None:
        show_event(event, progress=self.progress, say=self._say, installed=self.model_installed.emit)

    def _on_failed(self, exc: object) -> None:
        self._say(stopped_text(exc))

    def _on_finished(self, ended: JobEnded) -> None:
        model_id, self._downloading = self._downloading, ""
        if ended.outcome is Outcome.STOPPED:
            self._say(f"Paused at {self.progress.value() / 10:.0f}%. Resume continues from there.")
            self._set_state(model_id, "Paused")
        elif ended.outcome is Outcome.CANCELLED:
            self.progress.setValue(0)
            self._say("Download cancelled; the partial file was deleted.")
            self._set_state(model_id, "")
        elif ended.outcome is Outcome.DONE:
            self._set_state(model_id, "Installed")
        self._update_buttons()
        self.download_ended.emit()


def _name(overview: StoreOverview, model_id: str) -> str:
    entry = overview.catalog.get(model_id)
    return entry.name if entry is not None else model_id
