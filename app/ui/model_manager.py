"""The model manager window (Models › Manage Models…): the catalog rated for this machine, and the installed models.

What `enclave models recommend` and `enclave models list` show, the way LM Studio and Jan
show it: each catalog model's size, fit and the context it would get, with the download
beside it; installed models with verify, remove and use; import of a .gguf. Reading the
store and probing memory run on a pool thread; closing the window pauses a download.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from app.core.runtime.hardware import Hardware
from app.core.settings import Settings
from app.core.store.catalog import Catalog
from app.core.store.location import StoreLocation
from app.ui.background import Job, JobEnded, Outcome, start_job
from app.ui.catalog_page import CatalogPage
from app.ui.download_runner import DownloadRunner
from app.ui.installed_page import InstalledPage, ask_to_remove
from app.ui.store_overview import StoreOverview, read_overview

logger = logging.getLogger(__name__)


class ModelManager(QDialog):
    """A non-modal window over the model store; `model_installed`, `model_chosen` and `import_requested` go to the app."""

    model_installed = Signal(object)  # InstalledModel, after a download
    model_chosen = Signal(object)  # Path of an installed model to load
    import_requested = Signal(object)  # Path of a .gguf the user picked
    overview_read = Signal()  # a fresh reading is shown

    def __init__(
        self,
        *,
        settings: Settings,
        runner: DownloadRunner | None = None,
        catalog: Catalog | None = None,
        hardware: Callable[[], Hardware] | None = None,
        download_options: dict[str, Any] | None = None,
        confirm: Callable[[QWidget, str], bool] = ask_to_remove,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.setAccessibleName("Model manager")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, on=True)
        self.setSizeGripEnabled(True)
        self.resize(980, 560)
        self.settings = settings
        self._catalog = catalog
        self._hardware = hardware
        self._reading: Job | None = None
        self._again = False
        self.runner = runner or DownloadRunner(parent=self)
        self.machine = QLabel("Reading this machine's memory…", self)
        self.machine.setAccessibleName("This machine")
        self.machine.setWordWrap(True)
        refresh = QPushButton("Refresh", self)
        refresh.setToolTip("Read free memory and the installed models again")
        top = QHBoxLayout()
        top.addWidget(self.machine, 1)
        top.addWidget(refresh)
        self.catalog = CatalogPage(runner=self.runner, download_options=download_options or {}, parent=self)
        self.installed = InstalledPage(location=StoreLocation.default, confirm=confirm, parent=self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.catalog, "Catalog")
        self.tabs.addTab(self.installed, "Installed")
        privacy = QLabel(
            "The catalog ships with Enclave and is never fetched. A download you start here is the only "
            "time Enclave goes online; each file is checked against its pinned sha256 before it is installed.",
            self,
        )
        privacy.setWordWrap(True)
        privacy.setObjectName("hint")
        privacy.setStyleSheet("color: palette(placeholder-text);")
        close = QPushButton("Close", self)
        close.setToolTip("A running download is paused (its bytes are kept)")
        bottom = QHBoxLayout()
        bottom.addWidget(privacy, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        refresh.clicked.connect(self.refresh)
        close.clicked.connect(self.reject)
        self.catalog.model_installed.connect(self.model_installed)
        self.catalog.download_ended.connect(self.refresh)
        self.installed.models_changed.connect(self.refresh)
        self.installed.model_chosen.connect(self.model_chosen)
        self.installed.import_requested.connect(self.import_requested)
        self.overview: StoreOverview | None = None
        self.refresh()

    @property
    def downloading(self) -> bool:
        """Whether a download is running."""
        return self.runner.running

    def refresh(self) -> None:
        """Read the store and the machine again, in the background; `overview_read` follows."""
        if self._reading is not None and self._reading.running:
            self._again = True
            return
        settings, catalog, hardware = self.settings, self._catalog, self._hardware
        self._reading = start_job(
            lambda _cancel: read_overview(settings, catalog=catalog, hardware=hardware),
            name="model overview",
            owner=self,
        )
        self._reading.finished.connect(self._on_overview_finished)
        self._reading.failed.connect(self._on_overview_failed)

    def done(self, result: int) -> None:
        """Closing pauses a running download (its bytes stay for a resume) and stops a verify."""
        if self.downloading:
            self.runner.pause()
        self.installed.stop()
        super().done(result)

    def _on_overview_finished(self, ended: JobEnded) -> None:
        if ended.outcome is Outcome.DONE and isinstance(ended.result, StoreOverview):
            overview = ended.result
            self.overview = overview
            self.machine.setText(f"This machine: {overview.machine}")
            self.catalog.show_overview(overview)
            self.installed.show_models(overview.installed)
            self.tabs.setTabText(1, f"Installed ({sum(1 for r in overview.installed if r.present)})")
            self.overview_read.emit()
        if self._again:
            self._again = False
            self.refresh()

    def _on_overview_failed(self, exc: object) -> None:
        logger.info("model overview failed: %s", type(exc).__name__)
        self.machine.setText("Could not read the catalog or this machine's memory; see the log.")
