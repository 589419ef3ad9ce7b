"""The security list: files that are never indexed and that the model reads only with approval."""

from __future__ import annotations

import fnmatch
import re
from pathlib import PurePosixPath

# Matched against every component of a project-relative path (case-insensitive).
SECRET_DIRS = frozenset({".ssh", ".aws", ".gnupg", ".azure", ".kube", ".docker", ".password-store"})
SECRET_FILE_PATTERNS = (
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.kdbx",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".netrc",
    "_netrc",
    ".npmrc",
    ".pypirc",
    ".pgpass",
    ".git-credentials",
    "credentials",
    "credentials.json",
    "*.credentials",
    "secrets.json",
    "secrets.yaml",
    "secrets.yml",
    "*.secret",
    "*.secrets",
    "service-account*.json",
    ".htpasswd",
    "*.tfvars",
    "*.tfstate",
)


# One regex for all the name patterns: the walk asks this of every file in the project.
_SECRET_NAME = re.compile("|".join(fnmatch.translate(pattern) for pattern in SECRET_FILE_PATTERNS))


def is_secret_path(relpath: str | PurePosixPath) -> bool:
    """True when a project-relative path falls under the security list."""
    parts = [part for part in str(relpath).replace("\\", "/").split("/") if part and part != "."]
    if not parts:
        return False
    if any(part.lower() in SECRET_DIRS for part in parts):
        return True
    return _SECRET_NAME.match(parts[-1].lower()) is not None
