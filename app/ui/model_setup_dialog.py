"""First run: download the model the fit planner recommends for this machine, or import a file.

Without a model the app still works for browsing and search; this dialog can be closed. The
download runs as a background job (`DownloadRunner`): progress with speed and time left, Pause
(the bytes are kept; Download again resumes from them) and Cancel (they are removed).
Closing the dialog pauses a running download.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.background import JobEnded, Outcome, start_job
from app.ui.download_runner import DownloadRunner, show_event, stopped_text

logger = logging.getLogger(__name__)


def _recommendation() -> tuple[Any, str]:
    """(catalog entry or None, text) from the fit planner (pool thread: probing takes a moment)."""
    import shutil

    from app.core.paths import user_dirs
    from app.core.runtime.hardware import probe_hardware
    from app.core.store.catalog import load_catalog
    from app.core.store.fit import recommend

    dirs = user_dirs()
    dirs.data.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog()
    rec = recommend(catalog, probe_hardware(), free_disk=shutil.disk_usage(dirs.data).free)
    if rec.agent is None:
        return None, "No catalog model fits this machine; import a smaller .gguf file instead."
    fit = rec.agent
    size = fit.download_bytes / 2**30
    text = (
        f"<b>{html.escape(fit.model_id)}</b> — {html.escape(fit.rating)}: {html.escape(fit.reason)}<br>"
        f"Download {size:.1f} GB once; context {fit.n_ctx:,} tokens in {html.escape(fit.memory)}."
    )
    return catalog.require(fit.model_id), text


class ModelSetupDialog(QDialog):
    """Pick how to get a model; emits `model_installed`, `model_file_chosen` or `demo_chosen`."""

    model_file_chosen = Signal(object)  # Path
    model_installed = Signal(object)  # InstalledModel, after a finished download
    demo_chosen = Signal()

    def __init__(
        self,
        *,
        demo_available: bool,
        runner: DownloadRunner | None = None,
        recommend: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up a model")
        self.setAccessibleName("Model setup")
        self.setMinimumWidth(600)
        self.entry: Any = None  # the catalog entry a Download button press fetches
        self.download_options: dict[str, Any] = {}
        self.runner = runner or DownloadRunner(parent=self)
        intro = QLabel(
            "<h3>Choose the model that answers</h3><p>Enclave runs the model on this machine. "
            "The only time it uses the network is a download you start here.</p>",
            self,
        )
        intro.setWordWrap(True)
        intro.setMinimumWidth(560)  # the dialog's width (the layout sets its minimum size)
        self.recommendation = QLabel("Checking what fits this machine…", self)
        self.recommendation.setWordWrap(True)
        self.recommendation.setAccessibleName("Recommended model")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Download progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress_label = QLabel(self)
        self.progress_label.setAccessibleName("Download status")
        self.progress_label.setWordWrap(True)
        self.progress.hide()
        self.progress_label.hide()
        self.download_button = QPushButton("Download recommended model", self)
        self.download_button.setObjectName("primary")
        self.download_button.setEnabled(False)
        self.pause_button = QPushButton("Pause", self)
        self.pause_button.setToolTip("Stop for now and keep what was downloaded; Resume continues from there")
        self.cancel_button = QPushButton("Cancel download", self)
        self.cancel_button.setToolTip("Stop and delete what was downloaded")
        self.import_button = QPushButton("Import a .gguf file…", self)
        self.import_button.setAccessibleName("Import a model file")
        self.demo_button = QPushButton("Use the demo model (SmolLM2-135M)", self)
        self.demo_button.setVisible(demo_available)
        later = QPushButton("Close", self)
        later.setToolTip("Browse and search without a model (a running download is paused)")
        download_row = QHBoxLayout()
        download_row.addWidget(self.download_button)
        download_row.addWidget(self.pause_button)
        download_row.addWidget(self.cancel_button)
        download_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(later)
        layout = QVBoxLayout(self)
        # Never smaller than the wrapped texts need: a fixed height clipped the intro, and
        # the dialog did not grow when the recommendation (several lines) arrived.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(intro)
        layout.addWidget(self.recommendation)
        layout.addLayout(download_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addLayout(buttons)
        later.clicked.connect(self.reject)
        self.download_button.clicked.connect(lambda: self.start_download())
        self.pause_button.clicked.connect(self.runner.pause)
        self.pause_button.clicked.connect(lambda: self._say("Pausing…"))
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.cancel_button.clicked.connect(lambda: self._say("Cancelling…"))
        self.import_button.clicked.connect(self._on_import_clicked)
        self.demo_button.clicked.connect(self._on_demo_clicked)
        self.runner.progress.connect(self._on_progress)
        self.runner.failed.connect(self._on_failed)
        self.runner.finished.connect(self._on_finished)
        self._set_running(running=False)
        if recommend:
            job = start_job(lambda _cancel: _recommendation(), name="fit planner", owner=self)
            job.finished.connect(self._on_recommendation_finished)
            job.failed.connect(self._on_recommendation_failed)

    @property
    def downloading(self) -> bool:
        """Whether a download is running."""
        return self.runner.running

    def set_entry(self, entry: Any, *, text: str = "") -> None:
        """The catalog model Download fetches (the fit planner's choice, or a test's)."""
        self.entry = entry
        if text:
            self.recommendation.setText(text)
            self._fit()
        self.download_button.setEnabled(entry is not None and not self.downloading)

    def start_download(self) -> bool:
        """Download (or resume downloading) `entry`; False when there is nothing to start."""
        if self.entry is None or not self.runner.start_download(self.entry, **self.download_options):
            return False
        self._set_running(running=True)
        self.progress.show()
        self._say(f"Connecting to download {self.entry.id}…")
        return True

    def done(self, result: int) -> None:
        """Closing pauses a running download (its bytes stay for a resume)."""
        if self.downloading:
            self.runner.pause()
        super().done(result)

    def _on_recommendation_finished(self, ended: JobEnded) -> None:
        if ended.outcome is Outcome.DONE and self.entry is None:
            assert isinstance(ended.result, tuple)
            entry, text = ended.result
            self.set_entry(entry, text=str(text))

    def _on_recommendation_failed(self, exc: object) -> None:
        logger.info("no recommendation: %s", type(exc).__name__)
        self.recommendation.setText("Could not work out what fits this machine; import a .gguf file.")

    def _on_progress(self, event: object) -> None:
        show_event(event, progress=self.progress, say=self._say, installed=self.model_installed.emit)

    def _on_failed(self, exc: object) -> None:
        self._say(stopped_text(exc))

    def _on_finished(self, ended: JobEnded) -> None:
        self._set_running(running=False)
        outcome = ended.outcome
        if outcome is Outcome.STOPPED:
            self.download_button.setText("Resume download")
            self._say(f"Paused at {self.progress.value() / 10:.0f}%. Resume continues from there.")
        elif outcome is Outcome.CANCELLED:
            self.download_button.setText("Download recommended model")
            self.progress.setValue(0)
            self._say("Download cancelled; the partial file was deleted.")
        elif outcome is Outcome.DONE and self.isVisible():
            self.accept()
        elif outcome is Outcome.FAILED:
            self.download_button.setText("Resume download")

    def _set_running(self, *, running: bool) -> None:
        self.download_button.setEnabled(not running and self.entry is not None)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        self.import_button.setEnabled(not running)

    def _say(self, text: str) -> None:
        self.progress_label.setText(text)
        self.progress_label.show()
        self._fit()

    def _fit(self) -> None:
        # Grow to the height the wrapped texts need at the current width (never shrink).
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        wanted = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else 0
        if wanted > self.height():
            self.resize(self.width(), wanted)

    def _on_import_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a model", str(Path.home()), "GGUF models (*.gguf)"
        )
        if name:
            self.model_file_chosen.emit(Path(name))
            self.accept()

    def _on_demo_clicked(self) -> None:
        self.demo_chosen.emit()
        self.accept()
