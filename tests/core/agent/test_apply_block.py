"""Session.propose_from_block: a chat code block becomes a proposed edit through the agent's own route."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.agent import Permissions, Rule
from app.core.agent.edits.blocks import block_of, fence_path, find_blocks
from app.core.agent.events import EditProposed, EditResolved, Event
from app.core.agent.index_adapter import IndexAdapter
from app.core.cancel import CancelToken
from app.core.errors import ToolError
from app.core.index import ProjectIndex
from app.core.session import Session
from tests.core.agent.helpers import CALC

FIXED_ADD = "def add(a, b):\n    return a + b\n"


def run(session: Session, job_of, *, answer: str = "once", hunks=None) -> list[Event]:
    events: list[Event] = []
    for event in job_of(None, CancelToken()):  # no model is loaded
        slot = getattr(event, "reply", None)
        if slot is not None:
            slot.answer(answer, hunks=hunks)
        events.append(event)
    return events


def test_fence_path_follows_find_blocks() -> None:
    reply = (
        "Here:\n\ncalc.py\n```python\nx = 1\n```\n\n```python pkg/util.py\ny = 2\n```\n\n```\nplain\n```\n"
    )
    assert [b.path for b in find_blocks(reply)] == ["calc.py", "pkg/util.py"]
    lines = reply.split("\n")
    assert fence_path("python", lines[:3]) == "calc.py"
    assert fence_path("python pkg/util.py", lines[:8]) == "pkg/util.py"
    assert fence_path("", lines[:12]) == ""  # a blank line, then prose: no file named
    assert block_of("calc.py", "x = 1").code == "x = 1\n"


def test_a_whole_function_replaces_only_that_function_and_undo_restores(project: Path) -> None:
    session = Session(project)
    session.set_index(IndexAdapter(ProjectIndex.open(project)))
    events = run(session, session.propose_from_block(block_of("calc.py", FIXED_ADD), path="calc.py"))
    proposed = [e for e in events if isinstance(e, EditProposed)]
    assert len(proposed) == 1 and proposed[0].kind == "symbol" and proposed[0].reply is not None
    assert "+    return a + b" in proposed[0].diff
    resolved = [e for e in events if isinstance(e, EditResolved)]
    assert resolved and resolved[0].applied
    text = (project / "calc.py").read_text()
    assert "def add(a, b):\n    return a + b\n" in text
    assert "def sub(a, b):\n    return a - b\n" in text  # the rest of the file is untouched
    assert session.undo() == "calc.py"
    assert (project / "calc.py").read_text() == CALC


def test_a_rejected_block_writes_nothing(project: Path) -> None:
    session = Session(project)
    events = run(
        session, session.propose_from_block(block_of("calc.py", "x = 1"), path="calc.py"), answer="reject"
    )
    assert [e.applied for e in events if isinstance(e, EditResolved)] == [False]
    assert (project / "calc.py").read_text() == CALC
    assert session.undo() is None


def test_search_replace_and_a_deny_rule(project: Path) -> None:
    session = Session(project, permissions=Permissions([Rule("edit", "README.md", "deny")]))
    code = "<<<<<<< SEARCH\n    return 1\n=======\n    return 2\n>>>>>>> REPLACE"
    run(session, session.propose_from_block(block_of("pkg/util.py", code), path="pkg/util.py"))
    assert (project / "pkg" / "util.py").read_text() == "def helper():\n    return 2\n"
    with pytest.raises(ToolError, match="denied"):
        run(session, session.propose_from_block(block_of("README.md", "# x"), path="README.md"))
    with pytest.raises(ToolError):
        run(session, session.propose_from_block(block_of("../outside.py", "x = 1"), path="../outside.py"))
