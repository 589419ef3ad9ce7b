"""A Hugging Face Hub stand-in on 127.0.0.1 for download tests: a Hub host and a CDN host.

The Hub answers `HEAD/GET /{repo}/resolve/{revision}/{file}` the way huggingface.co does for
LFS files: a 302 to the CDN with `X-Repo-Commit`, `X-Linked-Size` and `X-Linked-Etag` (the
sha256), or 404 with `X-Error-Code`. The CDN (another port, so another origin) serves the
bytes with ranged GETs. Each host takes a script of faults to play, one per request.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COMMIT = "0123456789abcdef0123456789abcdef01234567"
PIECE = 16 * 1024


@dataclass
class HubFile:
    """One file the fake Hub serves."""

    repo: str
    name: str
    data: bytes
    served: bytes | None = None  # what the CDN actually sends (None: `data`); for corruption tests

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Request:
    """One request a host received."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Host:
    """State of one fake host: its requests and the faults still to play."""

    requests: list[Request] = field(default_factory=list)
    # One entry per coming request: an int status to answer with, "drop:N" to send N body bytes
    # and hang up, or "ok". Empty means "ok" from then on.
    faults: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_fault(self) -> Any:
        with self.lock:
            return self.faults.pop(0) if self.faults else "ok"

    def gets(self) -> list[Request]:
        return [r for r in self.requests if r.method == "GET"]


class FakeHub:
    """Both hosts, their files and their request logs."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str], HubFile] = {}
        self.hub = Host()
        self.cdn = Host()
        self.bytes_sent = 0
        self.send_etag = True
        self._servers: list[ThreadingHTTPServer] = []
        self.hub_url = ""
        self.cdn_url = ""

    def add(self, repo: str, name: str, data: bytes, *, served: bytes | None = None) -> HubFile:
        f = HubFile(repo, name, data, served)
        self.files[(repo, name)] = f
        return f

    def by_sha(self, sha: str) -> HubFile | None:
        return next((f for f in self.files.values() if f.sha256 == sha), None)

    def start(self) -> None:
        for role in ("hub", "cdn"):
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, role))
            server.daemon_threads = True
            server.block_on_close = False  # the client's keep-alive connections may stay open
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            self._servers.append(server)
            url = f"http://127.0.0.1:{server.server_address[1]}"
            setattr(self, f"{role}_url", url)

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()


@contextmanager
def running_hub() -> Iterator[FakeHub]:
    hub = FakeHub()
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


def _handler(state: FakeHub, role: str) -> type[BaseHTTPRequestHandler]:
    host: Host = getattr(state, role)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_GET(self) -> None:
            self._serve(body=True)

        def _serve(self, *, body: bool) -> None:
            host.requests.append(
                Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            )
            fault = host.next_fault()
            if isinstance(fault, int):
                self._empty(fault)
                return
            if role == "hub":
                self._resolve()
            else:
                self._blob(body=body, fault=fault)

        def _empty(self, status: int, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _resolve(self) -> None:
            # /{org}/{repo}/resolve/{revision}/{file}
            parts = self.path.split("?")[0].strip("/").split("/")
            if len(parts) != 5 or parts[2] != "resolve":
                self._empty(404, {"X-Error-Code": "RepoNotFound"})
                return
            repo, revision, name = f"{parts[0]}/{parts[1]}", parts[3], parts[4]
            if not any(r == repo for r, _ in state.files):
                self._empty(404, {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"})
                return
            if revision not in (COMMIT, "main"):
                self._empty(404, {"X-Error-Code": "RevisionNotFound", "X-Error-Message": "Invalid rev id"})
                return
            f = state.files.get((repo, name))
            if f is None:
                self._empty(
                    404,
                    {
                        "X-Error-Code": "EntryNotFound",
                        "X-Error-Message": "Entry not found",
                        "X-Repo-Commit": COMMIT,
                    },
                )
                return
            headers = {
                "Location": f"{state.cdn_url}/blobs/{f.sha256}?signature=abc",
                "X-Repo-Commit": COMMIT,
                "X-Linked-Size": str(len(f.data)),
            }
            if state.send_etag:
                headers["X-Linked-Etag"] = f'"{f.sha256}"'
                headers["ETag"] = '"not-the-sha"'
            self._empty(302, headers)

        def _blob(self, *, body: bool, fault: Any) -> None:
            sha = self.path.split("?")[0].rsplit("/", 1)[-1]
            f = state.by_sha(sha)
            if f is None:
                self._empty(404)
                return
            data = f.served if f.served is not None else f.data
            start = 0
            rng = self.headers.get("Range", "")
            if rng.startswith("bytes=") and rng.endswith("-"):
                start = int(rng[6:-1])
            if start >= len(data) and start:
                self._empty(416, {"Content-Range": f"bytes */{len(data)}"})
                return
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(data) - start))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if not body:
                return
            limit = len(data)
            if isinstance(fault, str) and fault.startswith("drop:"):
                limit = min(len(data), start + int(fault[5:]))
            pos = start
            try:
                while pos < limit:
                    piece = data[pos : min(pos + PIECE, limit)]
                    self.wfile.write(piece)
                    self.wfile.flush()
                    pos += len(piece)
                    state.bytes_sent += len(piece)
            except (BrokenPipeError, ConnectionResetError):
                return
            if limit < len(data):
                self.close_connection = True
                self.connection.shutdown(2)

    return Handler
