"""Notice when a reply has fallen into a loop, repeating one passage over and over.

Small models do this (a 135M model answering "where is the retry logic?" can repeat one
sentence until the token limit). The guard fires only on long, exact repetition: at least
600 characters made of one passage of 8 to 400 characters repeated, so repeated lines in
real code (a few `pass` lines, a table rule) never trip it.
"""

from __future__ import annotations

MIN_PERIOD = 8
MAX_PERIOD = 400
MIN_SPAN = 600
MIN_REPEATS = 3
_CHECK_EVERY = 24  # characters between checks, to keep the cost per token small


class LoopGuard:
    """Feed generated text; `feed` returns True once the tail is one passage on repeat."""

    def __init__(self) -> None:
        self._tail = ""
        self._since_check = 0

    def feed(self, text: str) -> bool:
        """Add `text`; True when the reply is looping."""
        keep = MAX_PERIOD * MIN_REPEATS + MIN_SPAN
        self._tail = (self._tail + text)[-keep:]
        self._since_check += len(text)
        if self._since_check < _CHECK_EVERY:
            return False
        self._since_check = 0
        return looping(self._tail)


def looping(tail: str) -> bool:
    """True when `tail` ends with at least `MIN_SPAN` characters of one repeated passage."""
    n = len(tail)
    for period in range(MIN_PERIOD, MAX_PERIOD + 1):
        span = max(MIN_SPAN, period * MIN_REPEATS)
        if span > n:
            break
        if tail[-1] != tail[-1 - period]:
            continue
        window = tail[-span:]
        # A string repeats with period p exactly when it equals itself shifted by p.
        if window[period:] == window[:-period]:
            return True
    return False
