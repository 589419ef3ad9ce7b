from __future__ import annotations

import os
import socket
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from app.core.agent import AgentOptions, Permissions
from app.core.agent.events import PermissionRequest, ToolCallFinished
from app.core.agent.sandbox import bubblewrap, run_command, sandbox_state
from app.core.agent.tools.base import Limits
from app.core.cancel import CancelToken
from tests.core.agent.helpers import call, run_turn

PY = sys.executable

needs_bwrap = pytest.mark.skipif(bubblewrap() is None, reason=str(sandbox_state().problem))
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bubblewrap is Linux-only")


def test_run_reports_exit_code_and_output(project: Path) -> None:
    run = run_turn(project, [call("run", command="echo hello; exit 3"), "ok"])
    finished = run.of(ToolCallFinished)[0]
    assert finished.ok is False
    assert "exit code 3" in finished.output and "hello" in finished.output


def test_run_asks_and_a_refusal_runs_nothing(project: Path) -> None:
    run = run_turn(project, [call("run", command="touch made.txt"), "ok"], answer="reject")
    assert [r.tool for r in run.of(PermissionRequest)] == ["run"]
    assert not (project / "made.txt").exists()


@needs_bwrap  # unconfined, every run asks: see test_unconfined_runs_ask_every_time
def test_an_allow_rule_for_the_prefix_runs_without_asking(project: Path) -> None:
    perms = Permissions.from_config({"run": {"echo *": "allow"}})
    run = run_turn(
        project,
        [call("run", command="echo hi"), call("run", command="echo a && touch x"), "ok"],
        permissions=perms,
        answer="reject",
    )
    assert [r.subject for r in run.of(PermissionRequest)] == ["echo a && touch x"]
    assert not (project / "x").exists()


@needs_bwrap
def test_always_remembers_the_command_prefix(project: Path) -> None:
    run = run_turn(
        project, [call("run", command="echo one"), call("run", command="echo two"), "ok"], answer="always"
    )
    assert len(run.of(PermissionRequest)) == 1
    assert run.of(PermissionRequest)[0].always_pattern == "echo *"


def test_run_has_no_stdin_and_a_timeout(project: Path) -> None:
    options = AgentOptions(limits=Limits(run_timeout_s=1.0))
    run = run_turn(
        project,
        [call("run", command="cat; echo after-cat"), call("run", command="sleep 30"), "ok"],
        options=options,
    )
    first, second = run.outputs
    assert "exit code 0" in first and "after-cat" in first
    assert "timeout" in second


def test_the_model_sees_only_the_tail_of_long_output(project: Path) -> None:
    options = AgentOptions(limits=Limits(run_tail_chars=500))
    cmd = f"{PY} -c \"print('FIRST' + '-LINE'); [print('line', i) for i in range(5000)]; print('LAST' + '-LINE')\""
    out = run_turn(project, [call("run", command=cmd), "ok"], options=options).outputs[0]
    assert out.endswith("LAST-LINE") and "FIRST-LINE" not in out
    assert "last 500 of" in out


def test_cancel_stops_a_running_command(project: Path) -> None:
    token = CancelToken()
    token.cancel()
    outcome = run_command("sleep 30", root=project, timeout_s=60, tail_chars=100, cancel=token)
    assert outcome.cancelled and outcome.exit_code is None


