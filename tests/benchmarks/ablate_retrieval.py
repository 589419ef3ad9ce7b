"""Ablation of the context ranking's signals on the held-out questions (issue 17): each one on/off.

    .venv/bin/python tests/benchmarks/ablate_retrieval.py [--split dev] [--repo owner/name ...]
        [--variant NAME ...] [--mirrors /work/.mirror]

Tune on dev only; the test split is for the final figure (bench_retrieval_heldout.py).
Each repository's snapshot is extracted once; a variant that changes how terms are made
(no identifier splitting, no stemming, no compound term) re-indexes with that tokenizer,
the others re-rank the same index with other RankingOptions. BM25 (whole file, source files
only, as in bench_retrieval_heldout.py) is measured in the same run over the same files.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_retrieval_heldout import (
    BM25,
    DATA,
    extract,
    has_commit,
    machine,
    plain_tokens,
)
from retrieval_paths import is_source

from app.core.index import ProjectIndex, read_source
from app.core.index import retrieval as retrieval_module
from app.core.index import terms as terms_module
from app.core.index.lexical import FieldWeights
from app.core.index.retrieval import DEFAULT_OPTIONS, RankingOptions

D = DEFAULT_OPTIONS
FILE_W = D.file_fields


def _only_body() -> FieldWeights:
    return FieldWeights(weights=(0, 0, 0, 0, 1.0), b=FILE_W.b, k1=FILE_W.k1)


def _drop_field(i: int) -> FieldWeights:
    weights = list(FILE_W.weights)
    weights[i] = 0.0
    return dataclasses.replace(FILE_W, weights=tuple(weights))


def _field_b(b: float) -> FieldWeights:
    return dataclasses.replace(FILE_W, b=(*FILE_W.b[:4], b))


def _v(**changes: object) -> RankingOptions:
    return dataclasses.replace(D, **changes)  # type: ignore[arg-type]


# name -> (options, tokenizer variant or None)
VARIANTS: dict[str, tuple[RankingOptions, str | None]] = {
    "all (default)": (D, None),
    "body BM25 only (+ implementation first)": (
        _v(file_fields=_only_body(), passages=None, mention_share=0.0, size_prior=0.0, task_word_weight=1.0),
        None,
    ),
    "- identifier splitting": (D, "no-split"),
    "- stemming": (D, "no-stem"),
    "- compound term": (D, "no-compound"),
    "- path field": (_v(file_fields=_drop_field(0)), None),
    "- names field": (_v(file_fields=_drop_field(1)), None),
    "- signatures field": (_v(file_fields=_drop_field(2)), None),
    "- docs field": (_v(file_fields=_drop_field(3)), None),
    "- body field": (_v(file_fields=_drop_field(4)), None),
    "- all fields but body": (_v(file_fields=_only_body()), None),
    "fields: path, names x3": (
        _v(file_fields=dataclasses.replace(FILE_W, weights=(3.0, 3.0, 1.0, 1.0, 1.0))),
        None,
    ),
    "body b 0.75 (not 0.3)": (_v(file_fields=_field_b(0.75)), None),
    "- passage channel": (_v(passages=None), None),
    "passages of 10 lines (not 20)": (D, "passages-10"),
    "passages of 40 lines": (D, "passages-40"),
    "passage share 0.5": (_v(passage_share=0.5), None),
    "passage share 2": (_v(passage_share=2.0), None),
    "fusion: reciprocal rank (k=60), not scores": (_v(rrf_k=60.0), None),
    "fusion: reciprocal rank (k=10)": (_v(rrf_k=10.0), None),
    "- mentions": (_v(mention_share=0.0), None),
    "task words kept (weight 1)": (_v(task_word_weight=1.0), None),
    "task words weight 0.3": (_v(task_word_weight=0.3), None),
    "- size prior": (_v(size_prior=0.0), None),
    "size prior 0.5": (_v(size_prior=0.5), None),
    "+ PageRank prior 0.1": (_v(prior=0.1), None),
    "+ PageRank prior 0.3": (_v(prior=0.3), None),
    "asked kinds factor 1 (no scaling)": (_v(asked_kind_factor=1.0), None),
    "asked kinds factor 0": (_v(asked_kind_factor=0.0), None),
    "- implementation first": (_v(implementation_first=False), None),
    "- scope (leading 'scope:' against paths)": (_v(scope_share=0.0), None),
    "scope share 0.3": (_v(scope_share=0.3), None),
    "scope share 1.2": (_v(scope_share=1.2), None),
    "- filling with central code": (_v(fill_implementation=False), None),
    "- scope, - filling (as before)": (_v(scope_share=0.0, fill_implementation=False), None),
}


def _no_split(token: str) -> tuple[str, ...]:
    return (terms_module.stem(token.lower()),) if token.strip("_") else ()


def _no_stem(token: str) -> tuple[str, ...]:
    parts = terms_module.split_identifier(token)
    if len(parts) <= 1:
        return tuple(parts)
    return (token.lower().strip("_"), *parts)


def _no_compound(token: str) -> tuple[str, ...]:
    return tuple(terms_module.stem(p) for p in terms_module.split_identifier(token))


TOKENIZERS: dict[str, Callable[[str], tuple[str, ...]]] = {
    "no-split": _no_split,
    "no-stem": _no_stem,
    "no-compound": _no_compound,
}


@contextlib.contextmanager
def tokenizer(name: str | None) -> Iterator[None]:
    """Swap the term function (or the passage length) where it is used; index inside the block."""
    if name is None:
        yield
        return
    if name.startswith("passages-"):
        lines = terms_module.PASSAGE_LINES
        terms_module.PASSAGE_LINES = int(name.removeprefix("passages-"))
        try:
            yield
        finally:
            terms_module.PASSAGE_LINES = lines
        return
    original = terms_module.word_terms
    fn = TOKENIZERS[name]
    for module in (terms_module, retrieval_module):
        module.word_terms = fn  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in (terms_module, retrieval_module):
            module.word_terms = original  # type: ignore[attr-defined]


@dataclasses.dataclass
class Prepared:
    """One repository ready to rank: its extracted root, index, BM25 baseline and questions."""

    repo: str
    root: Path
    questions: list[dict]
    indexes: dict[str | None, ProjectIndex]
    bm25: BM25


def prepare(args: argparse.Namespace, tmp: Path) -> list[Prepared]:
    """Extract and index every repository of the chosen split (once)."""
    questions = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    questions = [q for q in questions if q["split"] == args.split]
    if args.repo:
        questions = [q for q in questions if q["repo"] in set(args.repo)]
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for q in questions:
        by_repo[q["repo"]].append(q)
    out = []
    for repo, group in by_repo.items():
        git_dir = args.mirrors / repo.replace("/", "+") / "repo"
        if not git_dir.is_dir() or not has_commit(git_dir, group[0]["snapshot"]):
            print(f"{repo}: skipped (fetch github:{repo})")
            continue
        root = tmp / repo.replace("/", "+")
        root.mkdir()
        extract(git_dir, group[0]["snapshot"], root)
        index = ProjectIndex.open(root, workers=1)
        docs = {}
        for rel in (f for f in index.files() if is_source(f)):
            source = read_source(root / rel)
            if not isinstance(source, str):
                docs[rel] = source.data.decode("utf-8", "replace")
        out.append(Prepared(repo, root, group, {None: index}, BM25(docs, tokenize=plain_tokens)))
    return out


def evaluate(
    prepared: list[Prepared], options: RankingOptions, tok: str | None
) -> tuple[list[tuple[bool, bool]], float]:
    """Each question's (hit@1, hit@5) with these options, and the seconds the queries took."""
    rows = []
    took = 0.0
    for p in prepared:
        with tokenizer(tok):
            if tok not in p.indexes:
                p.indexes[tok] = ProjectIndex.open(p.root, workers=1)
            index = p.indexes[tok]
            index.context("warm up", top=1)
            started = time.perf_counter()
            for q in p.questions:
                rows.append(_hit([h.file for h in index.context(q["question"], top=5, options=options)], q))
            took += time.perf_counter() - started
    return rows, took


