"""The network guard: refuse every socket operation towards a non-local address.

`install()` runs first thing in `python -m app` / `enclave`, before Qt, llama_cpp or
huggingface_hub are imported. It adds a `sys.addaudithook` hook that sees every socket
connect, bind, sendto, sendmsg and name lookup made through Python, and raises
`NetworkBlockedError` for any target that is not this machine (AF_UNIX, 127.0.0.0/8, ::1 and
`localhost` stay allowed). The one way through is `network_gate(purpose)`, which the model
downloader opens around a download the user started; the other is an endpoint pass
(`endpoint_pass.open_pass`), which lets connections through to the addresses of one
configured endpoint, resolved once, and nothing else. Every non-local attempt and every
gate opening lands in the in-memory ledger.

Audit hooks cannot be removed, so the guard is per process: tests that need it run a child
process. Without `install()` the gate and the ledger still work; nothing is refused.
Native code (llama.cpp, Qt) does not pass through the hook; the strace proof test covers it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from app.core.errors import NetworkBlockedError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from app.core.privacy.ledger import Ledger, LedgerEntry, Listener

logger = logging.getLogger(__name__)

# Set by install() and lifted only while a gate is open.
OFFLINE_SWITCHES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")
# Set by install() and never lifted: a download needs no telemetry.
TELEMETRY_SWITCHES = ("HF_HUB_DISABLE_TELEMETRY", "DISABLE_TELEMETRY", "DO_NOT_TRACK")

# audit event -> operation name recorded in the ledger
_SOCKET_EVENTS = {
    "socket.connect": "connect",
    "socket.bind": "bind",
    "socket.sendto": "sendto",
    "socket.sendmsg": "sendmsg",
    "socket.getaddrinfo": "getaddrinfo",
    "socket.gethostbyname": "gethostbyname",
    "socket.gethostbyaddr": "gethostbyaddr",
    "socket.getnameinfo": "getnameinfo",
}
# Frames from these modules are plumbing; the ledger names the first module above them.
_PLUMBING = (
    "socket",
    "ssl",
    "selectors",
    "asyncio",
    "http",
    "urllib",
    "urllib3",
    "requests",
    "httpx",
    "httpcore",
    "h11",
    "h2",
    "anyio",
    "encodings",
    "contextlib",
    "app.core.privacy",
)

_lock = threading.RLock()
_installed = False
_gate_depth = 0
_gate_saved_env: dict[str, str | None] = {}
_ledger_instance: Ledger | None = None  # made on first use: keeps dataclasses off the startup path
_local_families: frozenset[int] | None = None
# Set by endpoint_pass while a pass is open: (event, args) -> whether that endpoint allows it.
_endpoint_check: Callable[[str, tuple[Any, ...]], bool] | None = None
# The common loopback spellings, answered without parsing.
_LOOPBACK_NAMES = frozenset({"127.0.0.1", "::1", "localhost"})


def _ledger() -> Ledger:
    global _ledger_instance
    if _ledger_instance is None:
        from app.core.privacy.ledger import Ledger

        with _lock:
            if _ledger_instance is None:
                _ledger_instance = Ledger()
    return _ledger_instance


def install() -> None:
    """Turn the guard on for this process (idempotent; it cannot be turned off again)."""
    global _installed
    with _lock:
        if _installed:
            return
        for name in TELEMETRY_SWITCHES:
            os.environ[name] = "1"
        if _gate_depth == 0:
            for name in OFFLINE_SWITCHES:
                os.environ[name] = "1"
        if "huggingface_hub.constants" in sys.modules:
            logger.warning("huggingface_hub was imported before the network guard")
            _sync_hub_constants()
        sys.addaudithook(_audit)
        _installed = True


def is_installed() -> bool:
    """Whether `install()` ran in this process."""
    return _installed


def gate_open() -> bool:
    """Whether a network gate is open right now (a download the user started is running)."""
    return _gate_depth > 0


@contextmanager
def network_gate(purpose: str) -> Iterator[None]:
    """Let non-local sockets through while the block runs; every attempt is still recorded.

    The gate is process-wide (a counter), so worker threads of the download client pass too.
    The hub's offline switches are lifted on the first opening and restored on the last close.
    """
    global _gate_depth
    from app.core.privacy.ledger import GATE_CLOSE, GATE_OPEN  # kept off the start-up path, as _ledger()

    caller = _calling_module()
    with _lock:
        _gate_depth += 1
        if _gate_depth == 1:
            _lift_offline_switches()
    _ledger().record(target=purpose, operation=GATE_OPEN, module=caller, allowed=True)
    logger.info("network gate opened")
    try:
        yield
    finally:
        with _lock:
            _gate_depth -= 1
            if _gate_depth == 0:
                _restore_offline_switches()
        _ledger().record(target=purpose, operation=GATE_CLOSE, module=caller, allowed=True)
        logger.info("network gate closed")


def set_endpoint_check(check: Callable[[str, tuple[Any, ...]], bool] | None) -> None:
    """Let `check(event, args)` allow non-local operations (the open endpoint passes); None: none."""
    global _endpoint_check
    _endpoint_check = check


def record(target: str, *, operation: str, allowed: bool = True, **request: Any) -> LedgerEntry:
    """Add one entry of the caller's own (an endpoint pass opening, a request and its sizes)."""
    return _ledger().record(
        target=target, operation=operation, module=_calling_module(), allowed=allowed, **request
    )


