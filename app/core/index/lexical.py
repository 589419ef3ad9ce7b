"""The lexical channel: BM25F over files (path, names, signatures, docs, body) and BM25 over passages.

Terms come from app.core.index.terms, counted in the parser workers and packed into each
record (`FileRecord.term_table`). Here they become flat numpy postings, sorted by term:
one table of files with a term frequency per field, and one of the body's passages
(PASSAGE_LINES lines each), so a question whose words meet in one stretch of code finds
that file even when the rest of it is about something else.

Updates only mark the tables stale; the next search rebuilds them in one vectorised pass
(a few hundred milliseconds for sqlalchemy), so a burst of saves costs one rebuild.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.cancel import CancelToken
from app.core.index.records import FileRecord
from app.core.index.terms import raw_word_terms

if TYPE_CHECKING:
    import numpy as np

FILE_FIELDS = ("path", "names", "signatures", "docs", "body")
_BODY = 4


@dataclass(frozen=True)
class FieldWeights:
    """BM25F parameters: per-field weight and length normalisation `b`, and the saturation `k1`.

    Each field's term frequency is normalised by that field's length against its average,
    the weighted frequencies are summed, and the sum saturates once per term (Robertson,
    Zaragoza & Taylor 2004): a word in a path or a name counts for more than one in a body,
    and a long body cannot outweigh a short, exact name.
    """

    weights: tuple[float, ...]
    b: tuple[float, ...]
    k1: float = 1.2


@dataclass(frozen=True)
class _Tables:
    """Postings of one snapshot of the project (immutable once built)."""

    paths: list[str]
    # Files: entries sorted by (term, file); per entry the file and its tf per field.
    file_ptr: np.ndarray
    file_doc: np.ndarray
    file_tf: np.ndarray  # (entries, fields) float
    file_len: np.ndarray  # (files, fields)
    # Passages: entries sorted by (term, passage).
    chunk_ptr: np.ndarray
    chunk_doc: np.ndarray
    chunk_tf: np.ndarray
    chunk_len: np.ndarray
    chunk_file: np.ndarray
    file_df: np.ndarray  # per term: how many files hold it


class LexicalIndex:
    """File and passage postings of one project, in memory; rebuilt lazily after changes."""

    def __init__(self) -> None:
        # The watcher thread writes, the agent thread reads; the lock orders them.
        self._lock = threading.Lock()
        self._tables_of: dict[str, tuple[bytes, bytes]] = {}
        # Decoded tables by file, kept while the file's record (its table object) is the same.
        self._decoded: dict[str, tuple[tuple[bytes, bytes], _FileTerms]] = {}
        self._tables: _Tables | None = None
        self._factors: tuple[FieldWeights, np.ndarray] | None = None
        # Kept across rebuilds: every raw word seen gets its terms once, every term a number.
        self._vocab = _Vocabulary()

    def set_files(self, records: Iterable[FileRecord]) -> None:
        """Add or replace many files."""
        with self._lock:
            for record in records:
                self._tables_of[record.path] = record.term_table
            self._tables = None

    def remove(self, path: str) -> None:
        """Drop one file."""
        with self._lock:
            if self._tables_of.pop(path, None) is not None:
                self._tables = None

    def file_scores(self, terms: Mapping[str, float], *, params: FieldWeights) -> dict[str, float]:
        """BM25F score of every file holding any of `terms` (term -> its weight in the question)."""
        import numpy as np

        with self._lock:
            t = self._built()
            factors = self._field_factors(t, params)
        scores = np.zeros(len(t.paths))
        for row, weight in self._rows(t, terms):
            lo, hi = int(t.file_ptr[row]), int(t.file_ptr[row + 1])
            docs = t.file_doc[lo:hi]
            tf = (t.file_tf[lo:hi] * factors[docs]).sum(axis=1)
            scores[docs] += (
                weight * _idf(len(t.paths), int(t.file_df[row])) * tf * (params.k1 + 1) / (tf + params.k1)
            )
        return {t.paths[i]: float(scores[i]) for i in np.flatnonzero(scores > 0)}

    def passage_scores(self, terms: Mapping[str, float], *, params: FieldWeights) -> dict[str, float]:
        """Per file, the BM25 score of its best-matching passage."""
        import numpy as np

        with self._lock:
            t = self._built()
        n = len(t.chunk_len)
        if not n:
            return {}
        avg = max(float(t.chunk_len.mean()), 1e-9)
        b, k1 = params.b[0], params.k1
        scores = np.zeros(n)
        for row, weight in self._rows(t, terms):
            lo, hi = int(t.chunk_ptr[row]), int(t.chunk_ptr[row + 1])
            docs = t.chunk_doc[lo:hi]
            tf = t.chunk_tf[lo:hi]
            norm = k1 * (1 - b + b * t.chunk_len[docs] / avg)
            scores[docs] += weight * _idf(n, hi - lo) * tf * (k1 + 1) / (tf + norm)
        hit = np.flatnonzero(scores > 0)
        best = np.zeros(len(t.paths))
        if len(hit):
            # Passages are numbered file by file, so the hits' files come in order.
            owners = t.chunk_file[hit]
            starts = np.flatnonzero(np.concatenate([[True], owners[1:] != owners[:-1]]))
            best[owners[starts]] = np.maximum.reduceat(scores[hit], starts)
        return {t.paths[i]: float(best[i]) for i in np.flatnonzero(best > 0)}

    def _rows(self, t: _Tables, terms: Mapping[str, float]) -> list[tuple[int, float]]:
        out = []
        for term, weight in terms.items():
            row = self._vocab.term_ids.get(term)
            if row is not None and row < len(t.file_df) and weight > 0:
                out.append((row, weight))
        return out

    def _field_factors(self, t: _Tables, params: FieldWeights) -> np.ndarray:
        import numpy as np

        if self._factors is not None and self._factors[0] == params:
            return self._factors[1]
        avg = np.maximum(t.file_len.mean(axis=0), 1e-9) if len(t.paths) else np.ones(len(FILE_FIELDS))
        w, b = np.array(params.weights), np.array(params.b)
        factors = w / (1 - b + b * t.file_len / avg)
        self._factors = (params, factors)
        return factors

    def prepare(self, *, cancel: CancelToken | None = None) -> None:
        """Build the postings now, so the next search only ranks (a second or so for a big project).

        Raises:
            Cancelled: `cancel` was set; what was decoded so far is kept for the next build.

        """
        with self._lock:
            self._built(cancel=cancel)

    @property
    def prepared(self) -> bool:
        """Whether the postings are built for the current files (a search would not build them)."""
        return self._tables is not None

    def _built(self, *, cancel: CancelToken | None = None) -> _Tables:
        if self._tables is None:
            decoded = {}
            for n, (path, table) in enumerate(self._tables_of.items()):
                if cancel is not None and n % 64 == 0:
                    cancel.raise_if_cancelled()
                kept = self._decoded.get(path)
                if kept is None or kept[0] is not table:
                    kept = self._decoded[path] = (table, _decode(table, self._vocab))
                decoded[path] = kept[1]
            for path in [p for p in self._decoded if p not in self._tables_of]:
                del self._decoded[path]
            self._tables = _build(decoded, self._vocab)
            self._factors = None
        return self._tables


def _idf(n: int, df: int) -> float:
    import math

    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class _Vocabulary:
    """Terms numbered, and each raw word's terms (as term numbers)."""

    def __init__(self) -> None:
        self.raw_terms: dict[bytes, tuple[int, ...]] = {}
        self.term_ids: dict[str, int] = {}

    def terms_of(self, raw_words: list[bytes]) -> list[tuple[int, ...]]:
        """The term numbers of each raw word; a new word is split and stemmed here, once per project."""
        known = self.raw_terms
        terms = self.term_ids
        out = []
        for raw in raw_words:
            found = known.get(raw)
            if found is None:
                found = known[raw] = tuple(terms.setdefault(t, len(terms)) for t in raw_word_terms(raw))
            out.append(found)
        return out


