"""Rank files for a question: file BM25F and passage BM25 fused, a size prior, PageRank a tie-breaker, implementation first.

The signals and their weights were chosen by an ablation on the dev part of the held-out
benchmark (tests/benchmarks/ablate_retrieval.py; bench_retrieval_heldout.py reports dev and
test). Splitting, stemming, passages, the body's length normalisation, the task-word weight,
the size prior and implementation-first each paid there; the path, names, signatures and docs
fields and the mention channel were about neutral on those commit-message questions and stay
for questions that name code. A leading scope ("printer: ...", "fix(binding): ...") matched
against paths paid (dev, of 621: +9 @1, +5 @5), and so did filling the list with central code
files when too few match (+2 @5). Measured on dev and dropped (each against the set above):
pseudo-relevance feedback from the top files' terms (weight 0.1-0.3: -8 to -15 @1, +1 to +3 @5),
whole-file body BM25 as one more channel (share 0.25-1: -5 to -14 @1, 0 to -2 @5), the files
the top hits use definitions from as a weak prior (share 0.1-0.2: -7 to -14 @1, -4 to -6 @5), question
body terms below the subject's (0.5: +6 @1, -2 @5), a passage counting its neighbour (-5 to -9 @1,
-3 @5), near-duplicate siblings (`index.d.ts`, `index.d.cts`) pushed down (-10 @5), and other
k1 and b for both channels (within +-3). `RankingOptions` holds the signals so the ablation
can switch them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from app.core.index.file_kinds import file_kind, kinds_asked_about, kinds_asked_for
from app.core.index.graph import FileGraph
from app.core.index.lexical import FieldWeights, LexicalIndex
from app.core.index.records import FileRecord, RankedFile, Symbol
from app.core.index.terms import query_terms, task_terms, word_terms

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CODE_LIKE = re.compile(r"_|[a-z][A-Z]|^[A-Z][a-z]+[A-Z]")
_BACKTICKED = re.compile(r"`([^`\n]+)`")
_FILE_NAME = re.compile(r"[\w./-]*\w\.\w+")
# Listing symbols: a class gets this share of its best-matching member's score (listed, it
# says where the member lives); a name the question spells out beats any word match.
_CLASS_SHARE = 0.5
_MENTIONED = 100.0
_SCOPE = re.compile(r"\s*(?:[A-Za-z]+\(([\w./ ,-]+)\)|([\w./-]+))!?:\s")
# Conventional-commit types: a prefix that says what kind of change, not where.
_CHANGE_TYPES_TEXT = """feat feature fix fixes fixed bugfix hotfix chore docs doc refactor perf test tests style
build ci revert release deps dep breaking security wip update add remove improvement"""
_CHANGE_TYPES = frozenset(_CHANGE_TYPES_TEXT.split())


@dataclass(frozen=True)
class RankingOptions:
    """Which signals `rank_context` uses and how much each counts (defaults: the tuned set)."""

    # Fields: path, symbol names, signatures, docs and comments, body.
    file_fields: FieldWeights = field(
        default_factory=lambda: FieldWeights(weights=(1.0, 1.0, 1.0, 1.0, 1.0), b=(0.3, 0.5, 0.5, 0.75, 0.3))
    )
    # Passages of the body (terms.PASSAGE_LINES lines): the best one counts. None: off.
    passages: FieldWeights | None = field(default_factory=lambda: FieldWeights(weights=(1.0,), b=(0.75,)))
    passage_share: float = 1.0  # against the file channel's 1.0 (max-normalised scores added)
    # Fusion: 0 adds max-normalised scores; k > 0 is reciprocal-rank fusion, 1 / (k + rank).
    rrf_k: float = 0.0
    mention_share: float = 0.3  # files defining an identifier the question spells out (or named files)
    task_word_weight: float = 0.3  # "fix", "add", "remove"...: what to do, not where
    size_prior: float = 0.3  # bigger files hold more behaviour: share of log(size)
    prior: float = 0.0  # PageRank as a prior: added share (0: it only breaks ties)
    # Non-implementation files (tests, docs...) a question mentions, or files it names, join
    # the implementation tier with their score scaled by this; the other kinds come after it.
    asked_kind_factor: float = 0.5
    # ...and those it directly asks for ("which tests cover X?") by this: ahead of the code.
    asked_for_factor: float = 2.0
    implementation_first: bool = True
    # A leading "scope:" or "type(scope):" names where the change is: files whose path holds
    # the scope's words get this share (0: off).
    scope_share: float = 0.6
    # When fewer than `top` implementation files match, the most central ones fill in ahead
    # of matched tests and docs.
    fill_implementation: bool = True


DEFAULT_OPTIONS = RankingOptions()


def mentioned_identifiers(question: str, graph: FileGraph) -> set[str]:
    """Identifiers the question spells as code (backticks, `snake_case`, camelCase) that some file defines."""
    spelled = {t for t in _IDENT.findall(question) if len(t) >= 3 and _CODE_LIKE.search(t)}
    for quoted in _BACKTICKED.findall(question):
        spelled.update(t for t in _IDENT.findall(quoted) if len(t) >= 3)
    return {t for t in spelled if graph.definers(t)}


def named_files(question: str, paths: Collection[str]) -> set[str]:
    """Files the question names by path or by file name (`termui.py`, `lib/core/Axios.js`)."""
    names = {m.strip("./") for m in _FILE_NAME.findall(question)}
    if not names:
        return set()
    return {p for p in paths if p in names or p.rsplit("/", 1)[-1] in names}


def rank_context(
    question: str,
    *,
    records: Mapping[str, FileRecord],
    graph: FileGraph,
    lexical: LexicalIndex,
    top: int,
    prior: Callable[[], Mapping[str, float]],
    options: RankingOptions = DEFAULT_OPTIONS,
) -> list[RankedFile]:
    """The `top` files for `question`, best first, each with up to five relevant symbols.

    `prior` gives the graph's PageRank per file: it breaks ties, and orders the files
    when the question has no searchable words.
    """
    terms = weighted_terms(question, task_word_weight=options.task_word_weight)
    mentions = mentioned_identifiers(question, graph)
    named = named_files(question, records)
    channels: list[tuple[float, dict[str, float]]] = [
        (1.0, lexical.file_scores(terms, params=options.file_fields))
    ]
    if options.passages is not None and options.passage_share > 0:
        channels.append((options.passage_share, lexical.passage_scores(terms, params=options.passages)))
    if options.mention_share > 0 and (mentions or named):
        mentioned = {f: 1.0 for name in mentions for f in graph.definers(name)}
        mentioned.update(dict.fromkeys(named, 1.0))
        channels.append((options.mention_share, mentioned))
    scope = scope_terms(question) if options.scope_share > 0 else {}
    if scope:
        channels.append((options.scope_share, lexical.file_scores(scope, params=_PATH_ONLY)))
    fused = _fuse(channels, rrf_k=options.rrf_k)
    ranks = prior()
    if options.fill_implementation:
        _fill_implementation(fused, ranks=ranks, top=top)
    if len(fused) < top:
        # Too few words matched (or none): the most central files fill the list.
        for path in sorted(ranks, key=lambda p: (-ranks[p], p)):
            if len(fused) >= top:
                break
            fused.setdefault(path, 0.0)
    best_fused = max(fused.values(), default=0.0) or 1.0
    best_rank = max((ranks.get(p, 0.0) for p in fused), default=0.0) or 1.0
    # Without a prior weight PageRank still breaks ties (and orders a word-less question).
    tie = options.prior if options.prior > 0 else 1e-6
    scored: dict[str, float] = {}
    for path, score in fused.items():
        record = records.get(path)
        if record is None:
            continue
        size = options.size_prior * math.log1p(record.size) / _LOG_TYPICAL_SIZE if score > 0 else 0.0
        scored[path] = score / best_fused + size + tie * ranks.get(path, 0.0) / best_rank
    order = _implementation_first(scored, question=question, named=named, options=options)
    termset = set(terms)
    return [
        RankedFile(file=path, score=scored[path], symbols=_relevant_symbols(records[path], mentions, termset))
        for path in order[:top]
    ]


_PATH_ONLY = FieldWeights(weights=(1.0, 0.0, 0.0, 0.0, 0.0), b=(0.3, 0.0, 0.0, 0.0, 0.0))


def scope_terms(question: str) -> dict[str, float]:
    """The terms of the question's leading scope (`printer: ...`, `fix(binding): ...`), if any."""
    match = _SCOPE.match(question)
    if not match:
        return {}
    scope = match.group(1) or match.group(2)
    if scope.lower() in _CHANGE_TYPES:
        return {}
    return dict.fromkeys(query_terms(scope.replace("/", " ")), 1.0)


