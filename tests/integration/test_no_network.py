"""Proof that a whole headless session opens no network socket.

Checked from inside (the guard's ledger) and from outside (strace counting AF_INET/AF_INET6
sockets; a network namespace without any network). A deliberate connect must be refused
and must show up in the ledger and in `enclave doctor --json`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.privacy_session import REPO, AgentEdit, assert_session_ok, launch, session_steps

pytestmark = pytest.mark.integration

INET_SOCKET = re.compile(r"\bsocket\(AF_INET6?\b")
INET_ADDRESS = re.compile(r"\b(connect|bind|sendto|sendmsg)\(.*sa_family=AF_INET6?\b")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "net").mkdir(parents=True)
    (root / "net" / "retry.py").write_text(
        "def retry(fn, attempts=3):\n    for _ in range(attempts):\n        try:\n            return fn()\n"
        "        except OSError:\n            pass\n",
        encoding="utf-8",
    )
    (root / "README.md").write_text("# demo project\n", encoding="utf-8")
    return root


def _steps(project: Path, *, model: Path, workdir: Path) -> list[list[str]]:
    edit = AgentEdit("net/retry.py", "retry", "def retry(fn, attempts=5):\n    return fn()")
    return session_steps(project, prompt="Where is the retry logic?", model=model, edit=edit, workdir=workdir)


def _inet_operations(trace: str) -> list[str]:
    return [line for line in trace.splitlines() if INET_SOCKET.search(line) or INET_ADDRESS.search(line)]


def _strace(tmp_path: Path) -> str:
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed (apt-get install strace)")
    probe = subprocess.run(
        ["strace", "-f", "-o", str(tmp_path / "probe.txt"), "true"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        pytest.skip(f"strace cannot trace here: {probe.stderr.strip().splitlines()[-1:]}")
    return "strace"


def test_a_session_records_no_network_attempt_in_the_ledger(
    tmp_path: Path, project: Path, demo_model: Path
) -> None:
    steps = _steps(project, model=demo_model, workdir=tmp_path)
    proc, report = launch(steps, report=tmp_path / "report.json")

    assert proc.returncode == 0, proc.stderr
    assert_session_ok(steps, report["codes"], proc.stderr)
    assert report["guard_installed"] is True  # installed by `python -m app`'s entry point
    if any("script:" in arg for step in steps for arg in step):  # the agent's edit landed
        assert "attempts=5" in (project / "net" / "retry.py").read_text(encoding="utf-8")
    assert report["ledger"] == []
    assert report["refused"] == 0


def test_a_session_opens_no_inet_socket_seen_from_outside(
    tmp_path: Path, project: Path, demo_model: Path
) -> None:
    strace = _strace(tmp_path)
    # The counter itself must see a socket when there is one.
    control = tmp_path / "control.txt"
    subprocess.run(
        [
            strace,
            "-f",
            "-e",
            "trace=network",
            "-o",
            str(control),
            sys.executable,
            "-c",
            "import socket; socket.socket(socket.AF_INET6).close()",
        ],
        check=True,
        capture_output=True,
    )
    assert len(_inet_operations(control.read_text())) == 1

    trace = tmp_path / "session.txt"
    steps = _steps(project, model=demo_model, workdir=tmp_path)
    proc, report = launch(
        steps,
        report=tmp_path / "report.json",
        wrapper=[strace, "-f", "-e", "trace=network", "-o", str(trace)],
    )

    assert proc.returncode == 0, proc.stderr
    assert_session_ok(steps, report["codes"], proc.stderr)
    assert _inet_operations(trace.read_text()) == []


def _no_network_wrapper() -> list[str]:
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed (util-linux)")
    reasons = []
    for wrapper in (["unshare", "-n"], ["unshare", "-r", "-n"]):
        probe = subprocess.run([*wrapper, "true"], capture_output=True, text=True)
        if probe.returncode == 0:
            return wrapper
        reasons.append(f"{' '.join(wrapper)}: {probe.stderr.strip()}")
    pytest.skip("the kernel refuses a network namespace here: " + "; ".join(reasons))


def test_the_same_session_works_in_a_namespace_without_network(
    tmp_path: Path, project: Path, demo_model: Path
) -> None:
    wrapper = _no_network_wrapper()
    steps = _steps(project, model=demo_model, workdir=tmp_path)
    proc, report = launch(steps, report=tmp_path / "report.json", wrapper=wrapper)

    assert proc.returncode == 0, proc.stderr
    assert_session_ok(steps, report["codes"], proc.stderr)
    assert report["ledger"] == []


def test_a_deliberate_outbound_connect_is_refused_and_shows_in_doctor(tmp_path: Path) -> None:
    steps = [
        ["doctor", "--json"],
        ["@connect", "example.com", "443"],
        ["@connect-raw", "192.0.2.1", "80"],
        ["doctor", "--json"],
    ]
    proc, report = launch(steps, report=tmp_path / "report.json")

    assert proc.returncode == 0, proc.stderr
    assert report["codes"] == [0, "blocked", "blocked", 0]
    refused = [(e["operation"], e["target"], e["allowed"]) for e in report["ledger"]]
    assert refused == [("getaddrinfo", "example.com:443", False), ("connect", "192.0.2.1:80", False)]
    assert {e["module"] for e in report["ledger"]} == {"__main__"}  # the script that made the call

    decoder = json.JSONDecoder()
    first, end = decoder.raw_decode(proc.stdout)
    second, _ = decoder.raw_decode(proc.stdout[end:].lstrip())
    assert (first["network_guard"], first["refused_attempts"], first["ledger"]) == ("on", 0, [])
    assert second["network_guard"] == "on"
    assert second["refused_attempts"] == 2
    assert [e["target"] for e in second["ledger"]] == ["example.com:443", "192.0.2.1:80"]


def test_enclave_doctor_reports_the_guard_on() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "app", "doctor"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "network guard  on; 0 refused attempt(s)" in proc.stdout
