"""Python's cycle collector runs on the GUI thread only, where Qt objects may be destroyed.

With automatic collection, whichever thread happens to allocate runs the collector: an HTTP
or index thread could then free a window's leftover widget. Shiboken drops the GIL while the
C++ object dies, `QObject::~QObject` takes Qt's signal-slot lock and asks Python about an
override, while the GUI thread holds the GIL and waits for that same lock in
`QObject::connect`: both stop for good (seen as a hung test, with gdb). So automatic
collection is off, and a timer collects on the GUI thread instead: the young generations
often, the whole heap now and then.

Young collections come ten times a second, so each one only looks at what was allocated in
the last 100 ms: while an index build delivers records, a collection once a second walked a
second's worth of them and stalled the GUI thread ~35 ms; each collection promotes its
survivors to the old generation, which only the full pass visits again.

The full pass walks every object the app holds: after a big project's index is built it
takes 50-80 ms the first time (15-25 ms after that). It waits while the app is busy
(indexing, streaming an answer: `busy`), when a stall would be felt, up to `max_defer`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

TICK_MS = 100
FULL_EVERY = 1200  # ticks between full collections (2 min)
MAX_DEFER = 6000  # ticks a busy app may put the full collection off (10 min)


class MainThreadGC(QObject):
    """Owns the timer; `stop()` gives collection back to Python (tests, shutdown)."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        tick_ms: int = TICK_MS,
        full_every: int = FULL_EVERY,
        max_defer: int = MAX_DEFER,
    ) -> None:
        super().__init__(parent)
        self._since_full = 0
        self._full_every = full_every
        self._max_defer = max_defer
        self._busy: Callable[[], bool] = lambda: False
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._on_tick)
        gc.disable()
        self._timer.start()

    def defer_full_while(self, busy: Callable[[], bool]) -> None:
        """Put full collections off while `busy()` is true (at most `max_defer` ticks)."""
        self._busy = busy

    def settle_startup(self) -> None:
        """Collect once, then exempt everything alive now from later collections (`gc.freeze`).

        Called once the window is built, before the event loop runs: what start-up made
        (modules, classes, functions, the window) lives as long as the app, yet every full
        pass walked it, and the first young pass after start-up walked all of it while the
        event loop was running (~25 ms). What becomes garbage among frozen objects is still
        freed by reference counting; only a cycle among them would wait for `gc.unfreeze`.
        """
        gc.collect()
        gc.freeze()
        self._since_full = 0

    def collect_now(self) -> None:
        """Everything, at once (between tests, before a measurement)."""
        gc.collect()
        self._since_full = 0

    def stop(self) -> None:
        """Stop the timer and turn automatic collection back on."""
        self._timer.stop()
        gc.enable()

    def _on_tick(self) -> None:
        self._since_full += 1
        if self._since_full >= self._full_every and (
            self._since_full >= self._max_defer or not self._is_busy()
        ):
            self.collect_now()
        else:
            gc.collect(1)

    def _is_busy(self) -> bool:
        try:
            return self._busy()
        except RuntimeError:  # the widget it asks is gone (the app is closing)
            return False
