"""Getting around from the keyboard: quick open, go to symbol, go to line, find and replace."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.ui.fuzzy import rank
from tests.ui.fakes import ReplayModel
from tests.ui.helpers import main_window

CTRL = Qt.KeyboardModifier.ControlModifier


def _indexed(qtbot, w, project: Path) -> None:
    w.open_project(project)
    qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
    w.activateWindow()


def _current(w) -> Path | None:
    return w.editors.current_path()


def test_ctrl_p_then_a_fuzzy_name_then_enter_opens_the_file(qtbot, project):
    (project / "pkg" / "notes.txt").write_text("n\n", encoding="utf-8")
    with main_window(qtbot, model=ReplayModel([])) as w:
        _indexed(qtbot, w, project)
        qtbot.keyClick(w, Qt.Key.Key_P, CTRL)
        qtbot.waitUntil(w.picker.isVisible, timeout=3000)
        qtbot.keyClicks(w.picker.field, "pnet")
        assert w.picker.list.currentItem().text() == "pkg/net.py"
        qtbot.keyClick(w.picker.field, Qt.Key.Key_Return)
        assert not w.picker.isVisible()
        assert _current(w) == (project / "pkg" / "net.py").resolve()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is w.editors.current_page().editor, timeout=3000)


def test_ctrl_t_finds_a_symbol_and_puts_the_cursor_on_its_line(qtbot, project):
    (project / "pkg" / "util.py").write_text(
        "X = 1\n\n\ndef parse_url(text):\n    return text\n", encoding="utf-8"
    )
    with main_window(qtbot, model=ReplayModel([])) as w:
        _indexed(qtbot, w, project)
        qtbot.keyClick(w, Qt.Key.Key_T, CTRL)
        qtbot.waitUntil(w.picker.isVisible, timeout=3000)
        qtbot.keyClicks(w.picker.field, "prsurl")
        assert w.picker.list.currentItem().text().startswith("parse_url")
        assert "pkg/util.py:4" in w.picker.list.currentItem().text()
        qtbot.keyClick(w.picker.field, Qt.Key.Key_Return)
        page = w.editors.current_page()
        assert page.path == (project / "pkg" / "util.py").resolve()
        assert page.editor.current_line() == 4


def test_ctrl_g_40_moves_the_cursor_to_line_40(qtbot, project):
    long_file = project / "long.py"
    long_file.write_text("".join(f"x{i} = {i}\n" for i in range(1, 101)), encoding="utf-8")
    with main_window(qtbot, model=ReplayModel([])) as w:
        w.activateWindow()
        page = w.editors.open_file(long_file)
        qtbot.keyClick(w, Qt.Key.Key_G, CTRL)
        qtbot.waitUntil(w.picker.isVisible, timeout=3000)
        assert "of 101" in w.picker.note.text()
        qtbot.keyClicks(w.picker.field, "40")
        qtbot.keyClick(w.picker.field, Qt.Key.Key_Return)
        assert page.editor.current_line() == 40
        assert page.editor.textCursor().block().text() == "x40 = 40"


def test_quick_open_without_a_project_says_what_to_do(qtbot):
    with main_window(qtbot, model=ReplayModel([])) as w:
        w.navigation.quick_open()
        assert not w.picker.isVisible()
        assert "Open a project first" in w.status.currentMessage()


def test_find_says_which_match_of_how_many(qtbot, project):
    target = project / "words.txt"
    target.write_text("cat dog cat\ncat bird\ncat cat fish cat\n", encoding="utf-8")
    with main_window(qtbot, model=ReplayModel([])) as w:
        w.activateWindow()
        page = w.editors.open_file(target)
        qtbot.keyClick(page.editor, Qt.Key.Key_F, CTRL)
        bar = page.find_bar
        qtbot.waitUntil(bar.isVisible, timeout=3000)
        qtbot.keyClicks(bar._field, "cat")
        assert bar.status.text() == "1 of 6"
        qtbot.keyClick(bar._field, Qt.Key.Key_Return)
        qtbot.keyClick(bar._field, Qt.Key.Key_Return)
        assert bar.status.text() == "3 of 6"
        bar._field.setText("zebra")
        assert bar.status.text() == "No matches"


def test_replace_one_then_all_in_one_undo_step(qtbot, project):
    target = project / "words.txt"
    target.write_text("cat dog cat\ncat bird\n", encoding="utf-8")
    with main_window(qtbot, model=ReplayModel([])) as w:
        w.activateWindow()
        page = w.editors.open_file(target)
        qtbot.keyClick(page.editor, Qt.Key.Key_H, CTRL)
        bar = page.find_bar
        qtbot.waitUntil(lambda: bar.replace_field.isVisible(), timeout=3000)
        qtbot.keyClicks(bar._field, "cat")
        bar.replace_field.setText("cow")
        bar.replace_button.click()
        assert page.editor.toPlainText() == "cow dog cat\ncat bird\n"
        assert bar.status.text() == "1 of 2"  # the next match is selected
        bar.replace_all_button.click()
        assert page.editor.toPlainText() == "cow dog cow\ncow bird\n"
        page.editor.undo()
        assert page.editor.toPlainText() == "cow dog cat\ncat bird\n"
        page.save()  # closing the window would ask about the unsaved change


def test_the_open_file_is_selected_in_the_tree(qtbot, project):
    with main_window(qtbot, model=ReplayModel([])) as w:
        with qtbot.waitSignal(w.files.shown, timeout=5000):
            w.open_project(project)
        w.editors.open_file(project / "pkg" / "net.py")
        w.editors.open_file(project / "README.md")
        view = w.files.view
        qtbot.waitUntil(lambda: view.currentIndex().data() == "README.md", timeout=5000)
        w.editors.setCurrentIndex(0)
        qtbot.waitUntil(lambda: view.currentIndex().data() == "net.py", timeout=5000)
        assert view.isExpanded(view.currentIndex().parent())
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)


def test_fuzzy_ranking_prefers_the_file_name_and_word_starts():
    files = ["app/ui/chat_panel.py", "app/core/net/panel_tools.py", "docs/cp.md", "app/ui/code_page.py"]
    assert rank("chpa", files, key=lambda f: f)[0] == "app/ui/chat_panel.py"
    assert rank("cp", files, key=lambda f: f)[0] == "docs/cp.md"
    assert rank("xyz", files, key=lambda f: f) == []
    assert rank("", files, key=lambda f: f) == files
