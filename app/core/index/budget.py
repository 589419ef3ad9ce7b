"""A time budget for parsing and tag-querying one file, so one hostile file cannot stall the index.

Tree-sitter's tag queries can be quadratic: a 960 KB file of 480,000 unclosed `[` keeps
`QueryCursor.captures` busy for minutes, whatever the query. A file over its budget is
skipped (`PARSE_BUDGET_REASON`).

The limits are tree-sitter's own timeouts, checked in C. Its progress callbacks are not used:
in py-tree-sitter 0.25 and 0.26 a query's callback options live on a stack frame that is
gone when the callback runs (a segfault on ordinary files), and a parse only calls back when
the source comes from a reader, whose trees then read freed memory for `Node.text`. The
0.26 binding dropped the timeouts, hence the `tree-sitter<0.26` pin.

A timed-out parse resumes where it stopped on the next call, so parsing runs in short
slices and checks `stop` (a cancelled build, Ctrl-C) between them. A query cannot resume:
it runs to the end of the budget, which bounds how long a cancel waits on a hostile file.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable

import tree_sitter

from app.core.errors import Cancelled, EnclaveError

# The skip reason counted in IndexStats.skipped (and printed by `enclave index`).
PARSE_BUDGET_REASON = "parse_time_budget"
# Normal source parses and queries at several MB/s, so a 1 MB file needs well under a
# second; the budget leaves a 10x margin for a slow or busy machine (it is wall-clock time,
# as tree-sitter measures it) and still ends a hostile file within seconds.
BASE_SECONDS = 2.0
SECONDS_PER_MB = 3.0
# How often a parse stops to look at `stop`.
_PARSE_SLICE_S = 0.1
# py-tree-sitter reads timeouts as unsigned 32-bit microseconds.
_MAX_MICROS = 4_000_000_000

# A parser's timeout warns on every use, and the replacement it suggests is the callback
# described above.
warnings.filterwarnings(
    "ignore", message=r"Use the progress_callback in parse\(\)", category=DeprecationWarning
)


def budget_seconds(size: int) -> float:
    """The seconds one file of `size` bytes may spend in parsing and tag queries together."""
    return BASE_SECONDS + SECONDS_PER_MB * size / 1_000_000


class OverBudget(EnclaveError):
    """Parsing or querying one file took longer than its budget."""


class FileBudget:
    """The time left for one file, and whether its caller asked to stop."""

    def __init__(self, seconds: float, *, stop: Callable[[], bool] | None = None) -> None:
        self.seconds = seconds
        self._stop = stop
        self._deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left (negative once spent)."""
        return self._deadline - time.monotonic()

    def check(self) -> None:
        """Raise if the caller asked to stop or the budget is spent.

        Raises:
            Cancelled: `stop` returned True.
            OverBudget: no time is left.

        """
        if self._stop is not None and self._stop():
            raise Cancelled("cancelled")
        if self.remaining() <= 0:
            raise OverBudget(f"over its {self.seconds:.1f} s parse time budget")


def parse_within(language: tree_sitter.Language, data: bytes, *, budget: FileBudget) -> tree_sitter.Tree:
    """Parse `data`, in slices, until done or `budget` says stop.

    Raises:
        OverBudget: the budget ran out.
        Cancelled: the budget's `stop` returned True.

    """
    parser = _parser(language)
    # A parse that ran out of budget left its state behind; this one starts afresh.
    parser.reset()
    while True:
        budget.check()
        try:
            return parser.parse(data)
        except ValueError:  # "Parsing failed": the slice timed out; the next call resumes
            continue


_local = threading.local()


def _parser(language: tree_sitter.Language) -> tree_sitter.Parser:
    """The calling thread's parser for `language`: a new one per file cost ~5% of parsing a project."""
    parsers: dict[tree_sitter.Language, tree_sitter.Parser] | None = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    parser = parsers.get(language)
    if parser is None:
        parser = parsers[language] = tree_sitter.Parser(language, timeout_micros=_micros(_PARSE_SLICE_S))
    return parser


def captures_within(
    query: tree_sitter.Query, node: tree_sitter.Node, *, budget: FileBudget
) -> dict[str, list[tree_sitter.Node]]:
    """`QueryCursor.captures` on `node`, unless `budget` runs out first.

    Raises:
        OverBudget: the budget ran out (a timed-out cursor silently returns what it had).
        Cancelled: the budget's `stop` returned True.

    """
    budget.check()
    cursor = tree_sitter.QueryCursor(query, timeout_micros=_micros(budget.remaining()))
    captures = cursor.captures(node)
    budget.check()
    return captures


def _micros(seconds: float) -> int:
    return max(1, min(_MAX_MICROS, int(seconds * 1_000_000)))
