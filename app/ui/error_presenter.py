"""The one place errors reach the user: a cancel shows nothing, the rest one readable line."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.errors import Cancelled, EnclaveError, NetworkBlockedError, NoModelError

logger = logging.getLogger(__name__)


def message_for(exc: BaseException) -> str | None:
    """The line to show for `exc`, or None when nothing should be shown."""
    if isinstance(exc, Cancelled):
        return None
    if isinstance(exc, EnclaveError):
        return str(exc) or type(exc).__name__
    return f"Something went wrong inside Enclave ({type(exc).__name__}: {exc})."


class ErrorPresenter(QObject):
    """Shows errors; `shown` carries each line (the status bar and tests listen)."""

    shown = Signal(str)

    def __init__(self, parent_window: QWidget | None = None, *, modal: bool = True) -> None:
        super().__init__(parent_window)
        self._window = parent_window
        self._modal = modal
        self.history: list[str] = []

    def present(self, exc: object) -> None:
        """Show `exc` to the user (or nothing for a cancel)."""
        if not isinstance(exc, BaseException):
            return
        text = message_for(exc)
        if text is None:
            return
        if not isinstance(exc, EnclaveError):
            logger.error("unexpected error", exc_info=exc)
        self.history.append(text)
        self.shown.emit(text)
        if self._modal and self._window is not None:
            title = (
                "No model"
                if isinstance(exc, NoModelError)
                else ("Network refused" if isinstance(exc, NetworkBlockedError) else "Enclave")
            )
            box = QMessageBox(
                QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self._window
            )
            box.setAccessibleName("Error")
            box.open()  # non-blocking: the UI thread never waits in a nested loop
