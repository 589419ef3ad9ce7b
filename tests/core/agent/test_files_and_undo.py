from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.agent.edits.files import atomic_write
from app.core.errors import EnclaveError
from tests.core.agent.helpers import CALC, call, run_turn

FIX = "calc.py\n```python\ndef add(a, b):\n    return a + b\n```\n" + call("edit", path="calc.py")
FIX_SUB = "calc.py\n```python\ndef sub(a, b):\n    return a - b - 0\n```\n" + call("edit", path="calc.py")
NEW = "notes/todo.txt\n```\nbuy milk\n```\n" + call("write", path="notes/todo.txt")


def test_a_failed_rename_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.py"
    target.write_text("old\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(EnclaveError, match="No space left"):
        atomic_write(target, b"new\n")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_atomic_write_keeps_permission_bits(tmp_path: Path) -> None:
    target = tmp_path / "run.sh"
    target.write_text("#!/bin/sh\n")
    target.chmod(0o755)
    atomic_write(target, b"#!/bin/sh\necho hi\n")
    assert target.stat().st_mode & 0o777 == 0o755
    assert target.read_text() == "#!/bin/sh\necho hi\n"


def test_crlf_and_bom_are_kept(project: Path) -> None:
    (project / "calc.py").write_bytes(b"\xef\xbb\xbf" + CALC.replace("\n", "\r\n").encode())
    run_turn(project, [FIX, "done"])
    data = (project / "calc.py").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"return a + b\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_undo_reverts_edits_newest_first(project: Path) -> None:
    run = run_turn(project, [FIX, FIX_SUB, NEW, "done"])
    agent = run.agent
    assert (project / "notes" / "todo.txt").read_text() == "buy milk\n"
    assert agent.undo() == "notes/todo.txt"
    assert not (project / "notes" / "todo.txt").exists()
    assert agent.undo() == "calc.py"
    assert "return a - b - 0" not in (project / "calc.py").read_text()
    assert "return a + b" in (project / "calc.py").read_text()
    assert agent.undo() == "calc.py"
    assert (project / "calc.py").read_text() == CALC
    assert agent.undo() is None


def test_undo_updates_the_index(project: Path) -> None:
    run = run_turn(
        project,
        [NEW.replace("notes/todo.txt", "extra.py").replace("buy milk", "def extra():\n    pass"), "done"],
    )
    assert "extra.py" in run.agent.index.files()
    run.agent.undo()
    assert "extra.py" not in run.agent.index.files()
