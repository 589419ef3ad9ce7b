"""What a sandboxed command sees: the bubblewrap arguments, mount by mount.

The sandbox starts from an empty root and adds only what a build needs: the system folders
read-only, the interpreter and the tools on PATH read-only, the project read-write with its
`.git` read-only, a private /tmp (which holds the command's HOME), an empty /run, a minimal
/dev and a fresh /proc. Nothing else of the host is there: not the user's home, not other
projects, not /var, and so no host AF_UNIX socket (X11, D-Bus, ssh-agent, docker.sock) to
connect to. Abstract sockets are cut off by the separate network namespace.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path

from app.core.privacy.secrets import SECRET_DIRS, is_secret_path

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix")

# Readable by root only, so they matter when Enclave itself runs as root (CI, containers):
# the sandbox's root has no capabilities, but owner permissions still let it read them.
HIDDEN_FILES = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/security/opasswd")
HIDDEN_DIRS = ("/etc/ssh", "/etc/ssl/private", "/etc/sudoers.d", "/etc/NetworkManager/system-connections")

# A fresh procfs lets a command running as host root write sysctls such as
# kernel.core_pattern (which the host kernel then runs as root): owner permissions suffice,
# no capability is checked. Docker makes the same paths read-only.
PROC_READ_ONLY = ("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs")

SANDBOX_TMP = "/tmp"
SANDBOX_HOME = "/tmp/home"

# A toolchain folder equal to or above one of these is not bound: it would expose what the
# sandbox hides. Nothing below the kernel's and the session's own folders is bound either.
_NEVER_ABOVE = ("/", "/home", "/mnt", "/tmp", "/var", "/var/tmp", "/run", "/var/run")
_NEVER_BELOW = ("/proc", "/sys", "/dev", "/run/user")

# Not searched for secret files: large, generated, or bound read-only anyway.
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", "target", "build", "dist"})
SECRET_SCAN_ENTRIES = 5_000
SECRET_MASKS = 200


def sandbox_argv(
    bwrap: str, root: Path, shell_argv: Sequence[str], *, private_tmp: Path, toolchain: Sequence[str] = ()
) -> list[str]:
    """Bwrap arguments that run `shell_argv` in `root` with nothing else of the host writable.

    `private_tmp` (a host folder, removed by the caller) becomes the command's /tmp;
    `toolchain` folders are bound read-only at the same paths. Order matters: a later mount
    covers an earlier one, so the project comes after /tmp (tests and CI keep projects under
    /tmp) and `.git` and the secret masks come after the project.
    """
    root_s = os.path.realpath(root)
    argv = [
        bwrap,
        # Without a user namespace, a command started by root keeps root's capabilities and
        # could remount the read-only binds; with one and every capability dropped, it cannot.
        "--unshare-user",
        "--cap-drop", "ALL",
        *(["--disable-userns"] if can_disable_userns(bwrap) else []),
        "--unshare-pid",  # with --die-with-parent: nothing outlives the command
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--new-session",  # no controlling terminal, so no TIOCSTI into the user's shell
        "--die-with-parent",
    ]  # fmt: skip
    for folder in SYSTEM_DIRS:
        if os.path.islink(folder):  # merged /usr: /bin -> usr/bin
            argv += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            argv += ["--ro-bind", folder, folder]
    argv += _hide_etc()
    argv += ["--ro-bind-try", "/sys", "/sys", "--dev", "/dev", "--proc", "/proc"]
    for path in PROC_READ_ONLY:
        argv += ["--ro-bind-try", path, path]
    argv += ["--bind", str(private_tmp), SANDBOX_TMP, "--tmpfs", "/run", "--symlink", SANDBOX_TMP, "/var/tmp"]
    for folder in toolchain:
        argv += ["--ro-bind", folder, folder]
    argv += ["--bind", root_s, root_s]
    for path in git_paths(Path(root_s)):
        argv += ["--ro-bind", path, path]
    files, folders = secret_paths(Path(root_s))
    for path in files:
        argv += ["--ro-bind", "/dev/null", path]
    for path in folders:
        argv += ["--tmpfs", path, "--remount-ro", path]
    argv += ["--chdir", root_s, "--", *shell_argv]
    return argv


def _hide_etc() -> list[str]:
    argv: list[str] = []
    for path in HIDDEN_FILES:
        if os.path.isfile(path) and not os.path.islink(path):
            argv += ["--ro-bind", "/dev/null", path]
    for path in HIDDEN_DIRS:
        if os.path.isdir(path) and not os.path.islink(path):
            argv += ["--tmpfs", path, "--remount-ro", path]
    return argv


@functools.lru_cache(maxsize=8)
def can_disable_userns(bwrap: str) -> bool:
    """Whether this bwrap can forbid nested user namespaces (0.8 and later, where the kernel lets it).

    Without it the sandbox still holds (mounts inherited by a nested namespace are locked),
    so a bwrap that lacks the option keeps working instead of failing the probe.
    """
    try:
        done = subprocess.run(
            [bwrap, "--unshare-user", "--disable-userns", "--ro-bind", "/", "/", "/bin/true"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def git_paths(root: Path) -> list[str]:
    """`.git` of the project and of its submodules, to be bound read-only.

    A writable `.git` lets a command plant a hook or `core.fsmonitor`, which the user's next
    `git status` runs outside the sandbox. A `.git` file (linked worktree, submodule) is a
    pointer that a command could aim at a folder it wrote, so the file itself is protected;
    the git folder it names lies outside the project and stays hidden, as other paths do.
    """
    paths = [root / ".git"]
    try:
        modules = (root / ".gitmodules").read_text(encoding="utf-8", errors="replace")
    except OSError:
        modules = ""
    for line in modules.splitlines()[:1000]:
        key, _, value = line.partition("=")
        if key.strip() == "path" and value.strip():
            paths.append(root / value.strip() / ".git")
    found = []
    for path in paths:
        real = os.path.realpath(path)
        # A symlinked .git cannot be covered by a mount (mounting follows the link); its
        # target, if inside the project, is bound read-only instead.
        if os.path.lexists(real) and real.startswith(str(root) + os.sep):
            found.append(real)
    return list(dict.fromkeys(found))


def secret_paths(root: Path, *, budget: int = SECRET_SCAN_ENTRIES) -> tuple[list[str], list[str]]:
    """Files and folders on the security list near the top of the project, to be masked.

    The read tool asks before showing such a file; a sandboxed command cannot ask, so the
    file is covered by /dev/null, which it cannot open (the bind is `nodev`), and a folder
    by an empty one. The search is breadth-first and stops after
    `budget` entries, so huge trees cost little and the shallow files (.env) are found first.
    """
    files: list[str] = []
    folders: list[str] = []
    queue: deque[str] = deque([str(root)])
    seen = 0
    while queue and seen < budget and len(files) + len(folders) < SECRET_MASKS:
        try:
            with os.scandir(queue.popleft()) as entries:
                for entry in entries:
                    seen += 1
                    if entry.is_symlink():
                        continue  # its target is masked, or outside the project and hidden
                    rel = os.path.relpath(entry.path, root)
                    if entry.is_dir():
                        if entry.name.lower() in SECRET_DIRS:
                            folders.append(entry.path)
                        elif entry.name not in _SKIP_DIRS:
                            queue.append(entry.path)
                    elif entry.is_file() and is_secret_path(rel):
                        files.append(entry.path)
        except OSError:
            continue
    return files[:SECRET_MASKS], folders[:SECRET_MASKS]


def toolchain_dirs(*, root: Path, environ: Mapping[str, str]) -> list[str]:
    """Folders outside the system ones that commands need: Python's prefixes and PATH entries.

    A virtualenv or pyenv build under the home folder or /tmp stays usable without exposing
    the rest of that folder. A folder equal to or above the home folder, the project's
    parent (other projects), /tmp or /run is skipped, and so is one inside the session's
    runtime folder or a secret folder such as ~/.ssh.
    """
    project = os.path.realpath(root)
    above = [*_NEVER_ABOVE, environ.get("HOME") or os.path.expanduser("~"), os.path.dirname(project)]
    below = [*_NEVER_BELOW, *([environ["XDG_RUNTIME_DIR"]] if environ.get("XDG_RUNTIME_DIR") else [])]
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    candidates += environ.get("PATH", "").split(os.pathsep)
    found: list[str] = []
    for candidate in candidates:
        if not candidate or not os.path.isabs(candidate):
            continue
        for path in dict.fromkeys([os.path.normpath(candidate), os.path.realpath(candidate)]):
            if path in found or not os.path.isdir(path):
                continue
            if _inside(path, [*SYSTEM_DIRS, project]):
                continue  # already visible: the system read-only, the project writable
            if any(_inside(folder, [path]) for folder in above) or _inside(path, below):
                continue
            if any(part.lower() in SECRET_DIRS for part in Path(path).parts):
                continue
            found.append(path)
    return found


def _inside(path: str, folders: Sequence[str]) -> bool:
    """Whether `path` is one of `folders` or below one."""
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)
