r"""The policy lock and local-only projects: where remote use is refused before it starts.

An organisation switches endpoints off with a file named `enclave-policy.toml`, placed
beside the app (the folder of the frozen executable, or of the source checkout) or in the
system config folder (`/etc/enclave`, `/Library/Application Support/Enclave`,
`%PROGRAMDATA%\Enclave`; `ENCLAVE_SYSTEM_CONFIG` names another). With such a file,
endpoints are off unless it says `endpoints = true`; a file that cannot be read locks too.

A project is local-only when it holds `.enclave/local-only` (a file a team can commit).
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import EnclaveError

logger = logging.getLogger(__name__)

POLICY_FILE = "enclave-policy.toml"
SYSTEM_CONFIG_ENV = "ENCLAVE_SYSTEM_CONFIG"
LOCAL_ONLY_MARKER = Path(".enclave") / "local-only"


@dataclass(frozen=True)
class Policy:
    """What the policy files allow; `source` names the file that decided (empty: none found)."""

    endpoints_allowed: bool
    source: str = ""

    @property
    def message(self) -> str:
        """One line for the UI and the CLI."""
        if self.endpoints_allowed:
            return ""
        return f"remote endpoints are turned off by your organisation's policy ({self.source})"


def policy_folders() -> list[Path]:
    """Where a policy file is looked for: beside the app, then the system config folder."""
    from app.core.paths import app_folder

    beside = app_folder() or Path(__file__).resolve().parents[3]
    override = os.environ.get(SYSTEM_CONFIG_ENV, "").strip()
    if override:
        system = Path(override)
    elif sys.platform == "win32":
        system = Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "Enclave"
    elif sys.platform == "darwin":
        system = Path("/Library/Application Support/Enclave")
    else:
        system = Path("/etc/enclave")
    return [beside, system]


def current_policy() -> Policy:
    """Read the policy files now (each call looks again: an admin may add one at any time)."""
    for folder in policy_folders():
        path = folder / POLICY_FILE
        if not path.exists():
            continue
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            logger.warning("policy file unreadable (%s): endpoints stay off", type(exc).__name__)
            return Policy(endpoints_allowed=False, source=str(path))
        if raw.get("endpoints") is not True:
            return Policy(endpoints_allowed=False, source=str(path))
    return Policy(endpoints_allowed=True)


def check_remote_allowed(project: Path | None) -> None:
    """Refuse remote use under a policy lock, or for a local-only project.

    Raises:
        EnclaveError: a policy file turns endpoints off, or the project is marked local-only.

    """
    policy = current_policy()
    if not policy.endpoints_allowed:
        raise EnclaveError(policy.message)
    if project is not None and is_local_only(project):
        raise EnclaveError(
            f"{project.name} is marked local-only ({LOCAL_ONLY_MARKER.as_posix()}): "
            "its code is not sent to an endpoint; use a local model"
        )


def is_local_only(project: Path) -> bool:
    """Whether the project at `project` refuses remote models."""
    return (project / LOCAL_ONLY_MARKER).exists()
