"""The connection under `HttpClient`: pinned to the resolved addresses, TLS always verified.

`PinnedConnection` connects only to the addresses the endpoint pass resolved, and checks
the certificate against the endpoint's host name. `CancelWatch` shuts a socket down when
Stop is pressed, which wakes a read blocked in another thread at once.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading

from app.core.cancel import CancelToken
from app.core.errors import RemoteError


def tls_context(ca_bundle: str = "") -> ssl.SSLContext:
    """A verifying TLS context: the OS trust store, or `ca_bundle` for a corporate CA.

    Raises:
        RemoteError: the CA bundle cannot be read.

    """
    if ca_bundle:
        context = ssl.create_default_context()  # the system's CAs, and the corporate ones on top
        try:
            context.load_verify_locations(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise RemoteError(f"{ca_bundle}: the CA bundle cannot be read ({exc})") from None
        return context
    try:
        import truststore  # the OS store (macOS Keychain, Windows), where corporate CAs live

        store: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return store
    except ImportError:
        return ssl.create_default_context()


class PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection that connects only to `addresses` and checks TLS against the host name."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        addresses: tuple[str, ...],
        context: ssl.SSLContext | None,
        timeout: float,
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses or (host,)
        self._context = context

    def connect(self) -> None:
        """Connect to the first pinned address that answers, then wrap it in TLS."""
        error: OSError | None = None
        for address in self._addresses:
            try:
                sock = socket.create_connection((address, self.port), self.timeout)
                break
            except OSError as exc:
                error = exc
        else:
            assert error is not None
            raise error
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._context is not None:
            # check_hostname is on (default context): the certificate must name the host.
            sock = self._context.wrap_socket(sock, server_hostname=self.host)
        self.sock = sock


class CancelWatch:
    """While inside, a set `cancel` shuts the connection's socket down, waking a blocked read."""

    def __init__(self, sock: socket.socket | None, cancel: CancelToken) -> None:
        self._sock, self._cancel = sock, cancel
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> CancelWatch:
        self._thread = threading.Thread(target=self._run, name="endpoint-cancel", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()

    def _run(self) -> None:
        while not self._done.is_set():
            if self._cancel.wait(0.05):
                sock = self._sock
                if sock is not None and not self._done.is_set():
                    with contextlib.suppress(OSError):  # already closed: nothing to wake
                        sock.shutdown(socket.SHUT_RDWR)
                return
