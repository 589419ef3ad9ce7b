"""The network guard: what counts as local, the gate, and the installed hook (in child processes).

Audit hooks cannot be removed, so everything that needs the hook installed runs in a child
Python; the pytest process never installs it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.core.privacy import guard

REPO = Path(__file__).resolve().parents[3]
INET = SimpleNamespace(family=socket.AF_INET)
INET6 = SimpleNamespace(family=socket.AF_INET6)
UNIX = SimpleNamespace(family=socket.AF_UNIX)


def run_child(code: str) -> dict:
    """Run `code` in a fresh Python with the guard installed; it prints one JSON line last."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith("HF_")}
    prologue = "from app.core.privacy import guard\nguard.install()\n"
    proc = subprocess.run(
        [sys.executable, "-c", prologue + textwrap.dedent(code)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "[::1]",
        "localhost",
        "LOCALHOST.",
        "api.localhost",
        "::ffff:127.0.0.1",
        b"127.0.0.1",
    ],
)
def test_loopback_hosts_are_local(host: object) -> None:
    assert guard.is_local_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "",
        "0.0.0.0",
        "::",
        "8.8.8.8",
        "192.168.1.10",
        "10.0.0.1",
        "2001:db8::1",
        "huggingface.co",
        "localhost.example.com",
        "<broadcast>",
        None,
        2130706433,
    ],
)
def test_everything_else_is_not_local(host: object) -> None:
    assert not guard.is_local_host(host)


@pytest.mark.parametrize(
    ("event", "args", "target"),
    [
        ("socket.connect", (INET, ("93.184.216.34", 443)), "93.184.216.34:443"),
        ("socket.connect", (INET6, ("2001:db8::1", 80, 0, 0)), "[2001:db8::1]:80"),
        ("socket.connect", (INET, ("huggingface.co", 443)), "huggingface.co:443"),
        ("socket.bind", (INET, ("0.0.0.0", 8080)), "0.0.0.0:8080"),
        ("socket.bind", (INET, ("", 0)), "*"),
        ("socket.sendto", (INET, ("1.1.1.1", 53)), "1.1.1.1:53"),
        ("socket.sendmsg", (INET6, ("2001:db8::2", 53, 0, 0)), "[2001:db8::2]:53"),
        ("socket.getaddrinfo", ("huggingface.co", 443, 0, 0, 0), "huggingface.co:443"),
        ("socket.getaddrinfo", (b"example.com", None, 0, 0, 0), "example.com"),
        ("socket.gethostbyname", ("example.com",), "example.com"),
        ("socket.gethostbyaddr", ("8.8.8.8",), "8.8.8.8"),
        ("socket.getnameinfo", (("8.8.4.4", 53),), "8.8.4.4:53"),
    ],
)
def test_non_local_targets_are_named(event: str, args: tuple, target: str) -> None:
    assert guard.nonlocal_target(event, args) == target


@pytest.mark.parametrize(
    ("event", "args"),
    [
        ("socket.connect", (INET, ("127.0.0.1", 8000))),
        ("socket.connect", (INET6, ("::1", 8000, 0, 0))),
        ("socket.connect", (INET, ("localhost", 8000))),
        ("socket.connect", (UNIX, "/run/some.sock")),
        ("socket.bind", (UNIX, b"\0abstract")),
        ("socket.bind", (INET, ("127.0.0.1", 0))),
        ("socket.sendmsg", (INET, None)),
        ("socket.getaddrinfo", (None, 8000, 0, 0, 0)),
        ("socket.getaddrinfo", ("localhost", 8000, 0, 0, 0)),
        ("socket.gethostbyaddr", ("127.0.0.1",)),
        ("socket.getnameinfo", (("::1", 80),)),
    ],
)
def test_local_operations_pass(event: str, args: tuple) -> None:
    assert guard.nonlocal_target(event, args) is None


def test_an_unknown_socket_family_is_treated_as_leaving_the_machine() -> None:
    packet = SimpleNamespace(family=getattr(socket, "AF_PACKET", 17))
    assert guard.nonlocal_target("socket.bind", (packet, ("eth0", 0))) == "eth0"


def test_the_gate_counts_openings_lifts_offline_switches_and_records_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    seen: list[tuple[str, str]] = []
    unsubscribe = guard.subscribe(lambda e: seen.append((e.operation, e.target)))
    try:
        assert not guard.gate_open()
        with guard.network_gate("download model-a"):
            assert guard.gate_open()
            assert "HF_HUB_OFFLINE" not in os.environ
            assert os.environ["HF_HUB_DISABLE_TELEMETRY"] == "1"  # telemetry stays off
            with guard.network_gate("download model-b"):
                assert guard.gate_open()
            assert guard.gate_open()  # the outer download is still running
        assert not guard.gate_open()
        assert os.environ["HF_HUB_OFFLINE"] == "1"
    finally:
        unsubscribe()
    assert seen == [
        ("gate-open", "download model-a"),
        ("gate-open", "download model-b"),
        ("gate-close", "download model-b"),
        ("gate-close", "download model-a"),
    ]
    mine = [e for e in guard.ledger() if e.target == "download model-a"]
    assert {e.module for e in mine} == {__name__}


