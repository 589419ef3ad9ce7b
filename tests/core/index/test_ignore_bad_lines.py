"""A bad ignore line is skipped on its own: the file's other rules still hide their files."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.index import ProjectIndex, is_indexable, walk
from tests.core.index.conftest import write_tree

# Each of these made pathspec reject the whole file, so `private/` was indexed.
BAD_LINES = ["[z-a]", "\\", "!"]


def paths(root: Path) -> list[str]:
    return sorted(e.path for e in walk(root))


@pytest.mark.parametrize("bad", BAD_LINES)
def test_a_bad_gitignore_line_skips_only_that_line(
    tmp_path: Path, bad: str, caplog: pytest.LogCaptureFixture
) -> None:
    root = write_tree(
        tmp_path,
        {
            ".gitignore": f"*.log\n{bad}\nprivate/\n",
            "a.py": "x = 1\n",
            "debug.log": "x",
            "private/notes.py": "SECRET_PLAN = 1\n",
        },
    )
    with caplog.at_level(logging.WARNING, logger="app.core.index.ignore"):
        assert paths(root) == [".gitignore", "a.py"]
    assert not is_indexable(root, "private/notes.py")
    assert [r.getMessage() for r in caplog.records] == [
        "ignore rule skipped: .gitignore:2 is not a valid pattern; the file's other rules apply"
    ]


def test_nested_gitignore_and_enclaveignore_name_their_own_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = write_tree(
        tmp_path,
        {
            ".enclaveignore": "# local\n!\ndrafts/\n",
            "pkg/.gitignore": "keep.py\n\n[z-a]\nprivate/\n",
            "pkg/mod.py": "x",
            "pkg/private/notes.py": "x",
            "drafts/plan.py": "x",
            ".git/info/exclude": "[z-a]\nscratch.py\n",
            "scratch.py": "x",
        },
    )
    with caplog.at_level(logging.WARNING, logger="app.core.index.ignore"):
        assert paths(root) == [".enclaveignore", "pkg/.gitignore", "pkg/mod.py"]
    messages = " | ".join(r.getMessage() for r in caplog.records)
    assert ".enclaveignore:2 " in messages and "pkg/.gitignore:3 " in messages
    assert ".git/info/exclude:1 " in messages
    # The line's text is the project's content: the log names the place only.
    assert "[z-a]" not in messages


def test_a_bad_extra_pattern_from_settings_keeps_the_others(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": "x", "gen/out.py": "x"})
    assert paths(root) == ["a.py", "gen/out.py"]
    assert [e.path for e in walk(root, extra_ignores=("[z-a]", "gen/"))] == ["a.py"]


def test_the_index_never_holds_the_ignored_file(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            ".gitignore": "private/\n[z-a]\n",
            "a.py": "def f():\n    pass\n",
            "private/notes.py": "def plan(): ...",
        },
    )
    index = ProjectIndex.open(root, workers=1)
    assert "private/notes.py" not in index.files()
    assert "private/notes.py" not in index.repo_map(tokens=500)


def test_the_cli_warns_with_file_and_line(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {".gitignore": "\n\n[z-a]\nprivate/\n", "private/notes.py": "x = 1\n"})
    proc = subprocess.run(
        [sys.executable, "-m", "app", "index", str(root), "--json", "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files_indexed"] == 1  # .gitignore only
    assert ".gitignore:3 is not a valid pattern" in proc.stderr


def test_an_odd_folder_name_in_the_warning_is_quoted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = write_tree(tmp_path, {"e\x1b[31m/.gitignore": "[z-a]\n", "e\x1b[31m/a.py": "x"})
    with caplog.at_level(logging.WARNING, logger="app.core.index.ignore"):
        paths(root)
    (message,) = [r.getMessage() for r in caplog.records]
    assert "\x1b" not in message and '"e\\u001b[31m/.gitignore":1 ' in message
