from __future__ import annotations

from pathlib import Path

from app.core.agent import AgentOptions, Mode, Permissions
from app.core.agent.events import PermissionRequest, ToolCallFinished, TurnDone
from app.core.agent.tools.base import Limits
from tests.core.agent.helpers import call, run_turn


def test_read_numbers_lines_and_the_result_goes_back_to_the_model(project: Path) -> None:
    run = run_turn(project, [call("read", path="calc.py"), "add subtracts."], mode=Mode.PLAN)
    out = run.outputs[0]
    assert "4: def add(a, b):" in out and "5:     return a - b" in out
    # The second model call saw the tool result in its messages.
    assert run.model.calls[-1].messages[-1] == {"role": "tool", "content": out}
    assert (
        isinstance(run.done, TurnDone) and run.done.reason == "answered" and run.done.text == "add subtracts."
    )


def test_read_pages_long_files_with_a_hint(project: Path) -> None:
    (project / "long.txt").write_text("".join(f"line {i}\n" for i in range(1, 1001)))
    options = AgentOptions(limits=Limits(read_lines=100))
    run = run_turn(
        project,
        [call("read", path="long.txt"), call("read", path="long.txt", offset=101), "ok"],
        options=options,
        mode=Mode.PLAN,
    )
    first, second = run.outputs
    assert "100: line 100" in first and "101: line 101" not in first
    assert "call read with offset=101" in first
    assert second.splitlines()[1] == "101: line 101"


def test_read_caps_bytes_and_long_lines(project: Path) -> None:
    (project / "wide.txt").write_text(("x" * 5000 + "\n") * 50)
    options = AgentOptions(limits=Limits(read_bytes=3000, line_chars=400))
    out = run_turn(project, [call("read", path="wide.txt"), "ok"], options=options, mode=Mode.PLAN).outputs[0]
    assert "more characters" in out
    assert len(out) < 4000
    assert "offset=" in out


def test_binary_files_are_refused(project: Path) -> None:
    (project / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)))
    run = run_turn(project, [call("read", path="logo.png"), "ok"], mode=Mode.PLAN)
    assert run.of(ToolCallFinished)[0].ok is False
    assert "binary file" in run.outputs[0]


def test_missing_file_suggests_the_real_path(project: Path) -> None:
    out = run_turn(project, [call("read", path="util.py"), "ok"], mode=Mode.PLAN).outputs[0]
    assert "no such file" in out and "pkg/util.py" in out


def test_secret_files_need_approval(project: Path) -> None:
    (project / ".env").write_text("API_KEY=hunter2\n")
    refused = run_turn(project, [call("read", path=".env"), "ok"], mode=Mode.PLAN, answer="reject")
    assert len(refused.of(PermissionRequest)) == 1
    assert "hunter2" not in refused.outputs[0]
    granted = run_turn(project, [call("read", path=".env"), "ok"], mode=Mode.PLAN, answer="once")
    assert "API_KEY=hunter2" in granted.outputs[0]


def test_secret_always_lasts_for_the_agent(project: Path) -> None:
    (project / ".env").write_text("API_KEY=hunter2\n")
    first = run_turn(project, [call("read", path=".env"), "ok"], mode=Mode.PLAN, answer="always")
    second = run_turn(
        project, [call("read", path=".env"), "ok"], mode=Mode.PLAN, agent=first.agent, answer="reject"
    )
    assert second.of(PermissionRequest) == []
    assert "hunter2" in second.outputs[0]


def test_a_blanket_allow_rule_still_asks_before_a_secret_file(project: Path) -> None:
    (project / ".env").write_text("API_KEY=hunter2\n")
    perms = Permissions.from_config({"*": "allow"})
    run = run_turn(
        project, [call("read", path=".env"), "ok"], mode=Mode.PLAN, permissions=perms, answer="reject"
    )
    assert [r.subject for r in run.of(PermissionRequest)] == [".env"]
    assert "hunter2" not in run.outputs[0]


def test_an_edit_of_a_secret_file_reads_nothing_before_approval(project: Path) -> None:
    # A SEARCH that does not match quotes the nearest lines back to the model: that would
    # show the secret, so the question comes before the file is opened.
    (project / ".env").write_text("DEBUG=0\nAPI_KEY=sk-live-1234567890\n")
    reply = ".env\n```\n<<<<<<< SEARCH\nAPI_KEY=sk-live-\n=======\nAPI_KEY=x\n>>>>>>> REPLACE\n```\n"
    run = run_turn(project, [reply + call("edit", path=".env"), "ok"], answer="reject")
    (request,) = run.of(PermissionRequest)
    assert request.subject == ".env" and "may hold secrets" in request.reason
    assert "1234567890" not in run.outputs[0]
    assert (project / ".env").read_text().endswith("sk-live-1234567890\n")


def test_read_and_grep_number_lines_alike(project: Path) -> None:
    # A BOM and a form feed: splitlines() would count the form feed as a line break.
    (project / "odd.py").write_bytes(b"\xef\xbb\xbfa = 0\n\x0c\nb = 1\n")
    run = run_turn(
        project, [call("read", path="odd.py"), call("grep", pattern="b = 1"), "ok"], mode=Mode.PLAN
    )
    read, grep = run.outputs
    assert "odd.py:3: b = 1" in grep
    assert "3" in read.split("b = 1")[0].splitlines()[-1]
    assert "\ufeff" not in read


def test_list_glob_and_grep(project: Path) -> None:
    (project / ".env").write_text("TOKEN=def add\n")
    replies = [
        call("list"),
        call("glob", pattern="**/*.py"),
        call("grep", pattern=r"def \w+", include="*.py"),
        "ok",
    ]
    listed, globbed, grepped = run_turn(project, replies, mode=Mode.PLAN).outputs
    assert listed.splitlines()[0] == "pkg/" and "calc.py" in listed
    assert set(globbed.splitlines()) == {"calc.py", "pkg/__init__.py", "pkg/util.py"}
    assert "calc.py:4: def add(a, b):" in grepped and "pkg/util.py:1: def helper():" in grepped
    assert ".env" not in grepped  # secret files are never searched


def test_grep_reports_a_bad_regex_to_the_model(project: Path) -> None:
    out = run_turn(project, [call("grep", pattern="(unclosed"), "ok"], mode=Mode.PLAN).outputs[0]
    assert out.startswith("error: invalid regular expression")


def test_symbols_map_and_context(project: Path) -> None:
    replies = [
        call("symbols", path="calc.py"),
        call("map"),
        call("context", question="where is add defined"),
        "ok",
    ]
    symbols, repo_map, context = run_turn(project, replies, mode=Mode.PLAN).outputs
    assert "4-5 function add" in symbols and "8-9 function sub" in symbols
    assert "calc.py" in repo_map
    assert context.splitlines()[0].startswith("calc.py")
