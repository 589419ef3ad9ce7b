"""Hostile files are bounded in time: over its budget a file is skipped, and counted."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from app.core.errors import Cancelled
from app.core.index import ProjectIndex, symbols_in_text
from app.core.index import budget as budget_module
from app.core.index.budget import PARSE_BUDGET_REASON, OverBudget
from app.core.index.tags import extract_tags
from tests.core.index.conftest import SHOP, write_tree

# 160,000 unclosed `[` (320 KB): tree-sitter's tag query on it is quadratic, about 30 s on a
# 2-core CI machine (the issue measured 139.6 s for 480,000). The budget for its size is ~3 s.
HOSTILE = "x = " + "[\n" * 160_000


def _normal_python(approx_bytes: int) -> str:
    block = (
        "class Handler{i}:\n"
        '    """Handle requests of kind {i}."""\n\n'
        "    def handle(self, request):\n"
        "        value = compute_{i}(request.body, [1, 2, 3], {{'k': {i}}})\n"
        "        return respond(value)\n\n\n"
    )
    out: list[str] = []
    size = 0
    i = 0
    while size < approx_bytes:
        text = block.format(i=i)
        out.append(text)
        size += len(text)
        i += 1
    return "".join(out)


@pytest.mark.parametrize("background", [False, True], ids=["in-process", "worker-processes"])
def test_a_hostile_file_is_skipped_with_its_reason_and_the_rest_is_indexed(
    tmp_path: Path, *, background: bool
) -> None:
    root = write_tree(tmp_path / "project", {**SHOP, "gen/nested.py": HOSTILE})
    started = time.monotonic()
    index = ProjectIndex.open(root, background=background, workers=2 if background else 1)
    elapsed = time.monotonic() - started
    stats = index.stats
    assert stats is not None
    assert stats.skipped == {PARSE_BUDGET_REASON: 1}
    assert "gen/nested.py" not in index.files()
    assert {s.name for s in index.symbols("shop/cart.py")} >= {"ShoppingCart", "add", "total_cents"}
    assert stats.files_parsed == 5
    # A sanity bound, far under the unbounded ~30 s: the skip reason above is the point.
    assert elapsed < 20


def test_a_large_normal_file_fits_its_budget() -> None:
    # ~900 KB of ordinary code: the budget must never skip such a file.
    source = _normal_python(900_000).encode()
    started = time.monotonic()
    tags = extract_tags(source, language="python", path="big.py")
    spent = time.monotonic() - started
    assert tags is not None and len(tags.symbol_rows) > 5_000
    assert spent < budget_module.budget_seconds(len(source)) / 3


def test_an_edit_check_on_a_hostile_text_gives_up_instead_of_hanging(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget_module, "BASE_SECONDS", 1.0)
    monkeypatch.setattr(budget_module, "SECONDS_PER_MB", 0.0)
    started = time.monotonic()
    assert symbols_in_text(HOSTILE, path="nested.py") == ()
    assert time.monotonic() - started < 8


def test_a_spent_budget_raises_over_budget() -> None:
    with pytest.raises(OverBudget):
        extract_tags(b"def f():\n    return 1\n", language="python", path="f.py", budget_s=0.0)


def test_stop_reaches_into_a_long_parse() -> None:
    # Parsing ~4 MB takes over a second here; `stop` is looked at between 0.1 s slices.
    source = _normal_python(4_000_000).encode()
    stop = threading.Event()
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(Cancelled):
            extract_tags(source, language="python", path="big.py", stop=stop.is_set, budget_s=60.0)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 0.3 + 0.5


def test_a_file_after_an_abandoned_parse_gets_its_own_tree() -> None:
    # The thread's parser is reused; a parse stopped halfway must not carry into the next file.
    stop = threading.Event()
    timer = threading.Timer(0.15, stop.set)
    timer.start()
    try:
        with pytest.raises(Cancelled):
            extract_tags(
                _normal_python(4_000_000).encode(), language="python", path="big.py", stop=stop.is_set
            )
    finally:
        timer.cancel()
    tags = extract_tags(b"def small():\n    return 1\n", language="python", path="small.py")
    assert tags is not None
    assert [row[:3] for row in tags.symbol_rows] == [("small", "function", 1)]
