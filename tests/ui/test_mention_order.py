"""The @ popup offers files mentioned lately first, then the open tabs, then the index's order."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.fakes import ReplayModel
from tests.ui.helpers import main_window


def test_recent_mentions_and_open_tabs_come_before_the_index_order(qtbot, tmp_path):
    project = tmp_path / "proj"
    (project / "pkg").mkdir(parents=True)
    for name in ("alpha.py", "beta.py", "gamma.py"):
        (project / "pkg" / name).write_text(f"def {name[:-3]}():\n    return 1\n", encoding="utf-8")
    with main_window(qtbot, model=ReplayModel(["an answer"])) as w:
        w.activateWindow()
        w.open_project(project)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        box = w.chat.input
        order = lambda: box._files.stringList()  # noqa: E731
        qtbot.waitUntil(lambda: len(order()) == 3, timeout=5000)
        w.editors.open_file(project / "pkg" / "gamma.py")
        qtbot.waitUntil(lambda: order()[0] == "pkg/gamma.py", timeout=5000)
        box.setFocus()
        qtbot.keyClicks(box, "@bet")
        qtbot.waitUntil(box.completion_visible, timeout=5000)
        qtbot.keyClick(box._popup(), Qt.Key.Key_Down)
        qtbot.keyClick(box._popup(), Qt.Key.Key_Return)
        assert "@pkg/beta.py" in box.toPlainText()
        assert order()[:2] == ["pkg/beta.py", "pkg/gamma.py"]  # just mentioned, then the open tab
