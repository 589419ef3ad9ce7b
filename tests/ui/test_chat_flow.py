"""Asking, streaming, stopping, regenerating and editing through the real window and worker."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.errors import EnclaveError
from tests.ui.fakes import ReplayModel
from tests.ui.helpers import ask, main_window, script_jobs


def test_ask_streams_the_answer_and_updates_gauge_and_speed(qtbot):
    model = ReplayModel(["The retry logic is in pkg/net.py:1 and retries **three** times."])
    with main_window(qtbot, model=model) as w:
        assert w.chat.input.isEnabled()
        ask(qtbot, w, "where is the retry logic?")
        qtbot.waitUntil(lambda: not w.chat.busy)
        text = w.chat.transcript.toPlainText()
        assert "where is the retry logic?" in text
        assert "retries three times" in text
        assert model.calls[0][-1] == {"role": "user", "content": "where is the retry logic?"}
        assert "50.0 tok/s" in w.chat.speed.text()
        assert w.chat.gauge.value() > 0
        assert "/ 4,096 tokens" in w.chat.gauge.format()


def test_stop_mid_answer_keeps_partial_text_and_shows_no_error(qtbot):
    model = ReplayModel(["one two three four five six seven eight nine ten"], pause_s=5.0)
    with main_window(qtbot, model=model) as w:
        with qtbot.waitSignal(w.session.turn_finished, timeout=10000):
            w.chat.send("count")
            qtbot.waitUntil(lambda: "one" in (w.chat.conversation.leaf().text or ""), timeout=5000)
            qtbot.keyClick(w.chat.input, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not w.chat.busy)
        leaf = w.chat.conversation.leaf()
        assert leaf.finish == "cancelled"
        assert leaf.text.startswith("one") and "ten" not in leaf.text
        assert "stopped" in w.chat.transcript.toPlainText()
        assert w.presenter.history == []


def test_regenerate_and_edit_make_branches_not_erasures(qtbot):
    model = ReplayModel(["first answer", "second answer", "answer to edited"])
    with main_window(qtbot, model=model) as w:
        ask(qtbot, w, "hello")
        qtbot.waitUntil(lambda: not w.chat.busy)
        first = w.chat.conversation.leaf()
        with qtbot.waitSignal(w.session.turn_finished, timeout=10000):
            w.chat.transcript.link_activated.emit(f"regen:{first.id}")
        qtbot.waitUntil(lambda: not w.chat.busy)
        assert "second answer" in w.chat.transcript.toPlainText()
        assert "first answer" not in w.chat.transcript.toPlainText()
        assert w.chat.conversation.siblings(w.chat.conversation.leaf().id) == (2, 2)
        w.chat.transcript.link_activated.emit(f"branch:{w.chat.conversation.leaf().id}:-1")
        assert "first answer" in w.chat.transcript.toPlainText()
        # Edit the sent message: a new branch with its own answer; the old one remains.
        user = w.chat.conversation.active_path()[0]
        w.chat.transcript.link_activated.emit(f"edit:{user.id}")
        assert w.chat.input.toPlainText() == "hello"
        ask(qtbot, w, "hello again")
        qtbot.waitUntil(lambda: not w.chat.busy)
        assert "answer to edited" in w.chat.transcript.toPlainText()
        assert model.calls[-1] == [{"role": "user", "content": "hello again"}]
        assert w.chat.conversation.siblings(w.chat.conversation.active_path()[0].id) == (2, 2)


def test_a_failing_turn_reaches_the_presenter_and_a_cancel_does_not(qtbot):
    with main_window(qtbot, model=ReplayModel([])) as w:

        def broken(_request):
            def job(model, cancel):
                raise EnclaveError("the prompt does not fit")
                yield  # pragma: no cover

            return job

        script_jobs(w, broken)
        ask(qtbot, w, "hi")
        qtbot.waitUntil(lambda: not w.chat.busy)
        assert w.presenter.history == ["the prompt does not fit"]
        assert w.chat.conversation.leaf().finish == "failed"
        assert w.chat.input.isEnabled()


def test_without_a_model_the_chat_says_so_and_stays_disabled(qtbot):
    with main_window(qtbot) as w:
        assert not w.chat.input.isEnabled()
        assert "No model" in w.chat.notice.text()
        assert w.status.model.text() == "No model"
