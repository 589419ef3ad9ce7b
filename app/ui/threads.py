"""A registry of the app's QThreads, so tests (and shutdown) can find any left running."""

from __future__ import annotations

import weakref

from PySide6.QtCore import QThread

_threads: weakref.WeakSet[QThread] = weakref.WeakSet()


def track(thread: QThread) -> QThread:
    """Remember `thread`; every QThread the app starts goes through here."""
    _threads.add(thread)
    return thread


def live_threads() -> list[QThread]:
    """Tracked threads that still exist (running or not)."""
    return list(_threads)
