"""Run a shell command in the project folder: no stdin, a timeout, a bounded output tail.

On Linux with bubblewrap installed the command runs with no network and a read-only view
of the system; only the project folder and a private temp folder (its TMPDIR, removed
afterwards) can be written. /tmp itself stays visible read-only rather than replaced by an
empty tmpfs, so a virtualenv or toolchain that lives under /tmp still runs.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from app.core.events import CancelToken


@dataclass(frozen=True)
class RunOutcome:
    """How a command ended."""

    exit_code: int | None  # None: killed (timeout or cancel)
    output: str  # stdout and stderr merged, the tail only
    total_chars: int
    timed_out: bool
    cancelled: bool
    sandboxed: bool
    elapsed_s: float


@dataclass(frozen=True)
class SandboxState:
    """Whether commands can be confined here: the bwrap binary that works, or why none does."""

    bwrap: str | None
    problem: str | None  # None when `bwrap` works


def sandbox_state() -> SandboxState:
    """Probe bubblewrap (once per binary): installed is not enough, it must run here.

    bwrap needs unprivileged user namespaces, which containers and some distributions
    (Ubuntu 24.04's AppArmor policy) turn off; it then fails every command it starts.
    """
    if not sys.platform.startswith("linux"):
        return SandboxState(None, "bubblewrap exists on Linux only")
    found = shutil.which("bwrap")
    if found is None:
        return SandboxState(None, "bubblewrap is not installed (apt install bubblewrap)")
    return _probe(found)


@functools.lru_cache(maxsize=4)
def _probe(bwrap: str) -> SandboxState:
    scratch = Path(tempfile.gettempdir())
    probe = sandbox_argv(bwrap, scratch, ["/bin/true"], private_tmp=scratch)
    try:
        done = subprocess.run(probe, stdin=subprocess.DEVNULL, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return SandboxState(None, f"bubblewrap does not start: {type(exc).__name__}")
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
            f"exit {done.returncode}"
        ]
        return SandboxState(None, f"bubblewrap cannot run here: {reason[0][:200]}")
    return SandboxState(bwrap, None)


def bubblewrap() -> str | None:
    """The bwrap binary when it can confine commands here (Linux, user namespaces allowed)."""
    return sandbox_state().bwrap


def sandbox_argv(bwrap: str, root: Path, shell_argv: list[str], *, private_tmp: Path) -> list[str]:
    """Bwrap arguments: read-only system, writable project and private temp dir, no network."""
    root_s, tmp_s = str(root), str(private_tmp)
    return [
        bwrap,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--bind", tmp_s, tmp_s,
        "--setenv", "TMPDIR", tmp_s,
        "--bind", root_s, root_s,
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--new-session",
        "--die-with-parent",
        "--chdir", root_s,
        "--setenv", "HOME", root_s,
        "--",
        *shell_argv,
    ]  # fmt: skip


def run_command(
    command: str, *, root: Path, timeout_s: float, tail_chars: int, cancel: CancelToken, sandbox: bool = True
) -> RunOutcome:
    """Run `command` with `sh -c` in `root`; kill the whole process group on timeout or cancel."""
    shell = ["/bin/sh", "-c", command] if os.name != "nt" else ["cmd", "/c", command]
    bw = bubblewrap() if sandbox else None
    private_tmp = Path(tempfile.mkdtemp(prefix="enclave-run-")) if bw else None
    try:
        argv = sandbox_argv(bw, root, shell, private_tmp=private_tmp) if bw and private_tmp else shell
        return _run(
            argv,
            root=root,
            timeout_s=timeout_s,
            tail_chars=tail_chars,
            cancel=cancel,
            sandboxed=bw is not None,
        )
    finally:
        if private_tmp is not None:
            shutil.rmtree(private_tmp, ignore_errors=True)


def _run(
    argv: list[str], *, root: Path, timeout_s: float, tail_chars: int, cancel: CancelToken, sandboxed: bool
) -> RunOutcome:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_TOKEN", "_KEY", "_SECRET", "PASSWORD"))}
    env.update({"PAGER": "cat", "GIT_PAGER": "cat", "TERM": "dumb", "CI": "1", "NO_COLOR": "1"})
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            argv,
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=os.name != "nt",
        )
        timed_out = cancelled = False
        deadline = started + timeout_s
        while True:
            try:
                proc.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                pass
            if cancel.cancelled:
                cancelled = True
            elif time.perf_counter() > deadline:
                timed_out = True
            if cancelled or timed_out:
                _kill(proc)
                break
        size = out.seek(0, os.SEEK_END)
        out.seek(max(0, size - tail_chars * 4))
        text = out.read().decode("utf-8", errors="replace")
    tail = text[-tail_chars:]
    return RunOutcome(
        exit_code=None if (timed_out or cancelled) else proc.returncode,
        output=tail,
        total_chars=size,
        timed_out=timed_out,
        cancelled=cancelled,
        sandboxed=sandboxed,
        elapsed_s=time.perf_counter() - started,
    )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if os.name != "nt":
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        timer = threading.Timer(2.0, lambda: _killpg(proc.pid))
        timer.start()
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            _killpg(proc.pid)
            proc.wait()
        finally:
            timer.cancel()
    else:
        proc.kill()
        proc.wait()


def _killpg(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
