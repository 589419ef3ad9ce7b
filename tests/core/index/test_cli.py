from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import is_cli_invocation, run_cli
from app.core.index.walk import DEFAULT_MAX_FILES


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    assert run_cli(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_index_json(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (shop / ".env").write_text("TOKEN=1\n")
    report = run_json(capsys, "index", str(shop), "--json")
    assert isinstance(report, dict)
    assert report["files_seen"] == 7
    assert report["files_parsed"] == 5
    assert report["skipped"] == {"secret": 1}
    assert report["languages"] == {"python": 5}
    assert report["symbols"] > 10
    assert report["seconds"] >= 0


def test_a_folder_over_the_file_limit_is_cut_short_with_a_warning(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = run_json(capsys, "index", str(shop), "--json", "--max-files", "2")
    assert isinstance(report, dict)
    assert report["files_indexed"] == 2 and report["truncated"] is True and report["max_files"] == 2
    assert run_cli(["map", str(shop), "--max-files", "2"]) == 0
    err = capsys.readouterr().err
    assert "indexed only the first 2 files" in err and ".enclaveignore" in err


def test_symbols_json_for_one_file(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = run_json(capsys, "symbols", str(shop), "--file", "shop/pricing.py", "--json")
    assert rows == [{"file": "shop/pricing.py", "name": "apply_discount", "kind": "function", "line": 4}]


def test_symbols_unknown_file_is_one_line_error(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["symbols", str(shop), "--file", "nope.py", "--json"]) == 1
    assert capsys.readouterr().err.strip() == "enclave: not an indexed file: nope.py"


def test_map_with_budget_and_mention(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["map", str(shop), "--tokens", "40", "--mention", "retry_with_backoff"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("shop/retry.py:\n")
    assert len(out) <= 40 * 4 + 4


def test_context_json(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = run_json(capsys, "context", str(shop), "where is the retry logic?", "--top", "2", "--json")
    assert isinstance(rows, list) and len(rows) == 2
    assert rows[0]["file"] == "shop/retry.py"
    assert {"name": "retry_with_backoff", "kind": "function", "line": 5} in rows[0]["symbols"]


def test_commands_are_cli_invocations() -> None:
    for name in ("index", "symbols", "map", "context"):
        assert is_cli_invocation([name, "."])


def test_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["index", str(tmp_path / "nope"), "--json"]) == 1
    assert "not a folder" in capsys.readouterr().err


def test_building_the_command_line_does_not_load_the_index() -> None:
    # Every command (doctor, --help) builds the whole parser: it must stay cheap.
    code = (
        "import sys; from app.cli import build_parser; p = build_parser(); "
        "print('app.core.index.walk' in sys.modules, 'pathspec' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
    help_text = subprocess.run(
        [sys.executable, "-m", "app", "index", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert f"{DEFAULT_MAX_FILES:,}" in " ".join(help_text.split())
