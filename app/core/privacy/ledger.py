"""The privacy ledger: every non-local network attempt and every gate opening, in memory only.

The network guard appends to it; `enclave doctor` prints it and the UI's status bar
subscribes to it. A request to a configured endpoint adds one entry with its sizes, token
counts and the names of the files whose content it carried (never the content).
Nothing here is ever written to disk.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

logger = logging.getLogger(__name__)

# Operations that are not socket calls: the download gate opening and closing.
GATE_OPEN = "gate-open"
GATE_CLOSE = "gate-close"
# A configured endpoint: its pass opening and closing, and each request sent to it.
ENDPOINT_OPEN = "endpoint-open"
ENDPOINT_CLOSE = "endpoint-close"
REQUEST = "request"

# A runaway retry loop must not grow memory without bound; the count of refusals stays exact.
MAX_ENTRIES = 1000


@dataclass(frozen=True)
class LedgerEntry:
    """One network attempt towards a non-local address, or one gate opening or closing."""

    time: float  # seconds since the epoch
    target: str  # "host:port", a host name, or the gate's purpose
    operation: str  # connect, bind, getaddrinfo, sendto, sendmsg, gethostbyname, ..., gate-open
    module: str  # the module that made the call (the first one outside socket plumbing)
    allowed: bool  # True inside an open gate (and for gate entries), False when refused
    # A request to an endpoint (operation "request"): what it cost and which files went out.
    bytes_up: int = 0
    bytes_down: int = 0
    tokens_up: int = 0
    tokens_down: int = 0
    files: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON (the request fields only for a request)."""
        data = asdict(self)
        if self.operation != REQUEST:
            for name in _REQUEST_FIELDS:
                data.pop(name)
        else:
            data["files"] = list(self.files)
        return data


_REQUEST_FIELDS = ("bytes_up", "bytes_down", "tokens_up", "tokens_down", "files")
Listener = Callable[[LedgerEntry], None]


class Ledger:
    """A bounded, thread-safe list of entries with listeners.

    Listeners run on the thread that made the attempt; a UI must hop to its own thread.
    """

    def __init__(self, *, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LedgerEntry] = deque(maxlen=max_entries)
        self._refused = 0
        self._listeners: list[Listener] = []

    def record(
        self, *, target: str, operation: str, module: str, allowed: bool, **request: Any
    ) -> LedgerEntry:
        """Append one entry and tell every listener (`request`: the sizes of an endpoint request)."""
        entry = LedgerEntry(
            time=time.time(), target=target, operation=operation, module=module, allowed=allowed, **request
        )
        with self._lock:
            self._entries.append(entry)
            if not allowed:
                self._refused += 1
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(entry)
            except Exception as exc:  # a broken listener must not turn a refusal into a crash
                logger.warning("ledger listener failed: %s", type(exc).__name__)
        return entry

    def entries(self) -> list[LedgerEntry]:
        """A copy of the entries, oldest first."""
        with self._lock:
            return list(self._entries)

    @property
    def refused_count(self) -> int:
        """How many attempts were refused since start (exact, even past `MAX_ENTRIES`)."""
        with self._lock:
            return self._refused

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every new entry; returns a function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def clear(self) -> None:
        """Drop every entry (part of "forget everything"); listeners stay."""
        with self._lock:
            self._entries.clear()
            self._refused = 0
