"""Per-hunk review in the window: check boxes choose the hunks, Accept writes only those, Undo reverts."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app.core.agent.edits.files import unified_diff
from app.core.agent.events import EditProposed, EditResolved, Reply, TurnDone
from tests.ui.fakes import ReplayModel
from tests.ui.helpers import CTRL_SHIFT, main_window, script_jobs

OLD = "".join(f"VALUE_{i} = {i}\n" for i in range(1, 21))
NEW = OLD.replace("VALUE_2 = 2\n", "VALUE_2 = 200\n").replace("VALUE_18 = 18\n", "VALUE_18 = 1800\n")


def test_unchecking_a_hunk_sends_only_the_checked_ones(qtbot):
    answers = []

    def factory(_request):
        def job(model, cancel):
            edit = EditProposed(
                edit_id=4,
                path="values.py",
                kind="file",
                diff=unified_diff(OLD, NEW, path="values.py"),
                reply=Reply(),
            )
            yield edit
            edit.reply.wait(cancel)
            answers.append((edit.reply.decision, edit.reply.hunks))
            yield EditResolved(
                edit_id=4, path="values.py", applied=True, reason="the user accepted 1 of 2 hunks"
            )
            yield TurnDone("answered", "", 1, 0, 0, 0.0, 0.1)

        return job

    with main_window(qtbot, model=ReplayModel([])) as w:
        script_jobs(w, factory)
        w.chat.send("change values")
        qtbot.waitUntil(lambda: 4 in w.review.cards, timeout=5000)
        card = w.review.cards[4]
        assert [b.text() for b in card.hunk_boxes] == [
            "Hunk 1 of 2: @@ -1,5 +1,5 @@",
            "Hunk 2 of 2: @@ -15,6 +15,6 @@",
        ]
        card.hunk_boxes[0].setChecked(False)
        assert card.accept_button.text() == "Accept 1 of 2"
        card.hunk_boxes[1].setChecked(False)
        assert not card.accept_button.isEnabled()  # nothing to accept: Reject instead
        card.hunk_boxes[1].setChecked(True)
        with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
            card.accept_button.click()
        assert answers == [("once", (1,))]
        assert card.state.text() == "applied: the user accepted 1 of 2 hunks"
        assert not any(b.isEnabled() for b in card.hunk_boxes)


def test_real_agent_applies_the_chosen_hunk_and_undo_restores_the_file(qtbot, project):
    from app.core.agent import ScriptedModel

    target = project / "pkg" / "values.py"
    target.write_text(OLD, encoding="utf-8")
    call = json.dumps({"name": "write", "arguments": {"path": "pkg/values.py"}})
    model = ScriptedModel(
        [f"pkg/values.py\n```python\n{NEW}```\n<tool_call>\n{call}\n</tool_call>", "Changed one value."]
    )
    with main_window(qtbot, model=model) as w:
        w.open_project(project)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        qtbot.keyClick(w.chat.input, Qt.Key.Key_B, CTRL_SHIFT)  # Plan -> Build
        w.chat.send("raise two values")
        qtbot.waitUntil(lambda: bool(w.review.cards), timeout=10000)
        card = next(iter(w.review.cards.values()))
        assert len(card.hunk_boxes) == 2
        card.hunk_boxes[0].setChecked(False)
        with qtbot.waitSignal(w.session.turn_finished, timeout=10000):
            card.accept_button.click()
        qtbot.waitUntil(lambda: not w.chat.busy)
        assert target.read_text() == OLD.replace("VALUE_18 = 18\n", "VALUE_18 = 1800\n")
        assert card.state.text() == "applied: the user accepted 1 of 2 hunks"
        # The agent turn's footer and the speed label show the time to the first token.
        assert "first token " in w.chat.transcript.toPlainText()
        assert " · first token " in w.chat.speed.text()
        # What the model was told on its next step.
        told = [m["content"] for m in model.calls[-1].messages if m.get("role") == "tool"][-1]
        assert "hunk 1 (@@ -1,5 +1,5 @@) was rejected" in told
        assert card.undo_button.isVisible() and card.undo_button.isEnabled()
        with qtbot.waitSignal(w.session.edit_undone, timeout=5000):
            card.undo_button.click()
        assert target.read_text() == OLD
        assert card.state.text() == "undone"
        assert not card.undo_button.isVisible()
