"""Agent events in the window: inline permission prompts and proposed edits to accept."""

from __future__ import annotations

import difflib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser

from app.core.agent.events import (
    AssistantText,
    EditProposed,
    EditResolved,
    PermissionRequest,
    Reply,
    TurnDone,
)
from tests.ui.fakes import ReplayModel
from tests.ui.helpers import CTRL_SHIFT, main_window, script_jobs


def _done(text: str) -> TurnDone:
    return TurnDone(
        reason="answered",
        text=text,
        steps=1,
        prompt_tokens=120,
        completion_tokens=8,
        tokens_per_s=20.0,
        elapsed_s=0.4,
    )


def test_permission_prompt_answer_reaches_the_waiting_turn(qtbot):
    decisions = []

    def factory(_request):
        def job(model, cancel):
            request = PermissionRequest(
                request_id=1,
                tool="run",
                subject="pytest -q",
                reason="run the project's tests",
                always_pattern="pytest *",
            )
            yield request
            decision = request.reply.wait(cancel)
            decisions.append(decision)
            yield AssistantText("ran the tests" if decision != "reject" else "did not run them")
            yield _done("")

        return job

    with main_window(qtbot, model=ReplayModel([])) as w:
        script_jobs(w, factory)
        w.chat.send("run the tests")
        qtbot.waitUntil(lambda: _prompt(w) is not None, timeout=5000)
        prompt = _prompt(w)
        assert prompt.allow_always.toolTip() == "Allow pytest * until Enclave closes"
        with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
            prompt.allow_always.click()
        qtbot.waitUntil(lambda: not w.chat.busy)
        assert decisions == ["always"]
        assert "ran the tests" in w.chat.transcript.toPlainText()
        assert w.chat.gauge.value() == 128


def _prompt(w):
    from app.ui.permission_prompt import PermissionPrompt

    prompts = w.chat.findChildren(PermissionPrompt)
    return prompts[0] if prompts else None


def test_accepting_a_proposed_edit_writes_it_and_reloads_the_open_tab(qtbot, project):
    target = project / "pkg" / "net.py"
    before = target.read_text()
    after = before.replace("attempts=3", "attempts=5")
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), "a/pkg/net.py", "b/pkg/net.py"
        )
    )

    def factory(_request):
        def job(model, cancel):
            edit = EditProposed(edit_id=7, path="pkg/net.py", kind="search_replace", diff=diff, reply=Reply())
            yield edit
            decision = edit.reply.wait(cancel)
            if decision != "reject":
                target.write_text(after, encoding="utf-8")  # the agent applies it on acceptance
            yield EditResolved(edit_id=7, path="pkg/net.py", applied=decision != "reject")
            yield _done("changed it")

        return job

    with main_window(qtbot, model=ReplayModel([])) as w:
        w.open_project(project)
        page = w.editors.open_file(target)
        script_jobs(w, factory)
        w.chat.send("use five attempts")
        qtbot.waitUntil(lambda: 7 in w.review.cards, timeout=5000)
        card = w.review.cards[7]
        assert w.bottom.currentWidget() is w.review
        assert card.accept_button.isEnabled()
        with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
            card.accept_button.click()
        assert target.read_text() == after
        assert card.state.text() == "applied"
        qtbot.waitUntil(lambda: "attempts=5" in page.editor.toPlainText(), timeout=5000)


def test_rejecting_an_edit_leaves_the_file_alone(qtbot, project):
    target = project / "pkg" / "net.py"
    before = target.read_text()

    def factory(_request):
        def job(model, cancel):
            edit = EditProposed(
                edit_id=3,
                path="pkg/net.py",
                kind="file",
                diff="--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n",
                reply=Reply(),
            )
            yield edit
            decision = edit.reply.wait(cancel)
            yield EditResolved(edit_id=3, path="pkg/net.py", applied=False, reason=decision)
            yield _done("")

        return job

    with main_window(qtbot, model=ReplayModel([])) as w:
        w.open_project(project)
        script_jobs(w, factory)
        w.chat.send("change it")
        qtbot.waitUntil(lambda: 3 in w.review.cards, timeout=5000)
        with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
            w.review.cards[3].reject_button.click()
        assert target.read_text() == before
        assert w.review.cards[3].state.text() == "not applied: reject"


def test_real_agent_with_scripted_model_proposes_an_edit_that_is_accepted_and_undone(qtbot, project):
    import json

    from app.core.agent import ScriptedModel

    target = project / "pkg" / "net.py"
    before = target.read_text()
    new_function = before.replace("attempts=3", "attempts=5")
    call = json.dumps({"name": "edit", "arguments": {"path": "pkg/net.py", "symbol": "retry"}})
    model = ScriptedModel(
        [
            f"pkg/net.py\n```python\n{new_function}```\n<tool_call>\n{call}\n</tool_call>",
            "Done: `retry` now tries five times (pkg/net.py:1).",
        ]
    )
    with main_window(qtbot, model=model) as w:
        w.open_project(project)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        assert w.status.index.text().startswith("Indexed ")
        page = w.editors.open_file(target)
        qtbot.keyClick(w.chat.input, Qt.Key.Key_B, CTRL_SHIFT)  # Plan -> Build
        assert w.chat.mode == "build"
        w.chat.send("use five attempts in retry")
        qtbot.waitUntil(lambda: bool(w.review.cards), timeout=10000)
        card = next(iter(w.review.cards.values()))
        assert "+def retry(fn, *, attempts=5):" in card.findChild(QTextBrowser).toPlainText()
        assert target.read_text() == before  # nothing written before accepting
        with qtbot.waitSignal(w.session.turn_finished, timeout=10000):
            card.accept_button.click()
        qtbot.waitUntil(lambda: not w.chat.busy)
        assert "attempts=5" in target.read_text()
        qtbot.waitUntil(lambda: "attempts=5" in page.editor.toPlainText(), timeout=5000)
        assert "tries five times" in w.chat.transcript.toPlainText()
        with qtbot.waitSignal(w.session.edit_undone, timeout=5000):
            w.menu_actions["undo_edit"].trigger()
        assert target.read_text() == before
        qtbot.waitUntil(lambda: "attempts=3" in page.editor.toPlainText(), timeout=5000)
