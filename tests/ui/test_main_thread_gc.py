"""Cycles are collected on the GUI thread only: a worker thread never frees a Qt object."""

from __future__ import annotations

import gc
import threading

from PySide6.QtWidgets import QWidget

from app.ui.main_thread_gc import MainThreadGC


class _Cycle(QWidget):
    """A widget in a reference cycle: only the cycle collector frees it."""

    freed_on: list[str] = []  # noqa: RUF012 (the test's record)

    def __init__(self) -> None:
        super().__init__()
        self.me = self
        self.destroyed.connect(lambda: _Cycle.freed_on.append(threading.current_thread().name))


def test_a_cycle_left_by_the_gui_is_not_freed_by_a_thread_that_allocates(qtbot):
    gc.enable()  # as a fresh process starts
    collector = MainThreadGC()
    try:
        _Cycle()  # dropped at once: only its cycle keeps it
        done = threading.Event()

        def allocate() -> None:
            junk = [[] for _ in range(200_000)]  # would start a collection with gc enabled
            del junk
            done.set()

        threading.Thread(target=allocate, name="worker").start()
        assert done.wait(10)
        assert not gc.isenabled()
        assert _Cycle.freed_on == []  # the worker did not free it
        collector.collect_now()
        assert _Cycle.freed_on == ["MainThread"]
    finally:
        collector.stop()
        gc.disable()  # the UI tests keep collection off (tests/ui/conftest.py)


def test_the_full_collection_waits_while_the_app_is_busy(qtbot):
    full: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    busy = [True]
    collector = MainThreadGC(tick_ms=5, full_every=3, max_defer=10_000)
    collector.defer_full_while(lambda: busy[0])
    gc.callbacks.append(seen)
    try:
        qtbot.wait(100)  # ~20 ticks: the young generations only
        assert full == []
        busy[0] = False
        qtbot.waitUntil(lambda: bool(full), timeout=2000)
    finally:
        gc.callbacks.remove(seen)
        collector.stop()
        gc.disable()


def test_a_busy_app_gets_its_full_collection_after_the_longest_deferral(qtbot):
    full: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    collector = MainThreadGC(tick_ms=5, full_every=2, max_defer=8)
    collector.defer_full_while(lambda: True)
    gc.callbacks.append(seen)
    try:
        qtbot.waitUntil(lambda: bool(full), timeout=2000)
    finally:
        gc.callbacks.remove(seen)
        collector.stop()
        gc.disable()
