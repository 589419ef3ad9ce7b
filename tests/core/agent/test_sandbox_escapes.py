"""Ways out of the run sandbox, each tried for real through bubblewrap: none may work.

The escape table, `ATTEMPTS`, has 25 attempts:
  .git: 1 plant a pre-commit hook, 2 `git config core.fsmonitor`, 3 append to .git/config,
    4 replace the .git folder, 5 reopen a read-only .git/config through /proc/self/fd;
  host AF_UNIX sockets: 6 one under /tmp (where X11 keeps its), 7 one in $XDG_RUNTIME_DIR
    (D-Bus, Wayland), 8 the ssh-agent at $SSH_AUTH_SOCK, 9 an abstract socket (X11 has one);
  10 the host's files through /proc/1/root; 11 secrets in environment variables
    (DATABASE_URL, AWS_ACCESS_KEY_ID, GITHUB_PAT); 12 keys in the home folder; 13 a sibling
    project; 14 a symlink in the project pointing out; 15 a new symlink pointing out;
    16 a hard link to a file outside; 17 a secret file inside the project (.env);
  18 TIOCSTI into the user's terminal; 19 a background process that outlives the command;
    20 a setuid program gaining privileges (no_new_privs, capabilities);
  21 mounting over a read-only folder; 22 writing a system folder (as root too);
    23 writing a sysctl (root's owner bits would allow it in a fresh /proc);
    24 a nested user namespace to undo the mounts; 25 the host's loopback network.

Every attempt prints a marker before it tries, and the test checks the marker, so a sandbox
that fails to start the command cannot pass. Where the same attempt can be shown to work
without the sandbox, `test_without_the_sandbox_the_attempt_works` runs it unconfined against
the same fake targets, so each row of the table is able to fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.core.agent.sandbox import bubblewrap, run_command, sandbox_state
from app.core.cancel import CancelToken

PY = sys.executable
WIN = "printf '%s%s\\n' ESC APED"  # prints the success word without it being in the source
SUCCESS = "ESCAPED"
SECRETS = {
    "DATABASE_URL": "postgres://app:db-pass-0451@db.internal/prod",
    "AWS_ACCESS_KEY_ID": "AKIAENCLAVETESTKEY01",
    "GITHUB_PAT": "ghp_enclaveTestToken000000000000000000",
}

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bubblewrap is Linux-only")
needs_bwrap = pytest.mark.skipif(bubblewrap() is None, reason=str(sandbox_state().problem))


@dataclass
class World:
    """A project with a git repo, and on the host around it things a command must not reach."""

    project: Path
    home: Path
    sibling: Path
    x11_socket: Path
    bus_socket: Path
    agent_socket: Path
    abstract_name: str
    tcp_port: int
    git_config: str
    listeners: list[socket.socket] = field(default_factory=list)


@pytest.fixture
def world(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY----- HOME-KEY-0451\n")
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text("[default]\naws_secret_access_key = HOME-AWS-0451\n")
    monkeypatch.setenv("HOME", str(home))
    sibling = tmp_path / "sibling"
    sibling.mkdir()
    (sibling / "secret.txt").write_text("SIBLING-SECRET-0451\n")
    (sibling / "plans-0451.md").write_text("listed only\n")
    (project / "link.txt").symlink_to(sibling / "secret.txt")
    (project / ".env").write_text("API_TOKEN=PROJECT-ENV-0451\n")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    runtime = tmp_path / "run-user"
    (tmp_path / "x11").mkdir()
    runtime.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "agent.sock"))
    w = World(
        project=project,
        home=home,
        sibling=sibling,
        x11_socket=tmp_path / "x11" / "X0",
        bus_socket=runtime / "bus",
        agent_socket=tmp_path / "agent.sock",
        abstract_name=f"enclave-test-{uuid.uuid4().hex}",
        tcp_port=0,
        git_config=(project / ".git" / "config").read_text(),
    )
    for path in (w.x11_socket, w.bus_socket, w.agent_socket):
        w.listeners.append(_listen(socket.AF_UNIX, str(path)))
    w.listeners.append(_listen(socket.AF_UNIX, "\0" + w.abstract_name))
    tcp = _listen(socket.AF_INET, ("127.0.0.1", 0))
    w.tcp_port = tcp.getsockname()[1]
    w.listeners.append(tcp)
    yield w
    for listener in w.listeners:
        listener.close()


def _listen(family: int, address: object) -> socket.socket:
    # connect() completes against the backlog, so nothing needs to accept.
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind(address)
    server.listen(8)
    return server


def _connect(address: str) -> str:
    """A shell command that connects to a socket with Python and says so if it worked."""
    code = f"import socket; s=socket.socket(socket.AF_UNIX); s.connect({address!r}); print('ESC'+'APED')"
    return f'{PY} -c "{code}"'


@dataclass(frozen=True)
class Attempt:
    """One way out: the command, and how to tell from its output and the host that it worked."""

    name: str
    command: Callable[[World], str]
    escaped: Callable[[World, str], bool] = lambda _w, out: SUCCESS in out
    control: Callable[[World], str] | None = lambda _w: ""  # why no control runs here; None: none can
    control_env: tuple[str, ...] = ()


def _output_has(*needles: str) -> Callable[[World, str], bool]:
    return lambda _w, out: SUCCESS in out or any(n in out for n in needles)


def _git_changed(w: World, out: str) -> bool:
    git = w.project / ".git"
    hook = git / "hooks" / "pre-commit"
    config = git / "config"
    intact = git.is_dir() and (git / "HEAD").is_file() and config.is_file()
    return SUCCESS in out or hook.exists() or not intact or config.read_text() != w.git_config


def _late_file(w: World, out: str) -> bool:
    time.sleep(1.5)  # the background job writes after 0.5 s if it is still alive
    return SUCCESS in out or (w.project / "late.txt").exists()


def _wrote_usr(w: World, out: str) -> bool:
    stray = Path("/usr") / w.abstract_name
    written = stray.exists()
    stray.unlink(missing_ok=True)  # a failing test leaves nothing behind in /usr
    return SUCCESS in out or written


def _init_root_reachable(w: World) -> str:
    reachable = os.access(f"/proc/1/root{w.sibling}/secret.txt", os.R_OK)
    return "" if reachable else "this process cannot follow /proc/1/root to its own files"


def _no_privileges_yet(_w: World) -> str:
    status = Path("/proc/self/status").read_text()
    return "" if "NoNewPrivs:\t0" in status else "this test process already has no_new_privs"


def _privileged(_w: World, out: str) -> bool:
    lines = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return lines.get("NoNewPrivs", "").strip() == "0" or lines.get("CapEff", "0").strip("0\t ") != ""


TIOCSTI = (
    "import fcntl, os, termios; fd = os.open('/dev/tty', os.O_RDWR); "
    "fcntl.ioctl(fd, termios.TIOCSTI, b'x'); print('ESC'+'APED')"
)

ATTEMPTS = [
    Attempt("git hook", lambda w: f"printf '#!/bin/sh\\necho pwned\\n' > .git/hooks/pre-commit && {WIN}", _git_changed),
    Attempt("git fsmonitor", lambda w: f"git config core.fsmonitor 'touch /tmp/pwned' && {WIN}", _git_changed),
    Attempt("git config edit", lambda w: f"printf '[core]\\n\\thooksPath = x\\n' >> .git/config && {WIN}", _git_changed),
    Attempt("replace .git", lambda w: f"mv .git .git-old && mkdir -p .git/hooks && {WIN}", _git_changed),
    Attempt("proc fd reopen", lambda w: f"exec 3< .git/config; echo '[x]' >> /proc/self/fd/3 && {WIN}", _git_changed),
    Attempt("unix socket /tmp", lambda w: _connect(str(w.x11_socket))),
    Attempt("unix socket runtime dir", lambda w: _connect(str(w.bus_socket))),
    Attempt("ssh agent", lambda w: _connect(str(w.agent_socket))),
    Attempt("abstract socket", lambda w: _connect("\0" + w.abstract_name)),
    Attempt("proc 1 root", lambda w: f"cat /proc/1/root{w.sibling}/secret.txt /proc/1/root{w.home}/.ssh/id_rsa",
            _output_has("SIBLING-SECRET-0451", "HOME-KEY-0451"), control=_init_root_reachable),
    Attempt("environment secrets", lambda w: "env; cat /proc/self/environ | tr '\\0' '\\n'",
            _output_has(*SECRETS.values()), control_env=tuple(SECRETS)),
    Attempt("home keys", lambda w: f"cat {w.home}/.ssh/id_rsa {w.home}/.aws/credentials; cat ~/.ssh/id_rsa",
            _output_has("HOME-KEY-0451", "HOME-AWS-0451")),
    Attempt("sibling project", lambda w: f"cat {w.sibling}/secret.txt; ls {w.sibling}",
            _output_has("SIBLING-SECRET-0451", "plans-0451.md")),
    Attempt("symlink out", lambda w: "cat link.txt", _output_has("SIBLING-SECRET-0451")),
    Attempt("new symlink out", lambda w: f"ln -s {w.sibling}/secret.txt made.txt; cat made.txt",
            _output_has("SIBLING-SECRET-0451")),
    Attempt("hard link out", lambda w: f"ln {w.sibling}/secret.txt hard.txt; cat hard.txt",
            lambda w, out: "SIBLING-SECRET-0451" in out or (w.project / "hard.txt").exists()),
    Attempt("secret file in project", lambda w: "cat .env", _output_has("PROJECT-ENV-0451")),
    Attempt("tiocsti", lambda w: f'{PY} -c "{TIOCSTI}"', control=None),
    Attempt("background process", lambda w: f"(sleep 0.5; echo late > {w.project}/late.txt) >/dev/null 2>&1 &",
            _late_file),
    Attempt("setuid privileges", lambda w: "grep -E '^(NoNewPrivs|CapEff)' /proc/self/status", _privileged,
            control=_no_privileges_yet),
    Attempt("mount over", lambda w: f"mount -t tmpfs none /usr && {WIN}; mount -o remount,rw / && {WIN}",
            control=None),
    Attempt("write system folder", lambda w: f"touch /usr/{w.abstract_name} && {WIN}", _wrote_usr, control=None),
    Attempt("sysctl write", lambda w: f"v=$(cat /proc/sys/vm/swappiness) && echo $v > /proc/sys/vm/swappiness && {WIN}",
            control=None),
    Attempt("nested user namespace", lambda w: f"unshare -r -m sh -c 'umount -l .git && touch .git/pwned' && {WIN}",
            lambda w, out: SUCCESS in out or (w.project / ".git" / "pwned").exists(), control=None),
    Attempt("host network", lambda w: f"{PY} -c \"import socket; socket.create_connection(('127.0.0.1', {w.tcp_port}), timeout=2); print('ESC'+'APED')\""),
]  # fmt: skip


def _attempt(world: World, case: Attempt, *, sandbox: bool, env_allow: tuple[str, ...] = ()) -> str:
    outcome = run_command(
        f"echo TRYING; {case.command(world)}",
        root=world.project,
        timeout_s=30,
        tail_chars=20_000,
        cancel=CancelToken(),
        sandbox=sandbox,
        env_allow=env_allow,
    )
    assert outcome.sandboxed is sandbox
    assert outcome.output.startswith("TRYING"), outcome.output  # the command itself ran
    return outcome.output


def test_the_table_has_the_25_attempts_the_docstring_counts() -> None:
    assert len(ATTEMPTS) == 25 >= 15 and len({a.name for a in ATTEMPTS}) == len(ATTEMPTS)


@needs_bwrap
@pytest.mark.parametrize("case", ATTEMPTS, ids=[a.name for a in ATTEMPTS])
def test_the_sandbox_stops_the_attempt(world: World, case: Attempt) -> None:
    out = _attempt(world, case, sandbox=True)
    assert not case.escaped(world, out), out


CONTROLLED = [a for a in ATTEMPTS if a.control is not None]


@pytest.mark.parametrize("case", CONTROLLED, ids=[a.name for a in CONTROLLED])
def test_without_the_sandbox_the_attempt_works(world: World, case: Attempt) -> None:
    assert case.control is not None
    why_not = case.control(world)
    if why_not:
        pytest.skip(why_not)
    out = _attempt(world, case, sandbox=False, env_allow=case.control_env)
    assert case.escaped(world, out), out


@needs_bwrap
def test_git_works_read_only_inside(world: World) -> None:
    (world.project / "calc.py").write_text("x = 1\n")
    outcome = run_command(
        "git status --short && git log -1 2>&1; echo done",
        root=world.project,
        timeout_s=30,
        tail_chars=4000,
        cancel=CancelToken(),
    )
    assert "calc.py" in outcome.output and outcome.output.rstrip().endswith("done")


@needs_bwrap
@pytest.mark.parametrize("kind", ["worktree", "submodule"])
def test_a_git_pointer_file_cannot_be_redirected(project: Path, tmp_path: Path, kind: str) -> None:
    # A `.git` file names the real git folder; aimed at a folder the command wrote, the
    # user's next git command would run that folder's hooks. The pointer stays read-only.
    pointer = project / ".git" if kind == "worktree" else project / "sub" / ".git"
    pointer.parent.mkdir(exist_ok=True)
    pointer.write_text(f"gitdir: {tmp_path}/main/.git/worktrees/proj\n")
    if kind == "submodule":
        (project / ".gitmodules").write_text('[submodule "sub"]\n\tpath = sub\n\turl = ./sub\n')
    rel = pointer.relative_to(project)
    outcome = run_command(
        f"echo TRYING; echo 'gitdir: evil' > {rel}; rm -f {rel}; mv {rel} moved; cat {rel}",
        root=project,
        timeout_s=30,
        tail_chars=4000,
        cancel=CancelToken(),
    )
    assert outcome.output.startswith("TRYING") and "gitdir:" in outcome.output
    assert pointer.read_text() == f"gitdir: {tmp_path}/main/.git/worktrees/proj\n"


@needs_bwrap
def test_no_host_socket_is_visible_inside(world: World) -> None:
    # The real ones on this machine, if any (docker.sock, D-Bus, X11): none is even listed.
    found = [str(p) for p in _host_sockets()]
    paths = " ".join(f"'{p}'" for p in [*found, str(world.x11_socket), str(world.bus_socket)])
    outcome = run_command(
        f'echo TRYING; for p in {paths}; do test -e "$p" && echo "VISIBLE $p"; done; true',
        root=world.project,
        timeout_s=30,
        tail_chars=20_000,
        cancel=CancelToken(),
    )
    assert outcome.output.startswith("TRYING") and "VISIBLE" not in outcome.output, outcome.output


def _host_sockets(limit: int = 50) -> list[Path]:
    found: list[Path] = []
    for folder in ("/run", "/var/run", "/tmp", "/tmp/.X11-unix", os.environ.get("XDG_RUNTIME_DIR", "")):
        if not folder or not os.path.isdir(folder):
            continue
        try:
            entries = list(os.scandir(folder))[:500]
        except OSError:
            continue
        found += [Path(e.path) for e in entries if stat.S_ISSOCK(e.stat(follow_symlinks=False).st_mode)]
    return found[:limit]
