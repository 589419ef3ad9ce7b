"""An endpoint pass: the network guard lets through exactly one endpoint's addresses and port.

`open_pass(host, port)` resolves the host once (that one lookup is allowed, on the calling
thread only), then allows connections, and numeric look-ups, to exactly the addresses it
found, on that port. Every other non-local operation stays refused and ledgered, and a
second lookup of the host name is refused too: a DNS answer that changes later cannot
redirect the traffic. Passes are counted per address, so two models on one endpoint share
it; the last `close()` takes it away. Allowed connects still land in the ledger.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import EnclaveError
from app.core.privacy import guard
from app.core.privacy.ledger import ENDPOINT_CLOSE, ENDPOINT_OPEN

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_allowed: Counter[tuple[str, int]] = Counter()  # (address, port) -> open passes
_resolving = threading.local()  # (host, port) being resolved by open_pass on this thread


@dataclass
class EndpointPass:
    """An open pass: `addresses` on `port` are reachable until `close()`."""

    host: str
    port: int
    addresses: tuple[str, ...]
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        """Take the pass away (idempotent)."""
        with _lock:
            if self._closed:
                return
            self._closed = True
            for address in self.addresses:
                _allowed[(address, self.port)] -= 1
                if _allowed[(address, self.port)] <= 0:
                    del _allowed[(address, self.port)]
            if not _allowed:
                guard.set_endpoint_check(None)
        guard.record(_target(self.host, self.port), operation=ENDPOINT_CLOSE)
        logger.info("endpoint pass closed (%d addresses)", len(self.addresses))


def open_pass(host: str, port: int) -> EndpointPass:
    """Resolve `host` once and allow connections to exactly its addresses on `port`.

    Raises:
        EnclaveError: the name does not resolve (one line, for the user).

    """
    guard.set_endpoint_check(allows)  # before the lookup: the guard asks `allows` about it
    _resolving.target = (host, port)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        _drop_check_if_unused()
        raise EnclaveError(f"{host}: the endpoint's host name does not resolve ({exc.strerror})") from None
    except BaseException:
        _drop_check_if_unused()
        raise
    finally:
        _resolving.target = None
    addresses = tuple(dict.fromkeys(_normal(str(info[4][0])) for info in infos if info[4]))
    with _lock:
        for address in addresses:
            _allowed[(address, port)] += 1
        guard.set_endpoint_check(allows)
    guard.record(_target(host, port), operation=ENDPOINT_OPEN)
    logger.info("endpoint pass opened (%d addresses)", len(addresses))
    return EndpointPass(host, port, addresses)


def _drop_check_if_unused() -> None:
    with _lock:
        if not _allowed:
            guard.set_endpoint_check(None)


def open_addresses() -> list[tuple[str, int]]:
    """The (address, port) pairs an open pass allows now."""
    with _lock:
        return sorted(_allowed)


def allows(event: str, args: tuple[Any, ...]) -> bool:
    """Whether an open pass lets this audited socket operation through (the guard asks)."""
    if event == "socket.connect":
        address = args[1] if len(args) > 1 else None
        family = getattr(args[0], "family", None) if args else None
        if family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
            return False
        return _is_open(address[0], address[1] if len(address) > 1 else None)
    if event == "socket.getaddrinfo":
        host, port = (*args, None, None)[:2]
        if getattr(_resolving, "target", None) == (host, port):
            return True  # open_pass's own, single lookup
        return _is_numeric(host) and _is_open(host, port)
    return False  # sendto, bind, name lookups: never through a pass


def _is_open(host: Any, port: Any) -> bool:
    if isinstance(host, bytes | bytearray):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    try:
        number = int(port) if port is not None else None
    except (TypeError, ValueError):
        return False
    if number is None:
        return False  # a pass is for one port
    with _lock:
        return (_normal(host), number) in _allowed


def _is_numeric(host: Any) -> bool:
    if isinstance(host, bytes | bytearray):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _normal(address: str) -> str:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).compressed
    except ValueError:
        return address


def _target(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
