"""Run short blocking calls on the shared thread pool and get the result back on the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # reported, never silent
            self._relay.failed.emit(exc)
        else:
            self._relay.done.emit(result)


def run_in_pool(
    fn: Callable[[], Any],
    *,
    on_done: Callable[[Any], None],
    on_failed: Callable[[Any], None],
    owner: QObject,
    pool: QThreadPool | None = None,
) -> None:
    """Call `fn()` on a pool thread; `on_done(result)` or `on_failed(exc)` runs on `owner`'s thread."""
    relay = _Relay(owner)
    relay.done.connect(on_done)
    relay.failed.connect(on_failed)
    relay.done.connect(relay.deleteLater)
    relay.failed.connect(relay.deleteLater)
    (pool or QThreadPool.globalInstance()).start(_Task(fn, relay))
