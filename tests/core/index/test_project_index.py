from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, EnclaveError
from app.core.index import FileChanged, IndexDone, IndexProgress, IndexStarted, ProjectIndex
from app.core.index import project_index as project_index_module


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            st = os.stat(os.path.join(dirpath, name))
            out[os.path.relpath(os.path.join(dirpath, name), root)] = (st.st_size, st.st_mtime_ns)
    return out


def test_build_yields_progress_then_done(shop: Path) -> None:
    index = ProjectIndex(shop, workers=1)
    events = list(index.build())
    assert isinstance(events[0], IndexStarted) and events[0].total == 6
    assert isinstance(events[-1], IndexDone)
    assert any(isinstance(e, IndexProgress) and e.done == e.total for e in events)
    stats = events[-1].stats
    assert stats.files_indexed == 6
    assert stats.files_parsed == 5
    assert stats.languages == {"python": 5}
    assert index.files()[0] == "README.md"


def test_nothing_is_written_to_the_project(shop: Path) -> None:
    before = snapshot(shop)
    index = ProjectIndex.open(shop, workers=1)
    index.repo_map(tokens=500)
    index.context("discount")
    assert snapshot(shop) == before


def test_symbols_and_find_symbol(shop: Path) -> None:
    index = ProjectIndex.open(shop, workers=1)
    cart = index.symbols("shop/cart.py")
    assert [(s.name, s.kind, s.line) for s in cart] == [
        ("ShoppingCart", "class", 6),
        ("__init__", "method", 7),
        ("add", "method", 10),
        ("total_cents", "method", 13),
    ]
    assert {s.file for s in index.symbols()} >= {"shop/cart.py", "shop/models.py", "shop/pricing.py"}
    assert [s.file for s in index.find_symbol("apply_discount")] == ["shop/pricing.py"]
    assert index.symbols("nope.py") == []


def test_repo_map_ranks_the_referenced_files_and_fits_the_budget(shop: Path) -> None:
    index = ProjectIndex.open(shop, workers=1)
    full = index.repo_map(tokens=2000)
    assert "shop/models.py:" in full
    assert "class Product:" in full
    # models.py is referenced by cart.py; retry.py by nobody: models ranks above retry.
    assert full.index("shop/models.py") < full.index("shop/retry.py")
    counted: list[str] = []

    def count(text: str) -> int:
        counted.append(text)
        return len(text.split())

    small = index.repo_map(tokens=12, count_tokens=count)
    assert counted, "the caller's token counter must be used"
    assert 0 < count(small) <= 12
    assert index.repo_map(tokens=0) == ""


def test_repo_map_follows_mentions_and_leaves_out_chat_files(shop: Path) -> None:
    index = ProjectIndex.open(shop, workers=1)
    mentioned = index.repo_map(tokens=40, mentions=["retry_with_backoff"])
    assert mentioned.splitlines()[0] == "shop/retry.py:"
    # A mention that names a file (its stem) seeds that file too.
    assert index.repo_map(tokens=40, mentions=["pricing"]).splitlines()[0] == "shop/pricing.py:"
    with_chat = index.repo_map(tokens=2000, chat_files=["shop/cart.py"])
    assert "shop/cart.py:" not in with_chat
    assert "shop/pricing.py:" in with_chat


def test_context_finds_the_file_for_a_question(shop: Path) -> None:
    index = ProjectIndex.open(shop, workers=1)
    hits = index.context("where is the retry logic with backoff?", top=3)
    assert hits[0].file == "shop/retry.py"
    assert "retry_with_backoff" in [s.name for s in hits[0].symbols]
    # The discount rule and the total that applies it: both files, nothing else first.
    discount = index.context("how are discounts applied to the total", top=2)
    assert {h.file for h in discount} == {"shop/pricing.py", "shop/cart.py"}
    assert len(index.context("cart", top=1)) == 1


