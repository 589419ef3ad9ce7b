"""Review in place: a waiting edit opens in the editor area; hunks are decided from the keyboard."""

from __future__ import annotations

import json
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.core.agent.edits.files import unified_diff
from app.ui.diff_view import DiffView
from app.ui.hunk_review import HunkReview
from app.ui.word_diff import layout
from tests.ui.helpers import CTRL_SHIFT, main_window

OLD = "".join(f"VALUE_{i} = {i}\n" for i in range(1, 41))
NEW = OLD.replace("VALUE_2 = 2\n", "VALUE_2 = 200\n").replace("VALUE_38 = 38\n", "VALUE_38 = 3800\n")
ONLY_FIRST = OLD.replace("VALUE_2 = 2\n", "VALUE_2 = 200\n")
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


@contextmanager
def proposed(qtbot, project):
    """A window whose real agent (ScriptedModel) proposes the two-hunk edit of pkg/values.py."""
    from app.core.agent import ScriptedModel

    target = project / "pkg" / "values.py"
    target.write_text(OLD, encoding="utf-8")
    call = json.dumps({"name": "write", "arguments": {"path": "pkg/values.py"}})
    model = ScriptedModel([f"pkg/values.py\n```python\n{NEW}```\n<tool_call>\n{call}\n</tool_call>", "Done."])
    with main_window(qtbot, model=model) as w:
        w.activateWindow()
        w.open_project(project)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        qtbot.keyClick(w.chat.input, Qt.Key.Key_B, CTRL_SHIFT)  # Plan -> Build
        w.chat.send("raise two values")
        qtbot.waitUntil(lambda: bool(w.reviews.views), timeout=10000)
        view = next(iter(w.reviews.views.values()))
        yield w, view, target


def test_keyboard_accepts_hunk_one_and_rejects_hunk_two(qtbot, project):
    with proposed(qtbot, project) as (w, view, target):
        assert w.editors.currentWidget() is view  # the review is in the editor area, in front
        assert view.review.count == 2 and view.current == 0
        assert "Ctrl+Enter" in view.accept_hunk_button.toolTip()
        assert "Ctrl+Backspace" in view.reject_hunk_button.toolTip()
        view.setFocus()
        qtbot.keyClick(view, Qt.Key.Key_Down, ALT)
        assert view.current == 1
        qtbot.keyClick(view, Qt.Key.Key_Up, ALT)
        assert view.current == 0
        qtbot.keyClick(view, Qt.Key.Key_Return, CTRL)  # accept hunk 1: moves on to hunk 2
        assert view.review.states == [True, None] and view.current == 1
        assert target.read_text() == OLD  # nothing is written before the last hunk is decided
        with qtbot.waitSignal(w.session.turn_finished, timeout=10000):
            qtbot.keyClick(view, Qt.Key.Key_Backspace, CTRL)  # reject hunk 2: the edit is answered
        assert target.read_text() == ONLY_FIRST
        assert not w.reviews.views  # the review tab closed
        card = next(iter(w.review.cards.values()))
        assert card.state.text() == "applied: the user accepted 1 of 2 hunks"
        with qtbot.waitSignal(w.session.edit_undone, timeout=5000):
            card.undo_button.click()
        assert target.read_text() == OLD


def test_accept_all_key_writes_every_hunk(qtbot, project):
    with proposed(qtbot, project) as (w, view, target):
        assert "Ctrl+Shift+Enter" in view.accept_all_button.toolTip()
        with qtbot.waitSignal(w.session.turn_finished, timeout=10000):
            qtbot.keyClick(view, Qt.Key.Key_Return, CTRL_SHIFT)
        assert target.read_text() == NEW


def test_reject_all_after_accepting_a_hunk_writes_nothing(qtbot, project):
    with proposed(qtbot, project) as (w, view, target):
        qtbot.keyClick(view, Qt.Key.Key_Return, CTRL)
        with qtbot.waitSignal(w.session.turn_finished, timeout=10000):
            qtbot.keyClick(view, Qt.Key.Key_Backspace, CTRL_SHIFT)
        assert target.read_text() == OLD
        assert next(iter(w.review.cards.values())).state.text() == "not applied: rejected"


def _backgrounds(pane, line: int) -> list[tuple[str, str]]:
    """(text, background) of each run of `line` that has its own character background."""
    block = pane.document().findBlockByNumber(line)
    runs = []
    it = block.begin()
    while not it.atEnd():
        frag = it.fragment()
        if frag.charFormat().hasProperty(frag.charFormat().Property.BackgroundBrush):
            runs.append((frag.text(), frag.charFormat().background().color().name()))
        it += 1
    return runs


