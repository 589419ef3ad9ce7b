from __future__ import annotations

import threading

from app.core.privacy.ledger import Ledger, LedgerEntry


def test_entries_are_kept_in_order_and_refusals_counted() -> None:
    ledger = Ledger()
    ledger.record(target="example.com:443", operation="getaddrinfo", module="m", allowed=False)
    ledger.record(target="download", operation="gate-open", module="m", allowed=True)
    ledger.record(target="10.0.0.1:80", operation="connect", module="m", allowed=True)

    assert [e.target for e in ledger.entries()] == ["example.com:443", "download", "10.0.0.1:80"]
    assert ledger.refused_count == 1
    first = ledger.entries()[0].as_dict()
    assert set(first) == {"time", "target", "operation", "module", "allowed"}
    assert first["allowed"] is False


def test_listeners_hear_every_entry_until_they_unsubscribe() -> None:
    ledger = Ledger()
    heard: list[LedgerEntry] = []
    unsubscribe = ledger.subscribe(heard.append)
    ledger.record(target="a", operation="connect", module="m", allowed=False)
    unsubscribe()
    ledger.record(target="b", operation="connect", module="m", allowed=False)

    assert [e.target for e in heard] == ["a"]


def test_a_failing_listener_does_not_stop_the_record_or_other_listeners() -> None:
    ledger = Ledger()
    heard: list[str] = []

    def broken(entry: LedgerEntry) -> None:
        raise RuntimeError("boom")

    ledger.subscribe(broken)
    ledger.subscribe(lambda e: heard.append(e.target))
    ledger.record(target="a", operation="connect", module="m", allowed=False)

    assert heard == ["a"]
    assert len(ledger.entries()) == 1


def test_the_ledger_is_bounded_but_the_refusal_count_stays_exact() -> None:
    ledger = Ledger(max_entries=5)
    for i in range(12):
        ledger.record(target=f"h{i}", operation="connect", module="m", allowed=False)

    assert [e.target for e in ledger.entries()] == ["h7", "h8", "h9", "h10", "h11"]
    assert ledger.refused_count == 12
    ledger.clear()
    assert ledger.entries() == []
    assert ledger.refused_count == 0


def test_records_from_many_threads_are_all_kept() -> None:
    ledger = Ledger()

    def work(n: int) -> None:
        for i in range(100):
            ledger.record(target=f"{n}-{i}", operation="connect", module="m", allowed=False)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(ledger.entries()) == 400
    assert ledger.refused_count == 400
