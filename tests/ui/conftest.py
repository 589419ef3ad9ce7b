"""Qt test fixtures: offscreen platform before any QApplication, no thread or job left running."""

from __future__ import annotations

import os

# Must happen before pytest-qt creates the QApplication (it does so lazily, on first use).
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThread

from tests.ui import leaks


@pytest.fixture(scope="session", autouse=True)
def cycles_collected_on_the_gui_thread() -> Iterator[None]:
    """As in the app (app/ui/main_thread_gc.py): no collection in whatever thread allocates.

    A test's HTTP-server thread once collected an earlier test's widget and deadlocked with
    the GUI thread inside Qt's signal-slot lock; the suite hung.
    """
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def no_thread_left_running(qtbot: object) -> Iterator[None]:
    """Fail any test that leaves a QThread or a background job (one the app started) running."""
    before = leaks.snapshot()
    yield
    gc.collect()  # this test's leftovers die here, on the GUI thread
    leaked = leaks.left_running(qtbot, before)
    assert not leaked, f"test left work running: {leaked}"
    assert isinstance(QThread.currentThread(), QThread)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small real project on disk."""
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pkg" / "net.py").write_text(
        "def retry(fn, *, attempts=3):\n    for _ in range(attempts):\n        try:\n"
        "            return fn()\n        except OSError:\n            pass\n",
        encoding="utf-8",
    )
    (root / "README.md").write_text("# proj\n", encoding="utf-8")
    (root / ".gitignore").write_text("build/\n", encoding="utf-8")
    (root / "build").mkdir()
    (root / "build" / "out.txt").write_text("generated\n", encoding="utf-8")
    return root
