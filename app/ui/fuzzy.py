"""Fuzzy matching for quick open and go to symbol: "pnet" finds pkg/net.py. Qt-free."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

# Characters after which a letter starts a new word of a path or a name.
_SEPARATORS = frozenset("/\\_-. :")


def score(query: str, text: str) -> float | None:
    """How well `query`'s letters, in order, match `text` (higher is better); None if they don't.

    Letters that start a word (after a separator, or an upper-case letter after a lower-case
    one) and letters next to the previous match count more; a match inside the last path
    part (the file name) beats one spread over folders, and more so at its start; shorter
    texts win ties.
    """
    needle = "".join(query.lower().split())
    if not needle:
        return 0.0
    name_at = max(text.rfind("/"), text.rfind("\\")) + 1
    in_name = _match(needle, text, start=name_at)
    if in_name is not None:
        prefix = 5.0 if text[name_at:].lower().startswith(needle) else 0.0
        return in_name + prefix + 10.0 - 0.01 * len(text)
    anywhere = _match(needle, text, start=0)
    return None if anywhere is None else anywhere - 0.01 * len(text)


def rank(query: str, items: Iterable[T], *, key: Callable[[T], str], limit: int = 200) -> list[T]:
    """The items whose `key` matches `query`, best first (all of them, in order, for an empty query)."""
    if not query.strip():
        return list(items)[:limit]
    scored: list[tuple[float, int, T]] = []
    for i, item in enumerate(items):
        s = score(query, key(item))
        if s is not None:
            scored.append((-s, i, item))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [item for _s, _i, item in scored[:limit]]


def _match(needle: str, text: str, *, start: int) -> float | None:
    """Score a left-to-right match of `needle` in `text[start:]`, preferring word starts."""
    lower = text.lower()
    pos = start
    total = 0.0
    last = -2
    for ch in needle:
        found = lower.find(ch, pos)
        if found < 0:
            return None
        # A word start a little further on is usually what was meant ("nt" -> "net_tools").
        boundary = _next_boundary(lower, text, ch, pos)
        if boundary is not None and found != boundary and found != last + 1 and boundary - found < 24:
            found = boundary
        total += 1.0
        if found == last + 1:
            total += 2.0
        if _is_boundary(text, found, start=start):
            total += 3.0
        last = found
        pos = found + 1
    return total


def _next_boundary(lower: str, text: str, ch: str, pos: int) -> int | None:
    found = lower.find(ch, pos)
    while found >= 0:
        if _is_boundary(text, found, start=0):
            return found
        found = lower.find(ch, found + 1)
    return None


def _is_boundary(text: str, i: int, *, start: int) -> bool:
    if i <= start or i == 0:
        return True
    before = text[i - 1]
    return before in _SEPARATORS or (text[i].isupper() and before.islower())
