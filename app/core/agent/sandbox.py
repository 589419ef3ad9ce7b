"""Run a shell command in the project folder: no stdin, a timeout, a bounded output tail.

On Linux with bubblewrap the command is confined: it sees the system folders read-only and
the project read-write with `.git` read-only; no network, no home folder, no other projects,
a private /tmp that is removed afterwards (`sandbox_binds` lists every mount). Sandboxed or
not, only allow-listed environment variables reach it.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.core.agent.sandbox_binds import SANDBOX_HOME, SANDBOX_TMP, sandbox_argv, toolchain_dirs
from app.core.cancel import CancelToken


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
    # The probe runs the very arguments a command gets, so a mount this machine refuses
    # turns the sandbox off here instead of failing every command.
    with tempfile.TemporaryDirectory(prefix="enclave-probe-") as scratch:
        root, private_tmp = Path(scratch, "project"), Path(scratch, "tmp")
        root.mkdir()
        (private_tmp / "home").mkdir(parents=True)
        toolchain = toolchain_dirs(root=root, environ=os.environ)
        probe = sandbox_argv(bwrap, root, ["/bin/true"], private_tmp=private_tmp, toolchain=toolchain)
        env = command_env(home=SANDBOX_HOME, tmpdir=SANDBOX_TMP)
        try:
            done = subprocess.run(
                probe, stdin=subprocess.DEVNULL, capture_output=True, timeout=10, check=False, env=env
            )
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


# What a command may see of the app's environment: locale, PATH and the user's name. Secrets
# the app was started with (DATABASE_URL, AWS_ACCESS_KEY_ID, GITHUB_PAT) are not listed, so
# they stay out unless the user names them. Windows needs its system variables for `cmd`.
ENV_ALLOW = ("PATH", "LANG", "LANGUAGE", "LC_*", "TZ", "USER", "LOGNAME", "SYSTEMROOT", "COMSPEC", "PATHEXT")
_ENV_FIXED = {"PAGER": "cat", "GIT_PAGER": "cat", "TERM": "dumb", "CI": "1", "NO_COLOR": "1"}


def command_env(*, home: str, tmpdir: str, allow: Sequence[str] = ()) -> dict[str, str]:
    """The environment of a command: `ENV_ALLOW` plus the names (or `*` patterns) in `allow`."""
    patterns = (*ENV_ALLOW, *allow)
    env = {k: v for k, v in os.environ.items() if any(fnmatch.fnmatchcase(k, p) for p in patterns)}
    env.update(_ENV_FIXED)
    env.update({"HOME": home, "TMPDIR": tmpdir})
    return env


def run_command(
    command: str,
    *,
    root: Path,
    timeout_s: float,
    tail_chars: int,
    cancel: CancelToken,
    sandbox: bool = True,
    env_allow: Sequence[str] = (),
) -> RunOutcome:
    """Run `command` with `sh -c` in `root`; kill the whole process group on timeout or cancel.

    `env_allow` names environment variables the command may see besides `ENV_ALLOW`.
    """
    shell = ["/bin/sh", "-c", command] if os.name != "nt" else ["cmd", "/c", command]
    bw = bubblewrap() if sandbox else None
    run = functools.partial(_run, root=root, timeout_s=timeout_s, tail_chars=tail_chars, cancel=cancel)
    if bw is None:
        home = os.environ.get("HOME") or str(Path.home())
        env = command_env(home=home, tmpdir=tempfile.gettempdir(), allow=env_allow)
        return run(shell, env=env, sandboxed=False)
    private_tmp = Path(tempfile.mkdtemp(prefix="enclave-run-"))
    try:
        # The command's HOME lives in its private /tmp: tools may write caches there, and
        # the real home (keys, tokens, other projects) is not in the sandbox at all.
        (private_tmp / "home").mkdir()
        toolchain = toolchain_dirs(root=root, environ=os.environ)
        argv = sandbox_argv(bw, root, shell, private_tmp=private_tmp, toolchain=toolchain)
        env = command_env(home=SANDBOX_HOME, tmpdir=SANDBOX_TMP, allow=env_allow)
        return run(argv, env=env, sandboxed=True)
    finally:
        shutil.rmtree(private_tmp, ignore_errors=True)


def _run(
    argv: list[str],
    *,
    env: dict[str, str],
    root: Path,
    timeout_s: float,
    tail_chars: int,
    cancel: CancelToken,
    sandboxed: bool,
) -> RunOutcome:
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