@linux_only
def test_a_bwrap_that_cannot_run_here_is_reported_not_used(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Installed but without user namespaces (containers, Ubuntu 24.04's AppArmor policy):
    # every sandboxed command would fail, so Enclave says why and runs them unconfined.
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake = fake_bin / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_bin}:/usr/bin:/bin")
    state = sandbox_state()
    assert state.bwrap is None
    assert state.problem == "bubblewrap cannot run here: bwrap: setting up uid map: Permission denied"
    run = run_turn(project, [call("run", command="echo still-runs"), "ok"])
    (request,) = run.of(PermissionRequest)
    assert request.reason.endswith(
        "Not sandboxed: bubblewrap cannot run here: bwrap: setting up uid map: Permission denied."
    )
    finished = run.of(ToolCallFinished)[0]
    assert finished.ok and finished.sandboxed is False and "still-runs" in finished.output


@linux_only
def test_no_bwrap_at_all_says_how_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert sandbox_state().problem == "bubblewrap is not installed (apt install bubblewrap)"


@needs_bwrap
def test_sandbox_blocks_network_and_writes_outside_the_project(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    # A server on the host's loopback: the sandbox has its own network namespace, so it
    # cannot reach it (and nothing here ever leaves the machine).
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    net = f"{PY} -c \"import socket; s=socket.create_connection(('127.0.0.1', {port}), timeout=2); print('REACHED' + '-HOST')\""
    replies = [
        call("run", command=f"touch inside.txt && touch {outside}"),
        call("run", command=net),
        "ok",
    ]
    try:
        run = run_turn(project, replies, answer="always")
    finally:
        server.close()
    write, network = run.of(ToolCallFinished)
    requests = run.of(PermissionRequest)
    assert requests and all(
        r.reason.endswith(
            "sandboxed: it sees the system folders read-only and this project (.git read-only, secret "
            "files hidden); no network, no home folder, no other projects; writes only in the project."
        )
        for r in requests
    )
    assert write.sandboxed is True and network.sandboxed is True
    assert (project / "inside.txt").exists()
    assert not outside.exists()
    assert "REACHED-HOST" not in network.output and network.ok is False


def test_without_the_sandbox_the_event_says_so(project: Path) -> None:
    run = run_turn(project, [call("run", command="echo hi"), "ok"], options=AgentOptions(sandbox=False))
    finished = run.of(ToolCallFinished)[0]
    assert finished.sandboxed is False and "not sandboxed" in finished.output


@needs_bwrap
def test_sandbox_sees_tools_on_path_under_tmp_and_gets_a_private_temp_dir(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A toolchain under /tmp (CI checkouts often live there) stays usable when it is on PATH,
    # read-only; what lies next to it does not. Temp files go to a private /tmp, removed after.
    tool_dir = tmp_path / "toolchain"
    tool_dir.mkdir()
    tool = tool_dir / "hello-tool"
    tool.write_text("#!/bin/sh\necho TOOL-RAN\n")
    tool.chmod(0o755)
    (tmp_path / "next-to-it.txt").write_text("NEIGHBOUR\n")
    monkeypatch.setenv("PATH", f"{tool_dir}{os.pathsep}{os.environ['PATH']}")
    scratch = f"enclave-scratch-{uuid.uuid4().hex}.txt"
    command = (
        f'hello-tool && echo scratch > "$TMPDIR/{scratch}" && cat "$TMPDIR/{scratch}" && echo "$TMPDIR"; '
        f"cat {tmp_path}/next-to-it.txt"
    )
    outcome = run_command(command, root=project, timeout_s=30, tail_chars=2000, cancel=CancelToken())
    assert outcome.sandboxed, outcome.output
    assert outcome.output.split()[:3] == ["TOOL-RAN", "scratch", "/tmp"]
    assert "NEIGHBOUR" not in outcome.output and outcome.exit_code != 0
    assert not (Path(tempfile.gettempdir()) / scratch).exists()
    denied = run_command(
        f"touch {tool_dir}/new", root=project, timeout_s=30, tail_chars=2000, cancel=CancelToken()
    )
    assert denied.exit_code != 0 and not (tool_dir / "new").exists()


@linux_only
def test_unconfined_runs_ask_every_time(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No bubblewrap: neither an allow rule, nor "always", nor auto-accept stands in for the
    # user's answer, because the command can do whatever the user can.
    monkeypatch.setenv("PATH", str(tmp_path))
    perms = Permissions.from_config({"run": {"echo *": "allow"}})
    replies = [call("run", command="echo one"), call("run", command="echo two"), "ok"]
    run = run_turn(
        project, replies, permissions=perms, answer="always", options=AgentOptions(auto_accept=True)
    )
    requests = run.of(PermissionRequest)
    assert [r.subject for r in requests] == ["echo one", "echo two"]
    assert all("unconfined" in r.reason and "Not sandboxed: bubblewrap is not installed" in r.reason
               for r in requests)  # fmt: skip
    first, second = run.of(ToolCallFinished)
    assert first.ok and second.ok and first.sandboxed is False and "two" in second.output


@linux_only
def test_a_deny_rule_refuses_an_unconfined_run_without_asking(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    perms = Permissions.from_config({"run": {"rm *": "deny"}})
    run = run_turn(project, [call("run", command="echo a && rm -r pkg"), "ok"], permissions=perms)
    assert run.of(PermissionRequest) == []
    assert (project / "pkg").is_dir() and run.of(ToolCallFinished)[0].ok is False


@pytest.mark.parametrize("sandbox", [True, False], ids=["sandboxed-if-possible", "unconfined"])
def test_only_allowed_and_named_variables_reach_the_command(
    project: Path, monkeypatch: pytest.MonkeyPatch, *, sandbox: bool
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://user:hunter2@db/prod")
    monkeypatch.setenv("ENCLAVE_TEST_NAMED", "named-value")
    monkeypatch.setenv("LC_ENCLAVE_TEST", "locale-value")
    options = AgentOptions(sandbox=sandbox, run_env=("ENCLAVE_TEST_*",))
    run = run_turn(project, [call("run", command="env"), "ok"], options=options)
    out = run.of(ToolCallFinished)[0].output
    assert "ENCLAVE_TEST_NAMED=named-value" in out and "LC_ENCLAVE_TEST=locale-value" in out
    assert "hunter2" not in out and "DATABASE_URL" not in out
    assert "PATH=" in out and "TERM=dumb" in out
