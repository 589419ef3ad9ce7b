"""Build a main window for tests: fresh settings, a real ModelWorker, no modal dialogs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import Qt

from app.core.settings import Settings
from app.ui.main_window import MainWindow
from app.ui.model_worker import ModelWorker


@contextmanager
def main_window(qtbot: Any, *, model: Any = None) -> Iterator[MainWindow]:
    worker = ModelWorker()
    window = MainWindow(settings=Settings(), worker=worker, modal_errors=False)
    qtbot.addWidget(window)
    window.show()
    if model is not None:
        with qtbot.waitSignal(worker.model_loaded, timeout=5000):
            worker.set_model(model)
    try:
        yield window
    finally:
        window.indexer.stop(wait=True)
        window.completion.shutdown()
        worker.shutdown()
        assert not worker.isRunning()


def ask(qtbot: Any, window: MainWindow, text: str, *, timeout: int = 10000) -> None:
    """Type `text` into the message box and press Enter; wait for the turn to end."""
    with qtbot.waitSignal(window.session.turn_finished, timeout=timeout):
        window.chat.input.setPlainText(text)
        qtbot.keyClick(window.chat.input, Qt.Key.Key_Return)


def script_jobs(w, factory) -> None:
    """Replies come from `factory(reply_id)`'s job instead of the session's agent (UI-only tests)."""
    w.session.session.reply = lambda reply_id, **_kwargs: factory(reply_id)


CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
