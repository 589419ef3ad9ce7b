"""Apply on a chat code block: the block becomes a proposed edit, reviewed and undone like the agent's."""

from __future__ import annotations

from tests.ui.fakes import ReplayModel
from tests.ui.helpers import ask, main_window

OLD = "".join(f"VALUE_{i} = {i}\n" for i in range(1, 21))
NEW = OLD.replace("VALUE_2 = 2\n", "VALUE_2 = 200\n")


def _answered(qtbot, w, project, reply: str) -> int:
    w.activateWindow()
    w.open_project(project)
    qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
    ask(qtbot, w, "how would you raise VALUE_2?")  # Plan mode: the model only answers
    turn = w.chat.conversation.leaf()
    assert turn is not None and turn.role == "assistant"
    assert f'href="apply:{turn.id}:0"' in w.chat.transcript.toHtml()
    return turn.id


def test_apply_on_a_named_block_opens_the_review_and_accepting_writes_it(qtbot, project):
    target = project / "pkg" / "values.py"
    target.write_text(OLD, encoding="utf-8")
    reply = f"Change it like this:\n\npkg/values.py\n```python\n{NEW}```\n\nThat is all."
    with main_window(qtbot, model=ReplayModel([reply])) as w:
        turn_id = _answered(qtbot, w, project, reply)
        w.chat.transcript.link_activated.emit(f"apply:{turn_id}:0")
        qtbot.waitUntil(lambda: bool(w.reviews.views), timeout=10000)
        view = next(iter(w.reviews.views.values()))
        assert view.review.path == "pkg/values.py"
        assert w.editors.currentWidget() is view
        assert [line.text for line in view.new_pane.lines if line.kind == "added"] == ["VALUE_2 = 200"]
        assert target.read_text() == OLD  # nothing is written before accepting
        with qtbot.waitSignal(w.session.edit_resolved, timeout=10000) as resolved:
            view.accept_all_button.click()
        assert resolved.args[0].applied
        assert target.read_text() == NEW
        with qtbot.waitSignal(w.session.edit_undone, timeout=5000):
            w.undo_last_edit()
        assert target.read_text() == OLD


def test_a_block_without_a_file_name_asks_offering_the_open_file(qtbot, project):
    target = project / "pkg" / "values.py"
    target.write_text(OLD, encoding="utf-8")
    reply = f"Like this:\n\n```python\n{NEW}```\n"
    with main_window(qtbot, model=ReplayModel([reply])) as w:
        turn_id = _answered(qtbot, w, project, reply)
        w.editors.open_file(target)
        offered: list[str] = []
        w.applier.ask_path = lambda offer: offered.append(offer) or offer
        w.chat.transcript.link_activated.emit(f"apply:{turn_id}:0")
        assert offered == ["pkg/values.py"]
        qtbot.waitUntil(lambda: bool(w.reviews.views), timeout=10000)
        view = next(iter(w.reviews.views.values()))
        with qtbot.waitSignal(w.session.edit_resolved, timeout=10000):
            view.reject_all_button.click()
        assert target.read_text() == OLD
        # Cancelling the question applies nothing.
        w.applier.ask_path = lambda _offer: None
        assert not w.applier.apply(_first_block(w))


def _first_block(w):
    from app.ui.chat_markdown import code_blocks

    return code_blocks(w.chat.conversation.leaf().text)[0]
