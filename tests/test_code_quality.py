"""Lint, types and the architecture contract run with the tests, so CI enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tool(name: str) -> str:
    found = Path(sys.executable).with_name(name)
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        pytest.fail(f"{name} is not installed (it is in the `test` extra)")
    return which


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "app", "tests"],
        ["ruff", "format", "--check", "app", "tests"],
        ["mypy"],
        ["lint-imports"],
    ],
    ids=["ruff", "ruff-format", "mypy", "import-linter"],
)
def test_tool_passes(command: list[str]) -> None:
    proc = subprocess.run(
        [tool(command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_core_never_imports_qt_at_runtime() -> None:
    code = (
        "import sys, app.cli, app.core.runtime.local_model, app.core.settings; "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'app.ui'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_import_cycles() -> None:
    from tests.support.import_cycles import cycles, import_graph

    graph = import_graph(ROOT / "app")
    assert graph.get("app.core.session")  # the graph was really read
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    from tests.support.import_cycles import cycles

    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
