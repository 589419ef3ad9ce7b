"""HTTP/1.1 to one endpoint, over the standard library, pinned to the addresses resolved once.

Why not httpx: what this needs is exactly (1) connections only to the addresses the
endpoint pass resolved, (2) a stream that Stop closes at once from another thread, and
(3) TLS always verified. `http.client` with our own `connect()` does all three in a few
lines; a watcher thread shuts the socket down on cancel, which wakes a blocked read.
Every error becomes one `RemoteError` line: refused, TLS, timeout, 401, unknown model.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, RemoteError
from app.core.remote.connection import CancelWatch, PinnedConnection, tls_context
from app.core.remote.endpoint import Endpoint

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 503})
MAX_RETRIES = 4
MAX_RETRY_WAIT_S = 20.0
MAX_ERROR_BODY = 64 * 1024


@dataclass
class Traffic:
    """Bytes sent and received for one request (headers included)."""

    up: int = 0
    down: int = 0


class HttpClient:
    """Requests to one endpoint; one kept-alive connection, used by one thread at a time."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        addresses: tuple[str, ...],
        api_key: str | None,
        ca_bundle: str = "",
        timeout: float = 120.0,
        connect_timeout: float = 10.0,
        backoff_s: float = 1.0,
    ) -> None:
        self.endpoint = endpoint
        self._addresses = addresses
        self._key = api_key
        self._context = tls_context(ca_bundle) if endpoint.tls else None
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.backoff_s = backoff_s
        self._conn: PinnedConnection | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the kept-alive connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def get_json(
        self, path: str, *, root: bool = False, cancel: CancelToken | None = None
    ) -> tuple[Any, Traffic]:
        """GET `path` below the base URL (`root`: below the server's root) and parse the JSON answer."""
        traffic = Traffic()
        url = path if root else self._url_path(path)
        with self._open("GET", url, body=None, cancel=cancel or CancelToken(), traffic=traffic) as response:
            data = self._read_all(response, traffic)
        try:
            return json.loads(data), traffic
        except ValueError:
            raise RemoteError(f"{self.endpoint.label}: {path} did not answer with JSON") from None

    def post_stream(
        self, path: str, payload: dict[str, Any], *, cancel: CancelToken, traffic: Traffic
    ) -> Iterator[dict[str, Any]]:
        """POST `payload` and yield each server-sent event's JSON (`[DONE]` ends it).

        Raises:
            RemoteError: the request failed, or the stream ended before `[DONE]`.
            Cancelled: `cancel` was set (the socket is closed within a fraction of a second).

        """
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        url = self._url_path(path)
        with self._open("POST", url, body=body, cancel=cancel, traffic=traffic) as response:
            if (response.getheader("Content-Type") or "").startswith("application/json"):
                # A server (or proxy) that ignored `stream`: the whole reply as one chunk.
                yield as_chunk(self._read_json(response, traffic))
                return
            yield from self._events(response, cancel=cancel, traffic=traffic)

    def _read_json(self, response: http.client.HTTPResponse, traffic: Traffic) -> Any:
        try:
            data = response.read()
        except (OSError, http.client.HTTPException):
            raise RemoteError(f"{self.endpoint.label}: the reply broke off before it was complete") from None
        traffic.down += len(data)
        try:
            return json.loads(data)
        except ValueError:
            raise RemoteError(f"{self.endpoint.label}: the reply is not JSON") from None

    # -- internals ---------------------------------------------------------------------

    def _url_path(self, path: str) -> str:
        return self.endpoint.path + "/" + path.lstrip("/")

    def _headers(self, body: bytes | None) -> dict[str, str]:
        headers = {"Accept": "application/json, text/event-stream", "User-Agent": "Enclave"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        return headers

    def _connection(self) -> PinnedConnection:
        if self._conn is None:
            self._conn = PinnedConnection(
                self.endpoint.host,
                self.endpoint.port,
                addresses=self._addresses,
                context=self._context,
                timeout=self.connect_timeout,
            )
        return self._conn

    def _open(
        self, method: str, url: str, *, body: bytes | None, cancel: CancelToken, traffic: Traffic
    ) -> _Opened:
        headers = self._headers(body)
        for attempt in range(MAX_RETRIES + 1):
            cancel.raise_if_cancelled()
            response, sock = self._send(
                method, url, body=body, headers=headers, cancel=cancel, traffic=traffic
            )
            if response.status in RETRY_STATUSES and attempt < MAX_RETRIES:
                wait = _retry_wait(response, attempt, base=self.backoff_s)
                self._read_all(response, traffic)
                logger.info("endpoint busy (%d); retry %d in %.1fs", response.status, attempt + 1, wait)
                if cancel.wait(wait):
                    raise Cancelled("cancelled")
                continue
            if response.status >= 400:
                text = self._read_all(response, traffic)
                raise RemoteError(_status_line(self.endpoint, response.status, text))
            return _Opened(self, sock, response, cancel)
        raise AssertionError("unreachable")

    def _send(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None,
        headers: dict[str, str],
        cancel: CancelToken,
        traffic: Traffic,
    ) -> tuple[http.client.HTTPResponse, socket.socket | None]:
        label = self.endpoint.label
        for fresh in (False, True):
            conn = self._connection()
            reused = conn.sock is not None
            try:
                conn.timeout = self.connect_timeout
                conn.request(method, url, body=body, headers=headers)
                if conn.sock is not None:
                    conn.sock.settimeout(self.timeout)
                traffic.up += len(body or b"") + _header_size(method, url, headers)
                # Kept: http.client drops conn.sock when the server says "Connection: close".
                sock = conn.sock
                with CancelWatch(sock, cancel):
                    response = conn.getresponse()
                traffic.down += _response_header_size(response)
                return response, sock
            except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as exc:
                self.close()
                if cancel.cancelled:
                    raise Cancelled("cancelled") from None
                if reused and not fresh:
                    continue  # the server closed a kept-alive connection: once more on a new one
                raise RemoteError(
                    f"{label}: the server closed the connection ({type(exc).__name__})"
                ) from None
            except ssl.SSLCertVerificationError as exc:
                self.close()
                raise RemoteError(
                    f"{label}: TLS failure: the server's certificate is not trusted "
                    f"({exc.verify_message}); set a CA bundle for a corporate CA"
                ) from None
            except ssl.SSLError as exc:
                self.close()
                raise RemoteError(f"{label}: TLS failure ({exc.reason or exc})") from None
            except ConnectionRefusedError:
                self.close()
                raise RemoteError(
                    f"{label}: connection refused: is the server running on that port?"
                ) from None
            except TimeoutError:
                self.close()
                raise RemoteError(f"{label}: no answer within {self.timeout:.0f} s (timeout)") from None
            except OSError as exc:
                self.close()
                if cancel.cancelled:
                    raise Cancelled("cancelled") from None
                raise RemoteError(f"{label}: cannot connect ({exc.strerror or type(exc).__name__})") from None
        raise AssertionError("unreachable")

    def _read_all(self, response: http.client.HTTPResponse, traffic: Traffic) -> bytes:
        try:
            data = response.read(MAX_ERROR_BODY)
            if not response.isclosed():
                self.close()  # a body larger than we care for: drop the connection, not the limit
        except (OSError, http.client.HTTPException):
            self.close()
            data = b""
        traffic.down += len(data)
        return data

    def _events(
        self, response: http.client.HTTPResponse, *, cancel: CancelToken, traffic: Traffic
    ) -> Iterator[dict[str, Any]]:
        label = self.endpoint.label
        data: list[str] = []
        while True:
            try:
                raw = response.readline(1 << 20)
            except TimeoutError:
                raise RemoteError(f"{label}: the stream stalled for {self.timeout:.0f} s (timeout)") from None
            except (OSError, http.client.HTTPException, ValueError):
                if cancel.cancelled:
                    raise Cancelled("cancelled") from None
                raise RemoteError(f"{label}: the stream broke off before the reply was complete") from None
            if cancel.cancelled:
                raise Cancelled("cancelled")
            if not raw:
                raise RemoteError(f"{label}: the stream ended before the reply was complete")
            traffic.down += len(raw)
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
                continue
            if line or not data:
                continue  # comments, event:/id: fields, keep-alive blank lines
            text, data = "\n".join(data), []
            if text.strip() == "[DONE]":
                return
            try:
                event = json.loads(text)
            except ValueError:
                raise RemoteError(f"{label}: the server sent an event that is not JSON") from None
            if isinstance(event, dict) and "error" in event and "choices" not in event:
                raise RemoteError(f"{label}: the server failed mid-reply: {_error_message(event)}")
            if isinstance(event, dict):
                yield event


class _Opened:
    """A response whose connection is dropped on exit unless its body was read to the end."""

    def __init__(
        self,
        client: HttpClient,
        sock: socket.socket | None,
        response: http.client.HTTPResponse,
        cancel: CancelToken,
    ) -> None:
        self._client, self._response, self._cancel = client, response, cancel
        self._watch = CancelWatch(sock, cancel)

    def __enter__(self) -> http.client.HTTPResponse:
        self._watch.__enter__()
        return self._response

    def __exit__(self, *exc: object) -> None:
        self._watch.__exit__()
        if self._cancel.cancelled or not self._response.isclosed():
            # Cancelled, failed or left early: the rest of the body would only be waited for.
            self._client.close()


def as_chunk(completion: Any) -> dict[str, Any]:
    """A whole (non-streamed) chat completion as one streamed chunk, tool calls indexed."""
    if not isinstance(completion, dict):
        return {}
    choices = completion.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
    message = choice.get("message")
    if not isinstance(message, dict):
        message = {}
    delta: dict[str, Any] = {"content": message.get("content")}
    calls = message.get("tool_calls")
    if isinstance(calls, list):
        delta["tool_calls"] = [{**c, "index": n} for n, c in enumerate(calls) if isinstance(c, dict)]
    chunk: dict[str, Any] = {
        "choices": [{"index": 0, "delta": delta, "finish_reason": choice.get("finish_reason")}]
    }
    if "usage" in completion:
        chunk["usage"] = completion["usage"]
    return chunk


def _retry_wait(response: http.client.HTTPResponse, attempt: int, *, base: float) -> float:
    header = response.getheader("Retry-After") or ""
    try:
        wait = float(header)
    except ValueError:
        wait = base * (2**attempt)
    return max(0.0, min(wait, MAX_RETRY_WAIT_S))


def _status_line(endpoint: Endpoint, status: int, body: bytes) -> str:
    label = endpoint.label
    try:
        message = _error_message(json.loads(body))
    except ValueError:
        message = body.decode("utf-8", "replace").strip()[:200]
    lowered = message.lower()
    if status in (401, 403):
        return f"{label}: the server refused the API key ({status}); set it again with `enclave endpoint add`"
    if status == 404 and ("model" in lowered or not message):
        return f"{label}: the server does not serve the model {endpoint.model!r} (unknown model)"
    if (
        status in (400, 422)
        and "model" in lowered
        and ("not found" in lowered or "does not exist" in lowered)
    ):
        return f"{label}: the server does not serve the model {endpoint.model!r} (unknown model)"
    if status in RETRY_STATUSES:
        return f"{label}: the server is busy ({status}) and kept refusing after {MAX_RETRIES} retries"
    return f"{label}: HTTP {status}" + (f": {message[:200]}" if message else "")


def _error_message(payload: Any) -> str:
    if isinstance(payload, dict):
        error = payload.get("error", payload)
        if isinstance(error, dict):
            return str(error.get("message") or error.get("detail") or error)[:200]
        return str(error or payload.get("detail") or "")[:200]
    return str(payload)[:200]


def _header_size(method: str, url: str, headers: dict[str, str]) -> int:
    return len(method) + len(url) + 12 + sum(len(k) + len(v) + 4 for k, v in headers.items())


def _response_header_size(response: http.client.HTTPResponse) -> int:
    return 17 + sum(len(k) + len(v) + 4 for k, v in response.getheaders())
