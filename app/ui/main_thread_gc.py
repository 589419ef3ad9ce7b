"""Python's cycle collector runs on the GUI thread only, where Qt objects may be destroyed.

With automatic collection, whichever thread happens to allocate runs the collector: an HTTP
or index thread could then free a window's leftover widget. Shiboken drops the GIL while the
C++ object dies, `QObject::~QObject` takes Qt's signal-slot lock and asks Python about an
override, while the GUI thread holds the GIL and waits for that same lock in
`QObject::connect`: both stop for good (seen as a hung test, with gdb). So automatic
collection is off, and a timer collects on the GUI thread instead: the young generation
often, the whole heap now and then.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

TICK_MS = 1000
FULL_EVERY = 120  # ticks between full collections: each walks the whole heap (~20 ms with a big index)


class MainThreadGC(QObject):
    """Owns the timer; `stop()` gives collection back to Python (tests, shutdown)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        gc.disable()
        self._timer.start()

    def collect_now(self) -> None:
        """Everything, at once (between tests, before a measurement)."""
        gc.collect()

    def stop(self) -> None:
        """Stop the timer and turn automatic collection back on."""
        self._timer.stop()
        gc.enable()

    def _on_tick(self) -> None:
        self._ticks += 1
        gc.collect(2 if self._ticks % FULL_EVERY == 0 else 1)
