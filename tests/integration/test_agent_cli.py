"""`enclave ask` end to end with a scripted model (reproducible agent runs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import is_cli_invocation, run_cli

CALC = "def add(a, b):\n    return a - b\n"


def write_script(path: Path, replies: list[str]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in replies))
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "calc.py").write_text(CALC)
    return root


@pytest.fixture
def script(tmp_path: Path) -> Path:
    fix = (
        "calc.py\n```python\ndef add(a, b):\n    return a + b\n```\n"
        '<tool_call>\n{"name": "edit", "arguments": {"path": "calc.py"}}\n</tool_call>'
    )
    run = '<tool_call>\n{"name": "run", "arguments": {"command": "echo ran > ran.txt"}}\n</tool_call>'
    return write_script(tmp_path / "s.jsonl", [fix, run, "Fixed add."])


def test_ask_is_a_cli_command() -> None:
    assert is_cli_invocation(["ask", ".", "hi"])


def test_without_yes_requests_are_refused(
    project: Path, script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(
        ["ask", str(project), "fix add", "--mode", "build", "--model", f"script:{script}", "--json"]
    )
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert (project / "calc.py").read_text() == CALC
    assert not (project / "ran.txt").exists()
    proposed = next(r for r in records if r["type"] == "edit_proposed")
    assert proposed["answer"] == "reject" and "+    return a + b" in proposed["diff"]
    permission = next(r for r in records if r["type"] == "permission_request")
    assert permission["tool"] == "run" and permission["answer"] == "reject"
    assert records[-1]["type"] == "turn_done" and records[-1]["text"] == "Fixed add."


def test_with_yes_edits_apply_and_commands_run(
    project: Path, script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(
        ["ask", str(project), "fix add", "--mode", "build", "--model", f"script:{script}", "--yes"]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert (project / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert (project / "ran.txt").read_text() == "ran\n"
    assert "Fixed add." in captured.out and "+    return a + b" in captured.out
    assert "→ edit(path='calc.py')" in captured.err and "[answered: 3 steps" in captured.err


def test_plan_mode_from_the_cli_changes_nothing(
    project: Path, script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(["ask", str(project), "fix add", "--model", f"script:{script}", "--yes", "--json"])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (project / "calc.py").read_text() == CALC and not (project / "ran.txt").exists()
    outputs = [r["output"] for r in records if r["type"] == "tool_call_finished"]
    assert outputs and all("not available in Plan mode" in o for o in outputs)


def test_a_bad_script_is_one_readable_line(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    assert run_cli(["ask", str(project), "hi", "--model", f"script:{bad}"]) == 1
    assert "not JSON" in capsys.readouterr().err
