from __future__ import annotations

from pathlib import Path

from app.core.agent import AgentOptions, Mode
from app.core.agent.events import (
    AssistantText,
    EditProposed,
    PermissionRequest,
    ToolCallFinished,
    ToolCallStarted,
    TurnDone,
)
from tests.core.agent.helpers import CALC, call, run_turn

FIX = "calc.py\n```python\ndef add(a, b):\n    return a + b\n```\n"


def test_plan_mode_offers_only_read_tools(project: Path) -> None:
    run = run_turn(project, ["Nothing to do."], mode=Mode.PLAN)
    offered = {t["function"]["name"] for t in run.model.calls[0].tools}
    assert offered == {"read", "list", "glob", "grep", "symbols", "map", "context"}
    build = run_turn(project, ["Nothing to do."], mode=Mode.BUILD)
    assert {"edit", "write", "run"} <= {t["function"]["name"] for t in build.model.calls[0].tools}


def test_plan_mode_refuses_write_and_run_calls_whatever_the_model_emits(project: Path) -> None:
    marker = project / "ran.txt"
    replies = [
        FIX + call("edit", path="calc.py"),
        call("write", path="new.py"),
        call("run", command=f"touch {marker}"),
        "ok",
    ]
    run = run_turn(project, replies, mode=Mode.PLAN, answer="always")
    assert (project / "calc.py").read_text() == CALC
    assert not marker.exists() and not (project / "new.py").exists()
    assert run.of(EditProposed) == [] and run.of(PermissionRequest) == []
    assert all("not available in Plan mode" in out for out in run.outputs)


def test_plan_mode_ignores_edit_blocks_without_a_call(project: Path) -> None:
    run = run_turn(project, [FIX + "That fixes it."], mode=Mode.PLAN)
    assert (project / "calc.py").read_text() == CALC
    assert run.of(ToolCallStarted) == []


def test_build_mode_applies_edit_blocks_written_without_a_call(project: Path) -> None:
    run = run_turn(project, [FIX, "Fixed."], mode=Mode.BUILD)
    assert "return a + b" in (project / "calc.py").read_text()
    assert run.of(ToolCallStarted)[0].name == "edit"
    assert run.done.text == "Fixed."


def test_mode_can_change_per_turn(project: Path) -> None:
    first = run_turn(project, [FIX + call("edit", path="calc.py"), "no"], mode=Mode.PLAN)
    assert (project / "calc.py").read_text() == CALC
    run_turn(project, [FIX + call("edit", path="calc.py"), "done"], mode=Mode.BUILD, agent=first.agent)
    assert "return a + b" in (project / "calc.py").read_text()


def test_malformed_calls_get_the_validation_error_and_the_model_retries(project: Path) -> None:
    replies = [
        "<tool_call>read calc.py please</tool_call>",
        call("read"),
        call("read", path="calc.py", offset="two"),
        call("nonexistent", x=1),
        call("read", path="calc.py"),
        "add subtracts.",
    ]
    run = run_turn(project, replies, mode=Mode.PLAN)
    outs = run.outputs
    assert "not valid JSON" in outs[0]
    assert "missing required argument 'path'" in outs[1]
    assert "offset must be of type integer" in outs[2]
    assert "no tool named 'nonexistent'" in outs[3]
    assert outs[4].startswith("calc.py (9 lines)")
    assert run.done.reason == "answered"
    # Each error went back as the tool message the next step saw.
    tool_messages = [m for m in run.model.calls[-1].messages if m["role"] == "tool"]
    assert [m["content"] for m in tool_messages] == outs


def test_the_same_call_three_times_stops_and_asks(project: Path) -> None:
    same = call("read", path="calc.py")
    run = run_turn(project, [same, same, same, same, "never"], mode=Mode.PLAN, answer="reject")
    asks = run.of(PermissionRequest)
    assert [a.tool for a in asks] == ["doom_loop"]
    assert len(run.of(ToolCallFinished)) == 2
    assert run.done.reason == "doom_loop"


def test_doom_loop_continues_when_the_user_says_so(project: Path) -> None:
    same = call("read", path="calc.py")
    run = run_turn(project, [same, same, same, "done"], mode=Mode.PLAN, answer="once")
    assert len(run.of(ToolCallFinished)) == 3
    assert run.done.reason == "answered"


def test_step_limit_ends_the_turn(project: Path) -> None:
    replies = [call("read", path="calc.py", offset=i) for i in range(1, 10)]
    run = run_turn(project, replies, mode=Mode.PLAN, options=AgentOptions(max_steps=3))
    assert run.done.reason == "step_limit" and run.done.steps == 3


def test_visible_text_streams_without_markup_and_stats_add_up(project: Path) -> None:
    run = run_turn(project, ["Looking.\n" + call("read", path="calc.py"), "Done."], mode=Mode.PLAN)
    shown = "".join(e.text for e in run.of(AssistantText))
    assert "<tool_call>" not in shown and "Looking." in shown and "Done." in shown
    done = run.done
    assert isinstance(done, TurnDone) and done.steps == 2 and done.completion_tokens > 0


def test_grammar_constrains_the_call_once_it_opens(project: Path) -> None:
    run = run_turn(project, ["Looking.\n" + call("read", path="calc.py"), "Done."], mode=Mode.PLAN)
    free, constrained = run.model.calls[0], run.model.calls[1]
    assert free.grammar is None
    assert constrained.grammar is not None and '"\\"read\\""' in constrained.grammar
    assert constrained.prefill.endswith("Looking.\n<tool_call>\n")


def test_history_carries_over_to_the_next_turn(project: Path) -> None:
    first = run_turn(
        project, [call("read", path="calc.py"), "add subtracts."], mode=Mode.PLAN, text="what does add do?"
    )
    second = run_turn(project, ["Yes."], mode=Mode.PLAN, agent=first.agent, text="sure?")
    messages = second.model.calls[-1].messages
    contents = [m["content"] for m in messages]
    assert "what does add do?" in contents and "add subtracts." in contents and contents[-1] == "sure?"
