"""First run: the model the fit planner recommends for this machine, or a file to import.

Without a model the app still works for browsing and search; this dialog can be closed.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui.background import run_in_pool

logger = logging.getLogger(__name__)


def _recommendation_text() -> str:
    """Ask the fit planner (runs on a pool thread: probing hardware can take a moment)."""
    import shutil

    from app.core.paths import user_dirs
    from app.core.runtime.hardware import probe_hardware
    from app.core.store.catalog import load_catalog
    from app.core.store.fit import recommend

    dirs = user_dirs()
    dirs.data.mkdir(parents=True, exist_ok=True)
    rec = recommend(load_catalog(), probe_hardware(), free_disk=shutil.disk_usage(dirs.data).free)
    if rec.agent is None:
        return "No catalog model fits this machine; import a smaller .gguf file instead."
    fit = rec.agent
    size = fit.download_bytes / 2**30
    return (
        f"<b>{html.escape(fit.model_id)}</b> — {html.escape(fit.rating)}: {html.escape(fit.reason)}<br>"
        f"Download {size:.1f} GB once; context {fit.n_ctx:,} tokens in {html.escape(fit.memory)}."
    )


class ModelSetupDialog(QDialog):
    """Pick how to get a model; emits `model_file_chosen` or `demo_chosen`."""

    model_file_chosen = Signal(object)  # Path
    demo_chosen = Signal()

    def __init__(self, *, demo_available: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up a model")
        self.setAccessibleName("Model setup")
        self.setMinimumWidth(560)
        intro = QLabel(
            "<h3>Choose the model that answers</h3><p>Enclave runs the model on this machine. "
            "The only time it uses the network is a download you start here.</p>",
            self,
        )
        intro.setWordWrap(True)
        self.recommendation = QLabel("Checking what fits this machine…", self)
        self.recommendation.setWordWrap(True)
        self.recommendation.setAccessibleName("Recommended model")
        self.download_button = QPushButton("Download recommended model", self)
        self.download_button.setObjectName("primary")
        self.download_button.setEnabled(False)
        self.download_button.setToolTip(
            "Downloading from the app is not available in this build yet: "
            "use `enclave models download ID` or import a file."
        )
        self.import_button = QPushButton("Import a .gguf file…", self)
        self.import_button.setAccessibleName("Import a model file")
        self.demo_button = QPushButton("Use the demo model (SmolLM2-135M)", self)
        self.demo_button.setVisible(demo_available)
        later = QPushButton("Later", self)
        later.setToolTip("Browse and search without a model")
        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(later)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.recommendation)
        layout.addLayout(buttons)
        later.clicked.connect(self.reject)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.demo_button.clicked.connect(self._on_demo_clicked)
        run_in_pool(
            _recommendation_text,
            on_done=self._show_recommendation,
            on_failed=self._show_unavailable,
            owner=self,
        )

    def _show_recommendation(self, text: object) -> None:
        self.recommendation.setText(str(text))

    def _show_unavailable(self, exc: object) -> None:
        logger.info("no recommendation: %s", type(exc).__name__)
        self.recommendation.setText("The fit planner is not available in this build; import a .gguf file.")

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
