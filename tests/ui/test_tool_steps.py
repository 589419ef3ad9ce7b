"""Tool steps in the chat: each call is a compact card between the reply's text, and opens up."""

from __future__ import annotations

import threading

from app.core.agent.events import AssistantText, ToolCallFinished, ToolCallStarted, TurnDone
from app.core.conversation import ToolStep
from app.ui.tool_step_card import argument_summary, result_summary
from tests.ui.fakes import ReplayModel
from tests.ui.helpers import main_window, script_jobs

READ_OUTPUT = "pkg/net.py (6 lines)\n1: def retry(fn, *, attempts=3):\n2:     for _ in range(attempts):"


def _done(text: str) -> TurnDone:
    return TurnDone(
        reason="answered",
        text=text,
        steps=2,
        prompt_tokens=100,
        completion_tokens=10,
        tokens_per_s=20.0,
        elapsed_s=0.5,
    )


def _two_steps(gate: threading.Event | None = None):
    def factory(_request):
        def job(model, cancel):
            yield AssistantText("Let me look at the file.")
            yield ToolCallStarted(call_id=1, name="read", arguments={"path": "pkg/net.py"}, step=1)
            if gate is not None:
                gate.wait(5)
            yield ToolCallFinished(call_id=1, name="read", ok=True, output=READ_OUTPUT)
            yield ToolCallStarted(call_id=2, name="grep", arguments={"pattern": "retry"}, step=2)
            yield ToolCallFinished(call_id=2, name="grep", ok=True, output="pkg/net.py:1: def retry(fn):")
            yield AssistantText("The retry logic is in pkg/net.py:1.")
            yield _done("The retry logic is in pkg/net.py:1.")

        return job

    return factory


def _lines(w) -> list[str]:
    return [line.strip() for line in w.chat.transcript.toPlainText().splitlines() if line.strip()]


def test_each_tool_step_is_a_card_between_the_text(qtbot):
    with main_window(qtbot, model=ReplayModel([])) as w:
        script_jobs(w, _two_steps())
        with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
            w.chat.send("where is the retry logic?")
        lines = _lines(w)
        first = lines.index("Let me look at the file.")
        read = next(i for i, line in enumerate(lines) if "read" in line and "pkg/net.py" in line)
        grep = next(i for i, line in enumerate(lines) if "grep" in line and "retry" in line)
        answer = next(i for i, line in enumerate(lines) if line.startswith("The retry logic is in"))
        assert first < read < grep < answer  # in the order they happened, not merged in one paragraph
        assert "6 lines" in lines[read] and lines[read].endswith(" s")  # the result and the time it took
        assert "1 match" in lines[grep]
        assert "def retry(fn, *, attempts=3)" not in w.chat.transcript.toPlainText()  # collapsed


def test_a_card_opens_to_show_the_output_and_closes_again(qtbot):
    with main_window(qtbot, model=ReplayModel([])) as w:
        script_jobs(w, _two_steps())
        with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
            w.chat.send("where is the retry logic?")
        turn = w.chat.conversation.leaf()
        w.chat.transcript.link_activated.emit(f"step:{turn.id}:0")
        assert "1: def retry(fn, *, attempts=3):" in w.chat.transcript.toPlainText()
        assert "The retry logic is in" in w.chat.transcript.toPlainText()  # the rest is still there
        w.chat.transcript.link_activated.emit(f"step:{turn.id}:0")
        assert "1: def retry(fn, *, attempts=3):" not in w.chat.transcript.toPlainText()


def test_a_running_step_says_so_until_it_finishes(qtbot):
    gate = threading.Event()
    with main_window(qtbot, model=ReplayModel([])) as w:
        script_jobs(w, _two_steps(gate))
        w.chat.send("where is the retry logic?")
        qtbot.waitUntil(lambda: "running…" in w.chat.transcript.toPlainText(), timeout=5000)
        assert "Let me look at the file." in w.chat.transcript.toPlainText()
        with qtbot.waitSignal(w.session.turn_finished, timeout=5000):
            gate.set()
        assert "running…" not in w.chat.transcript.toPlainText()


def test_summaries_name_what_the_call_was_about():
    run = ToolStep(
        at=0,
        name="run",
        arguments={"command": "pytest -q"},
        ok=False,
        output="$ pytest -q\nexit code 1; sandboxed\nF",
    )
    assert argument_summary(run) == "pytest -q"
    assert result_summary(run) == "exit code 1"
    refused = ToolStep(
        at=0, name="edit", arguments={"path": "a.py"}, ok=False, output="a.py: not allowed\nmore"
    )
    assert result_summary(refused) == "a.py: not allowed"  # a failed step shows its first line
    grep = ToolStep(
        at=0, name="grep", arguments={"pattern": "x", "include": "*.py"}, ok=True, output="no matches for x"
    )
    assert argument_summary(grep) == "x in *.py"
    assert result_summary(grep) == "no matches"
    read = ToolStep(
        at=0,
        name="read",
        arguments={"path": "a.py", "offset": 5},
        ok=True,
        output="a.py (900 lines)\n5: x\n(showing lines 5-204 of 900; call read with offset=205 for more)",
    )
    assert argument_summary(read) == "a.py from line 5"
    assert result_summary(read) == "lines 5–204 of 900"


def test_the_real_agent_s_read_call_shows_as_a_card_before_the_answer(qtbot, project):
    import json

    from app.core.agent import ScriptedModel

    call = json.dumps({"name": "read", "arguments": {"path": "pkg/net.py"}})
    model = ScriptedModel(
        [f"Reading it.\n<tool_call>\n{call}\n</tool_call>", "`retry` tries three times (pkg/net.py:1)."]
    )
    with main_window(qtbot, model=model) as w:
        w.open_project(project)
        qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
        with qtbot.waitSignal(w.session.turn_finished, timeout=20000):
            w.chat.send("how often does retry try?")
        lines = [line.replace("\u2060", "") for line in _lines(w)]
        card = next(
            i for i, line in enumerate(lines) if "read" in line and "pkg/net.py" in line and "lines" in line
        )
        answer = next(i for i, line in enumerate(lines) if line.startswith("retry tries three times"))
        assert lines.index("Reading it.") < card < answer
        assert "6 lines" in lines[card]
