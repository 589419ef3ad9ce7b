"""Per-hunk review: only the hunks the user accepted are written, and the model is told which."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from app.core.agent import Agent, AgentOptions, Mode, ScriptedModel, TurnRequest
from app.core.agent.edits.files import unified_diff
from app.core.agent.edits.hunks import apply_hunks, hunk_count, split_hunks
from app.core.agent.events import EditProposed, EditResolved, Event, ToolCallFinished
from app.core.cancel import CancelToken
from tests.core.agent.helpers import CALC, agent_for, call

OLD = "".join(f"line {i}\n" for i in range(1, 31))
# Three changes far enough apart (more than 2 x 3 context lines) to make three hunks.
NEW = (
    OLD.replace("line 2\n", "line two\n").replace("line 15\n", "line 15\nline 15b\n").replace("line 29\n", "")
)


def _changed_lines(old: str, new: str) -> set[str]:
    diff = unified_diff(old, new, path="f")
    return {ln for ln in diff.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))}


def test_split_hunks_matches_the_reviewed_diff() -> None:
    header, hunks = split_hunks(unified_diff(OLD, NEW, path="f.txt"))
    assert header == "--- a/f.txt\n+++ b/f.txt\n"
    assert len(hunks) == hunk_count(OLD, NEW) == 3
    assert all(h.startswith("@@ ") for h in hunks)
    assert "+line two" in hunks[0] and "+line 15b" in hunks[1] and "-line 29" in hunks[2]


@pytest.mark.parametrize("chosen", [c for n in range(4) for c in itertools.combinations(range(3), n)])
def test_applying_a_subset_makes_exactly_those_changes(chosen: tuple[int, ...]) -> None:
    result = apply_hunks(OLD, NEW, chosen)
    _header, hunks = split_hunks(unified_diff(OLD, NEW, path="f"))
    expected = {ln for i in chosen for ln in hunks[i].splitlines()[1:] if ln[:1] in "+-"}
    assert _changed_lines(OLD, result) == expected
    if len(chosen) == 3:
        assert result == NEW
    if not chosen:
        assert result == OLD


def test_unknown_hunk_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="no hunk 4"):
        apply_hunks(OLD, NEW, [3])


def test_hunks_of_a_file_without_a_final_newline() -> None:
    body = "".join(f"l{i}\n" for i in range(2, 11))
    old, new = "l1\n" + body + "end", "L1\n" + body + "END"
    assert hunk_count(old, new) == 2
    assert apply_hunks(old, new, [1]) == "l1\n" + body + "END"
    assert apply_hunks(old, new, [0]) == "L1\n" + body + "end"


def _turn(agent: Agent, answer: dict[str, object]) -> list[Event]:
    events: list[Event] = []
    for event in agent.run_turn(TurnRequest("change it", mode=Mode.BUILD), cancel=CancelToken()):
        if isinstance(event, EditProposed) and event.reply is not None:
            event.reply.answer("once", **answer)  # type: ignore[arg-type]
        events.append(event)
    return events


def _agent(project: Path, replies: list[str]) -> Agent:
    return agent_for(project, ScriptedModel(replies), options=AgentOptions(sandbox=True))


# calc.py with its first line and its last line changed: two hunks.
EDITED = CALC.replace("import math\n", "import math as m\n").replace(
    "def sub(a, b):\n    return a - b\n", "def sub(a, b):\n    return a - b - 0\n"
)
WRITE = f"calc.py\n```python\n{EDITED}```\n" + call("write", path="calc.py")


def test_the_agent_writes_only_the_accepted_hunk_and_tells_the_model(project: Path) -> None:
    agent = _agent(project, [WRITE, "done"])
    events = _turn(agent, {"hunks": [1]})

    proposed = next(e for e in events if isinstance(e, EditProposed))
    assert len(split_hunks(proposed.diff)[1]) == 2
    text = (project / "calc.py").read_text()
    assert text.startswith("import math\n") and text.endswith("return a - b - 0\n")
    resolved = next(e for e in events if isinstance(e, EditResolved))
    assert resolved.applied and resolved.reason == "the user accepted 1 of 2 hunks"
    output = next(e for e in events if isinstance(e, ToolCallFinished)).output
    assert "applied part of the edit to calc.py" in output
    assert "hunk 1 (@@ -1,4 +1,4 @@) was rejected" in output
    # The model's next step saw exactly that report.
    assert isinstance(agent.model, ScriptedModel)
    tool_messages = [m for m in agent.model.calls[-1].messages if m.get("role") == "tool"]
    assert tool_messages[-1]["content"] == output
    # Undo puts the original back.
    assert agent.undo() == "calc.py"
    assert (project / "calc.py").read_text() == CALC


def test_accepting_every_hunk_is_the_whole_edit(project: Path) -> None:
    events = _turn(_agent(project, [WRITE, "done"]), {"hunks": [0, 1]})
    assert (project / "calc.py").read_text() == EDITED
    output = next(e for e in events if isinstance(e, ToolCallFinished)).output
    assert output.startswith("applied the edit to calc.py")


def test_accepting_no_hunk_is_a_rejection(project: Path) -> None:
    events = _turn(_agent(project, [WRITE, "done"]), {"hunks": []})
    assert (project / "calc.py").read_text() == CALC
    assert next(e for e in events if isinstance(e, EditResolved)).applied is False
    assert "rejected the edit" in next(e for e in events if isinstance(e, ToolCallFinished)).output
