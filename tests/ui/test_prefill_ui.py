"""The window reads the next prompt's static start while the user types, and a question is never held up by it."""

from __future__ import annotations

from app.ui.chat_session import ChatSession
from tests.ui.fakes import ReplayModel
from tests.ui.helpers import ask, main_window


def test_the_prompt_start_is_prepared_once_the_index_is_ready_and_again_after_an_answer(qtbot, tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    model = ReplayModel(["calc.py adds numbers"])
    with main_window(qtbot, model=model) as w:
        notes: list[str] = []
        w.session.preparing.connect(notes.append)
        w.open_project(project)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        qtbot.waitUntil(lambda: len(model.prefills) == 1 and notes[-1:] == [""], timeout=10000)
        system, project_message = model.prefills[0]
        assert system["role"] == "system" and "calc.py" in project_message["content"]  # the repo map
        assert notes[0] == "Preparing context…"
        ask(qtbot, w, "what does calc.py do?")
        assert "calc.py adds numbers" in w.chat.transcript.toPlainText()
        qtbot.waitUntil(lambda: len(model.prefills) == 2, timeout=10000)  # refreshed after the answer


def test_a_question_sent_while_preparing_stops_the_prefill_and_is_answered(qtbot, tmp_path, monkeypatch):
    project = tmp_path / "proj"
    project.mkdir()
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    model = ReplayModel(["an answer"])
    stopped: list[bool] = []

    def slow_prefill(messages, *, cancel, **_kw):  # a long prompt start: runs until cancelled
        while not cancel.cancelled:
            cancel._event.wait(0.01)
        stopped.append(True)
        return 0

    model.prefill = slow_prefill  # type: ignore[method-assign]
    with main_window(qtbot, model=model) as w:
        assert isinstance(w.session, ChatSession)
        w.open_project(project)
        qtbot.waitUntil(lambda: w.session._preparing, timeout=20000)
        ask(qtbot, w, "hello")
        assert stopped == [True]
        assert "an answer" in w.chat.transcript.toPlainText()


def test_before_the_first_question_the_gauge_counts_the_prepared_start(qtbot, tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    model = ReplayModel(["an answer"])
    model.held_tokens = 321  # type: ignore[attr-defined]  # what a LocalModel's cache would hold
    with main_window(qtbot, model=model) as w:
        w.open_project(project)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        qtbot.waitUntil(lambda: len(model.prefills) == 1 and not w.session._preparing, timeout=10000)
        qtbot.waitUntil(lambda: w.chat.gauge.value() == 321, timeout=5000)
