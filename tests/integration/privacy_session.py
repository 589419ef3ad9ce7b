"""A headless Enclave session for the privacy proofs.

Run as `python -m tests.integration.privacy_session --report OUT.json --steps JSON`. Every
step is an argv for `app.__main__.main`, the same entry `python -m app` and `enclave` use, so
the network guard is installed by the app itself, not by this script. Pseudo-steps:

- `["@open", PROJECT]`: open a project as the app does (remember it in recent projects);
- `["@connect", HOST, PORT]`: one deliberate outbound connect, as HTTP clients make it;
- `["@connect-raw", IP, PORT]`: one deliberate `socket.connect` on an AF_INET socket.

The report holds each step's exit code, the guard state and the ledger. `session_steps` and
`launch` are how the tests start it.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class AgentEdit:
    """The edit a scripted agent turn makes: `code` replaces `symbol` in `path`."""

    path: str
    symbol: str
    code: str


def session_steps(
    project: Path,
    *,
    prompt: str,
    model: Path,
    edit: AgentEdit,
    workdir: Path,
    debug: bool = False,
) -> list[list[str]]:
    """A user's session: doctor, open the project, chat with the real model, then (once the
    commands exist) index the project and run a build-mode agent turn that edits a file.

    The agent turn replays a recorded reply (`script:`), so the edit is certain to happen and
    the turn takes milliseconds; the real model is exercised by `chat`.
    """
    from app.cli import COMMAND_MODULES

    flags = ["--debug"] if debug else []
    chat = ["chat", prompt, "--model", str(model), "--max-tokens", "12", "--temperature", "0"]
    steps = [
        [*flags, "doctor", "--json"],
        ["@open", str(project)],
        [*flags, *chat, "--ctx", "2048", "--json"],
    ]
    if "index" in COMMAND_MODULES:
        steps.append([*flags, "index", str(project)])
    if "ask" in COMMAND_MODULES:
        ask = ["ask", str(project), prompt, "--json"]
        script = workdir / "agent-edit.jsonl"
        reply = (
            f"I will change it.\n\n{edit.path}\n```\n{edit.code}\n```\n<tool_call>\n"
            + json.dumps({"name": "edit", "arguments": {"path": edit.path, "symbol": edit.symbol}})
            + "\n</tool_call>"
        )
        script.write_text(json.dumps(reply) + "\n" + json.dumps("Done.") + "\n", encoding="utf-8")
        steps.append([*flags, *ask, "--model", f"script:{script}", "--mode", "build", "--yes"])
    return steps


def assert_session_ok(steps: Sequence[Sequence[str]], codes: Sequence[Any], stderr: str) -> None:
    """Every step succeeded."""
    assert len(codes) == len(steps), stderr
    for step, code in zip(steps, codes, strict=True):
        assert code == 0, f"{step[:2]} exited {code}: {stderr[-2000:]}"


def launch(
    steps: Sequence[Sequence[str]],
    *,
    report: Path,
    env: dict[str, str] | None = None,
    wrapper: Sequence[str] = (),
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run the session in a child process (optionally under `wrapper`, e.g. strace or unshare)."""
    base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    proc = subprocess.run(
        [
            *wrapper,
            sys.executable,
            "-m",
            "tests.integration.privacy_session",
            "--report",
            str(report),
            "--steps",
            json.dumps([list(s) for s in steps]),
        ],
        cwd=REPO,
        env=env if env is not None else base,
        capture_output=True,
        text=True,
        timeout=300,
    )
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return proc, data


def run_step(step: list[str]) -> Any:
    """Run one step; returns its exit code or outcome."""
    if step[0] == "@open":
        from app.core.paths import user_dirs
        from app.core.settings import Settings

        dirs = user_dirs()
        settings = Settings.load(dirs.settings_file)
        settings.add_recent_project(Path(step[1]).resolve())
        settings.save(dirs.settings_file)
        return 0
    if step[0] == "@connect":
        from app.core.errors import NetworkBlockedError

        try:
            socket.create_connection((step[1], int(step[2])), timeout=2).close()
        except NetworkBlockedError:
            return "blocked"
        except OSError as exc:
            return f"oserror:{exc.errno}"
        return "connected"
    if step[0] == "@connect-raw":
        from app.core.errors import NetworkBlockedError

        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            try:
                sock.connect((step[1], int(step[2])))
            except NetworkBlockedError:
                return "blocked"
            except OSError as exc:
                return f"oserror:{exc.errno}"
        return "connected"
    from app.__main__ import main

    try:
        return main(step)
    except SystemExit as exc:  # argparse errors
        return exc.code


def main() -> int:
    """Run the steps and write the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", required=True)
    parser.add_argument("--steps", required=True, help="a JSON list of argv lists")
    ns = parser.parse_args()
    codes = [run_step(step) for step in json.loads(ns.steps)]
    from app.core.paths import user_dirs
    from app.core.privacy import guard

    dirs = user_dirs()
    report = {
        "codes": codes,
        "guard_installed": guard.is_installed(),
        "refused": guard.refused_count(),
        "ledger": guard.ledger_as_dicts(),
        "user_dirs": {"config": str(dirs.config), "data": str(dirs.data), "cache": str(dirs.cache)},
    }
    Path(ns.report).write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
