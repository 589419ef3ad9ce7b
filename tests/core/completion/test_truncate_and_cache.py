"""Where ghost text ends, and the cache that serves what the user types into."""

from __future__ import annotations

import itertools
import time

from app.core.completion.cache import CompletionCache
from app.core.completion.truncate import Truncator, read_until_cut


def _cut(line_before: str, suffix: str, streamed: str) -> tuple[str, bool]:
    cut = Truncator(line_before=line_before, suffix=suffix)
    for ch in streamed:
        cut.feed(ch)
        if cut.done:
            break
    return cut.result(), cut.done


def test_text_right_of_the_cursor_means_one_line() -> None:
    text, done = _cut("    total = compute(", "x)\n    return total\n", "values, 2)\n    more()\n")
    assert text == "values, 2)"
    assert done


def test_a_dedent_out_of_the_block_ends_it() -> None:
    body = "if x:\n        y = 1\n    return y\n\ndef other():\n"
    text, done = _cut("    ", "\n", body)
    assert text == "if x:\n        y = 1\n    return y"
    assert done
    text, _ = _cut("    ", "\n", "a = 1\n    b = 2\ndef next_one():\n    pass\n")
    assert text == "a = 1\n    b = 2"


def test_the_model_writing_the_suffix_again_is_cut() -> None:
    text, _ = _cut("    ", "\n    return total\n", "total = sum(xs)\n    return total\n    extra\n")
    assert text == "total = sum(xs)"


def test_a_line_cap_bounds_a_long_completion() -> None:
    text, done = _cut("", "\n", "".join(f"line{i}\n" for i in range(30)))
    assert done and text.count("\n") == 7  # eight lines


def test_typing_into_a_cached_completion_serves_its_rest() -> None:
    cache = CompletionCache()
    cache.put("a.py", "def f():\n    ret", "\n", "urn 42")
    assert cache.get("a.py", "def f():\n    ret", "\n") == "urn 42"
    assert cache.get("a.py", "def f():\n    retur", "\n") == "n 42"
    assert cache.get("a.py", "def f():\n    retx", "\n") is None  # typed something else
    assert cache.get("b.py", "def f():\n    ret", "\n") is None
    assert cache.get("a.py", "def f():\n    return 42", "\n") is None  # typed it all: nothing left


def test_the_cache_forgets_the_oldest_first() -> None:
    cache = CompletionCache(size=2)
    cache.put("a", "1", "", "x")
    cache.put("a", "2", "", "y")
    cache.get("a", "1", "")
    cache.put("a", "3", "", "z")
    assert cache.get("a", "2", "") is None
    assert cache.get("a", "1", "") == "x"


def test_while_it_streams_the_shown_text_only_grows_and_starts_the_final_one() -> None:
    # A dedent that ends the block: its line is never shown, not even while it is half written.
    body = "if x:\n        y = 1\n    return y\n\ndef other():\n"
    cut = Truncator(line_before="    ", suffix="\n")
    reader = read_until_cut(iter(body), cut, deadline=time.perf_counter() + 60)
    shown: list[str] = []
    try:
        while True:
            shown.append(next(reader))
    except StopIteration as end:
        finish = end.value[0]
    assert finish == "cut"
    assert shown[0] == "i" and shown[-1] == cut.result() == "if x:\n        y = 1\n    return y"
    assert all(b.startswith(a) and a != b for a, b in itertools.pairwise(shown))
    assert not any("def" in text for text in shown)
