"""Definitions, references, docs and syntax errors of one file, from tree-sitter tag queries.

Queries live in `resources/queries/<language>-tags.scm` and use these capture names:
`@name.definition.<kind>` (the defined name), `@definition.<kind>` (the whole definition,
for its line range), `@name.reference.<kind>` (a used name) and `@doc` (docstrings and
comments, for the lexical channel).
"""

from __future__ import annotations

import bisect
import functools
import logging
import operator
import threading
import typing
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import tree_sitter

from app.core.index.budget import FileBudget, budget_seconds, captures_within, parse_within
from app.core.index.diagnostics import collect_diagnostics
from app.core.index.languages import load_language
from app.core.index.records import Symbol, SymbolRow, SyntaxDiagnostic
from app.core.paths import resources_dir

logger = logging.getLogger(__name__)

_MAX_SIGNATURE = 200
_MAX_DOC_CHARS = 16_000
_MAX_NAME = 120

_lock = threading.Lock()
_queries: dict[str, tree_sitter.Query | None] = {}


@dataclass(frozen=True)
class FileTags:
    """Everything the index keeps from parsing one file."""

    path: str
    symbol_rows: tuple[SymbolRow, ...]
    references: tuple[tuple[str, int], ...]  # (identifier, count)
    doc_text: str
    diagnostics: tuple[SyntaxDiagnostic, ...]

    @functools.cached_property
    def symbols(self) -> tuple[Symbol, ...]:
        """The definitions as Symbol records, in line order."""
        return tuple(Symbol(self.path, *row) for row in self.symbol_rows)


def query_source(language: str) -> str | None:
    """The text of the language's tag query, or None when there is none.

    A query whose first line is `; inherits: <language>` starts with that language's query
    (TSX extends TypeScript with JSX references).
    """
    path = resources_dir() / "queries" / f"{language}-tags.scm"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    first = text.split("\n", 1)[0].strip()
    if first.startswith("; inherits:"):
        base = query_source(first.removeprefix("; inherits:").strip())
        if base is not None:
            text = base + "\n" + text
    return text


def load_query(language: str) -> tree_sitter.Query | None:
    """The compiled tag query (cached), or None when the grammar or query is missing."""
    with _lock:
        if language in _queries:
            return _queries[language]
    lang = load_language(language)
    source = query_source(language)
    query = None
    if lang is not None and source is not None:
        try:
            query = tree_sitter.Query(lang, source)
        except (tree_sitter.QueryError, ValueError) as exc:  # a bad query costs one language
            logger.warning("tag query for %s does not compile: %s", language, exc)
    with _lock:
        _queries[language] = query
    return query


def extract_tags(
    data: bytes,
    *,
    language: str,
    path: str,
    stop: Callable[[], bool] | None = None,
    budget_s: float | None = None,
) -> FileTags | None:
    """Parse `data` as `language`; None when the language has no grammar or query here.

    The parse and the tag query share one time budget (`budget_s`, default by size).

    Raises:
        OverBudget: parsing and querying took longer than the budget.
        Cancelled: `stop` returned True while parsing or querying.

    """
    lang = load_language(language)
    query = load_query(language)
    if lang is None or query is None:
        return None
    budget = FileBudget(budget_seconds(len(data)) if budget_s is None else budget_s, stop=stop)
    tree = parse_within(lang, data, budget=budget)
    root = tree.root_node
    # captures() is much cheaper than matches() on big files; a definition's name finds its
    # outer node among the `@definition.<kind>` captures by position.
    captures = captures_within(query, root, budget=budget)
    refs: Counter[bytes] = Counter()
    docs: list[str] = []
    doc_chars = 0
    for cap_name, nodes in captures.items():
        if cap_name.startswith("name.reference."):
            refs.update(map(_TEXT, nodes))
        elif cap_name == "doc":
            # Source order: the cursor's order varies with its state, and truncation must
            # keep the same (first) part of the file every time.
            for node in sorted(nodes, key=_START):
                if doc_chars >= _MAX_DOC_CHARS:
                    break
                text = (node.text or b"").decode("utf-8", "replace")[: _MAX_DOC_CHARS - doc_chars]
                docs.append(text)
                doc_chars += len(text)
    # Capture order in the query file is the priority (methods before functions): taken in
    # that order, a name already defined at a higher priority is skipped before its row is made.
    definitions = [name for name in captures if name.startswith("name.definition.")]
    rows_at: dict[int, SymbolRow] = {}
    for cap_name in sorted(definitions, key=functools.partial(_capture_priority, query)):
        kind = cap_name[16:]
        _add_rows(
            data, captures[cap_name], captures.get("definition." + kind, ()), kind=kind, rows_at=rows_at
        )
    rows = tuple(sorted(rows_at.values(), key=_LINE_AND_NAME))
    references = tuple(
        (name.decode("utf-8", "replace"), count)
        for name, count in refs.items()
        if name and len(name) <= _MAX_NAME
    )
    return FileTags(
        path=path,
        symbol_rows=rows,
        references=references,
        doc_text="\n".join(docs),
        diagnostics=collect_diagnostics(root),
    )


_TEXT = operator.attrgetter("text")
_START = operator.attrgetter("start_byte")
_LINE_AND_NAME = operator.itemgetter(2, 0)


_priorities: dict[tuple[int, str], int] = {}


def _capture_priority(query: tree_sitter.Query, name: str) -> int:
    key = (id(query), name)
    found = _priorities.get(key)
    if found is None:
        # A property at run time, a method in tree-sitter 0.25's type stubs.
        count = typing.cast(int, query.capture_count)
        names = [query.capture_name(i) for i in range(count)]
        found = names.index(name) if name in names else len(names)
        _priorities[key] = found
    return found


def _add_rows(
    data: bytes,
    names: Sequence[tree_sitter.Node],
    outers: Sequence[tree_sitter.Node],
    *,
    kind: str,
    rows_at: dict[int, SymbolRow],
) -> None:
    """Add a row to `rows_at` (by the name's start byte) for every name not already there.

    A name's definition is the innermost `outers` node containing it, found by position (no
    parent walks); a name in none of them stands for itself. This loop runs once per symbol
    of the project, so it reads each node attribute it needs once (each read builds a value).
    """
    ordered = sorted(outers, key=_START)
    starts = [n.start_byte for n in ordered]
    ends = [n.end_byte for n in ordered]
    find, rfind, size = data.find, data.rfind, len(data)
    for name in names:
        name_start = name.start_byte
        if name_start in rows_at:
            continue
        name_end = name.end_byte
        if name_end == name_start or name_end - name_start > _MAX_NAME:
            continue
        outer = name
        # The container with the latest start is the innermost; earlier siblings that
        # ended before the name are skipped (a few at most).
        i = bisect.bisect_right(starts, name_start) - 1
        for j in range(i, max(i - 8, -1), -1):
            if ends[j] >= name_end:
                outer = ordered[j]
                break
        start = outer.start_byte if outer is not name else name_start
        line_start = rfind(b"\n", 0, start) + 1
        line_end = find(b"\n", start)
        if line_end < 0:
            line_end = size
        signature = data[line_start : min(line_end, line_start + _MAX_SIGNATURE * 4)]
        rows_at[name_start] = (
            data[name_start:name_end].decode("utf-8", "replace"),
            kind,
            outer.start_point[0] + 1,
            outer.end_point[0] + 1,
            signature.decode("utf-8", "replace").rstrip()[:_MAX_SIGNATURE],
        )
