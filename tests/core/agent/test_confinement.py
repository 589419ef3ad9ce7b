from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.agent import Mode
from app.core.agent.events import EditProposed, ToolCallFinished
from tests.core.agent.helpers import call, run_turn

HOSTILE = [
    "../outside.txt",
    "../../etc/passwd",
    "pkg/../../outside.txt",
    "/etc/passwd",
    "~/.bashrc",
    "..\\outside.txt",
    "pkg/escape_link/outside.txt",
    "escape_file",
    "pkg/escape_link",
]


@pytest.fixture
def hostile_project(project: Path) -> Path:
    outside = project.parent / "outside.txt"
    outside.write_text("SECRET OUTSIDE\n")
    os.symlink(project.parent, project / "pkg" / "escape_link")
    os.symlink(outside, project / "escape_file")
    os.symlink(project / "calc.py", project / "inside_link.py")
    return project


@pytest.mark.parametrize("path", HOSTILE)
def test_reads_outside_the_project_are_refused(hostile_project: Path, path: str) -> None:
    run = run_turn(hostile_project, [call("read", path=path), "ok"], mode=Mode.PLAN)
    finished = run.of(ToolCallFinished)[0]
    assert finished.ok is False
    assert "SECRET OUTSIDE" not in finished.output
    assert "root:" not in finished.output
    assert finished.output.startswith("error:")


@pytest.mark.parametrize("path", HOSTILE)
def test_writes_outside_the_project_are_refused(hostile_project: Path, path: str) -> None:
    reply = f"{path}\n```\npwned\n```\n" + call("write", path=path)
    run = run_turn(hostile_project, [reply, "ok"])
    assert run.of(EditProposed) == []
    assert run.of(ToolCallFinished)[0].ok is False
    assert (hostile_project.parent / "outside.txt").read_text() == "SECRET OUTSIDE\n"


def test_absolute_path_inside_the_root_and_inner_symlinks_work(hostile_project: Path) -> None:
    replies = [
        call("read", path=str(hostile_project / "calc.py")),
        call("read", path="inside_link.py"),
        call("read", path="pkg/../calc.py"),
        "ok",
    ]
    run = run_turn(hostile_project, replies, mode=Mode.PLAN)
    assert all(f.ok for f in run.of(ToolCallFinished))


def test_the_git_folder_is_not_written(project: Path) -> None:
    (project / ".git").mkdir()
    run = run_turn(project, [".git/config\n```\n[core]\n```\n" + call("write", path=".git/config"), "ok"])
    assert not (project / ".git" / "config").exists()
    assert ".git folder" in run.outputs[0]
