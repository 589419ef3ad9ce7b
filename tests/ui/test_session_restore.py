"""Session restore: a restart reopens the last project and its tabs; Forget Everything clears them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core.paths import user_dirs
from app.core.settings import Settings
from app.ui import privacy_actions
from app.ui.app import EnclaveApp


@contextmanager
def _started(qtbot, *, reopen: bool = True) -> Iterator[EnclaveApp]:
    """What `run_app` does with no project on the command line: settings from disk, the last session."""
    path = user_dirs().settings_file
    app = EnclaveApp(settings=Settings.load(path), settings_path=path, load_model=False)
    qtbot.addWidget(app.window)
    if reopen:
        app.window.reopen_last_session()
    app.window.show()
    try:
        yield app
    finally:
        app.window.close()  # what the user does: it stores the layout and the tabs
        app.shutdown()


def _tabs(app: EnclaveApp) -> list[Path]:
    return [page.path for page in app.window.editors.pages()]


def test_a_restart_reopens_the_project_and_its_tabs(qtbot, project):
    net, readme = (project / "pkg" / "net.py").resolve(), (project / "README.md").resolve()
    with _started(qtbot) as first:
        w = first.window
        assert w.project is None  # nothing to reopen on a first start
        w.open_project(project)
        w.editors.open_file(net)
        w.editors.open_file(readme)
        w.editors.setCurrentIndex(0)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
    with _started(qtbot) as second:
        w = second.window
        assert w.project == project.resolve()
        assert _tabs(second) == [net, readme]
        assert w.editors.current_path() == net  # the tab that was in front
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        w.editors.close_tab(0)
    with _started(qtbot) as third:
        assert _tabs(third) == [readme]
        qtbot.waitUntil(lambda: not third.window.indexing, timeout=20000)


def test_a_deleted_file_is_skipped_and_a_deleted_project_opens_nothing(qtbot, project):
    gone = project / "pkg" / "old.py"
    gone.write_text("x = 1\n", encoding="utf-8")
    with _started(qtbot) as first:
        first.window.open_project(project)
        first.window.editors.open_file(gone)
        first.window.editors.open_file(project / "README.md")
        qtbot.waitUntil(lambda: not first.window.indexing, timeout=20000)
    gone.unlink()
    with _started(qtbot) as second:
        assert _tabs(second) == [(project / "README.md").resolve()]
        qtbot.waitUntil(lambda: not second.window.indexing, timeout=20000)
    settings = Settings.load(user_dirs().settings_file)
    settings.recent_projects = [str(project / "moved-away")]
    settings.save(user_dirs().settings_file)
    with _started(qtbot) as third:
        assert third.window.project is None and _tabs(third) == []


def test_forget_everything_clears_the_project_and_tabs_to_reopen(qtbot, project, monkeypatch):
    with _started(qtbot) as first:
        first.window.open_project(project)
        first.window.editors.open_file(project / "pkg" / "net.py")
        qtbot.waitUntil(lambda: not first.window.indexing, timeout=20000)
    assert "net.py" in user_dirs().settings_file.read_text(encoding="utf-8")
    with _started(qtbot) as second:
        w = second.window
        assert _tabs(second)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        monkeypatch.setattr(privacy_actions, "confirm_forget", lambda _w: True)
        with qtbot.waitSignal(w.privacy.forgotten, timeout=5000):
            w.menu_actions["forget"].trigger()
        assert "net.py" not in user_dirs().settings_file.read_text(encoding="utf-8")
    # Closing the window after forgetting (the tab still open) stores no path either.
    text = user_dirs().settings_file.read_text(encoding="utf-8")
    assert "net.py" not in text and str(project) not in text
    with _started(qtbot) as third:
        assert third.window.project is None and _tabs(third) == []


def test_a_screenshot_run_leaves_the_saved_layout_and_projects_alone(qtbot, project, tmp_path):
    path = user_dirs().settings_file
    Settings(window_geometry="saved;layout", recent_projects=["/the/users/project"]).save(path)
    before = path.read_text(encoding="utf-8")
    shot = EnclaveApp(
        settings=Settings.load(path), settings_path=path, load_model=False, screenshot=tmp_path / "s.png"
    )
    qtbot.addWidget(shot.window)
    shot.window.resize(800, 600)
    shot.window.show()
    shot.window.open_project(project)
    qtbot.waitUntil(lambda: not shot.window.indexing, timeout=20000)
    shot.window.close()
    shot.shutdown()
    assert path.read_text(encoding="utf-8") == before