def baseline(prepared: list[Prepared]) -> list[tuple[bool, bool]]:
    """Each question's (hit@1, hit@5) for whole-file BM25 over the source files."""
    return [_hit(p.bm25.search(q["question"], top=5), q) for p in prepared for q in p.questions]


def print_row(name: str, rows: list[tuple[bool, bool]], took: float | None = None) -> None:
    """One Markdown table row: recall@1, recall@5, ms per query."""
    n = len(rows) or 1
    r1 = sum(a for a, _ in rows) / n
    r5 = sum(b for _, b in rows) / n
    ms = f"{1000 * took / n:8.1f}" if took is not None else "       -"
    print(f"| {name:44} | {r1:8.3f} | {r5:8.3f} | {ms} |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--repo", action="append")
    parser.add_argument("--variant", action="append", help="only these variants (by name)")
    args = parser.parse_args()
    variants = {k: v for k, v in VARIANTS.items() if not args.variant or k in args.variant}
    print(" ".join([".venv/bin/python", *sys.argv]))
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="ablate-") as tmp:
        prepared = prepare(args, Path(tmp))
        n = sum(len(p.questions) for p in prepared)
        print(f"\n{args.split}: {n} questions from {len(prepared)} repositories")
        print(f"| {'variant':44} | recall@1 | recall@5 | ms/query |")
        print(f"|{'-' * 46}|---------:|---------:|---------:|")
        print_row("BM25 (baseline)", baseline(prepared))
        for name, (options, tok) in variants.items():
            rows, took = evaluate(prepared, options, tok)
            print_row(name, rows, took)
    return 0


def _hit(ranked: list[str], q: dict) -> tuple[bool, bool]:
    answers = set(q["answers"])
    return bool(set(ranked[:1]) & answers), bool(set(ranked[:5]) & answers)


if __name__ == "__main__":
    raise SystemExit(main())
