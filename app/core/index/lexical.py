"""The lexical channel: BM25 over paths, symbol names, docstrings and comments (FTS5 in memory)."""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from collections.abc import Iterable

from app.core.index.records import FileRecord

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_STOPWORDS_TEXT = """a an and are as at be by can code do does file files for from get has have how i in is
it its of on or set should that the their there this to use used uses using was what when where which who why
will with work works done find show me my our we you your into via logic"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# Column weights for bm25(): path, names, docs.
_WEIGHTS = (4.0, 3.0, 1.0)


def words(text: str) -> list[str]:
    """Lower-case words of `text`, with identifiers split at `_` and camelCase boundaries."""
    out: list[str] = []
    for token in _WORD.findall(text):
        parts = _CAMEL.findall(token)
        out.append(token.lower())
        if len(parts) > 1:
            out.extend(p.lower() for p in parts)
    return out


@functools.lru_cache(maxsize=200_000)
def name_words(name: str) -> str:
    """An identifier plus its `_`/camelCase parts, space-separated and lower-cased (cached)."""
    return " ".join(words(name))


def query_terms(question: str) -> list[str]:
    """The distinct searchable words of a question (stopwords and 1-letter words dropped)."""
    seen: dict[str, None] = {}
    for w in words(question.replace("_", " ")) + [t.lower() for t in re.findall(r"\w+", question)]:
        if len(w) > 1 and w not in STOPWORDS:
            seen.setdefault(w, None)
    return list(seen)


class LexicalIndex:
    """An in-memory SQLite FTS5 table, one row per file; nothing touches disk."""

    def __init__(self) -> None:
        # check_same_thread=False: the watcher thread writes, the agent thread reads; the lock orders them.
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(path, names, body, tokenize='porter unicode61')"
        )
        self._rowids: dict[str, int] = {}

    def set_files(self, records: Iterable[FileRecord]) -> None:
        """Add or replace many files in one transaction."""
        with self._lock, self._db:
            for record in records:
                self._put(record)

    def remove(self, path: str) -> None:
        """Drop one file."""
        with self._lock, self._db:
            rowid = self._rowids.pop(path, None)
            if rowid is not None:
                self._db.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))

    def _put(self, record: FileRecord) -> None:
        rowid = self._rowids.get(record.path)
        if rowid is not None:
            self._db.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))
        names = " ".join(name_words(n) for n in {row[0] for row in record.symbol_rows})
        path_words = " ".join(words(record.path.replace("/", " ").replace(".", " ")))
        # FTS5's own tokenizer splits the prose of docs and comments (`_` included) well enough.
        cur = self._db.execute(
            "INSERT INTO docs(path, names, body) VALUES (?, ?, ?)", (path_words, names, record.doc_text)
        )
        self._rowids[record.path] = int(cur.lastrowid or 0)

    def search(self, question: str, *, limit: int = 50) -> list[tuple[str, float]]:
        """Files by BM25 relevance to the question's words (higher is better)."""
        terms = query_terms(question)
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
        by_rowid = {rowid: path for path, rowid in self._rowids.items()}
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid, bm25(docs, ?, ?, ?) AS score FROM docs WHERE docs MATCH ? ORDER BY score LIMIT ?",
                (*_WEIGHTS, match, limit),
            ).fetchall()
        # FTS5's bm25() is negative, smaller is better.
        return [(by_rowid[rowid], -score) for rowid, score in rows if rowid in by_rowid]