def _fill_implementation(fused: dict[str, float], *, ranks: Mapping[str, float], top: int) -> None:
    """Add the most central implementation files (score 0) until `top` of them are in `fused`."""
    missing = top - sum(1 for p in fused if file_kind(p) == "implementation")
    if missing <= 0:
        return
    for path in sorted(ranks, key=lambda p: (-ranks[p], p)):
        if missing <= 0:
            break
        if path not in fused and file_kind(path) == "implementation":
            fused[path] = 0.0
            missing -= 1


def _fuse(channels: list[tuple[float, dict[str, float]]], *, rrf_k: float) -> dict[str, float]:
    """One score per file: the channels' max-normalised scores added, or (rrf_k > 0) reciprocal ranks."""
    fused: dict[str, float] = {}
    for weight, scores in channels:
        if rrf_k > 0:
            ranked = sorted(scores, key=lambda p: (-scores[p], p))
            for rank, path in enumerate(ranked, start=1):
                fused[path] = fused.get(path, 0.0) + weight / (rrf_k + rank)
            continue
        top_score = max(scores.values(), default=0.0) or 1.0
        for path, score in scores.items():
            fused[path] = fused.get(path, 0.0) + weight * score / top_score
    return fused


# ln(1 + 160 kB): the size prior is about 1 x `size_prior` for a big source file.
_LOG_TYPICAL_SIZE = 12.0


