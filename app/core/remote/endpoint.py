"""`Endpoint`: one configured OpenAI-compatible server (a name, a base URL, a model id).

The API key is not part of it: it lives in the OS keyring (`keys.py`). What is here is
stored in the settings file, so it holds no secret and no code.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from app.core.errors import EnclaveError
from app.core.privacy.guard import is_local_host

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


@dataclass(frozen=True)
class Endpoint:
    """A server Enclave may send a conversation to, once the user has chosen to."""

    name: str
    url: str  # the base URL, up to and including /v1
    model: str
    unencrypted: bool = False  # the user confirmed plain http:// to a host that is not loopback
    context: int = 0  # the context length when the server does not report one (0: ask the server)

    @property
    def host(self) -> str:
        """The host name or address (no brackets)."""
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        """The port, with the scheme's default."""
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def tls(self) -> bool:
        """Whether requests go over https."""
        return urlsplit(self.url).scheme == "https"

    @property
    def path(self) -> str:
        """The base path (`/v1`), without a trailing slash."""
        return urlsplit(self.url).path.rstrip("/")

    @property
    def loopback(self) -> bool:
        """Whether the server runs on this machine (its traffic never leaves it)."""
        return is_local_host(self.host)

    @property
    def label(self) -> str:
        """`host` or `host:port`, for the status bar and the ledger."""
        parts = urlsplit(self.url)
        default = 443 if parts.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"

    def as_dict(self) -> dict[str, Any]:
        """What the settings file keeps (no key)."""
        return {k: v for k, v in asdict(self).items() if v not in (False, 0) or k in ("name", "url", "model")}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Endpoint:
        """Read one settings entry back.

        Raises:
            EnclaveError: a field is missing or invalid.

        """
        known = {f.name: f for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        for key in ("name", "url", "model"):
            if not isinstance(values.get(key), str):
                raise EnclaveError(f"endpoint entry without a {key}")
        return make_endpoint(
            values["name"],
            url=values["url"],
            model=values["model"],
            unencrypted=bool(values.get("unencrypted", False)),
            context=int(values.get("context", 0) or 0),
        )


def make_endpoint(
    name: str, *, url: str, model: str, unencrypted: bool = False, context: int = 0
) -> Endpoint:
    """A checked endpoint: a usable name, an http(s) URL ending in /v1, a model id.

    Raises:
        EnclaveError: one line saying what is wrong (plain http to another machine without
            the "unencrypted" confirmation, a URL with a key in it, a doubled /v1...).

    """
    if not _NAME.match(name):
        raise EnclaveError(f"{name!r}: an endpoint name is letters, digits, '.', '_' or '-' (up to 40)")
    if not model.strip():
        raise EnclaveError("an endpoint needs a model id (what the server calls the model)")
    if context < 0:
        raise EnclaveError("the context length must be positive")
    return Endpoint(name, normal_url(url, unencrypted=unencrypted), model.strip(), unencrypted, context)


def normal_url(url: str, *, unencrypted: bool = False) -> str:
    """`url` checked and with `/v1` at the end (added when missing, never doubled).

    Raises:
        EnclaveError: not http(s), no host, credentials in it, or plain http to another
            machine without `unencrypted`.

    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise EnclaveError(f"{url!r}: not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EnclaveError(f"{url!r}: the URL must start with https:// (or http:// for this machine)")
    if parts.username or parts.password:
        raise EnclaveError("the URL holds a user name or password; give the key with --key instead")
    if parts.query or parts.fragment:
        raise EnclaveError(f"{url!r}: the base URL takes no ?query or #fragment")
    if parts.scheme == "http" and not is_local_host(parts.hostname) and not unencrypted:
        raise EnclaveError(
            f"{parts.hostname}: plain http:// sends the conversation unencrypted; use https://, "
            "or confirm with --unencrypted"
        )
    path = parts.path.rstrip("/")
    while path.endswith("/v1/v1"):
        path = path[: -len("/v1")]
    for suffix in ("/chat/completions", "/models"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    if not path.endswith("/v1"):
        path += "/v1"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}{path}"
