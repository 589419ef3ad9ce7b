"""From tree-sitter query matches to coloured runs per line (no Qt here).

`query_segments` is what the editor's highlighter caches per line; `line_spans` colours a
whole small text at once (a chat code block), bounded like the editor: a parse or a query
past its time limit gives None and the caller shows the text plain.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import tree_sitter

from app.core.index.budget import budget_seconds  # also silences the parser-timeout warning
from app.ui.syntax_queries import HighlightGrammar, load_highlight
from app.ui.syntax_theme import PLAIN, category_of

Segment = tuple[int, int, str]  # start and end byte column in its line, category
QUERY_TIMEOUT_S = 0.05  # one query over a chunk of lines; ordinary code needs 1-3 ms
_END = 1 << 30  # "to the end of the line"
_Best = dict[tuple[int, int], tuple[tuple[bool, bool, int, int], str, tree_sitter.Point, tree_sitter.Point]]


def query_segments(
    trees: Sequence[tuple[HighlightGrammar, tree_sitter.Tree]], *, rows: tuple[int, int]
) -> dict[int, list[Segment]] | None:
    """Each line's segments in `rows` (start, end), in painting order; None if a query timed out.

    Outer nodes come first, so a string's escape or an f-string's `{name}` paints over it.
    """
    first, end_row = rows
    best: _Best = {}
    for grammar, tree in trees:
        matches = _matches(grammar, tree, rows)
        if matches is None:
            return None
        _collect(grammar, matches, best)
    out: dict[int, list[Segment]] = {r: [] for r in range(first, end_row)}
    for (start_byte, end_byte), (_, category, start, end) in sorted(
        best.items(), key=lambda i: i[0][0] - i[0][1]
    ):
        del start_byte, end_byte
        for r in range(max(start[0], first), min(end[0], end_row - 1) + 1):
            begin = start[1] if r == start[0] else 0
            stop = end[1] if r == end[0] else _END
            if stop > begin:
                out[r].append((begin, stop, category))
    return out


def _matches(
    grammar: HighlightGrammar, tree: tree_sitter.Tree, rows: tuple[int, int]
) -> list[tuple[int, dict[str, list[tree_sitter.Node]]]] | None:
    """The query's matches on `rows`, or None when it runs into its timeout twice.

    A timed-out cursor returns what it had, silently, so time is measured here; one slow
    run can be the machine (a garbage collection, a busy core), so it is tried again first.
    """
    for _ in range(2):
        cursor = tree_sitter.QueryCursor(grammar.query, timeout_micros=int(QUERY_TIMEOUT_S * 1_000_000))
        cursor.set_point_range((rows[0], 0), (rows[1], 0))
        began = time.monotonic()
        matches = cursor.matches(tree.root_node)
        if time.monotonic() - began < QUERY_TIMEOUT_S:
            return matches
    return None


def line_spans(language: str, text: str) -> list[list[tuple[int, int, str]]] | None:
    """(start, length, category) runs per line of `text`, in Qt's UTF-16 columns.

    None when `language` has no grammar or query here, or parsing or querying ran too long.
    """
    grammar = load_highlight(language)
    if grammar is None:
        return None
    source = text.encode("utf-8", errors="surrogatepass")
    parser = tree_sitter.Parser(grammar.language, timeout_micros=int(budget_seconds(len(source)) * 1_000_000))
    try:
        tree = parser.parse(source)
    except ValueError:  # over its time budget
        return None
    lines = text.split("\n")
    segments = query_segments(((grammar, tree),), rows=(0, len(lines)))
    if segments is None:
        return None
    out = []
    for row, line in enumerate(lines):
        column = column_map(line)
        runs = []
        for start, end, category in segments.get(row, []):
            s, e = column(start), column(end)
            if e > s:
                runs.append((s, e - s, category))
        out.append(runs)
    return out


def column_map(text: str) -> Callable[[int], int]:
    """Byte column -> UTF-16 index in the line `text` (Qt's unit), identity for ASCII lines."""
    if text.isascii():
        return lambda b: min(b, len(text))
    starts = []
    position = 0
    for ch in text:
        starts.extend([position] * len(ch.encode("utf-8", errors="surrogatepass")))
        position += 2 if ord(ch) > 0xFFFF else 1

    def column(b: int) -> int:
        return starts[b] if b < len(starts) else position

    return column


def _collect(
    grammar: HighlightGrammar,
    matches: list[tuple[int, dict[str, list[tree_sitter.Node]]]],
    best: _Best,
) -> None:
    """Keep, per node range, the capture that ranks highest (a colour beats `@variable`)."""
    for pattern, captures in matches:
        own, specificity, order = grammar.rank(pattern)
        for name, nodes in captures.items():
            category = category_of(name)
            if category is None:
                continue
            rank = (category != PLAIN, own, specificity, order)
            for node in nodes:
                key = (node.start_byte, node.end_byte)
                held = best.get(key)
                if held is None or rank > held[0]:
                    best[key] = (rank, category, node.start_point, node.end_point)
