"""The installed Qt binding must not lose references to None (PySide6 6.12.0 does, on Python 3.11)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_calls_keep_the_reference_count_of_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("x")
    # A broken binding drops one reference per call; the app then aborts in the garbage collector.
    assert sys.getrefcount(None) >= before - 10
