"""Held-out retrieval benchmark (issue 17): mined commit messages, Enclave against BM25, one run.

    .venv/bin/python tests/benchmarks/bench_retrieval_heldout.py [--mirrors /work/.mirror]
        [--split dev|test|both] [--repo owner/name ...] [--verbose]

Questions: tests/benchmarks/data/retrieval_heldout.jsonl (mined by
mine_retrieval_questions.py; retrieval_heldout.md lists the repositories, their snapshot shas
and the rules). Each repository must be a bare git directory MIRRORS/owner+name/repo holding
the snapshot sha; in an Enclave session `fetch github:owner/name` brings it to
/work/.mirror/owner+name/repo. A repository that is missing, or lacks the sha, is skipped
with a message. Nothing is fetched here.

For each repository the snapshot is extracted (`git archive SHA | tar -x`) into a temporary
folder and indexed with ProjectIndex.open. Rankers, all over the same extracted tree:
- `enclave`: ProjectIndex.context(question, top=5), the ranking the app uses (issue 17: BM25F
  over fields plus passages, implementation first; ablate_retrieval.py measures each signal);
- `enclave, src only`: context(question, top=50) with non-source files (tests, docs,
  examples, generated, tooling: retrieval_paths.is_source, the rule the answers obey)
  dropped afterwards, then the first 5;
- `BM25`: the baseline, whole-file Okapi BM25 (k1=1.2, b=0.75, idf = ln(1 + (N - n + 0.5) /
  (n + 0.5))) over the index's files() that is_source keeps. Tokens: lowercased runs of
  letters, digits and `_` (so `parse_url` stays one token, `parseUrl` becomes `parseurl`);
  no stemming, no stop words; each distinct question token counts once.
- `BM25 + split`: the same, but every token is also split at `_` and camelCase boundaries
  (`parse_url` -> parse_url, parse, url): shown only to size what identifier splitting buys.
A question is a hit at k when any of its answer files is among the first k. Prints recall@1
and recall@5 per split (and per repository), the mean time per query, and the machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrieval_paths import is_source  # noqa: E402

from app.core.index import ProjectIndex, read_source  # noqa: E402

DATA = Path(__file__).parent / "data" / "retrieval_heldout.jsonl"
RANKERS = ("enclave", "enclave, src only", "BM25", "BM25 + split")
_TOKEN = re.compile(r"[a-z0-9_]+")
_WORDS = re.compile(r"[A-Za-z0-9_]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def plain_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def split_tokens(text: str) -> list[str]:
    out = []
    for word in _WORDS.findall(text):
        out.append(word.lower())
        parts = [p.lower() for piece in word.split("_") for p in _CAMEL.findall(piece)]
        if len(parts) > 1:
            out.extend(parts)
    return out


class BM25:
    """Okapi BM25 over whole files; one document per file."""

    def __init__(self, docs: dict[str, str], *, tokenize, k1: float = 1.2, b: float = 0.75) -> None:
        self._tokenize = tokenize
        self._k1, self._b = k1, b
        self._tf: dict[str, Counter] = {}
        self._len: dict[str, int] = {}
        df: Counter = Counter()
        for path, text in docs.items():
            counts = Counter(tokenize(text))
            self._tf[path] = counts
            self._len[path] = sum(counts.values())
            df.update(counts.keys())
        n = len(docs)
        self._avg = (sum(self._len.values()) / n) if n else 1.0
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._postings: dict[str, list[str]] = defaultdict(list)
        for path, counts in self._tf.items():
            for t in counts:
                self._postings[t].append(path)

    def search(self, question: str, *, top: int) -> list[str]:
        scores: dict[str, float] = defaultdict(float)
        for term in set(self._tokenize(question)):
            idf = self._idf.get(term)
            if idf is None:
                continue
            for path in self._postings[term]:
                tf = self._tf[path][term]
                norm = self._k1 * (1 - self._b + self._b * self._len[path] / self._avg)
                scores[path] += idf * tf * (self._k1 + 1) / (tf + norm)
        return sorted(scores, key=lambda p: (-scores[p], p))[:top]


def extract(git_dir: Path, sha: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", f"--git-dir={git_dir}", "archive", "--format=tar", sha],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)


def has_commit(git_dir: Path, sha: str) -> bool:
    probe = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "-e", f"{sha}^{{commit}}"], capture_output=True
    )
    return probe.returncode == 0


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{platform.system()} {platform.release()}, {cpu}, {cores} usable cores, Python {platform.python_version()}"


def run_repo(repo: str, git_dir: Path, questions: list[dict], *, verbose: bool) -> list[dict]:
    """Rank every question of one repository; returns one result row per question."""
    sha = questions[0]["snapshot"]
    with tempfile.TemporaryDirectory(prefix="heldout-") as tmp:
        root = Path(tmp)
        extract(git_dir, sha, root)
        started = time.perf_counter()
        index = ProjectIndex.open(root)
        built = time.perf_counter() - started
        files = index.files()
        candidates = [f for f in files if is_source(f)]
        docs = {}
        for rel in candidates:
            source = read_source(root / rel)
            if not isinstance(source, str):
                docs[rel] = source.data.decode("utf-8", "replace")
        baselines = {
            "BM25": BM25(docs, tokenize=plain_tokens),
            "BM25 + split": BM25(docs, tokenize=split_tokens),
        }
        indexed = set(files)
        unindexed = sum(any(a not in indexed for a in q["answers"]) for q in questions)
        print(
            f"{repo} @ {sha[:12]}: {len(files)} files indexed in {built:.1f}s, "
            f"{len(docs)} source candidates, {len(questions)} questions"
            + (f", {unindexed} with an answer the index lacks" if unindexed else "")
        )
        rows = []
        for q in questions:
            ranked: dict[str, list[str]] = {}
            took: dict[str, float] = {}
            t0 = time.perf_counter()
            ranked["enclave"] = [h.file for h in index.context(q["question"], top=5)]
            took["enclave"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            wide = [h.file for h in index.context(q["question"], top=50)]
            ranked["enclave, src only"] = [f for f in wide if is_source(f)][:5]
            took["enclave, src only"] = time.perf_counter() - t0
            for name, bm25 in baselines.items():
                t0 = time.perf_counter()
                ranked[name] = bm25.search(q["question"], top=5)
                took[name] = time.perf_counter() - t0
            rows.append({"q": q, "ranked": ranked, "took": took})
            if verbose:
                print(f"\n  {q['sha'][:10]} {q['question'].splitlines()[0]!r} -> {q['answers']}")
                for name in RANKERS:
                    print(f"    {name:18} {ranked[name]}")
    return rows


def hit(row: dict, ranker: str, k: int) -> bool:
    return bool(set(row["ranked"][ranker][:k]) & set(row["q"]["answers"]))


def table(title: str, rows: list[dict]) -> None:
    n = len(rows)
    print(f"\n{title}: {n} questions")
    print(f"  {'ranker':20}{'recall@1':>16}{'recall@5':>16}{'ms/query':>10}")
    for name in RANKERS:
        r1 = sum(hit(r, name, 1) for r in rows)
        r5 = sum(hit(r, name, 5) for r in rows)
        ms = 1000 * sum(r["took"][name] for r in rows) / n
        print(f"  {name:20}{f'{r1}/{n} {r1 / n:.2f}':>16}{f'{r5}/{n} {r5 / n:.2f}':>16}{ms:10.1f}")


def per_repo(rows: list[dict], splits: list[str]) -> None:
    names = ("enclave", "enclave, src only", "BM25")
    print("\nper repository, recall@1/recall@5 for enclave | enclave, src only | BM25:")
    print(f"  {'repo':22}" + "".join(f"{s:>34}{'n':>5}" for s in splits))
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_repo[r["q"]["repo"]].append(r)
    for repo, group in by_repo.items():
        line = f"  {repo:22}"
        for s in splits:
            part = [r for r in group if r["q"]["split"] == s]
            cells = (
                [
                    f"{sum(hit(r, n, 1) for r in part) / len(part):.2f}/{sum(hit(r, n, 5) for r in part) / len(part):.2f}"
                    for n in names
                ]
                if part
                else ["-"]
            )
            line += f"{' | '.join(cells):>34}{len(part):>5}"
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--repo", action="append", help="only this owner/name (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="print each question's top 5")
    args = parser.parse_args()
    questions = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    splits = ["dev", "test"] if args.split == "both" else [args.split]
    questions = [q for q in questions if q["split"] in splits]
    if args.repo:
        questions = [q for q in questions if q["repo"] in set(args.repo)]
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for q in questions:
        by_repo[q["repo"]].append(q)
    print(" ".join([".venv/bin/python", *sys.argv]))
    print(f"machine: {machine()}")
    rows: list[dict] = []
    for repo, group in by_repo.items():
        git_dir = args.mirrors / repo.replace("/", "+") / "repo"
        sha = group[0]["snapshot"]
        if not git_dir.is_dir() or not has_commit(git_dir, sha):
            print(f"{repo}: skipped, no {git_dir} holding {sha[:12]} (fetch github:{repo})")
            continue
        rows.extend(run_repo(repo, git_dir, group, verbose=args.verbose))
    if not rows:
        print("no questions could run")
        return 1
    for s in splits:
        table(f"{s}", [r for r in rows if r["q"]["split"] == s])
    per_repo(rows, splits)
    print(
        "\nenclave ms/query is one context(top=5) call; 'src only' is one context(top=50) call;"
        " BM25 times are the baseline's own search."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