def _view(qtbot, old: str, new: str, *, path: str = "app.py") -> DiffView:
    diff = unified_diff(old, new, path=path)
    review = HunkReview(edit_id=1, path=path, hunks=diff.count("\n@@"), waiting=True)
    view = DiffView(review, layout(diff, old_text=old))
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    return view


def test_word_highlight_marks_only_the_changed_word(qtbot):
    old = "def connect(host, port, timeout):\n    return open_socket(host, port)\n"
    new = "def connect(host, port, retries):\n    return open_socket(host, port)\n"
    view = _view(qtbot, old, new)
    assert _backgrounds(view.old_pane, 0) == [("timeout", "#ffb3ad")]
    assert _backgrounds(view.new_pane, 0) == [("retries", "#8fe3a5")]
    assert _backgrounds(view.new_pane, 1) == []  # the unchanged line has no word marks
    # Changed lines are tinted, and syntax colours still apply on top (`def` is a keyword).
    block = view.new_pane.document().findBlockByNumber(0)
    assert block.blockFormat().background().color().name() == "#e6ffec"
    # The editor's tree-sitter highlighter colours the lines on screen shortly after they show.
    qtbot.waitUntil(
        lambda: any(f.start == 0 and f.length == 3 for f in block.layout().formats()), timeout=5000
    )
    view.set_inline(inline=True)
    assert [view.inline_pane.document().findBlockByNumber(i).text() for i in range(3)] == [
        "def connect(host, port, timeout):",
        "def connect(host, port, retries):",
        "    return open_socket(host, port)",
    ]
    assert _backgrounds(view.inline_pane, 0) == [("timeout", "#ffb3ad")]


def test_side_by_side_panes_scroll_together(qtbot):
    view = _view(qtbot, OLD, NEW.replace("VALUE_20 = 20\n", ""))
    left, right = view.old_pane, view.new_pane
    assert left.document().blockCount() == right.document().blockCount()  # filler keeps rows level
    right.verticalScrollBar().setValue(12)
    assert left.verticalScrollBar().value() == 12
    left.verticalScrollBar().setValue(5)
    assert right.verticalScrollBar().value() == 5
    view.go_to_hunk(2)
    row = right.first_line_of(2)
    assert right.document().findBlockByNumber(row).text() == "VALUE_38 = 3800"
    assert left.verticalScrollBar().value() == right.verticalScrollBar().value() > 0
    cursor = QTextCursor(left.document().findBlockByNumber(row))
    assert cursor.block().text() == "VALUE_38 = 38"  # the old line sits beside the new one


def _waiting_edit_job(seen: list):
    from app.core.agent.events import EditProposed, EditResolved, Reply, TurnDone

    def factory(_request):
        def job(model, cancel):
            edit = EditProposed(4, "values.py", "file", unified_diff(OLD, NEW, path="values.py"), Reply())
            yield edit
            seen.append(edit.reply.wait(cancel))
            yield EditResolved(4, "values.py", applied=False, reason="rejected")
            yield TurnDone("answered", "", 1, 0, 0, 0.0, 0.1)

        return job

    return factory


def test_a_closed_review_reopens_from_its_card_and_a_stop_closes_it(qtbot):
    from tests.ui.fakes import ReplayModel
    from tests.ui.helpers import script_jobs

    seen: list = []
    with main_window(qtbot, model=ReplayModel([])) as w:
        script_jobs(w, _waiting_edit_job(seen))
        w.chat.send("change values")
        qtbot.waitUntil(lambda: 4 in w.reviews.views, timeout=5000)
        w.editors.close_tab(w.editors.indexOf(w.reviews.views[4]))  # Ctrl+W on the review tab
        qtbot.waitUntil(lambda: 4 not in w.reviews.views)
        card = w.review.cards[4]
        assert card.review.open and card.open_button.isVisible()
        card.open_button.click()
        assert w.editors.currentWidget() is w.reviews.views[4]
        with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
            w.chat.stop()
        assert seen == ["reject"]  # a stop counts as a rejection in the core
        qtbot.waitUntil(lambda: 4 not in w.reviews.views)  # nothing is left to decide
        assert not card.review.open and not card.accept_button.isEnabled()
