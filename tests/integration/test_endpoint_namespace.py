"""The network gate opens only for the endpoint: proved in a network namespace the test creates.

`unshare -rn` gives the child its own network stack: a loopback interface with two extra
test addresses, 10.200.0.1 (the endpoint: a scripted server) and 10.200.0.2 (anything
else: a listener that would accept). No packet can leave the namespace. With the guard
installed the child shows: before the endpoint is in use (and under a policy file) its
address is refused; while it is, exactly its address and port are reachable; another
address or another port in the namespace is refused and ledgered; after `close()` the
endpoint is refused again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ENDPOINT, OTHER = "10.200.0.1", "10.200.0.2"

CHILD = textwrap.dedent(
    f"""
    import json, os, socket, subprocess
    for cmd in (["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", "{ENDPOINT}/32", "dev", "lo"],
                ["ip", "addr", "add", "{OTHER}/32", "dev", "lo"]):
        subprocess.run(cmd, check=True)
    from tests.support.fake_openai import FakeOpenAI
    fake = FakeOpenAI(host="{ENDPOINT}").start()
    # Listeners that would answer: another address, and another port on the endpoint's address.
    other = socket.create_server(("{OTHER}", fake.port))
    side = socket.create_server(("{ENDPOINT}", 0))
    side_port = side.getsockname()[1]
    # Bound before the guard: binding a non-local address is refused once it is on.
    from app.core.privacy import guard
    guard.install()
    from app.core.cancel import CancelToken
    from app.core.errors import EnclaveError, NetworkBlockedError
    from app.core.remote.endpoint import make_endpoint
    from app.core.remote.remote_model import RemoteModel
    from app.core.runtime.generation import Sampling, TextDelta

    def attempt(host, port):
        try:
            socket.create_connection((host, port), timeout=2).close()
            return "connected"
        except NetworkBlockedError:
            return "blocked"
        except OSError as exc:
            return type(exc).__name__

    out = {{}}
    out["before_use"] = attempt("{ENDPOINT}", fake.port)
    endpoint = make_endpoint("ns", url=f"http://{ENDPOINT}:{{fake.port}}", model="fake-model", unencrypted=True)
    os.environ["ENCLAVE_SYSTEM_CONFIG"] = os.environ["POLICY_DIR"]
    try:
        RemoteModel.open(endpoint, api_key=None)
        out["under_policy"] = "opened"
    except EnclaveError as exc:
        out["under_policy"] = "refused: " + str(exc)
    out["ledger_after_policy"] = [e["operation"] for e in guard.ledger_as_dicts()]
    os.environ["ENCLAVE_SYSTEM_CONFIG"] = os.environ["NO_POLICY_DIR"]
    model = RemoteModel.open(endpoint, api_key=None)
    text = "".join(i.text for i in model.chat([{{"role": "user", "content": "hi"}}], sampling=Sampling(),
                   cancel=CancelToken()) if isinstance(i, TextDelta))
    out["reply"] = text
    out["other_address"] = attempt("{OTHER}", fake.port)
    out["other_port"] = attempt("{ENDPOINT}", side_port)
    try:
        socket.socket().connect(("{OTHER}", fake.port))  # a raw connect, no lookup first
        out["other_raw"] = "connected"
    except NetworkBlockedError:
        out["other_raw"] = "blocked"
    out["udp"] = "allowed"
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("{ENDPOINT}", fake.port))
    except NetworkBlockedError:
        out["udp"] = "blocked"
    try:
        socket.getaddrinfo("example.com", 443)
        out["dns"] = "allowed"
    except NetworkBlockedError:
        out["dns"] = "blocked"
    model.close()
    out["after_close"] = attempt("{ENDPOINT}", fake.port)
    out["ledger"] = guard.ledger_as_dicts()
    out["served"] = len(fake.chats)
    print(json.dumps(out))
    """
)


def namespaces_work() -> str:
    """Empty when `unshare -rn` and `ip` work here, else why not."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "needs unshare and ip (util-linux, iproute2)"
    probe = subprocess.run(
        ["unshare", "-rn", "ip", "link", "set", "lo", "up"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        return f"user and network namespaces are not available here: {probe.stderr.strip()[:200]}"
    return ""


@pytest.mark.skipif(sys.platform != "linux", reason="network namespaces are Linux only")
def test_the_guard_opens_exactly_the_endpoint_inside_a_namespace(tmp_path: Path) -> None:
    why = namespaces_work()
    if why:
        pytest.skip(why)
    locked, open_ = tmp_path / "locked", tmp_path / "open"
    locked.mkdir()
    open_.mkdir()
    (locked / "enclave-policy.toml").write_text("endpoints = false\n")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(POLICY_DIR=str(locked), NO_POLICY_DIR=str(open_))
    proc = subprocess.run(
        ["unshare", "-rn", sys.executable, "-c", CHILD],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])

    # Off by default, and off under a policy file: nothing is even attempted.
    assert out["before_use"] == "blocked"
    assert out["under_policy"].startswith(
        "refused: remote endpoints are turned off by your organisation's policy"
    )
    assert out["ledger_after_policy"] == ["getaddrinfo"]  # only the refused attempt before use
    # In use: the endpoint answers; everything else in the namespace is refused.
    assert out["reply"] == "ok" and out["served"] == 1
    assert (
        out["other_address"] == out["other_port"] == out["other_raw"] == out["udp"] == out["dns"] == "blocked"
    )
    assert out["after_close"] == "blocked"

    ledger = out["ledger"]
    refused = sorted({(e["operation"], e["target"]) for e in ledger if not e["allowed"]})
    port = _port(ledger)
    assert ("getaddrinfo", f"{OTHER}:{port}") in refused and ("connect", f"{OTHER}:{port}") in refused
    assert ("sendto", f"{ENDPOINT}:{port}") in refused
    assert ("getaddrinfo", "example.com:443") in refused
    assert any(
        target.startswith(f"{ENDPOINT}:") and not target.endswith(f":{port}") for _op, target in refused
    )
    allowed_connects = {e["target"] for e in ledger if e["allowed"] and e["operation"] == "connect"}
    assert allowed_connects == {f"{ENDPOINT}:{port}"}
    requests = [e for e in ledger if e["operation"] == "request"]
    assert len(requests) == 2 and all(
        e["bytes_up"] > 0 and e["bytes_down"] > 0 for e in requests
    )  # models, chat
    ops = [e["operation"] for e in ledger]
    assert ops.count("endpoint-open") == ops.count("endpoint-close") == 1


def _port(ledger: list[dict]) -> str:
    opened = next(e for e in ledger if e["operation"] == "endpoint-open")
    return opened["target"].rsplit(":", 1)[1]
