"""Keyboard-only use: focus keys for the three areas, Tab out of the message box, edit decisions, New Chat."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.agent.events import EditProposed, EditResolved, Reply, TurnDone
from tests.ui.fakes import ReplayModel
from tests.ui.helpers import CTRL_SHIFT, ask, main_window, script_jobs

CTRL = Qt.KeyboardModifier.ControlModifier


def _focus(qtbot, widget) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=3000)


def test_ctrl_1_2_3_move_focus_to_tree_editor_and_chat(qtbot, project):
    with main_window(qtbot, model=ReplayModel([])) as w:
        with qtbot.waitSignal(w.files.shown, timeout=5000):
            w.open_project(project)
        page = w.editors.open_file(project / "README.md")
        w.activateWindow()
        qtbot.keyClick(w, Qt.Key.Key_3, CTRL)
        _focus(qtbot, w.chat.input)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1, CTRL)
        _focus(qtbot, w.files.view)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2, CTRL)
        _focus(qtbot, page.editor)
        assert w.files_dock.isVisible() and w.chat_dock.isVisible()  # focus keys no longer hide panes
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)


def test_tab_leaves_the_message_box_and_ctrl_shift_b_switches_the_mode(qtbot):
    with main_window(qtbot, model=ReplayModel([])) as w:
        w.activateWindow()
        w.chat.input.setFocus()
        _focus(qtbot, w.chat.input)
        qtbot.keyClick(w.chat.input, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not w.chat.input, timeout=3000)
        assert w.chat.mode == "plan"  # Tab no longer flips the mode
        assert w.chat.input.toPlainText() == ""  # nor types a tab
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_B, CTRL_SHIFT)
        assert w.chat.mode == "build"
        assert "Ctrl+Shift+B" in w.chat.mode_button.toolTip()


def _edit_job(decisions):
    def factory(_request):
        def job(model, cancel):
            edit = EditProposed(
                edit_id=5,
                path="pkg/net.py",
                kind="file",
                diff="--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n",
                reply=Reply(),
            )
            yield edit
            decisions.append(edit.reply.wait(cancel))
            yield EditResolved(edit_id=5, path="pkg/net.py", applied=False, reason="test")
            yield TurnDone(
                reason="answered",
                text="",
                steps=1,
                prompt_tokens=10,
                completion_tokens=1,
                tokens_per_s=1.0,
                elapsed_s=0.1,
            )

        return job

    return factory


def test_accept_and_reject_have_keys(qtbot):
    for key, expected in ((Qt.Key.Key_Return, "once"), (Qt.Key.Key_Backspace, "reject")):
        decisions: list[str] = []
        with main_window(qtbot, model=ReplayModel([])) as w:
            script_jobs(w, _edit_job(decisions))
            w.activateWindow()
            w.chat.send("change it")
            qtbot.waitUntil(lambda w=w: 5 in w.review.cards, timeout=5000)
            with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
                qtbot.keyClick(w.chat.input, key, CTRL_SHIFT)
            assert decisions == [expected]
            assert "Ctrl+Shift" in w.review.cards[5].accept_button.toolTip()


def test_ctrl_n_starts_an_empty_chat(qtbot):
    model = ReplayModel(["first answer", "second answer"])
    with main_window(qtbot, model=model) as w:
        w.activateWindow()
        ask(qtbot, w, "first question")
        assert "first answer" in w.chat.transcript.toPlainText()
        qtbot.keyClick(w.chat.input, Qt.Key.Key_N, CTRL)
        assert w.chat.conversation.leaf() is None
        assert "first answer" not in w.chat.transcript.toPlainText()
        assert "Ask about your project" in w.chat.transcript.toPlainText()
        _focus(qtbot, w.chat.input)
        ask(qtbot, w, "second question")
        assert "second answer" in w.chat.transcript.toPlainText()
        assert "first question" not in w.chat.transcript.toPlainText()
        assert not any("first question" in str(m.get("content")) for m in model.calls[-1])  # not sent either


def test_the_accept_and_reject_keys_answer_a_permission_question(qtbot):
    from app.core.agent.events import AssistantText, PermissionRequest

    decisions: list[str] = []

    def factory(_request):
        def job(model, cancel):
            request = PermissionRequest(
                request_id=1,
                tool="run",
                subject="pytest -q",
                reason="run the tests",
                always_pattern="pytest *",
            )
            yield request
            decisions.append(request.reply.wait(cancel))
            yield AssistantText("done")
            yield TurnDone(
                reason="answered",
                text="done",
                steps=1,
                prompt_tokens=10,
                completion_tokens=1,
                tokens_per_s=1.0,
                elapsed_s=0.1,
            )

        return job

    with main_window(qtbot, model=ReplayModel([])) as w:
        script_jobs(w, factory)
        w.activateWindow()
        w.chat.send("run the tests")
        qtbot.waitUntil(lambda: _has_prompt(w), timeout=5000)
        with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
            qtbot.keyClick(w.chat.input, Qt.Key.Key_Backspace, CTRL_SHIFT)
        assert decisions == ["reject"]


def _has_prompt(w) -> bool:
    from app.ui.permission_prompt import PermissionPrompt

    return bool(w.chat.findChildren(PermissionPrompt))
