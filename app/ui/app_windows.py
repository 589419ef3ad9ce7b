"""The settings dialog and the model manager as the app opens them: one of each, and what their changes do.

The app hands in the few things these need (the settings, the font zoom, and callables to
save, apply a theme, load or import a model, say something in the status bar), never the
main window; `parent` is only the dialogs' parent widget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.core.settings import Settings
from app.ui.font_zoom import FontZoom

if TYPE_CHECKING:
    from app.core.store.manifest import InstalledModel
    from app.ui.download_runner import DownloadRunner
    from app.ui.model_manager import ModelManager
    from app.ui.settings_dialog import SettingsDialog

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppActions:
    """What the two windows may ask of the app."""

    save: Callable[[], None]
    apply_theme: Callable[[str], None]
    refresh_models: Callable[[], None]  # the chat pane's model list
    say: Callable[[str], None]  # a status-bar message
    answering: Callable[[], bool]  # a model is loaded or loading
    install: Callable[[InstalledModel], None]  # remember and load a newly installed model
    use_model: Callable[[Path], None]  # load an installed model
    import_file: Callable[[Path], object]  # the app's import path for a .gguf
    # inline completion takes up changed settings (or a new completion model) at once
    completion_settings: Callable[[frozenset[str]], None] = lambda _changed: None


class AppWindows(QObject):
    """Opens the settings and the model manager, and carries out what they change."""

    def __init__(self, *, settings: Settings, zoom: FontZoom, actions: AppActions, parent: QWidget) -> None:
        super().__init__(parent)
        self.settings = settings
        self.zoom = zoom
        self.actions = actions
        self._parent = parent
        self.settings_dialog: SettingsDialog | None = None
        self.model_manager: ModelManager | None = None

    def show_settings(self) -> SettingsDialog:
        """Open the settings (non-blocking); what is applied is saved and takes effect where it can."""
        from app.ui.settings_dialog import SettingsDialog

        dialog = self.settings_dialog
        if dialog is None or not dialog.isVisible():
            if dialog is not None:
                dialog.deleteLater()  # a fresh one reads the settings as they are now
            dialog = SettingsDialog(settings=self.settings, parent=self._parent)
            dialog.settings_applied.connect(self._on_settings_applied)
            self.settings_dialog = dialog
        dialog.open()
        return dialog

    def show_model_manager(self, *, runner: DownloadRunner | None = None, **options: Any) -> ModelManager:
        """Open the model manager (non-blocking); the same window comes back while it exists.

        `runner` and `options` (the manager's catalog, hardware, download options) are for
        tests: they replace the window.
        """
        from app.ui.model_manager import ModelManager

        manager = self.model_manager
        if manager is None or runner is not None or options:
            if manager is not None:
                manager.runner.stop(wait=True)
                manager.deleteLater()
            manager = ModelManager(settings=self.settings, runner=runner, parent=self._parent, **options)
            manager.model_installed.connect(self._on_model_installed)
            manager.model_chosen.connect(self.actions.use_model)
            manager.import_requested.connect(self.actions.import_file)
            self.model_manager = manager
        else:
            manager.refresh()
        manager.show()
        manager.raise_()
        return manager

    def model_added(self) -> None:
        """A model was imported or downloaded elsewhere: list it in an open manager too."""
        if self.model_manager is not None and self.model_manager.isVisible():
            self.model_manager.refresh()

    def shutdown(self) -> None:
        """Pause a download the manager runs (its bytes stay for a resume) and wait for it."""
        if self.model_manager is not None:
            self.model_manager.runner.stop(wait=True)

    def _on_settings_applied(self, changed: frozenset[str]) -> None:
        from app.ui.settings_dialog import NEXT_LOAD

        if "theme" in changed:
            self.actions.apply_theme(self.settings.theme)
        if changed & {"editor_font_size", "chat_font_size"}:
            self.zoom.apply()
        if changed & {"model", "extra_model_dirs"}:
            self.actions.refresh_models()
        if changed & {"completion", "completion_off", "completion_model"}:
            self.actions.completion_settings(changed)
        self.actions.save()
        if changed & NEXT_LOAD:
            self.actions.say("Saved; the model settings apply to the next model load")

    def _on_model_installed(self, model: InstalledModel) -> None:
        # A download from the manager is loaded only when nothing answers yet (a first model);
        # otherwise it waits in the model list, and a completion model is never the agent's.
        self.actions.refresh_models()
        if model.role == "completion":
            self.actions.completion_settings(frozenset({"completion_model"}))
        if model.role != "completion" and not self.actions.answering():
            self.actions.install(model)
        else:
            self.actions.say(f"{model.id} is installed; choose it in the model list to use it")
