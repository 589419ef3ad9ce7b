"""What an endpoint says about itself: the models it serves, their context length, its kind.

Context length, in order: vLLM's `max_model_len` on the model's `/v1/models` entry, a
`context_length` field (hosted routers), llama-server's runtime `n_ctx` (`/props`) or its
model's `meta.n_ctx_train`; else the endpoint's own setting; else a modest default, said so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from app.core.cancel import CancelToken
from app.core.errors import RemoteError
from app.core.remote.endpoint import Endpoint
from app.core.remote.http import HttpClient, Traffic

logger = logging.getLogger(__name__)

DEFAULT_CONTEXT = 8192
# Servers that take llama.cpp/vLLM sampling extras (top_k, min_p) without a 400.
OPEN_SERVERS = frozenset({"vllm", "llamacpp", "me"})


@dataclass(frozen=True)
class ServerFacts:
    """The endpoint's answer to `/v1/models` (and `/props` where there is one)."""

    models: tuple[str, ...]
    context: int
    context_source: str  # "server", "setting" or "default"
    owned_by: str  # vllm, llamacpp, me (llama-cpp-python), openai, ...
    traffic: Traffic

    @property
    def takes_extras(self) -> bool:
        """Whether the server accepts top_k and min_p."""
        return self.owned_by in OPEN_SERVERS


def server_facts(client: HttpClient, endpoint: Endpoint, *, cancel: CancelToken | None = None) -> ServerFacts:
    """Ask the endpoint what it serves.

    Raises:
        RemoteError: the server cannot be reached or refuses (401, TLS, timeout...).

    """
    traffic = Traffic()
    models: tuple[str, ...] = ()
    entry: dict[str, Any] = {}
    try:
        listing, used = client.get_json("models", cancel=cancel)
        traffic.up += used.up
        traffic.down += used.down
        data = listing.get("data") if isinstance(listing, dict) else None
        entries = [e for e in data or [] if isinstance(e, dict) and isinstance(e.get("id"), str)]
        models = tuple(e["id"] for e in entries)
        entry = next(
            (e for e in entries if e["id"] == endpoint.model), entries[0] if len(entries) == 1 else {}
        )
    except RemoteError as exc:
        if "HTTP 404" not in str(exc) and "unknown model" not in str(exc):
            raise
        logger.info("the endpoint has no /v1/models")
    owned_by = str(entry.get("owned_by") or "")
    # llama-server's /props has the context it runs with; meta.n_ctx_train is only the trained one.
    context = (
        _llama_server_context(client, cancel=cancel, traffic=traffic) if owned_by == "llamacpp" else None
    )
    if context is None:
        context = _context_of(entry)
    if context is not None:
        source = "server"
    elif endpoint.context:
        context, source = endpoint.context, "setting"
    else:
        context, source = DEFAULT_CONTEXT, "default"
    return ServerFacts(models, context, source, owned_by, traffic)


def _context_of(entry: dict[str, Any]) -> int | None:
    for key in ("max_model_len", "context_length", "context_window"):
        value = entry.get(key)
        if isinstance(value, int) and value > 0:
            return value
    meta = entry.get("meta")
    if isinstance(meta, dict):
        for key in ("n_ctx", "n_ctx_train"):
            value = meta.get(key)
            if isinstance(value, int) and value > 0:
                return value
    return None


def _llama_server_context(client: HttpClient, *, cancel: CancelToken | None, traffic: Traffic) -> int | None:
    try:
        props, used = client.get_json("/props", root=True, cancel=cancel)
    except RemoteError:
        return None
    traffic.up += used.up
    traffic.down += used.down
    settings = props.get("default_generation_settings") if isinstance(props, dict) else None
    value = settings.get("n_ctx") if isinstance(settings, dict) else None
    return value if isinstance(value, int) and value > 0 else None