def weighted_terms(question: str, *, task_word_weight: float) -> dict[str, float]:
    """The question's terms with their weights: 1, or `task_word_weight` for task words."""
    task = task_terms()
    return {t: (task_word_weight if t in task else 1.0) for t in query_terms(question)}


def _implementation_first(
    scored: dict[str, float], *, question: str, named: set[str], options: RankingOptions
) -> list[str]:
    """Files best first: implementation (plus asked-about kinds, scaled) ahead of the rest."""
    if not options.implementation_first:
        return sorted(scored, key=lambda p: (-scored[p], p))
    asked = kinds_asked_about(question)
    asked_for = kinds_asked_for(question)

    def key(path: str) -> tuple[int, float, str]:
        kind = file_kind(path)
        if kind == "implementation":
            return (0, -scored[path], path)
        if kind in asked_for:
            return (0, -scored[path] * options.asked_for_factor, path)
        if path in named or kind in asked:
            return (0, -scored[path] * options.asked_kind_factor, path)
        return (1, -scored[path], path)

    return sorted(scored, key=key)


def _relevant_symbols(record: FileRecord, mentions: set[str], terms: set[str]) -> tuple[Symbol, ...]:
    """Up to five definitions that match the question, each name once, classes of matching members too."""
    rows = record.symbol_rows
    # Plain rows, not Symbol objects: a big file has thousands of definitions and this runs
    # for every listed file of every question.
    scores: list[float] = []
    matches = terms.intersection
    for row in rows:
        name = row[0]
        if name in mentions:
            scores.append(_MENTIONED)
            continue
        # Question terms the name's parts match, plus a little for the matched share (inline:
        # this loop is most of a question's time on a big project).
        parts = word_terms(name)
        if len(parts) > 1:
            parts = parts[1:]
        matched = len(matches(parts)) if parts else 0
        scores.append(matched + 0.5 * matched / len(parts) if matched else 0.0)
    # A class whose method or field matches tells the model where that member lives.
    open_classes: list[int] = []
    for i, (_, kind, line, _end, _sig) in enumerate(rows):
        while open_classes and rows[open_classes[-1]][3] < line:
            open_classes.pop()
        if scores[i] > 0:
            for c in open_classes:
                scores[c] = max(scores[c], _CLASS_SHARE * scores[i])
        if kind == "class":
            open_classes.append(i)
    best = sorted((i for i, score in enumerate(scores) if score > 0), key=lambda i: (-scores[i], rows[i][2]))
    picked: list[Symbol] = []
    names: set[str] = set()
    for i in best:
        if len(picked) == 5:
            break
        if rows[i][0] not in names:
            names.add(rows[i][0])
            picked.append(record.symbols[i])
    return tuple(picked) or tuple(s for s in record.symbols if s.kind in ("class", "function"))[:5]
