"""Proof that a session stores no code, prompt or answer outside the project.

A unique canary goes into the project's files and into the chat; after a full session the
user config, data and cache dirs, the temp dir and the home dir must not contain it. The
session runs once with ENCLAVE_HOME and once with the platform's default dirs under a fake
HOME. Debug logs go to stderr, so the same run proves logs carry no content.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.integration.privacy_session import AgentEdit, assert_session_ok, launch, session_steps

pytestmark = pytest.mark.integration

MAX_SCANNED_FILE = 64 * 2**20


def find_canary(
    root: Path, needle: str, *, since: float | None = None, skip: tuple[Path, ...] = ()
) -> list[Path]:
    """Files under `root` whose name or bytes hold `needle` (only files changed since `since`)."""
    raw = needle.encode("utf-8")
    skipped = {p.resolve() for p in skip}
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if (here / d).resolve() not in skipped]
        for name in dirnames + filenames:
            if needle in name:
                found.append(here / name)
        for name in filenames:
            path = here / name
            try:
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SCANNED_FILE:
                    continue
                if since is not None and max(info.st_mtime, info.st_ctime) < since:
                    continue
                if raw in path.read_bytes():
                    found.append(path)
            except OSError:
                continue  # vanished or unreadable: another process's file
    return found


def user_env(tmp_path: Path, *, portable: bool) -> tuple[dict[str, str], list[Path]]:
    """A child environment with a fake HOME and TMPDIR; returns it and the roots to search."""
    home = tmp_path / "home"
    tmp = tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if "proxy" not in k.lower() and not k.startswith(("XDG_", "HF_", "ENCLAVE_"))
    }
    env.update(HOME=str(home), TMPDIR=str(tmp), TMP=str(tmp), TEMP=str(tmp))
    roots = [home, tmp]
    if portable:
        enclave_home = tmp_path / "enclave-home"
        env["ENCLAVE_HOME"] = str(enclave_home)
        roots.append(enclave_home)
    return env, roots


@pytest.mark.parametrize("portable", [True, False], ids=["enclave-home", "default-dirs"])
def test_a_session_leaves_no_trace_of_code_or_chat_outside_the_project(
    tmp_path: Path, demo_model: Path, *, portable: bool
) -> None:
    canary = f"ENCLAVE-CANARY-{uuid.uuid4().hex}"
    project = tmp_path / "project"
    (project / "net").mkdir(parents=True)
    source = f'"""Retries; {canary}."""\n\n\ndef retry_{canary[-8:]}(fn):\n    return fn()  # {canary}\n'
    (project / "net" / "retry.py").write_text(source, encoding="utf-8")
    (project / "NOTES.md").write_text(f"# notes\n{canary}\n", encoding="utf-8")
    prompt = f"Explain this file ({canary}):\n\n{source}"
    env, roots = user_env(tmp_path, portable=portable)
    (tmp_path / "work").mkdir()
    started = time.time() - 1

    edit = AgentEdit(
        "net/retry.py",
        f"retry_{canary[-8:]}",
        f"def retry_{canary[-8:]}(fn):\n    return fn()  # edited {canary}",
    )
    steps = session_steps(
        project, prompt=prompt, model=demo_model, edit=edit, workdir=tmp_path / "work", debug=True
    )
    proc, report = launch(steps, report=tmp_path / "report.json", env=env)

    assert proc.returncode == 0, proc.stderr
    assert_session_ok(steps, report["codes"], proc.stderr)
    if any("script:" in arg for step in steps for arg in step):
        edited = (project / "net" / "retry.py").read_text(encoding="utf-8")
        assert f"# edited {canary}" in edited, proc.stdout[-3000:]
    dirs = [Path(p) for p in report["user_dirs"].values()]
    if portable:
        assert all(d.is_relative_to(tmp_path / "enclave-home") for d in dirs)
    else:
        assert all(d.is_relative_to(tmp_path / "home") for d in dirs)
    # The session did write: the recent project went into settings, which the search covers.
    settings_file = Path(report["user_dirs"]["config"]) / "settings.toml"
    assert str(project) in settings_file.read_text(encoding="utf-8")
    # The search finds the canary where it is.
    assert len(find_canary(project, canary)) == 2

    hits = [hit for root in roots + dirs if root.exists() for hit in find_canary(root, canary)]
    hits += find_canary(Path(tempfile.gettempdir()), canary, since=started, skip=(tmp_path,))
    hits += find_canary(Path.home(), canary, since=started, skip=(tmp_path,))
    assert hits == []
    assert "INFO app." in proc.stderr  # logging was on at its most verbose (--debug) ...
    assert canary not in proc.stderr  # ... and logs ids and sizes, never content
