"""A scripted OpenAI-compatible server on a local address, for the endpoint error cases.

Each POST to `/v1/chat/completions` plays the next scripted behaviour (a status, a stream,
a truncated stream, a hang); GET `/v1/models` answers from `models`. Every request is
recorded (path, headers, JSON body) for the tests to inspect. It binds only where it is
told to: 127.0.0.1 by default, or a test address inside a network namespace.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

Behaviour = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


def text_chunk(text: str) -> dict[str, Any]:
    """A content delta."""
    return {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}


def tool_chunk(
    index: int | None, *, call_id: str | None = None, name: str | None = None, args: Any = None
) -> dict[str, Any]:
    """A tool-call delta (id and name only where given, as servers send them)."""
    call: dict[str, Any] = {}
    if index is not None:
        call["index"] = index
    if call_id is not None:
        call["id"] = call_id
        call["type"] = "function"
    function: dict[str, Any] = {}
    if name is not None:
        function["name"] = name
    if args is not None:
        function["arguments"] = args
    if function:
        call["function"] = function
    return {"choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": None}]}


def finish_chunk(reason: str = "stop") -> dict[str, Any]:
    """The chunk that ends the choice."""
    return {"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}


def usage_chunk(prompt: int, completion: int, *, cached: int | None = None) -> dict[str, Any]:
    """The usage report `stream_options.include_usage` asks for."""
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion}
    if cached is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    return {"choices": [], "usage": usage}


def sse(chunks: list[dict[str, Any]], *, done: bool = True, delay: float = 0.0) -> Behaviour:
    """Stream `chunks`; without `done` the connection just closes (a truncated stream)."""

    def play(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Connection", "close")
        h.end_headers()
        for chunk in chunks:
            h.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            h.wfile.flush()
            if delay:
                time.sleep(delay)
        if done:
            h.wfile.write(b"data: [DONE]\n\n")
        h.close_connection = True

    return play


def endless(interval: float = 0.2) -> Behaviour:
    """Stream a word every `interval` until the client goes away (the cancel test)."""

    def play(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Connection", "close")
        h.end_headers()
        try:
            for _ in range(10_000):
                h.wfile.write(b"data: " + json.dumps(text_chunk("word ")).encode() + b"\n\n")
                h.wfile.flush()
                time.sleep(interval)
        except OSError:
            pass
        h.close_connection = True

    return play


def status(code: int, payload: Any = None, *, headers: dict[str, str] | None = None) -> Behaviour:
    """Answer `code` with a JSON body."""

    def play(h: BaseHTTPRequestHandler) -> None:
        body = json.dumps(
            payload if payload is not None else {"error": {"message": f"status {code}"}}
        ).encode()
        h.send_response(code)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return play


def hang(seconds: float) -> Behaviour:
    """Read the request and say nothing for `seconds` (the timeout test)."""

    def play(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        h.close_connection = True

    return play


@dataclass
class FakeOpenAI:
    """The server's script and what it saw."""

    host: str = "127.0.0.1"
    models: list[dict[str, Any]] = field(
        default_factory=lambda: [{"id": "fake-model", "max_model_len": 4096, "owned_by": "vllm"}]
    )
    script: list[Behaviour] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    models_status: int = 200
    port: int = 0
    tls: tuple[Path, Path] | None = None  # (certificate, key): serve https
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The base URL (`http://host:port/v1`)."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def chats(self) -> list[Recorded]:
        """The chat-completion requests, oldest first."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def start(self) -> FakeOpenAI:
        """Listen and serve on a thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _record(self, body: Any) -> None:
                fake.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))

            def do_GET(self) -> None:
                self._record(None)
                if self.path.endswith("/models"):
                    status(fake.models_status, {"object": "list", "data": fake.models})(self)
                else:
                    status(404, {"error": {"message": "not found"}})(self)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw
                self._record(body)
                behaviour = fake.script.pop(0) if fake.script else sse([text_chunk("ok"), finish_chunk()])
                behaviour(self)

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
