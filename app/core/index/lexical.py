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

from app.core.index.records import FileRecord
from app.core.index.terms import term_hash

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
    vocab: np.ndarray  # sorted term hashes
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
        self._tables: _Tables | None = None
        self._factors: tuple[FieldWeights, np.ndarray] | None = None

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
        np.maximum.at(best, t.chunk_file[hit], scores[hit])
        return {t.paths[i]: float(best[i]) for i in np.flatnonzero(best > 0)}

    def _rows(self, t: _Tables, terms: Mapping[str, float]) -> list[tuple[int, float]]:
        import numpy as np

        out = []
        for term, weight in terms.items():
            h = term_hash(term)
            row = int(np.searchsorted(t.vocab, h))
            if row < len(t.vocab) and int(t.vocab[row]) == h and weight > 0:
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

    def _built(self) -> _Tables:
        if self._tables is None:
            self._tables = _build(self._tables_of)
            self._factors = None
        return self._tables


def _idf(n: int, df: int) -> float:
    import math

    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _build(tables_of: Mapping[str, tuple[bytes, bytes]]) -> _Tables:
    """Flat postings from every file's packed term table."""
    import numpy as np

    paths = sorted(tables_of)
    hashes, slots, terms, counts, files = [], [], [], [], []
    offset = 0
    for file_id, path in enumerate(paths):
        packed_hashes, packed_triples = tables_of[path]
        h = np.frombuffer(packed_hashes, dtype=np.int64)
        triples = np.frombuffer(packed_triples, dtype=np.uint32).reshape(-1, 3)
        hashes.append(h)
        slots.append(triples[:, 0])
        terms.append(triples[:, 1] + np.uint32(offset))
        counts.append(triples[:, 2])
        files.append(np.full(len(triples), file_id, dtype=np.int32))
        offset += len(h)
    all_hashes = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.int64)
    vocab, local_to_term = np.unique(all_hashes, return_inverse=True)
    # 32-bit ids and counts: the peak while building is what a big project's RSS keeps.
    slot = np.concatenate(slots).astype(np.int32) if slots else np.zeros(0, dtype=np.int32)
    term = (
        local_to_term.reshape(-1).astype(np.int32)[np.concatenate(terms)]
        if terms
        else np.zeros(0, dtype=np.int32)
    )
    count = np.concatenate(counts).astype(np.float32) if counts else np.zeros(0, dtype=np.float32)
    file = np.concatenate(files) if files else np.zeros(0, dtype=np.int32)
    n_files, n_fields = len(paths), len(FILE_FIELDS)
    # Files: passages' counts sum into the body field.
    field = np.minimum(slot, _BODY)
    keys, entry = np.unique(term.astype(np.int64) * max(n_files, 1) + file, return_inverse=True)
    file_tf = np.zeros((len(keys), n_fields), dtype=np.float32)
    np.add.at(file_tf, (entry, field), count)
    file_len = np.zeros((n_files, n_fields))
    np.add.at(file_len, (file, field), count)
    file_term = keys // max(n_files, 1)
    file_ptr = np.searchsorted(file_term, np.arange(len(vocab) + 1))
    # Passages: numbered file by file.
    body = slot >= _BODY
    per_file = np.zeros(n_files, dtype=np.int32)
    np.maximum.at(per_file, file[body], slot[body] - _BODY + 1)
    first = np.concatenate([[0], np.cumsum(per_file)[:-1]]) if n_files else per_file
    chunk = first[file[body]] + slot[body] - _BODY
    order = np.lexsort((chunk, term[body]))
    chunk_term = term[body][order]
    chunk_len = np.bincount(chunk, weights=count[body], minlength=int(per_file.sum()))
    return _Tables(
        paths=paths,
        vocab=vocab,
        file_ptr=file_ptr,
        file_doc=(keys % max(n_files, 1)).astype(np.int32),
        file_tf=file_tf,
        file_len=file_len,
        chunk_ptr=np.searchsorted(chunk_term, np.arange(len(vocab) + 1)),
        chunk_doc=chunk[order],
        chunk_tf=count[body][order],
        chunk_len=chunk_len,
        chunk_file=np.repeat(np.arange(n_files, dtype=np.int32), per_file),
        file_df=np.diff(file_ptr),
    )
