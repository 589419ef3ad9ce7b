"""The chat says what happened: Build mode without an edit says so; Stop says it is stopping."""

from __future__ import annotations

from tests.ui.fakes import ReplayModel
from tests.ui.helpers import ask, main_window


def test_a_build_turn_without_an_edit_says_no_edit_was_proposed(qtbot, tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    (project / "calc.py").write_text("def add(a, b):\n    return a - b\n", encoding="utf-8")
    model = ReplayModel(["I would change add to return a + b.", "It adds numbers."])
    with main_window(qtbot, model=model) as w:
        w.open_project(project)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        w.chat.toggle_mode()
        assert w.chat.mode == "build"
        ask(qtbot, w, "fix add")
        assert "no edit was proposed" in w.chat.transcript.toPlainText()
        w.chat.toggle_mode()  # Plan mode: no edit is expected, nothing is said
        ask(qtbot, w, "what does add do?")
        assert w.chat.transcript.toPlainText().count("no edit was proposed") == 1


def test_stop_says_stopping_until_the_model_has_stopped(qtbot):
    model = ReplayModel(["one two three four five six seven eight nine ten"], pause_s=5.0)
    with main_window(qtbot, model=model) as w:
        with qtbot.waitSignal(w.session.turn_finished, timeout=10000):
            w.chat.send("count")
            qtbot.waitUntil(lambda: "one" in w.chat.transcript.toPlainText(), timeout=5000)
            w.chat.stop()
            assert w.chat.speed.text() == "Stopping…"
        assert w.chat.speed.text() != "Stopping…"


def test_the_files_an_answer_was_given_are_listed_under_it_and_open(qtbot, tmp_path):
    import json

    from app.core.agent import ScriptedModel

    project = tmp_path / "proj"
    project.mkdir()
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    (project / "notes.md").write_text("# notes\n", encoding="utf-8")
    read = "<tool_call>\n" + json.dumps({"name": "read", "arguments": {"path": "calc.py"}}) + "\n</tool_call>"
    model = ScriptedModel([read, "add returns a + b."])
    with main_window(qtbot, model=model) as w:
        w.open_project(project)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        ask(qtbot, w, "what does add do? see @notes.md")
        leaf = w.chat.conversation.leaf()
        assert leaf.context_files == ("notes.md", "calc.py")
        html = w.chat.transcript.toHtml()
        assert "open:calc.py:1" in html and "open:notes.md:1" in html
        with qtbot.waitSignal(w.chat.open_location_requested, timeout=2000) as opened:
            w.chat.transcript.link_activated.emit("open:calc.py:1")
        assert opened.args == ["calc.py", 1]
