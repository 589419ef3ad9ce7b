"""Completions remembered by what surrounds the cursor, serving typed-ahead matches too."""

from __future__ import annotations

from collections import OrderedDict

MAX_ENTRIES = 250
LOOK_BACK = 128  # characters typed since a cached completion that can still be matched


class CompletionCache:
    """An LRU of completions keyed by (file, prefix, suffix).

    When a user types the start of a completion they were shown, the cursor's new prefix is
    the old one plus those characters: the rest of the old completion is served at once.
    """

    def __init__(self, *, size: int = MAX_ENTRIES) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str, str], str] = OrderedDict()

    def put(self, path: str, prefix: str, suffix: str, text: str) -> None:
        """Remember `text` as the completion at this place."""
        key = (path, prefix, suffix)
        self._items[key] = text
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def get(self, path: str, prefix: str, suffix: str) -> str | None:
        """The completion remembered here, or the rest of one the user has typed into; else None."""
        exact = self._items.get((path, prefix, suffix))
        if exact is not None:
            self._items.move_to_end((path, prefix, suffix))
            return exact
        for typed in range(1, min(LOOK_BACK, len(prefix)) + 1):
            key = (path, prefix[:-typed], suffix)
            earlier = self._items.get(key)
            if earlier is not None and len(earlier) > typed and earlier.startswith(prefix[-typed:]):
                self._items.move_to_end(key)
                return earlier[typed:]
        return None

    def clear(self) -> None:
        """Forget everything (a model change, Forget Everything)."""
        self._items.clear()
