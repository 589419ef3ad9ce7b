"""Rank files for a question by combining the lexical channel with the file graph."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from app.core.index.graph import FileGraph
from app.core.index.lexical import LexicalIndex, query_terms, words
from app.core.index.records import FileRecord, RankedFile, Symbol

# How much each channel counts; tuned on tests/benchmarks/data/retrieval_questions.json.
LEXICAL_WEIGHT = 0.6
GRAPH_WEIGHT = 0.2
SYMBOL_WEIGHT = 0.2
_LEXICAL_SEEDS = 10
# Tests repeat the words of the code they test; unless the question is about tests, the
# code under test is the better answer.
TEST_FILE_FACTOR = 0.8
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TEST_PATH = re.compile(
    r"(^|/)(tests?|testing|spec|__tests__)/|(^|/)test_[^/]*$|_test\.[a-z]+$|\.(spec|test)\.[jt]sx?$"
)
_ABOUT_TESTS = re.compile(r"\btest", re.IGNORECASE)
# Listing symbols: a class gets this share of its best-matching member's score (listed, it
# says where the member lives); a name the question spells out beats any word match.
_CLASS_SHARE = 0.5
_MENTIONED = 100.0


def mentioned_identifiers(question: str, graph: FileGraph) -> set[str]:
    """Identifiers in the question that some file defines (exact spelling first, then case-folded)."""
    found: set[str] = set()
    for token in _IDENT.findall(question):
        if len(token) < 3:
            continue
        if graph.definers(token):
            found.add(token)
    return found


def rank_context(
    question: str,
    *,
    records: Mapping[str, FileRecord],
    graph: FileGraph,
    lexical: LexicalIndex,
    top: int,
    chat_files: Collection[str] = (),
) -> list[RankedFile]:
    """The `top` files for `question`, best first, each with up to five relevant symbols."""
    lexical_hits = lexical.search(question, limit=100)
    best_lex = max((s for _, s in lexical_hits), default=0.0) or 1.0
    lex = {path: score / best_lex for path, score in lexical_hits}
    mentions = mentioned_identifiers(question, graph)
    seeds = {path: lex[path] for path, _ in lexical_hits[:_LEXICAL_SEEDS]}
    ranking = graph.rank(chat_files=chat_files, mentions=mentions, seed_files=seeds)
    # Graph neighbours of the lexical hits may answer the question without sharing its words.
    by_rank = sorted(ranking.file_rank, key=lambda f: -ranking.file_rank[f])
    candidates = set(lex) | {f for name in mentions for f in graph.definers(name)} | set(by_rank[:top])
    best_rank = max((ranking.file_rank.get(f, 0.0) for f in candidates), default=0.0) or 1.0
    terms = set(query_terms(question))
    about_tests = bool(_ABOUT_TESTS.search(question))
    scored: list[tuple[float, str]] = []
    for path in candidates:
        record = records.get(path)
        if record is None:
            continue
        symbol_hit = _symbol_match(record, mentions, terms)
        score = (
            LEXICAL_WEIGHT * lex.get(path, 0.0)
            + GRAPH_WEIGHT * ranking.file_rank.get(path, 0.0) / best_rank
            + SYMBOL_WEIGHT * symbol_hit
        )
        if not about_tests and _TEST_PATH.search(path):
            score *= TEST_FILE_FACTOR
        scored.append((score, path))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [
        RankedFile(file=path, score=score, symbols=_relevant_symbols(records[path], mentions, terms))
        for score, path in scored[:top]
    ]


def _symbol_match(record: FileRecord, mentions: set[str], terms: set[str]) -> float:
    """1.0 when the file defines a mentioned identifier, else the best share of matched name words."""
    best = 0.0
    for symbol in record.symbols:
        if symbol.name in mentions:
            return 1.0
        parts = set(words(symbol.name)) - {symbol.name.lower()} or {symbol.name.lower()}
        if terms and parts:
            share = len(parts & terms) / len(parts)
            if share > best:
                best = share
    return best * 0.8


def _relevant_symbols(record: FileRecord, mentions: set[str], terms: set[str]) -> tuple[Symbol, ...]:
    """Up to five definitions that match the question, each name once, classes of matching members too."""
    symbols = record.symbols
    scores = [_MENTIONED if s.name in mentions else _name_score(s.name, terms) for s in symbols]
    # A class whose method or field matches tells the model where that member lives.
    open_classes: list[int] = []
    for i, symbol in enumerate(symbols):
        while open_classes and symbols[open_classes[-1]].end_line < symbol.line:
            open_classes.pop()
        if scores[i] > 0:
            for c in open_classes:
                scores[c] = max(scores[c], _CLASS_SHARE * scores[i])
        if symbol.kind == "class":
            open_classes.append(i)
    order = sorted(range(len(symbols)), key=lambda i: (-scores[i], symbols[i].line))
    picked: list[Symbol] = []
    names: set[str] = set()
    for i in order:
        if scores[i] <= 0 or len(picked) == 5:
            break
        if symbols[i].name not in names:
            names.add(symbols[i].name)
            picked.append(symbols[i])
    return tuple(picked) or tuple(s for s in symbols if s.kind in ("class", "function"))[:5]


def _name_score(name: str, terms: set[str]) -> float:
    """Question words the name's parts match (inflections count), plus a little for the matched share."""
    parts = set(words(name))
    whole = name.lower()
    if len(parts) > 1:
        parts.discard(whole)
    matched = sum(1 for part in parts if any(same_word(part, term) for term in terms))
    return matched + 0.5 * matched / len(parts) if parts else 0.0


_INFLECTIONS = frozenset({"s", "es", "d", "ed", "ing", "er", "ers"})


def same_word(a: str, b: str) -> bool:
    """Equal, or one an inflection of the other: cookie/cookies, push/pushed, pop/popped."""
    if a == b:
        return True
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(short) < 3 or not long.startswith(short):
        return False
    rest = long[len(short) :]
    # A doubled final consonant before the ending: popped, running.
    return rest in _INFLECTIONS or (rest[0] == short[-1] and rest[1:] in _INFLECTIONS)
