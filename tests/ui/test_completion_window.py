"""Inline completion in the main window: the status bar indicator, the menu, the wiring."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

import app.ui.completion_runner as runner_module
from app.core.settings import Settings
from app.ui.app import EnclaveApp
from tests.ui.helpers import main_window
from tests.ui.test_inline_completion import ALT, PROJECT, SOURCE, cursor_after


def test_without_a_completion_model_the_status_bar_says_so_and_editing_works(qtbot, tmp_path):
    (tmp_path / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    with main_window(qtbot) as w:
        indicator = w.completion_controls.indicator
        assert indicator.text() == "Completion: on"
        page = w.editors.open_file(tmp_path / "calc.py")
        assert page is not None
        qtbot.waitUntil(lambda: indicator.text() == "No completion model", timeout=5000)
        assert "enclave models download" in indicator.toolTip()
        qtbot.keyClicks(page.editor, "x")
        qtbot.keyClick(page.editor, Qt.Key.Key_Backslash, ALT)
        assert page.editor.toPlainText().startswith("xdef add")
        assert w.completion._worker is None  # no model thread was started for nothing
        page.editor.document().setModified(False)  # closing asks nothing


def test_the_window_shows_ghost_text_from_the_completion_model(qtbot, tmp_path, tiny_fim):
    root = tmp_path / PROJECT
    root.mkdir()
    (root / "main.py").write_text(SOURCE, encoding="utf-8")
    with main_window(qtbot) as w:
        w.settings.completion_model = str(tiny_fim)
        w.open_project(root)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        page = w.editors.open_file(root / "main.py")
        assert page is not None
        try:
            indicator = w.completion_controls.indicator
            qtbot.waitUntil(lambda: indicator.text().startswith("Completion: tiny"), timeout=60000)
            cursor_after(page, "total = ")
            qtbot.keyClicks(page.editor, "a")
            with qtbot.waitSignal(w.completion.completion_shown, timeout=10000) as shown:
                pass
            before = page.editor.toPlainText()
            qtbot.keyClick(page.editor, Qt.Key.Key_Tab)  # in the window too, Tab takes the ghost text
            at = before.index("total = a") + len("total = a")
            assert page.editor.toPlainText() == before[:at] + shown.args[0].text + before[at:]
            edit_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Edit")
            assert isinstance(edit_menu, QMenu)
            assert "Inline &Completion" in [a.text() for a in edit_menu.actions()]
            w.menu_actions["completion_toggle"].trigger()  # off: the ghost text goes, the model unloads
            assert indicator.text() == "Completion: off" and not w.settings.completion
        finally:
            page.editor.document().setModified(False)  # closing asks nothing


def test_a_completion_model_installed_later_is_found_when_a_file_is_shown_again(
    qtbot, tmp_path, tiny_fim, monkeypatch
):
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("y = 2\n", encoding="utf-8")
    monkeypatch.setattr(runner_module, "RECHECK_S", 0.0)
    with main_window(qtbot) as w:
        indicator = w.completion_controls.indicator
        w.editors.open_file(tmp_path / "a.py")
        qtbot.waitUntil(lambda: indicator.text() == "No completion model", timeout=5000)
        w.settings.completion_model = str(tiny_fim)  # as if one were downloaded meanwhile
        w.editors.open_file(tmp_path / "b.py")
        qtbot.waitUntil(lambda: indicator.text().startswith("Completion: tiny"), timeout=60000)


def test_the_settings_dialog_turns_completion_off_for_a_language_and_everywhere_at_once(
    qtbot, tmp_path, tiny_fim
):
    (tmp_path / "main.py").write_text(SOURCE, encoding="utf-8")
    app = EnclaveApp(settings=Settings(completion_model=str(tiny_fim)), settings_path=None, load_model=False)
    qtbot.addWidget(app.window)
    app.window.show()
    try:
        indicator = app.window.completion_controls.indicator
        app.window.editors.open_file(tmp_path / "main.py")
        qtbot.waitUntil(lambda: indicator.text().startswith("Completion: tiny"), timeout=60000)
        dialog = app.windows.show_settings()
        qtbot.waitUntil(lambda: dialog.models_listed, timeout=10000)
        dialog.completion_off.setText("python")
        dialog.apply()
        assert indicator.text() == "Completion: off for python"
        dialog.completion_off.setText("")
        dialog.completion.setChecked(False)
        dialog.apply()
        assert indicator.text() == "Completion: off"
        worker = app.window.completion._worker
        assert worker is not None
        qtbot.waitUntil(lambda: not worker.has_model, timeout=5000)  # its memory is freed
        dialog.completion.setChecked(True)
        dialog.apply()
        qtbot.waitUntil(lambda: indicator.text().startswith("Completion: tiny"), timeout=60000)
        dialog.close()
    finally:
        app.shutdown()
