"""What the window remembers between runs, as preferences: its layout and the last project's tabs.

Only geometry, dock state and file paths go into the settings, never any content; Forget
Everything clears the paths (`Settings.forget_everything`).
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QMainWindow

from app.core.settings import Settings
from app.ui.dock_sizer import DockSizer

logger = logging.getLogger(__name__)

# Tabs reopened at most (a session with hundreds open would make the start slow).
MAX_REOPENED = 30


class WindowMemory:
    """Saves and restores one window's layout and its open tabs through `settings`."""

    def __init__(self, *, window: QMainWindow, docks: DockSizer, settings: Settings) -> None:
        self._window = window
        self._docks = docks
        self._settings = settings

    def save_layout(self) -> None:
        """Store window geometry and dock layout in the settings."""
        window = self._window
        geometry = bytes(window.saveGeometry().toBase64().data()).decode("ascii")
        with self._docks.expanded():  # panes collapsed for a small window are stored as open
            state = bytes(window.saveState().toBase64().data()).decode("ascii")
        self._settings.window_geometry = f"{geometry};{state}"

    def restore_layout(self) -> None:
        """Restore what `save_layout` stored (ignored when unreadable)."""
        geometry, _, state = self._settings.window_geometry.partition(";")
        try:
            if geometry:
                self._window.restoreGeometry(QByteArray(base64.b64decode(geometry)))
            if state and self._window.restoreState(QByteArray(base64.b64decode(state))):
                self._docks.adopt_current_sizes()
        except ValueError:
            logger.info("stored window layout unreadable; using the default")

    def remember_tabs(self, *, project: Path | None, files: list[Path], current: int) -> None:
        """The tabs open as the window closes (those inside `project`), to reopen with it next time.

        Only while `project` is the first recent project: after Forget Everything (or with no
        project) no path is stored.
        """
        recent = self._settings.recent_projects
        remembered = project is not None and bool(recent) and Path(recent[0]) == project
        inside = [f for f in files if remembered and project is not None and f.is_relative_to(project)]
        self._settings.open_files = [str(f) for f in inside[:MAX_REOPENED]]
        self._settings.current_file = max(0, min(current, len(inside) - 1)) if inside else 0

    def last_session(self) -> tuple[Path, list[Path], int] | None:
        """The last project (if it is still there), its tabs that still exist, and the one in front."""
        if not self._settings.recent_projects:
            return None
        project = Path(self._settings.recent_projects[0])
        if not project.is_dir():
            return None
        stored = [Path(f) for f in self._settings.open_files[:MAX_REOPENED]]
        current = (
            stored[self._settings.current_file] if 0 <= self._settings.current_file < len(stored) else None
        )
        files = [f for f in stored if f.is_relative_to(project) and f.is_file()]
        return project, files, files.index(current) if current in files else 0
