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
        self._decoded: dict[str, tuple[tuple[bytes, bytes], _Decoded]] = {}
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

    def _built(self) -> _Tables:
        if self._tables is None:
            decoded = {}
            for path, table in self._tables_of.items():
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
    """Raw words and terms numbered, and each raw word's terms (as term numbers)."""

    def __init__(self) -> None:
        self.raw_ids: dict[bytes, int] = {}
        self.term_ids: dict[str, int] = {}
        self._raw_terms: list[tuple[int, ...]] = []
        self._expansion: tuple[np.ndarray, np.ndarray] | None = None

    def number(self, raw_words: list[bytes]) -> list[int]:
        """The numbers of `raw_words`, new ones split and stemmed here (once per project)."""
        ids = self.raw_ids
        out = []
        for raw in raw_words:
            found = ids.get(raw)
            if found is None:
                found = ids[raw] = len(self._raw_terms)
                terms = self.term_ids
                self._raw_terms.append(tuple(terms.setdefault(t, len(terms)) for t in raw_word_terms(raw)))
                self._expansion = None
            out.append(found)
        return out

    def expansion(self) -> tuple[np.ndarray, np.ndarray]:
        """(start, terms): raw word r has the terms terms[start[r]:start[r + 1]]."""
        import numpy as np

        if self._expansion is None:
            lengths = np.fromiter(map(len, self._raw_terms), dtype=np.int64, count=len(self._raw_terms))
            start = np.concatenate([[0], np.cumsum(lengths)])
            flat = np.fromiter(
                (t for terms in self._raw_terms for t in terms), dtype=np.int32, count=int(start[-1])
            )
            self._expansion = (start, flat)
        return self._expansion


# One file's entries: (slot, raw word number, count) arrays and how many passages it has.
_Decoded = tuple["np.ndarray", "np.ndarray", "np.ndarray", int]


def _decode(table: tuple[bytes, bytes], vocab: _Vocabulary) -> _Decoded:
    """A file's packed term table as arrays, its words numbered in the project's vocabulary."""
    import numpy as np

    words, columns = table
    numbers = np.array(vocab.number(words.split(b"\n") if words else []), dtype=np.int32)
    packed = np.frombuffer(columns, dtype=np.uint32)
    groups = int(packed[0]) if len(packed) else 0
    slot_ids, sizes = packed[1 : 1 + groups], packed[1 + groups : 1 + 2 * groups]
    n = (len(packed) - 1 - 2 * groups) // 2
    word_of = packed[1 + 2 * groups : 1 + 2 * groups + n]
    raws = numbers[word_of] if len(numbers) else np.zeros(0, dtype=np.int32)
    passages = int(slot_ids.max()) - _BODY + 1 if groups and int(slot_ids.max()) >= _BODY else 0
    return np.repeat(slot_ids, sizes), raws, packed[1 + 2 * groups + n :], passages


def _build(decoded: Mapping[str, _Decoded], vocab: _Vocabulary) -> _Tables:
    """Flat postings from every file's decoded term table."""
    import numpy as np

    paths = sorted(decoded)
    slots, raws, counts, files = [], [], [], []
    per_file = np.zeros(len(paths), dtype=np.int64)
    for file_id, path in enumerate(paths):
        slot_of, raw_of, count_of, passages = decoded[path]
        slots.append(slot_of)
        raws.append(raw_of)
        counts.append(count_of)
        files.append(np.full(len(raw_of), file_id, dtype=np.int32))
        per_file[file_id] = passages
    start, flat = vocab.expansion()
    n_terms = len(vocab.term_ids)
    # 32-bit ids and counts, temporaries dropped early: the peak while building is what a
    # big project's RSS keeps afterwards.
    raw = np.concatenate(raws).astype(np.int32) if raws else np.zeros(0, dtype=np.int32)
    # Each (slot, raw word) entry becomes one entry per term of the word.
    first_term = start[:-1].astype(np.int32)[raw]
    fan = (start[1:] - start[:-1]).astype(np.int32)[raw]
    del raw
    entry = np.repeat(np.arange(len(fan), dtype=np.int32), fan)
    offsets = np.cumsum(fan, dtype=np.int64) - fan
    nth = np.arange(int(fan.sum()), dtype=np.int64) - np.repeat(offsets, fan)
    term = flat[first_term[entry] + nth]
    del first_term, fan, offsets, nth
    slot = np.concatenate(slots).astype(np.int32)[entry] if slots else np.zeros(0, dtype=np.int32)
    count = np.concatenate(counts).astype(np.float32)[entry] if counts else np.zeros(0, dtype=np.float32)
    file = np.concatenate(files)[entry] if files else np.zeros(0, dtype=np.int32)
    del entry, slots, counts, files
    n_files, n_fields = len(paths), len(FILE_FIELDS)
    # Files: passages' counts sum into the body field.
    field = np.minimum(slot, _BODY)
    keys, at = np.unique(term.astype(np.int64) * max(n_files, 1) + file, return_inverse=True)
    # bincount, not np.add.at: several times faster on millions of entries.
    file_tf = (
        np.bincount(at.reshape(-1) * n_fields + field, weights=count, minlength=len(keys) * n_fields)
        .astype(np.float32)
        .reshape(-1, n_fields)
    )
    file_len = np.bincount(
        file.astype(np.int64) * n_fields + field, weights=count, minlength=n_files * n_fields
    ).reshape(-1, n_fields)
    file_ptr = np.searchsorted(keys // max(n_files, 1), np.arange(n_terms + 1))
    # Passages: numbered file by file.
    body = slot >= _BODY
    del at
    first = np.concatenate([[0], np.cumsum(per_file)[:-1]]).astype(np.int64) if n_files else per_file
    n_chunks = int(per_file.sum())
    chunk = first[file[body]] + slot[body] - _BODY
    chunk_keys, chunk_at = np.unique(
        term[body].astype(np.int64) * max(n_chunks, 1) + chunk, return_inverse=True
    )
    chunk_tf = np.bincount(chunk_at.reshape(-1), weights=count[body], minlength=len(chunk_keys)).astype(
        np.float32
    )
    return _Tables(
        paths=paths,
        file_ptr=file_ptr,
        file_doc=(keys % max(n_files, 1)).astype(np.int32),
        file_tf=file_tf,
        file_len=file_len,
        chunk_ptr=np.searchsorted(chunk_keys // max(n_chunks, 1), np.arange(n_terms + 1)),
        chunk_doc=(chunk_keys % max(n_chunks, 1)).astype(np.int32),
        chunk_tf=chunk_tf,
        chunk_len=np.bincount(chunk, weights=count[body], minlength=n_chunks),
        chunk_file=np.repeat(np.arange(n_files, dtype=np.int32), per_file),
        file_df=np.diff(file_ptr),
    )
