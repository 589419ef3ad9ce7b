"""Builds the project index on a thread pool and follows changes on disk; reports progress.

The UI thread only receives signals: progress is throttled to a few updates per second.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.core.errors import Cancelled
from app.core.events import CancelToken

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL_S = 0.1


class _Signals(QObject):
    ended = False
    progress = Signal(int, int)
    done = Signal(object, object)  # ProjectIndex, IndexStats
    failed = Signal(object)
    finished = Signal()
    file_changed = Signal(object)  # FileChanged


class _BuildTask(QRunnable):
    def __init__(self, root: Path, cancel: CancelToken, signals: _Signals, *, watch: bool) -> None:
        super().__init__()
        self._root, self._cancel, self._signals, self._watch = root, cancel, signals, watch

    def run(self) -> None:
        from app.core.index import IndexDone, IndexProgress, IndexStarted, ProjectIndex

        s = self._signals
        try:
            # Parse in low-priority worker processes: an in-process build holds the GIL and
            # would stall the event loop.
            index = ProjectIndex(self._root, background=True)
            last = 0.0
            for event in index.build(cancel=self._cancel):
                if isinstance(event, IndexStarted):
                    s.progress.emit(0, event.total)
                elif isinstance(event, IndexProgress):
                    now = time.monotonic()
                    if now - last >= PROGRESS_INTERVAL_S or event.done == event.total:
                        last = now
                        s.progress.emit(event.done, event.total)
                elif isinstance(event, IndexDone):
                    s.done.emit(index, event.stats)
            if self._watch and not self._cancel.cancelled:
                for change in index.watch(cancel=self._cancel):
                    s.file_changed.emit(change)
        except Cancelled:
            logger.debug("indexing cancelled")
        except Exception as exc:  # reported, never silent
            s.failed.emit(exc)
        finally:
            s.finished.emit()


class IndexRunner(QObject):
    """One project's index: `build(root)` replaces any previous one."""

    progress = Signal(int, int)
    ready = Signal(object, object)  # ProjectIndex, IndexStats
    failed = Signal(object)
    file_changed = Signal(object)  # FileChanged: a watched file was re-indexed

    def __init__(self, *, watch: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._watch = watch
        self._cancel: CancelToken | None = None
        self.index: Any = None
        self.running = False
        self._current: _Signals | None = None
        self._retired: list[_Signals] = []

    @staticmethod
    def available() -> bool:
        """Whether the project index is part of this build."""
        # Found, not imported: the import is the pool thread's work, not the UI thread's.
        return importlib.util.find_spec("app.core.index") is not None

    def build(self, root: Path) -> None:
        """Start indexing `root` (cancelling any earlier build or watch)."""
        self.stop()
        self.index = None
        self.running = True
        self._cancel = CancelToken()
        # Unparented and kept here until a later build: the pool thread must never drop the
        # last reference (that would delete a UI-thread object from the wrong thread).
        self._retired = [old for old in self._retired if old is not None and not getattr(old, "ended", False)]
        if self._current is not None:
            self._retired.append(self._current)
        signals = _Signals()
        # A cancelled build may still have signals queued: only the current one's count.
        signals.progress.connect(self._if_current(signals, self.progress.emit))
        signals.done.connect(self._if_current(signals, self._on_done))
        signals.failed.connect(self._if_current(signals, self._on_failed))
        signals.file_changed.connect(self._if_current(signals, self.file_changed.emit))
        signals.finished.connect(lambda: self._on_finished(signals))
        self._current = signals
        self._pool.start(_BuildTask(root, self._cancel, signals, watch=self._watch))

    def stop(self, *, wait: bool = False) -> None:
        """Cancel the build or watch; with `wait`, block until the pool is idle (shutdown only)."""
        if self._cancel is not None:
            self._cancel.cancel()
        if wait:
            self._pool.waitForDone(30000)

    def _if_current(self, signals: _Signals, slot: Callable[..., object]) -> Callable[..., None]:
        def call(*args: object) -> None:
            if signals is self._current:
                slot(*args)

        return call

    def _on_finished(self, signals: _Signals) -> None:
        signals.ended = True
        if signals is self._current:
            self.running = False

    def _on_done(self, index: object, stats: object) -> None:
        self.index = index
        self.running = False
        self.ready.emit(index, stats)

    def _on_failed(self, exc: object) -> None:
        self.running = False
        self.failed.emit(exc)
