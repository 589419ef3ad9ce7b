"""The grep tool's pattern: Python regex syntax, with a time limit on every search.

`regex` rather than `re`: the same syntax, but a search takes a timeout (`re` cannot be
stopped, not even by Ctrl-C), so a pattern that backtracks catastrophically, such as
`(a|aa)+$` on a line of 40 a's, fails in a fraction of a second instead of running for days.
"""

from __future__ import annotations

import regex

# One search; a pattern that needs longer backtracks catastrophically (the time grows
# exponentially with the line), and the model is told to simplify it.
SEARCH_SECONDS = 0.25

# Zero-width tests that can look past a line's ends, and possessive or atomic parts that can
# consume past them, behave differently on the whole file than on one line: with any of
# them a whole-file search could miss a line that matches, so it is not used as a pre-check.
_LINE_BOUND = ("(?=", "(?!", "(?<=", "(?<!", "\\A", "\\Z", "\\z", "\\G", "(?-", "(?>", "*+", "++", "?+", "}+")


class LinePattern:
    """Tests lines (and whole files, as a pre-check) against one grep pattern.

    Raises (from the tests):
        TimeoutError: one search took longer than SEARCH_SECONDS.
    """

    def __init__(self, pattern: str) -> None:
        """Compile `pattern`.

        Raises:
            regex.error: the pattern is invalid.

        """
        # A plain word skips the engine: `in` is exact, and ~5x faster than a timed search.
        self._word = (
            pattern
            if pattern and regex.escape(pattern, special_only=True, literal_spaces=True) == pattern
            else None
        )
        self._line = regex.compile(pattern)
        # MULTILINE: `^` and `$` then hold at every line's ends, as they do on a single line;
        # `\b` and `\B` see a newline there, a non-word character like a line's edge.
        self._file = (
            None if any(s in pattern for s in _LINE_BOUND) else regex.compile(pattern, regex.MULTILINE)
        )

    def may_match(self, text: str) -> bool:
        """False only when no line of `text` (its lines joined by newlines) can match."""
        if self._word is not None:
            return self._word in text
        if self._file is None:
            return True
        try:
            return self._file.search(text, timeout=SEARCH_SECONDS) is not None
        except TimeoutError:
            return True  # undecided: the lines are searched one by one

    def matches(self, line: str) -> bool:
        """Whether `line` matches.

        Raises:
            TimeoutError: the search took longer than SEARCH_SECONDS.

        """
        if self._word is not None:
            return self._word in line
        return self._line.search(line, timeout=SEARCH_SECONDS) is not None
