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


def test_the_mention_popup_sits_above_the_box_wide_enough_for_the_paths(qtbot):
    long_path = "app/core/index/some/deeper/folder/retrieval_helpers_for_tests.py"
    with main_window(qtbot, model=ReplayModel([])) as w:
        w.activateWindow()
        box = w.chat.input
        box.set_mention_candidates([long_path, "README.md"])
        box.setFocus()
        qtbot.keyClicks(box, "see @retr")
        qtbot.waitUntil(box.completion_visible, timeout=3000)
        popup = box._popup()
        assert popup.geometry().bottom() < box.mapToGlobal(box.rect().topLeft()).y()  # not over the text
        assert popup.width() > popup.fontMetrics().horizontalAdvance(long_path)  # the whole path shows


def test_slash_skills_lists_each_skill_with_its_description(qtbot):
    with main_window(qtbot, model=ReplayModel([])) as w:
        w.chat.set_skills({"review": "Review the open file for bugs"})
        w.chat.send("/skills")
        assert "/review" in w.chat.notice.text() and "Review the open file for bugs" in w.chat.notice.text()
