"""Context query speed (issue 17): ProjectIndex.context on a big project once the index is built.

    .venv/bin/python tests/benchmarks/bench_context_speed.py --project PATH [--repeat R]

PATH is a large real project, e.g. sqlalchemy (`fetch github:sqlalchemy/sqlalchemy`, then
`git --git-dir=/work/.mirror/sqlalchemy+sqlalchemy/repo archive HEAD | tar -x -C PATH`).
Prints the cold build, the preparation the app's index thread does right after it (the
@-mention ranking and the search tables; a one-off `enclave context` pays it in its query),
the first question, then the median, 95th percentile and worst time of
context(question, top=5) over a fixed set of questions (goal: <= 50 ms), against whole-file
BM25 in plain Python over the same source files (bench_retrieval_heldout.BM25) measured in
the same run, and the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_retrieval_heldout import BM25, machine, plain_tokens  # noqa: E402
from retrieval_paths import is_source  # noqa: E402

from app.core.index import ProjectIndex, read_source  # noqa: E402

QUESTIONS = [
    "where is the connection pool recycled?",
    "how does the session flush dirty objects to the database",
    "fix the type annotation of Session.execute",
    "add support for RETURNING in a bulk insert on PostgreSQL",
    "the lazy loader should warn when the relationship is detached",
    "where are bound parameters rendered for a compiled statement",
    "how is the engine's dialect chosen from the URL",
    "cache key generation for lambda statements",
    "reflect foreign key constraints from SQLite",
    "where does the ORM decide between an UPDATE and an INSERT",
    "hybrid property expression with a custom comparator",
    "async session run_sync greenlet",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(" ".join([".venv/bin/python", *sys.argv]))
    print(f"machine: {machine()}")
    started = time.perf_counter()
    index = ProjectIndex.open(args.project)
    built = time.perf_counter() - started
    started = time.perf_counter()
    index.ranked_files()
    index.prepare_search()
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    index.context(QUESTIONS[0], top=5)
    first = time.perf_counter() - started
    ours: list[float] = []
    for _ in range(args.repeat):
        for q in QUESTIONS:
            started = time.perf_counter()
            index.context(q, top=5)
            ours.append(time.perf_counter() - started)
    docs = {}
    for rel in (f for f in index.files() if is_source(f)):
        source = read_source(index.root / rel)
        if not isinstance(source, str):
            docs[rel] = source.data.decode("utf-8", "replace")
    bm25 = BM25(docs, tokenize=plain_tokens)
    theirs: list[float] = []
    for _ in range(args.repeat):
        for q in QUESTIONS:
            started = time.perf_counter()
            bm25.search(q, top=5)
            theirs.append(time.perf_counter() - started)
    print(
        f"{len(index.files())} files indexed in {built:.2f}s; ranking and search tables prepared in {prepared:.2f}s; "
        f"first question {1000 * first:.1f} ms"
    )
    print(f"{len(ours)} queries ({len(QUESTIONS)} questions x {args.repeat})")
    print(f"  {'':28}{'median ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for label, times in (("enclave context(top=5)", ours), ("whole-file BM25 (python)", theirs)):
        ms = [1000 * t for t in times]
        print(f"  {label:28}{statistics.median(ms):10.1f}{percentile(ms, 0.95):10.1f}{max(ms):10.1f}")
    ratio = statistics.median(ours) / statistics.median(theirs)
    verdict = "meets" if 1000 * max(ours) <= 50 else "misses"
    print(
        f"median ratio enclave/BM25: {ratio:.2f}; worst query {1000 * max(ours):.1f} ms ({verdict} the 50 ms goal)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
