"""`enclave --self-test`: every check passes on a working install, with no socket opened; a failing check fails it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import app.self_test as self_test


def test_the_self_test_passes_and_opens_no_socket(tmp_path: Path, demo_model: Path) -> None:
    strace = shutil.which("strace")
    if strace is None:
        pytest.fail("strace is missing: tests/run.sh installs it")
    trace = tmp_path / "trace.txt"
    done = subprocess.run(
        [strace, "-f", "-qq", "-e", "trace=socket,socketpair,connect,execve", "-o", str(trace),
         sys.executable, "-m", "app", "--self-test"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, report
    assert report["ok"] and len(report["checks"]) == 8
    calls = [line for line in trace.read_text().splitlines() if "socket(" in line or "connect(" in line]
    assert calls == []
    # strace really watched, children too: the app itself and the probe's child were exec'd under it.
    assert sum("execve(" in line for line in trace.read_text().splitlines()) >= 2


def test_a_failing_check_fails_the_self_test(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> str:
        raise RuntimeError("grammar wheel missing")

    for name in ("_shipped_files", "_index"):
        monkeypatch.setattr(self_test, name, lambda _scratch: "fine")
    for name in ("_model", "_window", "_no_network"):
        monkeypatch.setattr(self_test, name, lambda: "fine")
    monkeypatch.setattr(self_test, "_guard_first", lambda _early: "fine")  # this process imported Qt long ago
    monkeypatch.setattr(self_test, "_grammars", broken)
    assert self_test.main([]) == 1
    report = json.loads(capsys.readouterr().out)
    failed = [c for c in report["checks"] if not c["ok"]]
    assert [c["name"] for c in failed] == ["every grammar parses"]
    assert "grammar wheel missing" in failed[0]["detail"]