def test_the_gate_closes_when_the_download_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(RuntimeError), guard.network_gate("failing download"):
        raise RuntimeError("disk full")
    assert not guard.gate_open()
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_an_imported_hub_follows_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    constants = pytest.importorskip("huggingface_hub.constants")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with guard.network_gate("download"):
        assert constants.is_offline_mode() is False
    assert constants.is_offline_mode() is True


def test_installed_guard_refuses_non_local_operations_and_ledgers_them() -> None:
    result = run_child(
        """
        import json, socket
        from app.core.errors import NetworkBlockedError
        attempts = {
            "create_connection": lambda: socket.create_connection(("example.com", 443), timeout=1),
            "connect": lambda: socket.socket().connect(("192.0.2.1", 80)),
            "connect_ex": lambda: socket.socket().connect_ex(("192.0.2.1", 80)),
            "udp_sendto": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 53)),
            "bind_all": lambda: socket.socket().bind(("0.0.0.0", 0)),
            "ipv6": lambda: socket.socket(socket.AF_INET6).connect(("2001:db8::1", 80)),
            "gethostbyname": lambda: socket.gethostbyname("example.com"),
        }
        outcome = {}
        for name, attempt in attempts.items():
            try:
                attempt()
                outcome[name] = "allowed"
            except NetworkBlockedError:
                outcome[name] = "blocked"
            except Exception as exc:
                outcome[name] = type(exc).__name__
        print(json.dumps({"outcome": outcome, "ledger": guard.ledger_as_dicts(),
                          "refused": guard.refused_count(), "installed": guard.is_installed()}))
        """
    )
    assert result["installed"] is True
    assert set(result["outcome"].values()) == {"blocked"}, result["outcome"]
    assert result["refused"] == 7
    ops = [(e["operation"], e["target"]) for e in result["ledger"]]
    assert ops == [
        ("getaddrinfo", "example.com:443"),
        ("connect", "192.0.2.1:80"),
        ("connect", "192.0.2.1:80"),
        ("sendto", "192.0.2.1:53"),
        ("bind", "0.0.0.0"),
        ("connect", "[2001:db8::1]:80"),
        ("gethostbyname", "example.com"),
    ]
    assert all(e["allowed"] is False and e["module"] == "__main__" for e in result["ledger"])


def test_installed_guard_lets_loopback_and_unix_sockets_work() -> None:
    result = run_child(
        """
        import json, socket, threading
        server = socket.create_server(("127.0.0.1", 0))
        port = server.getsockname()[1]
        def serve():
            conn, _ = server.accept()
            conn.sendall(conn.recv(5).upper())
            conn.close()
        threading.Thread(target=serve).start()
        with socket.create_connection(("localhost", port)) as client:
            client.sendall(b"hello")
            reply = client.recv(5).decode()
        a, b = socket.socketpair(socket.AF_UNIX)
        a.sendall(b"x")
        print(json.dumps({"reply": reply, "unix": b.recv(1).decode(), "ledger": guard.ledger_as_dicts()}))
        """
    )
    assert result == {"reply": "HELLO", "unix": "x", "ledger": []}


def test_installed_guard_lets_worker_threads_through_only_while_the_gate_is_open() -> None:
    # A UDP connect sends no packet: it only proves the guard let the call through.
    result = run_child(
        """
        import json, socket
        from concurrent.futures import ThreadPoolExecutor
        from app.core.errors import NetworkBlockedError
        def attempt():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.connect(("192.0.2.1", 9))
                return "through"
            except NetworkBlockedError:
                return "blocked"
            except OSError:
                return "through"  # no route here; the guard still let it pass
            finally:
                s.close()
        with ThreadPoolExecutor(2) as pool:
            before = pool.submit(attempt).result()
            with guard.network_gate("test download"):
                during = pool.submit(attempt).result()
            after = pool.submit(attempt).result()
        print(json.dumps({"before": before, "during": during, "after": after,
                          "ledger": guard.ledger_as_dicts()}))
        """
    )
    assert (result["before"], result["during"], result["after"]) == ("blocked", "through", "blocked")
    assert [(e["operation"], e["allowed"]) for e in result["ledger"]] == [
        ("connect", False),
        ("gate-open", True),
        ("connect", True),
        ("gate-close", True),
        ("connect", False),
    ]


def test_installed_guard_sets_hub_switches_and_the_gate_lifts_them_for_a_real_client() -> None:
    result = run_child(
        """
        import json, os, threading, urllib.request
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from app.core.errors import NetworkBlockedError
        switches = {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "DO_NOT_TRACK")}
        import huggingface_hub
        from huggingface_hub.utils import get_session

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/file"
        try:
            get_session().get(url)
            outside = "reached"
        except Exception as exc:
            outside = type(exc).__name__
        with guard.network_gate("test download"):
            inside = get_session().get(url).text
        try:
            urllib.request.urlopen("http://example.invalid/", timeout=1)
            urllib_result = "reached"
        except NetworkBlockedError:
            urllib_result = "blocked"
        server.shutdown()
        print(json.dumps({"switches": switches, "outside": outside, "inside": inside,
                          "urllib": urllib_result, "offline_after": huggingface_hub.constants.is_offline_mode()}))
        """
    )
    assert result["switches"] == {"HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "1"}
    assert result["outside"] == "OfflineModeIsEnabled"
    assert result["inside"] == "ok"
    assert result["urllib"] == "blocked"
    assert result["offline_after"] is True
