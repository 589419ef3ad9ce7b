"""The configured endpoints in the settings, and which role uses which.

Settings keep each endpoint's name, URL, model id and flags (never its key). A role
(`agent`, `chat`, `completion`) names `endpoint:NAME` to use one; anything else means the
local model.
"""

from __future__ import annotations

import logging

from app.core.errors import EnclaveError
from app.core.remote.endpoint import Endpoint
from app.core.settings import Settings

logger = logging.getLogger(__name__)

ROLES = ("agent", "chat", "completion")
PREFIX = "endpoint:"


def endpoints(settings: Settings) -> list[Endpoint]:
    """The endpoints in the settings (an entry that no longer reads is skipped, and logged)."""
    out = []
    for raw in settings.endpoints:
        try:
            out.append(Endpoint.from_dict(raw))
        except (EnclaveError, TypeError, ValueError) as exc:
            logger.warning("skipped an endpoint entry (%s)", type(exc).__name__)
    return out


def find(settings: Settings, name: str) -> Endpoint:
    """The endpoint called `name`.

    Raises:
        EnclaveError: there is none by that name (the message lists the ones there are), or
            its entry no longer reads (plain http:// to another machine without "unencrypted").

    """
    for raw in settings.endpoints:
        if raw.get("name") == name:
            return Endpoint.from_dict(raw)  # an entry edited by hand into something invalid says why
    known = endpoints(settings)
    names = ", ".join(e.name for e in known) or "none yet: enclave endpoint add NAME URL --model ID"
    raise EnclaveError(f"no endpoint named {name!r} (configured: {names})")


def add(settings: Settings, endpoint: Endpoint) -> None:
    """Add `endpoint`, replacing one of the same name."""
    settings.endpoints = [e for e in settings.endpoints if e.get("name") != endpoint.name]
    settings.endpoints.append(endpoint.as_dict())


def remove(settings: Settings, name: str) -> bool:
    """Remove the endpoint `name` and every role that used it; False when there was none."""
    before = len(settings.endpoints)
    settings.endpoints = [e for e in settings.endpoints if e.get("name") != name]
    for role in ROLES:
        if role_endpoint(settings, role) == name:
            set_role(settings, role, None)
    return len(settings.endpoints) < before


def role_endpoint(settings: Settings, role: str) -> str | None:
    """The endpoint `role` uses, or None for the local model."""
    value = getattr(settings, f"{role}_model", "")
    return value[len(PREFIX) :] if isinstance(value, str) and value.startswith(PREFIX) else None


def set_role(settings: Settings, role: str, name: str | None) -> None:
    """Make `role` use endpoint `name` (None: the local model)."""
    if role not in ROLES:
        raise EnclaveError(f"{role!r}: the roles are {', '.join(ROLES)}")
    setattr(settings, f"{role}_model", f"{PREFIX}{name}" if name else "")