def ledger() -> list[LedgerEntry]:
    """Every non-local attempt and gate opening so far in this process, oldest first."""
    return _ledger().entries()


def ledger_as_dicts() -> list[dict[str, Any]]:
    """The ledger as plain data (for `enclave doctor --json`)."""
    return [entry.as_dict() for entry in _ledger().entries()]


def refused_count() -> int:
    """How many attempts were refused so far (what the status bar shows)."""
    return _ledger().refused_count


def subscribe(callback: Listener) -> Callable[[], None]:
    """Call `callback(entry)` on every new ledger entry, on the thread that made the attempt.

    Returns a function that unsubscribes.
    """
    return _ledger().subscribe(callback)


def clear_ledger() -> None:
    """Forget the entries so far (part of "forget everything")."""
    _ledger().clear()


def nonlocal_target(event: str, args: tuple[Any, ...]) -> str | None:
    """The target of an audited socket event when it leaves this machine, else None."""
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
        host = args[0] if args else None
        if event == "socket.getaddrinfo" and host is None:
            return None  # no host: the loopback address (or a wildcard, which bind checks)
        if is_local_host(host):
            return None
        port = args[1] if event == "socket.getaddrinfo" and len(args) > 1 else None
        return _format_target(host, port)
    if event == "socket.getnameinfo":
        sockaddr = args[0] if args else None
        return _ip_target(sockaddr)
    # connect, bind, sendto, sendmsg: (socket, address)
    sock, address = (*args, None, None)[:2]
    if address is None:  # sendmsg on a connected socket: its connect was checked
        return None
    family = getattr(sock, "family", None)
    if _is_machine_local_family(family):
        return None
    return _ip_target(address)


def is_local_host(host: Any) -> bool:
    """True for loopback addresses and `localhost` names; False for everything else."""
    if isinstance(host, bytes | bytearray):
        try:
            host = bytes(host).decode("ascii")
        except UnicodeDecodeError:
            return False
    if not isinstance(host, str):
        return False
    if host in _LOOPBACK_NAMES:
        return True
    name = host.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    name = name.split("%", 1)[0]  # IPv6 zone index
    if name == "localhost" or name.endswith(".localhost"):
        return True
    if not name:
        return False  # the wildcard address: every interface
    import ipaddress

    try:
        addr = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped.is_loopback
    return addr.is_loopback


def _audit(event: str, args: tuple[Any, ...]) -> None:
    # Called for every audited event in the process: the common case must stay one dict lookup.
    operation = _SOCKET_EVENTS.get(event)
    if operation is None:
        return
    target = nonlocal_target(event, args)
    if target is None:
        return
    check = _endpoint_check
    allowed = _gate_depth > 0 or (check is not None and check(event, args))
    _ledger().record(target=target, operation=operation, module=_calling_module(), allowed=allowed)
    if not allowed:
        logger.warning("refused %s to a non-local address", operation)
        allowed_use = (
            "only a model download you start, or the endpoint in use, may use the network"
            if check is not None
            else "only a model download you start may use the network"
        )
        raise NetworkBlockedError(
            f"network access to {target} blocked: Enclave works offline ({allowed_use})"
        )


def _is_machine_local_family(family: Any) -> bool:
    global _local_families
    if _local_families is None:
        import socket

        # AF_NETLINK talks to the kernel and never leaves the machine.
        names = ("AF_UNIX", "AF_NETLINK")
        _local_families = frozenset(getattr(socket, n) for n in names if hasattr(socket, n))
    return family in _local_families


def _ip_target(address: Any) -> str | None:
    if isinstance(address, tuple) and address and isinstance(address[0], str | bytes | bytearray):
        if is_local_host(address[0]):
            return None
        port = address[1] if len(address) > 1 else None
        return _format_target(address[0], port)
    return repr(address)  # a family we do not know: refuse, and show what it was


def _format_target(host: Any, port: Any) -> str:
    if isinstance(host, bytes | bytearray):
        host = bytes(host).decode("ascii", "replace")
    text = str(host) if host is not None else ""
    if ":" in text:
        text = f"[{text}]"
    if not text:
        text = "*"
    return f"{text}:{port}" if port not in (None, "", 0) else text


def _calling_module() -> str:
    frame = sys._getframe(1)
    innermost = ""
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if not innermost:
            innermost = name
        if name and not any(name == p or name.startswith(p + ".") for p in _PLUMBING):
            return name
        frame = frame.f_back  # type: ignore[assignment]
    return innermost or "?"


def _lift_offline_switches() -> None:
    _gate_saved_env.clear()
    for name in OFFLINE_SWITCHES:
        _gate_saved_env[name] = os.environ.pop(name, None)
    _sync_hub_constants()


def _restore_offline_switches() -> None:
    for name, value in _gate_saved_env.items():
        if value is not None:
            os.environ[name] = value
    _gate_saved_env.clear()
    _sync_hub_constants()


def _sync_hub_constants() -> None:
    # huggingface_hub reads its switches once at import; an imported hub follows the env here.
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is None:
        return

    def on(name: str) -> bool:
        return os.environ.get(name, "").strip().upper() in {"1", "ON", "YES", "TRUE"}

    setattr(constants, "HF_HUB_OFFLINE", on("HF_HUB_OFFLINE") or on("TRANSFORMERS_OFFLINE"))  # noqa: B010
    setattr(constants, "HF_HUB_DISABLE_TELEMETRY", any(on(name) for name in TELEMETRY_SWITCHES))  # noqa: B010
