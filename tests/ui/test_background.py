"""Background work in the window: the one job adapter, and what runs off the UI thread."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QPersistentModelIndex, QThread

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, EnclaveError
from app.core.privacy import export as export_module
from app.ui import privacy_actions
from app.ui.background import Job, Outcome, running_jobs, start_job
from app.ui.file_tree import FileTree
from app.ui.model_picker import ModelChoice, ModelPicker
from tests.ui import leaks
from tests.ui.fakes import ReplayModel
from tests.ui.helpers import ask, main_window


def _record(job: Job) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    job.progress.connect(lambda event: seen.append(("progress", event)))
    job.failed.connect(lambda exc: seen.append(("failed", exc)))
    job.finished.connect(lambda ended: seen.append(("finished", ended)))
    return seen


def test_a_job_reports_each_event_then_failed_then_finished_on_the_ui_thread(qtbot):
    threads: list[bool] = []

    def work(cancel: CancelToken):
        threads.append(QThread.currentThread() is qtbot_main)
        yield 1
        yield 2
        raise EnclaveError("disk full")

    qtbot_main = QThread.currentThread()
    job = Job(work, name="steps")
    seen = _record(job)
    job.progress.connect(lambda _e: threads.append(QThread.currentThread() is qtbot_main))
    with qtbot.waitSignal(job.finished, timeout=5000):
        job.start()
    assert [kind for kind, _ in seen] == ["progress", "progress", "failed", "finished"]
    assert [payload for kind, payload in seen if kind == "progress"] == [1, 2]
    ended = seen[-1][1]
    assert ended.outcome is Outcome.FAILED and ended.name == "steps"
    assert threads == [False, True, True]  # the work off the UI thread, the signals on it
    assert not job.running and job not in running_jobs()


def test_a_cancel_is_an_outcome_not_an_error_and_stop_closes_the_generator(qtbot):
    started = threading.Event()

    def until_cancelled(cancel: CancelToken):
        started.set()
        while not cancel.wait(0.01):
            pass
        raise Cancelled("cancelled")

    job = start_job(until_cancelled, name="cancel me")
    seen = _record(job)
    assert started.wait(5)
    with qtbot.waitSignal(job.finished, timeout=5000) as ended:
        job.cancel()
    assert ended.args[0].outcome is Outcome.CANCELLED
    assert [kind for kind, _ in seen] == ["finished"]

    closed = threading.Event()

    def endless(_cancel: CancelToken):
        try:
            while True:
                yield "tick"
        finally:
            closed.set()

    job = Job(endless, name="endless")
    job.progress.connect(lambda _e: job.stop())
    with qtbot.waitSignal(job.finished, timeout=5000) as ended:
        job.start()
    assert ended.args[0].outcome is Outcome.STOPPED and closed.is_set()

    with qtbot.waitSignal(start_job(lambda _c: 41 + 1, name="call").finished, timeout=5000) as ended:
        pass
    assert (ended.args[0].outcome, ended.args[0].result) == (Outcome.DONE, 42)


def test_the_leak_check_names_a_job_left_running_and_stops_it(qtbot):
    before = leaks.snapshot()
    job = start_job(lambda cancel: cancel.wait(30), name="forgotten")
    assert leaks.left_running(qtbot, before, grace_ms=50) == ["job forgotten"]
    assert job.wait(5000)  # the check cancelled it
    qtbot.waitUntil(lambda: not job.running, timeout=5000)
    # A job that ends within the grace period is not a leak.
    before = leaks.snapshot()
    start_job(lambda _cancel: None, name="quick")
    assert leaks.left_running(qtbot, before) == []


def test_export_writes_off_the_ui_thread_and_a_failure_reaches_the_presenter(qtbot, tmp_path, monkeypatch):
    writes: list[bool] = []
    real = export_module.export_conversation

    def recording(*args, **kwargs):
        writes.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(export_module, "export_conversation", recording)
    with main_window(qtbot, model=ReplayModel(["It is in `net.py`."])) as w:
        ask(qtbot, w, "where is the retry?")
        qtbot.waitUntil(lambda: not w.chat.busy)
        target = tmp_path / "chat.md"
        monkeypatch.setattr(privacy_actions, "ask_export_path", lambda _w, start: target)
        with qtbot.waitSignal(w.privacy.exported, timeout=5000):
            w.menu_actions["export"].trigger()
        assert writes == [False] and target.is_file()

        (tmp_path / "a-file").write_text("not a folder")
        impossible = tmp_path / "a-file" / "chat.md"
        monkeypatch.setattr(privacy_actions, "ask_export_path", lambda _w, start: impossible)
        with qtbot.waitSignal(w.presenter.shown, timeout=5000) as shown:
            w.menu_actions["export"].trigger()
        assert writes == [False, False]
        assert "does not exist" in shown.args[0] and w.presenter.history == [shown.args[0]]
        assert not impossible.exists()


def test_the_picker_opens_with_the_last_list_while_a_new_one_is_read(qtbot):
    release = threading.Event()
    lists = [[ModelChoice("first.gguf", Path("/models/first.gguf"))]]

    def choices() -> list[ModelChoice]:
        assert release.wait(5)  # a slow disk
        return lists[-1]

    picker = ModelPicker()
    qtbot.addWidget(picker)
    picker.set_choices(choices)
    release.set()
    with qtbot.waitSignal(picker.choices_loaded, timeout=5000):
        picker.refresh()
    release.clear()
    lists.append([*lists[0], ModelChoice("second.gguf", Path("/models/second.gguf"))])
    picker.show()
    picker.showPopup()  # returns at once: the list is read on the pool
    labels = [picker.itemText(i) for i in range(picker.count())]
    assert "first.gguf" in labels and "second.gguf" not in labels
    with qtbot.waitSignal(picker.choices_loaded, timeout=5000):
        release.set()
    labels = [picker.itemText(i) for i in range(picker.count())]
    assert "first.gguf" in labels and "second.gguf" in labels
    picker.hidePopup()


def test_nested_ignore_files_are_read_off_the_ui_thread_and_hide_their_files(qtbot, project, monkeypatch):
    from app.core.index import ignore

    (project / "pkg" / ".gitignore").write_text("secret.txt\n", encoding="utf-8")
    (project / "pkg" / "secret.txt").write_text("hidden\n", encoding="utf-8")
    reads: list[bool] = []
    real = ignore.IgnoreRules.descend

    def recording(self, folder, rel):
        reads.append(threading.current_thread() is threading.main_thread())
        return real(self, folder, rel)

    monkeypatch.setattr(ignore.IgnoreRules, "descend", recording)
    tree = FileTree()
    qtbot.addWidget(tree)
    tree.show()
    with qtbot.waitSignal(tree.shown, timeout=5000):
        tree.set_root(project)
    model = tree.view.model()

    def names(parent) -> list[str]:
        return sorted(model.index(r, 0, parent).data() for r in range(model.rowCount(parent)))

    qtbot.waitUntil(lambda: "pkg" in names(tree.view.rootIndex()), timeout=5000)
    assert "build" not in names(tree.view.rootIndex())  # the root .gitignore
    pkg = next(
        model.index(r, 0, tree.view.rootIndex())
        for r in range(model.rowCount(tree.view.rootIndex()))
        if model.index(r, 0, tree.view.rootIndex()).data() == "pkg"
    )
    tree.view.expand(pkg)
    pkg = QPersistentModelIndex(pkg)  # filtering again moves the proxy's rows
    qtbot.waitUntil(lambda: "net.py" in names(pkg), timeout=5000)
    qtbot.waitUntil(lambda: "secret.txt" not in names(pkg), timeout=5000)
    assert reads and not any(reads)
