"""Mine held-out retrieval questions from real git history: commit message -> files it changed.

    .venv/bin/python tests/benchmarks/mine_retrieval_questions.py \
        --mirrors /work/.mirror --cap 120 owner/name [owner/name ...]

Each repository is a bare git directory at MIRRORS/owner+name/repo (what the session's
`fetch` tool brings); nothing is checked out. The snapshot is that directory's HEAD. Writes
tests/benchmarks/data/retrieval_heldout.jsonl (one question a line: repo, sha, question,
answers, split, and the snapshot sha) and retrieval_heldout.md (repos, snapshot shas, counts, these rules).

Which commits become questions, walked newest first (`git log --no-merges --no-renames`
from HEAD, so the order is fixed by the snapshot), the first CAP kept per repository:
1. Not a merge (one parent) and not a revert.
2. Its source files (retrieval_paths.is_source: tests, docs, examples, generated, vendored,
   tooling, changelogs, lock files and manifests never count) number 1 or 2, none of them
   deleted by the commit, and each still exists at the snapshot. Those files are the answer.
   Other files the commit touched are ignored.
3. The message is descriptive:
   - the subject, with a trailing "(#123)" and a leading "type(scope):" prefix removed for
     the checks, has at least 4 words of 2+ letters once issue/PR references (#123, gh-1,
     GH-1), URLs, shas and @names are taken out;
   - the subject is not a merge, a version or release ("v1.2.3", "Release ...", "Bump
     version", "prepare 2.0"), a dependency bump ("bump foo from 1 to 2", "update deps",
     dependabot), changelog/news, typo, wip, formatting or lint ("fmt", "format", "black",
     "prettier", "ruff", "flake8", "lint", "whitespace", "pep8", "isort", "clippy"), a
     pre-commit autoupdate or a copyright line, nor a
     conventional commit typed docs/style/test/tests/ci/build/chore/release;
4. The message does not name an answer file: neither its path, its file name, its stem,
   nor the stem with `_`/`-` read as spaces or removed (`response_writer` also matches
   "response writer" and "ResponseWriter") appears as a word (case-insensitive); for a
   generic stem (`__init__`, `index`, `mod`, `lib`, `main`) the parent folder's name counts
   as the stem too. Crate or package prefixes ("printer: ...") are allowed.
5. The question is not the same text (case-insensitive) as a newer kept one ("update tap").

The question is the subject (the trailing "(#123)" removed, the rest kept as written) plus
the body when the body is short (at most 300 characters and 6 lines once trailers such as
Signed-off-by and Co-authored-by are dropped).

The split is fixed by the commit: sha256(sha) even -> dev, odd -> test. Tune on dev only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))

import retrieval_paths
from retrieval_paths import is_source

DATA = Path(__file__).parent / "data"
OUT_JSONL = DATA / "retrieval_heldout.jsonl"
OUT_MD = DATA / "retrieval_heldout.md"

_PR_SUFFIX = re.compile(r"\s*\((?:#\d+(?:,\s*)?)+\)\s*$")
_CONVENTIONAL = re.compile(r"^\s*([a-zA-Z]+)(\([^)]*\))?!?:\s*")
_REFERENCE = re.compile(
    r"(https?://\S+|\b[0-9a-f]{7,40}\b|#\d+|\bgh-\d+\b|@[\w-]+|\b[\w.-]+/[\w.-]+#\d+)", re.I
)
_WORD = re.compile(r"[A-Za-z][A-Za-z']+")
_SKIP_TYPES = frozenset(
    ["docs", "doc", "style", "test", "tests", "ci", "build", "chore", "release", "revert", "wip"]
)
_SKIP_SUBJECT = re.compile(
    r"""(
        ^merge\b | ^revert\b | ^v?\d+(\.\d+)+\b | \brelease[ds]?\b | \bprepar\w*\s+(for\s+)?v?\d
      | \bbump\w*\b | \bversion\s+v?\d | \bdependabot\b | \bdeps?\b | \bdependenc\w+
      | \bupgrade\b.*\bto\s+v?\d | \bupdate\b.*\bto\s+v?\d+\.\d | \bchangelog\b | \bnews\b
      | \btypos?\b | \bwip\b | \bfmt\b | \bformat(ting|ted)?\b | \bblack\b | \bprettier\b
      | \bruff\b | \bflake8\b | \blint\w*\b | \bwhitespace\b | \bpep\s?8\b | \bisort\b
      | \bpre-commit\b | \bautoupdate\b | \bcopyright\b | \bclippy\b | \bgofmt\b | \brustfmt\b | \beslint\b | \bspelling\b | \bmisspell\w*
    )""",
    re.I | re.X,
)
_TRAILER = re.compile(r"^[A-Za-z-]+(-by|-authored-by)?:\s", re.I)
_GENERIC_STEMS = frozenset(["__init__", "index", "mod", "lib", "main"])
BODY_CHARS = 300
BODY_LINES = 6


@dataclass(frozen=True)
class Commit:
    """One commit as git log reports it."""

    sha: str
    parents: int
    subject: str
    body: str
    changes: tuple[tuple[str, str], ...]  # (status letter, path)


def git(git_dir: Path, *args: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True, text=True
    ).stdout


def commits(git_dir: Path) -> list[Commit]:
    """Non-merge commits from HEAD, newest first, with their name-status (renames split)."""
    out = git(
        git_dir,
        "log",
        "--no-merges",
        "--no-renames",
        "--name-status",
        "--format=%x1e%H%x1f%P%x1f%s%x1f%b%x1f",
        "HEAD",
    )
    found = []
    for chunk in out.split("\x1e")[1:]:
        sha, parents, subject, body, rest = chunk.split("\x1f", 4)
        changes = []
        for line in rest.strip().splitlines():
            status, _, path = line.partition("\t")
            if path:
                changes.append((status[:1], path))
        found.append(Commit(sha, len(parents.split()), subject.strip(), body.strip(), tuple(changes)))
    return found


def short_body(body: str) -> str:
    lines = [ln for ln in body.splitlines() if not _TRAILER.match(ln.strip())]
    text = "\n".join(lines).strip()
    if not text or len(text) > BODY_CHARS or len(text.splitlines()) > BODY_LINES:
        return ""
    return text


def descriptive(subject: str) -> bool:
    bare = _PR_SUFFIX.sub("", subject)
    prefix = _CONVENTIONAL.match(bare)
    if prefix:
        if prefix.group(1).lower() in _SKIP_TYPES:
            return False
        bare = bare[prefix.end() :]
    if _SKIP_SUBJECT.search(bare) or _SKIP_SUBJECT.search(subject):
        return False
    words = _WORD.findall(_REFERENCE.sub(" ", bare))
    return len(words) >= 4


def names_file(message: str, path: str) -> bool:
    text = message.lower()
    p = PurePosixPath(path.lower())
    stem = p.name.split(".", 1)[0]
    names = {p.as_posix(), p.name, stem, re.sub(r"[_-]+", " ", stem).strip(), re.sub(r"[_-]+", "", stem)}
    if stem in _GENERIC_STEMS and len(p.parts) > 1:
        names.add(p.parts[-2])
    return any(name and re.search(r"(?<![\w])" + re.escape(name) + r"(?![\w])", text) for name in names)


def split_of(sha: str) -> str:
    return "dev" if int(hashlib.sha256(sha.encode()).hexdigest(), 16) % 2 == 0 else "test"


def mine(repo: str, git_dir: Path, *, cap: int) -> tuple[str, list[dict[str, object]], Counter]:
    head = git(git_dir, "rev-parse", "HEAD").strip()
    at_head = set(git(git_dir, "ls-tree", "-r", "--name-only", "HEAD").splitlines())
    why: Counter = Counter()
    kept: list[dict[str, object]] = []
    asked: set[str] = set()
    for c in commits(git_dir):
        if len(kept) >= cap:
            break
        why["commits"] += 1
        if c.parents != 1:
            why["merge or root"] += 1
            continue
        sources = [(s, p) for s, p in c.changes if is_source(p)]
        if not 1 <= len(sources) <= 2:
            why["not 1-2 source files"] += 1
            continue
        if any(s == "D" for s, _ in sources) or any(p not in at_head for _, p in sources):
            why["answer gone at snapshot"] += 1
            continue
        if not descriptive(c.subject):
            why["not descriptive"] += 1
            continue
        subject = _PR_SUFFIX.sub("", c.subject).strip()
        body = short_body(c.body)
        question = f"{subject}\n\n{body}" if body else subject
        answers = sorted(p for _, p in sources)
        if any(names_file(question, a) for a in answers):
            why["names the file"] += 1
            continue
        if question.lower() in asked:
            why["repeats a newer question"] += 1
            continue
        asked.add(question.lower())
        kept.append(
            {
                "repo": repo,
                "snapshot": head,
                "sha": c.sha,
                "question": question,
                "answers": answers,
                "split": split_of(c.sha),
            }
        )
    why["kept"] = len(kept)
    return head, kept, why


def write_readme(rows: list[tuple[str, str, list[dict[str, object]], Counter]], *, cap: int) -> str:
    lines = [
        "# Held-out retrieval questions (issue 17)",
        "",
        "Mined by `tests/benchmarks/mine_retrieval_questions.py` (its docstring has the rules),",
        "measured by `tests/benchmarks/bench_retrieval_heldout.py`. Each line of",
        "`retrieval_heldout.jsonl` is a commit message (the question) and the source files that",
        "commit changed (the answers), at most " + f"{cap} per repository, newest first.",
        "The split is fixed by sha256(commit sha): even is `dev`, odd is `test`.",
        "**Tune on dev only; report both.** flask, sqlalchemy and express are reserved and",
        "must never be added here.",
        "",
        "Snapshots: the benchmark extracts each repository at the sha below from the bare git",
        "directory `<mirrors>/<owner>+<name>/repo` (the session's `fetch` tool,",
        "`fetch github:<owner>/<name>`, puts it at /work/.mirror/<owner>+<name>/repo).",
        "",
        "| repo | snapshot sha | commits read | kept | dev | test |",
        "|---|---|---|---|---|---|",
    ]
    total = Counter()
    for repo, head, kept, why in rows:
        dev = sum(q["split"] == "dev" for q in kept)
        lines.append(f"| {repo} | `{head}` | {why['commits']} | {len(kept)} | {dev} | {len(kept) - dev} |")
        total.update({"kept": len(kept), "dev": dev, "test": len(kept) - dev})
    lines.append(f"| **all** | | | {total['kept']} | {total['dev']} | {total['test']} |")
    lines += ["", "Commits dropped while reading (per repository, until the cap was reached):", ""]
    for repo, _, _, why in rows:
        dropped = ", ".join(f"{k}: {v}" for k, v in why.items() if k not in {"commits", "kept"})
        lines.append(f"- {repo}: {dropped}")
    rules = __doc__.split("Which commits become questions", 1)[1]
    lines += [
        "",
        "## Rules",
        "",
        "Mined with:",
        "",
        "    "
        + " ".join([".venv/bin/python", "tests/benchmarks/mine_retrieval_questions.py", *sys.argv[1:]]),
        "",
        "Which commits become questions" + rules.rstrip(),
        "",
        "Source files (`tests/benchmarks/retrieval_paths.py`):",
        "",
        retrieval_paths.__doc__.split("\n", 2)[2].strip(),
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("repos", nargs="+", help="owner/name, fetched to MIRRORS/owner+name/repo")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--cap", type=int, default=120, help="questions kept per repository")
    args = parser.parse_args()
    rows = []
    for repo in args.repos:
        git_dir = args.mirrors / repo.replace("/", "+") / "repo"
        if not git_dir.is_dir():
            parser.error(f"{git_dir} is missing: fetch github:{repo} first")
        head, kept, why = mine(repo, git_dir, cap=args.cap)
        rows.append((repo, head, kept, why))
        sys.stdout.write(f"{repo}: {len(kept)} questions from {why['commits']} commits\n")
    DATA.mkdir(parents=True, exist_ok=True)
    with OUT_JSONL.open("w") as f:
        for _, _, kept, _ in rows:
            for q in kept:
                f.write(json.dumps(q, ensure_ascii=False) + "\n")
    OUT_MD.write_text(write_readme(rows, cap=args.cap))
    sys.stdout.write(f"wrote {OUT_JSONL} and {OUT_MD}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
