"""Keys that used to surprise: Esc on the @ popup, Shift+Enter in the editor."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui.code_editor import CodeEditor
from tests.ui.fakes import ReplayModel
from tests.ui.helpers import main_window

SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_esc_closes_the_mention_popup_and_the_next_enter_sends(qtbot):
    with main_window(qtbot, model=ReplayModel(["an answer"])) as w:
        w.activateWindow()
        box = w.chat.input
        box.set_mention_candidates(["pkg/net.py", "README.md"])
        box.setFocus()
        qtbot.keyClicks(box, "look at @pk")
        qtbot.waitUntil(box.completion_visible, timeout=3000)
        qtbot.keyClick(box, Qt.Key.Key_Escape)
        assert not box.completion_visible()
        assert box.toPlainText() == "look at @pk"  # Esc closed the popup only
        with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
            qtbot.keyClick(box, Qt.Key.Key_Return)  # the first Enter sends
        assert "an answer" in w.chat.transcript.toPlainText()


def test_shift_enter_in_the_editor_starts_a_real_line(qtbot):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.setPlainText("first")
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClick(editor, Qt.Key.Key_Return, SHIFT)
    qtbot.keyClicks(editor, "second")
    assert editor.blockCount() == 2  # two lines of the file, numbered 1 and 2
    assert editor.current_line() == 2
    assert editor.toPlainText() == "first\nsecond"
    assert "\u2028" not in editor.document().firstBlock().text()
