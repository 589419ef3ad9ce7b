"""Opening projects (drop, recent), the tree's ignore rules, editor tabs, links, layout memory."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.ui.helpers import main_window


def _drop(window, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)


def _visible_names(window) -> set[str]:
    view = window.files.view
    model = view.model()
    root = view.rootIndex()
    return {model.index(r, 0, root).data() for r in range(model.rowCount(root))}


def test_dropping_a_folder_opens_it_with_ignored_files_hidden(qtbot, project):
    with main_window(qtbot) as w:
        _drop(w, project)
        assert w.project == project.resolve()
        assert w.windowTitle().startswith("proj")
        qtbot.waitUntil(lambda: "pkg" in _visible_names(w), timeout=5000)
        names = _visible_names(w)
        assert {"pkg", "README.md"} <= names
        assert "build" not in names  # .gitignore says build/
        assert w.settings.recent_projects[0] == str(project.resolve())


def test_a_folder_over_the_file_limit_says_what_was_left_out(qtbot, tmp_path, monkeypatch):
    import app.core.index as index_module

    class SmallLimit(index_module.ProjectIndex):
        def __init__(self, root, **options):
            super().__init__(root, **{**options, "max_files": 3})

    monkeypatch.setattr(index_module, "ProjectIndex", SmallLimit)
    for i in range(6):
        (tmp_path / f"m{i}.py").write_text(f"def f{i}():\n    return {i}\n")
    with main_window(qtbot) as w:
        w.open_project(tmp_path)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        assert w.status.index.text() == "Indexed the first 3 files (limit) · 3 symbols"
        assert ".enclaveignore" in w.status.index.toolTip()


def test_a_new_file_on_disk_becomes_mentionable(qtbot, tmp_path):
    (tmp_path / "a.py").write_text("def a():\n    return 1\n")
    with main_window(qtbot) as w:
        w.open_project(tmp_path)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        (tmp_path / "b.py").write_text("def b():\n    return 2\n")
        qtbot.waitUntil(lambda: "b.py" in w.chat.input._files.stringList(), timeout=10000)
        assert "b.py" in w.status.index.toolTip()


def test_a_cancelled_build_cannot_deliver_its_index(qtbot, tmp_path):
    from app.ui.index_runner import IndexReady, IndexRunner

    runner = IndexRunner(watch=False)
    for name in ("old", "new"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.py").write_text("x = 1\n")
    runner.build(tmp_path / "old")
    stale = runner.job
    with qtbot.waitSignal(runner.ready, timeout=20000) as ready:
        runner.build(tmp_path / "new")
        stale.progress.emit(IndexReady("stale index", None))  # queued late from the cancelled build
    assert ready.args[0].index != "stale index"
    assert runner.index.files() == ["new.py"]
    runner.stop(wait=True)


def test_the_build_prepares_the_search_before_the_first_question(qtbot, tmp_path):
    from app.ui.index_runner import IndexRunner

    runner = IndexRunner(watch=False)
    (tmp_path / "pool.py").write_text("def checkout(timeout):\n    return timeout\n")
    with qtbot.waitSignal(runner.ready, timeout=20000) as ready:
        runner.build(tmp_path)
    index = ready.args[0].index
    qtbot.waitUntil(lambda: index.search_prepared, timeout=10000)
    runner.stop(wait=True)


def test_a_failed_search_preparation_keeps_the_index_and_its_watch(qtbot, tmp_path, monkeypatch):
    from app.core.index import ProjectIndex
    from app.ui.index_runner import IndexRunner

    def broken(self, *, cancel=None):
        raise MemoryError("no room for the search tables")

    monkeypatch.setattr(ProjectIndex, "prepare_search", broken)
    runner = IndexRunner(watch=True)
    (tmp_path / "alpha.py").write_text("def alpha_handler():\n    return 1\n")
    with qtbot.waitSignal(runner.ready, timeout=20000):
        runner.build(tmp_path)
    with qtbot.waitSignal(runner.file_changed, timeout=10000):
        (tmp_path / "beta.py").write_text("def beta_handler():\n    return 2\n")
    assert "beta.py" in runner.index.files()
    # The first question builds the tables itself.
    assert runner.index.context("beta handler", top=1)[0].file == "beta.py"
    runner.stop(wait=True)


def test_dropping_a_gguf_asks_to_import_it(qtbot, tmp_path):
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    with main_window(qtbot) as w, qtbot.waitSignal(w.model_file_dropped) as blocker:
        _drop(w, model)
    assert blocker.args == [model]


def test_editor_marks_unsaved_saves_atomically_and_reloads_on_disk_change(qtbot, project):
    target = project / "pkg" / "net.py"
    with main_window(qtbot) as w:
        w.open_project(project)
        page = w.editors.open_file(target, line=4)
        assert page is not None and page.editor.current_line() == 4
        page.editor.insertPlainText("# note\n")
        assert w.editors.tabText(w.editors.currentIndex()).startswith("● ")
        assert w.editors.save_current()
        assert "# note" in target.read_text()
        assert not w.editors.tabText(w.editors.currentIndex()).startswith("●")
        target.write_text("def retry():\n    return 42\n", encoding="utf-8")
        qtbot.waitUntil(lambda: "return 42" in page.editor.toPlainText(), timeout=5000)


def test_find_bar_finds_and_wraps(qtbot, project):
    with main_window(qtbot) as w:
        page = w.editors.open_file(project / "pkg" / "net.py")
        w.menu_actions["find"].trigger()
        assert page.find_bar.isVisible()
        page.find_bar._field.setText("attempts")
        assert page.editor.textCursor().selectedText() == "attempts"
        assert page.find_bar.find_next()
        assert page.find_bar.find_next()  # wraps to the first match
        assert page.editor.current_line() == 1


def test_path_line_reference_in_an_answer_opens_the_editor_there(qtbot, project):
    with main_window(qtbot) as w:
        w.open_project(project)
        w.chat.transcript.link_activated.emit("open:pkg/net.py:5")
        page = w.editors.current_page()
        assert page is not None and page.path == (project / "pkg" / "net.py").resolve()
        assert page.editor.current_line() == 5
        w.chat.transcript.link_activated.emit("open:../outside.py:1")
        assert w.editors.count() == 1


def test_window_layout_is_remembered_as_a_preference(qtbot):
    with main_window(qtbot) as w:
        w.bottom_dock.hide()
        w.save_layout()
        stored = w.settings.window_geometry
    assert stored and ";" in stored
    from app.core.settings import Settings
    from app.ui.main_window import MainWindow
    from app.ui.model_worker import ModelWorker

    settings = Settings(window_geometry=stored)
    worker = ModelWorker()
    again = MainWindow(settings=settings, worker=worker, modal_errors=False)
    qtbot.addWidget(again)
    again.show()
    assert not again.bottom_dock.isVisible()
    worker.shutdown()


def test_every_menu_action_has_a_shortcut_and_controls_have_names(qtbot):
    with main_window(qtbot) as w:
        missing = [name for name, a in w.menu_actions.items() if a.shortcut().isEmpty()]
        assert missing == []
        shortcuts = [a.shortcut().toString() for a in w.menu_actions.values()]
        assert len(shortcuts) == len(set(shortcuts))
        for widget in (
            w.chat.input,
            w.chat.send_button,
            w.chat.stop_button,
            w.chat.model_picker,
            w.chat.mode_button,
            w.chat.gauge,
            w.files.view,
            w.status.privacy,
        ):
            assert widget.accessibleName()
