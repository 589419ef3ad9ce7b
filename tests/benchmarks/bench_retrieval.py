"""Retrieval benchmark: ProjectIndex.context against plain BM25 over whole files, in one run.

    .venv/bin/python tests/benchmarks/bench_retrieval.py --sources DIR [--verbose]

DIR holds the unpacked projects named in tests/benchmarks/data/retrieval_questions.json:
    .venv/bin/pip download --no-deps --no-binary flask,requests,click,sqlalchemy \
        flask==3.1.3 requests==2.34.2 click==8.5.1 sqlalchemy==2.1.9 -d DIR
    (cd DIR && npm pack express@5.3.0 && for f in *.tar.gz *.tgz; do tar xzf $f; done)

Recall@k for a question is the share of its answer files among the top k; reported as the
mean over questions (LocAgent's definition). For the answer files it finds, it also counts
how often the symbols listed with them include one the question's evidence names. The baseline indexes each file's whole text
in SQLite FTS5 and ranks by bm25() for the same question words.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from app.core.index import ProjectIndex, read_source  # noqa: E402

# The baseline's own question words (as Enclave's lexical channel made them before issue 17),
# so its figure does not move when Enclave's terms change.
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_STOPWORDS_TEXT = """a an and are as at be by can code do does file files for from get has have how i in is
it its of on or set should that the their there this to use used uses using was what when where which who why
will with work works done find show me my our we you your into via logic"""
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def query_terms(question: str) -> list[str]:
    """Distinct lower-case words, identifiers also split at `_` and camelCase, stopwords dropped."""
    seen: dict[str, None] = {}
    found = [t.lower() for t in re.findall(r"\w+", question)]
    for token in _WORD.findall(question.replace("_", " ")):
        found.append(token.lower())
        parts = _CAMEL.findall(token)
        if len(parts) > 1:
            found.extend(p.lower() for p in parts)
    for w in found:
        if len(w) > 1 and w not in _STOPWORDS:
            seen.setdefault(w, None)
    return list(seen)


DATA = Path(__file__).parent / "data" / "retrieval_questions.json"


class WholeFileBM25:
    """The baseline: one FTS5 row per file with its full text; no structure, no graph."""

    def __init__(self, index: ProjectIndex) -> None:
        self._db = sqlite3.connect(":memory:")
        self._db.execute(
            "CREATE VIRTUAL TABLE f USING fts5(path UNINDEXED, body, tokenize='porter unicode61')"
        )
        for rel in index.files():
            source = read_source(index.root / rel)
            if isinstance(source, str):
                continue
            text = source.data.decode("utf-8", "replace")
            self._db.execute("INSERT INTO f(path, body) VALUES (?, ?)", (rel, text))

    def search(self, question: str, *, top: int) -> list[str]:
        terms = query_terms(question)
        if not terms:
            return []
        match = " OR ".join('"' + t + '"' for t in terms)
        rows = self._db.execute(
            "SELECT path FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT ?", (match, top)
        ).fetchall()
        return [r[0] for r in rows]


def recall(found: list[str], answers: list[str], k: int) -> float:
    return len(set(found[:k]) & set(answers)) / len(answers)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sources", type=Path, default=os.environ.get("ENCLAVE_BENCH_SOURCES"))
    parser.add_argument("--verbose", action="store_true", help="print each question's top 5")
    args = parser.parse_args()
    if args.sources is None or not Path(args.sources).is_dir():
        parser.error("--sources DIR (or $ENCLAVE_BENCH_SOURCES) must hold the unpacked projects")
    data = json.loads(DATA.read_text())
    indexes: dict[str, tuple[ProjectIndex, WholeFileBM25]] = {}
    for name, folder in data["projects"].items():
        root = Path(args.sources) / folder
        if not root.is_dir():
            print(f"{name}: missing {root}, its questions are skipped")
            continue
        started = time.perf_counter()
        index = ProjectIndex.open(root)
        indexes[name] = (index, WholeFileBM25(index))
        print(f"{name}: {len(index.files())} files indexed in {time.perf_counter() - started:.1f}s")
    rows = []
    symbol_rows: list[bool] = []
    for q in data["questions"]:
        if q["project"] not in indexes:
            continue
        index, baseline = indexes[q["project"]]
        missing = [a for a in q["answers"] if index.record(a) is None]
        if missing:
            raise SystemExit(f"answer files not indexed: {missing}")
        hits = index.context(q["question"], top=5)
        ours = [hit.file for hit in hits]
        base = baseline.search(q["question"], top=5)
        rows.append((q, ours, base))
        # Of the answer files found, does one list a definition the evidence names?
        listed = {s.name for hit in hits if hit.file in q["answers"] for s in hit.symbols}
        if listed or set(ours) & set(q["answers"]):
            symbol_rows.append(bool(listed & set(q["symbols"])))
        if args.verbose:
            print(f"\n{q['project']}: {q['question']}  -> {q['answers']}")
            print(f"  enclave : {ours}")
            print(f"  baseline: {base}")
    n = len(rows)
    if not n:
        print("no questions could run")
        return 1
    print(f"\n{n} questions over {len(indexes)} projects")
    print(f"{'':22}{'recall@1':>10}{'recall@5':>10}")
    for label, pick in (("enclave context", 1), ("whole-file BM25", 2)):
        r1 = sum(recall(r[pick], r[0]["answers"], 1) for r in rows) / n
        r5 = sum(recall(r[pick], r[0]["answers"], 5) for r in rows) / n
        print(f"{label:22}{r1:10.2f}{r5:10.2f}")
    if symbol_rows:
        print(
            f"\nanswer files found in the top 5 that list an evidence symbol among their "
            f"(at most 5) symbols: {sum(symbol_rows)} of {len(symbol_rows)} ({sum(symbol_rows) / len(symbol_rows):.2f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
