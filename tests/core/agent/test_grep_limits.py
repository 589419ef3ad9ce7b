"""The grep tool on hostile patterns: bounded in time, and a cancel stops it mid-search."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from app.core.agent import Mode
from app.core.agent.confine import ProjectRoot
from app.core.agent.events import ToolCallFinished
from app.core.agent.index_adapter import IndexAdapter
from app.core.agent.tools.base import ToolContext
from app.core.agent.tools.files import GrepTool
from app.core.agent.tools.pattern import SEARCH_SECONDS
from app.core.cancel import CancelToken
from app.core.errors import Cancelled
from app.core.index import ProjectIndex
from tests.core.agent.helpers import call, run_turn


def test_a_catastrophic_pattern_is_an_error_for_the_model_not_a_hang(project: Path) -> None:
    # Backtracking doubles with each "a": 40 of them would take days with `re`.
    (project / "data.txt").write_text("a" * 40 + "!\n")
    started = time.monotonic()
    run = run_turn(project, [call("grep", pattern=r"(a|aa)+$"), "ok"], mode=Mode.PLAN)
    elapsed = time.monotonic() - started
    out = run.outputs[0]
    assert run.of(ToolCallFinished)[0].ok is False
    assert "the pattern took too long on data.txt:1" in out and "simplify it" in out
    assert elapsed < 10 * SEARCH_SECONDS + 5


def test_the_issue_pattern_returns_at_once(project: Path) -> None:
    # `(a+)+b` against 40 a's and "!" hung the old `re` search forever.
    (project / "data.txt").write_text("a" * 40 + "!\n")
    started = time.monotonic()
    out = run_turn(project, [call("grep", pattern=r"(a+)+b"), "ok"], mode=Mode.PLAN).outputs[0]
    assert out == "no matches for (a+)+b"
    assert time.monotonic() - started < 5


def test_normal_patterns_and_words_match_as_before(project: Path) -> None:
    (project / "notes.txt").write_text("alpha beta\ngamma (delta)\nTODO: x\n")
    replies = [call("grep", pattern="gamma (delta)"), call("grep", pattern=r"gamma \(delta\)"), "ok"]
    literal_looking, escaped = run_turn(project, replies, mode=Mode.PLAN).outputs
    # "(delta)" is a group, so the unescaped pattern matches "gamma delta", not this line.
    assert literal_looking == "no matches for gamma (delta)"
    assert escaped == "notes.txt:2: gamma (delta)"
    words = run_turn(project, [call("grep", pattern="TODO: x"), "ok"], mode=Mode.PLAN).outputs[0]
    assert words == "notes.txt:3: TODO: x"


def test_a_cancel_mid_grep_returns_promptly(project: Path) -> None:
    # Each line takes ~50 ms with this pattern (under the per-line limit): ~40 s in all.
    (project / "slow.txt").write_text(("a" * 24 + "!\n") * 800)
    index = IndexAdapter(ProjectIndex.open(project))
    cancel = CancelToken()
    ctx = ToolContext(ProjectRoot(project), index, None, None, cancel)  # type: ignore[arg-type]
    timer = threading.Timer(0.5, cancel.cancel)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(Cancelled):
            for _ in GrepTool().run({"pattern": r"(a|aa)+$"}, ctx):
                pass
    finally:
        timer.cancel()
    assert time.monotonic() - started < 0.5 + SEARCH_SECONDS + 0.5


def test_anchors_and_boundaries_match_per_line_as_with_the_whole_file_check(project: Path) -> None:
    (project / "lines.txt").write_text("first line\ndef a():\n    x = f(1)\nsub\n\nend (2)\n")
    replies = [
        call("grep", pattern=r"^def", include="*.txt"),
        call("grep", pattern=r"\)$", include="*.txt"),
        call("grep", pattern=r"^$", include="*.txt"),
        call("grep", pattern=r"\bsub\b", include="*.txt"),
        call("grep", pattern=r"line$(?!\n)", include="*.txt"),  # lookahead: no whole-file check
        "ok",
    ]
    anchored, closing, empty, word, lookahead = run_turn(project, replies, mode=Mode.PLAN).outputs
    assert anchored == "lines.txt:2: def a():"
    assert closing == "lines.txt:3: x = f(1)\nlines.txt:6: end (2)"
    assert empty == "lines.txt:5: "
    assert word == "lines.txt:4: sub"
    assert lookahead == "lines.txt:1: first line"
