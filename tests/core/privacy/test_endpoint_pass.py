"""The endpoint pass's rule, without the hook: one address set, one port, no second lookup.

The installed guard is proved in a network namespace (tests/integration/test_endpoint_namespace.py).
"""

from __future__ import annotations

import socket
from types import SimpleNamespace

from app.core.privacy import endpoint_pass, guard

INET = SimpleNamespace(family=socket.AF_INET)
UDP_ADDRESS = ("127.0.0.1", 8000)


def test_a_pass_allows_its_addresses_on_its_port_only_until_closed() -> None:
    opened = endpoint_pass.open_pass("127.0.0.1", 8000)
    try:
        assert opened.addresses == ("127.0.0.1",)
        assert endpoint_pass.allows("socket.connect", (INET, ("127.0.0.1", 8000)))
        assert endpoint_pass.allows("socket.getaddrinfo", ("127.0.0.1", 8000, 0, 1, 0, 0))
        assert not endpoint_pass.allows("socket.connect", (INET, ("127.0.0.1", 8001)))
        assert not endpoint_pass.allows("socket.connect", (INET, ("127.0.0.2", 8000)))
        assert not endpoint_pass.allows(
            "socket.getaddrinfo", ("localhost", 8000, 0, 1, 0, 0)
        )  # no second lookup
        assert not endpoint_pass.allows("socket.getaddrinfo", ("127.0.0.1", None, 0, 1, 0, 0))
        assert not endpoint_pass.allows("socket.sendto", (INET, UDP_ADDRESS))
        assert not endpoint_pass.allows("socket.bind", (INET, ("127.0.0.1", 8000)))
        assert guard._endpoint_check is endpoint_pass.allows
    finally:
        opened.close()
    assert not endpoint_pass.allows("socket.connect", (INET, ("127.0.0.1", 8000)))
    assert guard._endpoint_check is None
    ops = [e.operation for e in guard.ledger()[-2:]]
    assert ops == ["endpoint-open", "endpoint-close"]


def test_two_passes_on_one_endpoint_share_it_until_the_last_closes() -> None:
    first = endpoint_pass.open_pass("127.0.0.1", 9000)
    second = endpoint_pass.open_pass("127.0.0.1", 9000)
    first.close()
    first.close()  # idempotent: does not take the second one's share
    assert endpoint_pass.allows("socket.connect", (INET, ("127.0.0.1", 9000)))
    second.close()
    assert endpoint_pass.open_addresses() == []


def test_with_an_endpoint_on_a_refusal_names_it_as_the_one_exception() -> None:
    import pytest

    from app.core.errors import NetworkBlockedError

    opened = endpoint_pass.open_pass("127.0.0.1", 8000)
    try:
        with pytest.raises(NetworkBlockedError, match="or the endpoint in use"):
            guard._audit("socket.connect", (INET, ("10.1.2.3", 443)))
    finally:
        opened.close()
    with pytest.raises(NetworkBlockedError, match=r"only a model download you start may use the network\)"):
        guard._audit("socket.connect", (INET, ("10.1.2.3", 443)))