@dataclass(frozen=True)
class _FileTerms:
    """One file's postings, summed per term: what the project tables are concatenated from."""

    terms: np.ndarray  # distinct terms (ascending)
    tf: np.ndarray  # (terms, fields)
    lengths: np.ndarray  # (fields,)
    passage_terms: np.ndarray  # (term, passage) entries, by term then passage
    passages: np.ndarray
    passage_tf: np.ndarray
    passage_len: np.ndarray  # per passage of the file


def _decode(table: tuple[bytes, bytes], vocab: _Vocabulary) -> _FileTerms:
    """A file's packed term table summed per term and field, and per term and passage.

    Done file by file (and kept while the file is unchanged), so building the project's
    tables only concatenates and sorts: the peak memory stays small, and a saved file
    costs one file's work plus the sort.
    """
    import numpy as np

    words, columns = table
    # The terms of each of the file's distinct words, as local arrays (start, flat).
    expansions = vocab.terms_of(words.split(b"\n") if words else [])
    lengths = np.fromiter(map(len, expansions), dtype=np.int64, count=len(expansions))
    local_start = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    local_flat = np.fromiter(
        (t for terms in expansions for t in terms), dtype=np.int64, count=int(local_start[-1])
    )
    packed = np.frombuffer(columns, dtype=np.uint32)
    groups = int(packed[0]) if len(packed) else 0
    slot_ids, sizes = packed[1 : 1 + groups], packed[1 + groups : 1 + 2 * groups]
    n = (len(packed) - 1 - 2 * groups) // 2
    word = packed[1 + 2 * groups : 1 + 2 * groups + n].astype(np.int64)
    # Each (slot, word) entry becomes one entry per term of the word.
    fan = local_start[word + 1] - local_start[word]
    entry = np.repeat(np.arange(n), fan)
    nth = np.arange(int(fan.sum())) - np.repeat(np.cumsum(fan) - fan, fan)
    term = local_flat[local_start[word][entry] + nth]
    slot = np.repeat(slot_ids, sizes).astype(np.int64)[entry]
    count = packed[1 + 2 * groups + n :].astype(np.float64)[entry]
    n_fields = len(FILE_FIELDS)
    field = np.minimum(slot, _BODY)
    keys, at = np.unique(term * n_fields + field, return_inverse=True)
    terms, row = np.unique(keys // n_fields, return_inverse=True)
    tf = np.zeros((len(terms), n_fields), dtype=np.float32)
    tf[row.reshape(-1), keys % n_fields] = np.bincount(at.reshape(-1), weights=count, minlength=len(keys))
    body = slot >= _BODY
    n_passages = int(slot[body].max()) - _BODY + 1 if body.any() else 0
    passage = slot[body] - _BODY
    pkeys, pat = np.unique(term[body] * max(n_passages, 1) + passage, return_inverse=True)
    return _FileTerms(
        terms=terms.astype(np.int32),
        tf=tf,
        lengths=np.bincount(field, weights=count, minlength=n_fields),
        passage_terms=(pkeys // max(n_passages, 1)).astype(np.int32),
        passages=(pkeys % max(n_passages, 1)).astype(np.int32),
        passage_tf=np.bincount(pat.reshape(-1), weights=count[body], minlength=len(pkeys)).astype(np.float32),
        passage_len=np.bincount(passage, weights=count[body], minlength=n_passages).astype(np.float32),
    )


def _build(decoded: Mapping[str, _FileTerms], vocab: _Vocabulary) -> _Tables:
    """The project's postings: every file's, concatenated and sorted by term."""
    import numpy as np

    paths = sorted(decoded)
    files = [decoded[p] for p in paths]
    n_terms, n_files = len(vocab.term_ids), len(paths)
    n_fields = len(FILE_FIELDS)
    if not files:
        empty = np.zeros(0, dtype=np.int32)
        ptr = np.zeros(n_terms + 1, dtype=np.int64)
        return _Tables(
            paths=paths,
            file_ptr=ptr,
            file_doc=empty,
            file_tf=np.zeros((0, n_fields), dtype=np.float32),
            file_len=np.zeros((0, n_fields)),
            chunk_ptr=ptr,
            chunk_doc=empty,
            chunk_tf=np.zeros(0, dtype=np.float32),
            chunk_len=np.zeros(0, dtype=np.float32),
            chunk_file=empty,
            file_df=np.zeros(n_terms, dtype=np.int64),
        )
    term = np.concatenate([f.terms for f in files])
    doc = np.repeat(np.arange(n_files, dtype=np.int32), [len(f.terms) for f in files])
    # Stable: within a term the files stay in path order.
    order = np.argsort(term, kind="stable")
    file_ptr = np.searchsorted(term[order], np.arange(n_terms + 1))
    per_file = np.array([len(f.passage_len) for f in files], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(per_file)[:-1]])
    chunk_term = np.concatenate([f.passage_terms for f in files])
    chunk = np.concatenate([f.passages.astype(np.int64) + first[i] for i, f in enumerate(files)])
    chunk_order = np.argsort(chunk_term, kind="stable")
    return _Tables(
        paths=paths,
        file_ptr=file_ptr,
        file_doc=doc[order],
        file_tf=np.concatenate([f.tf for f in files])[order],
        file_len=np.stack([f.lengths for f in files]),
        chunk_ptr=np.searchsorted(chunk_term[chunk_order], np.arange(n_terms + 1)),
        chunk_doc=chunk[chunk_order].astype(np.int32),
        chunk_tf=np.concatenate([f.passage_tf for f in files])[chunk_order],
        chunk_len=np.concatenate([f.passage_len for f in files]),
        chunk_file=np.repeat(np.arange(n_files, dtype=np.int32), per_file),
        file_df=np.diff(file_ptr),
    )