def test_update_files_modify_add_delete(shop: Path) -> None:
    index = ProjectIndex.open(shop, workers=1)
    (shop / "shop" / "pricing.py").write_text("def apply_coupon(cents: int) -> int:\n    return cents\n")
    (shop / "shop" / "tax.py").write_text("def vat(cents):\n    return apply_coupon(cents)\n")
    (shop / "shop" / "retry.py").unlink()
    (shop / "node_modules").mkdir()
    (shop / "node_modules" / "x.js").write_text("function x() {}\n")
    events = list(
        index.update_files(["shop/pricing.py", "shop/tax.py", "shop/retry.py", "node_modules/x.js"])
    )
    assert [(e.path, e.change) for e in events] == [
        ("shop/pricing.py", "modified"),
        ("shop/tax.py", "added"),
        ("shop/retry.py", "deleted"),
    ]
    assert [s.name for s in index.symbols("shop/pricing.py")] == ["apply_coupon"]
    assert index.find_symbol("apply_discount") == []
    assert "shop/retry.py" not in index.files()
    assert "node_modules/x.js" not in index.files()
    # The graph follows: tax.py now references pricing.py, so a map seeded by tax ranks pricing.
    assert index.repo_map(tokens=30, chat_files=["shop/tax.py"]).startswith("shop/pricing.py:")


def test_update_reports_syntax_errors(shop: Path) -> None:
    index = ProjectIndex.open(shop, workers=1)
    (shop / "shop" / "pricing.py").write_text("def apply_discount(cents:\n    return cents\n")
    (event,) = index.update_files(["shop/pricing.py"])
    assert isinstance(event, FileChanged)
    assert event.diagnostics and event.diagnostics[0].line == 1
    assert index.diagnostics("shop/pricing.py") == event.diagnostics


def test_cancel_stops_the_build(shop: Path) -> None:
    token = CancelToken()
    index = ProjectIndex(shop, workers=1)
    events = index.build(cancel=token)
    assert isinstance(next(events), IndexStarted)
    token.cancel()
    with pytest.raises(Cancelled):
        list(events)
    assert index.files() == []


def test_parallel_build_matches_serial(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(30):
        (shop / "shop" / f"extra_{i}.py").write_text(f"def extra_{i}():\n    return apply_discount({i})\n")
    serial = ProjectIndex.open(shop, workers=1)
    monkeypatch.setattr(project_index_module, "PARALLEL_MIN_BYTES", 1)
    parallel = ProjectIndex.open(shop, workers=2)
    assert parallel.stats is not None and parallel.stats.workers == 2
    assert parallel.files() == serial.files()
    assert parallel.symbols() == serial.symbols()
    assert parallel.repo_map(tokens=300) == serial.repo_map(tokens=300)


def test_not_a_folder_is_a_readable_error(tmp_path: Path) -> None:
    with pytest.raises(EnclaveError, match="not a folder"):
        ProjectIndex(tmp_path / "missing")


def test_code_under_test_outranks_its_tests_unless_tests_are_asked_for(shop: Path) -> None:
    (shop / "tests").mkdir()
    # The test's path and name repeat the question's words more than the code does.
    (shop / "tests" / "test_exponential_backoff_retry.py").write_text(
        "from shop.retry import retry_with_backoff\n\n\n"
        "def test_exponential_backoff_retry():\n"
        "    # retry backoff retry backoff: exponential backoff retry logic\n"
        "    retry_with_backoff(lambda: 1)\n"
    )
    index = ProjectIndex.open(shop, workers=1)
    assert index.context("where is the exponential backoff retry logic?", top=2)[0].file == "shop/retry.py"
    assert (
        index.context("which tests cover the backoff retry?", top=2)[0].file
        == "tests/test_exponential_backoff_retry.py"
    )


def test_rescan_follows_new_ignore_rules_and_branch_switches(shop: Path) -> None:
    index = ProjectIndex.open(shop, workers=1)
    (shop / ".gitignore").write_text("shop/retry.py\n")
    (shop / "shop" / "pricing.py").write_text(
        "def apply_discount(cents):\n    return cents\n\n\ndef extra():\n    pass\n"
    )
    (shop / "shop" / "new.py").write_text("def new():\n    pass\n")
    changes = {(e.path, e.change) for e in index.rescan()}
    assert changes == {
        (".gitignore", "added"),
        ("shop/retry.py", "deleted"),
        ("shop/pricing.py", "modified"),
        ("shop/new.py", "added"),
    }
    assert list(index.rescan()) == []


def test_a_broken_worker_pool_falls_back_to_in_process(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from app.core.index.parse import index_file
    from app.core.index.parser_pool import ParserPool

    def dying_pool(self: ParserPool, jobs: list, **_: object) -> object:
        # One file comes back, then the pool dies (as when a worker cannot start).
        yield jobs[0][0], index_file(jobs[0])
        raise BrokenProcessPool("worker died")

    monkeypatch.setattr(project_index_module, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(ParserPool, "parse", dying_pool)
    index = ProjectIndex.open(shop, workers=2)
    assert index.files() == ProjectIndex.open(shop, workers=1).files()
    assert len(index.files()) == 6
