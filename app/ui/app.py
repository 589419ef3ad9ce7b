"""Application start-up: arguments, theme, the window, the model thread, screenshot mode."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFileDialog

from app.commands.output import emit_jsonl, warn
from app.core.errors import EnclaveError
from app.core.paths import user_dirs
from app.core.settings import Settings
from app.ui.app_windows import AppActions, AppWindows
from app.ui.background import JobEnded, Outcome, wait_for_jobs
from app.ui.font_zoom import FontZoom
from app.ui.main_thread_gc import MainThreadGC
from app.ui.main_window import MainWindow
from app.ui.model_worker import ModelWorker, model_loader
from app.ui.theme import apply_theme

if TYPE_CHECKING:
    from app.core.privacy.ledger import LedgerEntry
    from app.core.store.manifest import InstalledModel
    from app.ui.background import Job
    from app.ui.download_runner import DownloadRunner
    from app.ui.model_setup_dialog import ModelSetupDialog

logger = logging.getLogger(__name__)


class _LedgerBridge(QObject):
    """The guard calls listeners on whatever thread made the attempt; this hops to the UI."""

    entry_added = Signal(object)


class EnclaveApp(QObject):
    """Wires the window to settings, the model thread, the privacy guard and dialogs."""

    def __init__(
        self,
        *,
        settings: Settings,
        settings_path: Path | None,
        screenshot: Path | None = None,
        size: tuple[int, int] | None = None,
        load_model: bool = True,
        ask: str = "",
        ask_timeout_s: float = 120.0,
    ) -> None:
        super().__init__()
        self.settings = settings
        self._settings_path = settings_path
        self.worker = ModelWorker()
        self.window = MainWindow(settings=settings, worker=self.worker, modal_errors=screenshot is None)
        self._screenshot = screenshot
        self._size = size
        self._first_load = False
        self._loading = False
        self._ask = ask
        self._ask_timeout_s = ask_timeout_s
        self._asked = False
        self._setup_dialog: ModelSetupDialog | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._gates_open = 0
        w = self.window
        w.settings_changed.connect(self.save_settings)
        w.open_folder_requested.connect(self._on_open_folder_requested)
        w.model_setup_requested.connect(self.show_model_setup)
        w.model_file_requested.connect(self._on_model_file_requested)
        w.model_file_dropped.connect(self.use_model_file)
        w.model_chosen.connect(self.use_installed_model)
        w.theme_requested.connect(self._on_theme_requested)
        self.zoom = FontZoom(
            settings=settings,
            editor_area=w.editors,
            editors=lambda: [page.editor for page in w.editors.pages()],
            chat_area=w.chat,
            chat_views=[w.chat.transcript],
            parent=self,
        )
        w.editors.currentChanged.connect(lambda _i: self.zoom.apply())  # a file opened: its size
        self.zoom.sizes_changed.connect(self.save_settings)
        self.windows = AppWindows(
            settings=settings,
            zoom=self.zoom,
            actions=AppActions(
                save=self.save_settings,
                apply_theme=self._on_theme_requested,
                refresh_models=w.refresh_model_picker,
                say=lambda text: w.status.showMessage(text, 8000),
                answering=lambda: self.worker.has_model or self._loading,
                install=self._on_model_installed,
                use_model=self.use_installed_model,
                import_file=self.use_model_file,
                completion_settings=w.completion.apply_settings,
            ),
            parent=w,
        )
        w.settings_requested.connect(self.windows.show_settings)
        w.model_manager_requested.connect(self.windows.show_model_manager)
        self.worker.failed.connect(w.presenter.present)
        self.worker.load_progress.connect(lambda text: w.status.set_model(None, note=text))
        self.worker.job_finished.connect(self._on_job_finished)
        self.worker.no_model_found.connect(self._on_no_model_found)
        self._watch_privacy()
        if load_model:
            self._load_configured_model()

    def save_settings(self) -> None:
        """Write preferences (never content); a failure is shown, not raised.

        A screenshot run writes nothing: its size, its project and its layout are for the
        picture, not what the user arranged.
        """
        if self._settings_path is None or self._screenshot is not None:
            return
        try:
            self.settings.save(self._settings_path)
        except EnclaveError as exc:
            self.window.presenter.present(exc)

    def use_model_file(self, path: Path) -> Job:
        """A .gguf the user picked or dropped: imported through the store's checks, then loaded.

        The import (validation, split parts, sha256, the first-use probe in a child) runs in
        the background and links the file into the models folder instead of copying it, so
        it is listed and remembered like any installed model; then it is loaded.
        """
        from app.core.store.model_import import import_model
        from app.ui.background import Job

        self.window.status.set_model(None, note=f"Checking {path.name}…")
        job = Job(lambda cancel: import_model(path, cancel=cancel, mode="link"), name="import", owner=self)
        job.progress.connect(self._on_import_progress)
        job.failed.connect(self.window.presenter.present)
        job.finished.connect(self._on_import_finished)
        return job.start()

    def use_installed_model(self, path: Path) -> None:
        """Load a model the picker lists (installed or in a folder the user added) and remember it."""
        self.settings.model = str(path)
        self.save_settings()
        self._load(path)

    def _on_import_progress(self, event: object) -> None:
        from app.core.store.progress import ModelReady, StageChanged

        if isinstance(event, StageChanged):
            self.window.status.set_model(None, note=event.message[:80])
        elif isinstance(event, ModelReady):
            self._on_model_installed(event.model)

    def _on_import_finished(self, ended: JobEnded) -> None:
        if ended.outcome is not Outcome.DONE and not self.worker.has_model:
            self.window.status.set_model(None, note="No model")

    def show_model_setup(self, *, runner: DownloadRunner | None = None) -> ModelSetupDialog:
        """Open the model dialog (non-blocking); the same one comes back while a download is kept."""
        from app.core.store.demo import demo_model_path
        from app.ui.model_setup_dialog import ModelSetupDialog

        dialog = self._setup_dialog
        if dialog is None or runner is not None:
            if dialog is not None and dialog.downloading:
                dialog.runner.stop(wait=True)
            demo = demo_model_path()
            dialog = ModelSetupDialog(demo_available=demo is not None, runner=runner, parent=self.window)
            dialog.model_file_chosen.connect(self.use_model_file)
            dialog.model_installed.connect(self._on_model_installed)
            dialog.runner.failed.connect(lambda exc: logger.info("download failed: %s", type(exc).__name__))
            if demo is not None:
                dialog.demo_chosen.connect(lambda: self._load(demo))
            self._setup_dialog = dialog
        dialog.open()
        return dialog

    def shutdown(self) -> None:
        """Stop every thread the app started (a running download is paused, keeping its bytes)."""
        if self._setup_dialog is not None:
            self._setup_dialog.runner.stop(wait=True)
        self.windows.shutdown()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.window.indexer.stop(wait=True)
        self.window.completion.shutdown()
        self.worker.shutdown()
        wait_for_jobs(30000)  # exports, model lists and the like: short, but not cut off

    def _on_model_installed(self, model: InstalledModel) -> None:
        self.settings.model = model.id
        self.save_settings()
        self.window.refresh_model_picker()
        self.windows.model_added()  # an import or a setup download: list it in the manager too
        self._load(model.path)

    def _load_configured_model(self) -> None:
        # Resolving reads the manifest and globs model folders: on the model's thread, not here.
        self.window.show_model_loading("Loading the model…")
        self._loading = True
        self._first_load = True
        self.worker.load(model_loader(None, settings=self.settings))

    def _load(self, path: Path) -> None:
        self.window.show_model_loading(f"Loading {path.name}…")
        self._loading = True
        self.worker.load(model_loader(path, settings=self.settings))

    def _on_no_model_found(self) -> None:
        if self._first_load and self._screenshot is None:
            # Nothing installed yet: a first run, so offer the setup.
            QTimer.singleShot(0, self.show_model_setup)

    def _on_job_finished(self, kind: str) -> None:
        if kind == "load":
            self._loading = False
            self._first_load = False
            if not self.worker.has_model:
                self.window.status.set_model(None, note="No model")
                self.window.show_no_model()

    def _watch_privacy(self) -> None:
        from app.core.privacy import guard

        bridge = _LedgerBridge(self)
        bridge.entry_added.connect(self._on_ledger_entry)
        for entry in guard.ledger():
            self.window.ledger.add_entry(entry)
        self._gates_open = 1 if guard.gate_open() else 0
        self.window.status.set_privacy(refused=guard.refused_count(), gate_open=self._gates_open > 0)
        self._unsubscribe = guard.subscribe(bridge.entry_added.emit)
        self._guard = guard

    def _on_ledger_entry(self, entry: LedgerEntry) -> None:
        self.window.ledger.add_entry(entry)
        # The gate's state as of this entry (not as of now: a fast download may already be over),
        # so Online shows for every download, however short, and Offline once it closed.
        from app.core.privacy.ledger import GATE_CLOSE, GATE_OPEN

        if entry.operation == GATE_OPEN:
            self._gates_open += 1
        elif entry.operation == GATE_CLOSE:
            self._gates_open = max(0, self._gates_open - 1)
        self.window.status.set_privacy(refused=self._guard.refused_count(), gate_open=self._gates_open > 0)

    def _on_open_folder_requested(self) -> None:
        start = self.settings.recent_projects[0] if self.settings.recent_projects else str(Path.home())
        folder = QFileDialog.getExistingDirectory(self.window, "Open a project folder", start)
        if folder:
            self.window.open_project(Path(folder))

    def _on_model_file_requested(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.window, "Use a model file", str(Path.home()), "GGUF models (*.gguf)"
        )
        if name:
            self.use_model_file(Path(name))

    def _on_theme_requested(self, name: str) -> None:
        self.settings.theme = name
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, name)
        action = self.window.menu_actions.get(f"theme_{name}")
        if action is not None:
            action.setChecked(True)  # the View › Theme menu follows a change made in the settings
        self.save_settings()

    def start(self) -> None:
        """Show the window (at `size` when given); on a first run, offer the model setup."""
        if self._size is not None:
            self.window.resize(*self._size)  # before show: the first layout is already at this size
        self.window.show()
        if self._screenshot is not None:
            QTimer.singleShot(0, self._take_screenshot_when_ready)

    def _take_screenshot_when_ready(self) -> None:
        if self.window.indexing or self._loading or self.window.chat.busy:
            QTimer.singleShot(100, self._take_screenshot_when_ready)
            return
        if self._ask and not self._asked and self.worker.has_model:
            self._asked = True
            self.window.chat.send(self._ask)
            # A small model can wander; the shot is taken after at most this long (Stop, not kill).
            QTimer.singleShot(int(self._ask_timeout_s * 1000), self.window.chat.stop)
            QTimer.singleShot(100, self._take_screenshot_when_ready)
            return
        out = self._screenshot
        assert out is not None
        # One more turn of the event loop so the last layout and paint land.
        QTimer.singleShot(200, lambda: self._save_screenshot(out))

    def _save_screenshot(self, out: Path) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        ok = self.window.grab().save(str(out), "PNG")
        if not ok:
            warn(f"enclave: could not write {out}")
        leaf = self.window.chat.conversation.leaf()
        summary = {
            "screenshot": str(out),
            "saved": ok,
            "project": str(self.window.project) if self.window.project else None,
            "index": self.window.status.index.text(),
            "model": self.window.status.model.text(),
            "asked": self._asked,
            "answer_chars": len(leaf.text) if leaf is not None and leaf.role == "assistant" else 0,
            "finish": leaf.finish if leaf is not None and leaf.role == "assistant" else "",
        }
        emit_jsonl(summary)
        self.window.close()
        QApplication.exit(0 if ok else 1)


def collect_around(collector: MainThreadGC, window: MainWindow) -> None:
    """Once the window is built: settle start-up's objects, and hold full passes while it works.

    A full collection is a stall (tens of ms with a big index): not while the user watches
    the index build or an answer stream.
    """
    collector.defer_full_while(lambda: window.indexing or window.chat.busy)
    collector.settle_startup()


def run_app(ns: argparse.Namespace) -> int:
    """Run the GUI until the window closes; `ns` is `app.gui`'s parse of the command line."""
    logging.basicConfig(
        level=logging.DEBUG if ns.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Enclave")
    app.setApplicationDisplayName("Enclave")
    app.setDesktopFileName("enclave")
    collector = MainThreadGC(app)  # Qt objects die on this thread (see main_thread_gc)
    settings_path = user_dirs().settings_file
    settings = Settings.load(settings_path)
    apply_theme(app, settings.theme)
    enclave = EnclaveApp(
        settings=settings,
        settings_path=settings_path,
        screenshot=Path(ns.screenshot).resolve() if ns.screenshot else None,
        size=ns.size,
        load_model=not ns.no_model,
        ask=ns.ask,
        ask_timeout_s=ns.ask_timeout,
    )
    collect_around(collector, enclave.window)
    if ns.project:
        enclave.window.open_project(Path(ns.project))
    elif not ns.screenshot:
        enclave.window.reopen_last_session()  # the last project and its tabs, as it was left
    enclave.start()
    code = app.exec()
    enclave.shutdown()
    collector.stop()
    return code
