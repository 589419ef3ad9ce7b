"""Completion quality on real repositories: a held-out line, completed with and without repo context.

    .venv/bin/python tests/benchmarks/bench_completion_quality.py [--model FIM.gguf]
        [--mirrors /work/.mirror] [--repo owner/name ...] [--per-repo 20] [--seed 0]

The line task of RepoBench and CrossCodeEval: in a source file of a real repository one line is
removed; the cursor sits after its indentation, with everything before it as the prefix and
everything after as the suffix, and the model completes it. The first line of the completion
is scored against the removed line: exact match (whitespace-trimmed) and edit similarity
(1 - Levenshtein distance / the longer length). Each line is completed twice, with the
repository context (definitions the index links to names near the cursor) and without, in
the same run.

Repositories are bare git directories MIRRORS/owner+name/repo (`fetch github:owner/name` in an
Enclave session), read at their HEAD with `git archive`; a missing one is skipped. Files and
lines are drawn with a fixed seed, so runs compare. Nothing here was tuned on these lines.

It needs a model with fill-in-the-middle tokens: `--model`, else the installed completion model
(`enclave models download qwen2.5-coder-0.5b`). Where there is none it says so and exits 0.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from app.core import services  # noqa: E402
from app.core.cancel import CancelToken  # noqa: E402
from app.core.completion import CompletionEngine, RepoContext  # noqa: E402
from app.core.errors import EnclaveError  # noqa: E402
from app.core.runtime.local_model import LocalModel  # noqa: E402
from app.core.settings import Settings  # noqa: E402

REPOS = (
    "pallets/click", "encode/httpx", "python-attrs/attrs", "axios/axios", "sindresorhus/got",
    "fastify/fastify", "spf13/cobra", "gin-gonic/gin", "go-chi/chi", "BurntSushi/ripgrep",
)  # fmt: skip
SOURCE = (".py", ".js", ".ts", ".go", ".rs")
SKIP_PARTS = ("test", "tests", "docs", "doc", "example", "examples", "vendor", "node_modules", "benchmarks")
COMMENT = ("#", "//", "/*", "*", '"""', "'''")


def levenshtein(a: str, b: str) -> int:
    """Edit distance between two short strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def edit_similarity(got: str, want: str) -> float:
    """1 - distance / the longer length (1.0: the same text)."""
    got, want = got.strip(), want.strip()
    longest = max(len(got), len(want))
    return 1.0 if longest == 0 else 1 - levenshtein(got, want) / longest


def pick_lines(root: Path, rng: random.Random, count: int) -> list[tuple[str, int]]:
    """(file, 0-based line) pairs: lines of implementation code worth completing."""
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix in SOURCE and not set(p.relative_to(root).parts[:-1]) & set(SKIP_PARTS)
        and "test" not in p.name.lower()
    )  # fmt: skip
    rng.shuffle(files)
    picked: list[tuple[str, int]] = []
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError):
            continue
        candidates = [
            i
            for i, line in enumerate(lines[5:], 5)
            if len(line.strip()) >= 12 and len(line) < 160 and not line.strip().startswith(COMMENT)
        ]
        if candidates:
            picked.append((path.relative_to(root).as_posix(), rng.choice(candidates)))
        if len(picked) >= count:
            break
    return picked


def run_repo(engine: CompletionEngine, root: Path, picks: list[tuple[str, int]]) -> dict[str, list[float]]:
    """Complete each picked line with and without context; the scores."""
    scores: dict[str, list[float]] = {"em_on": [], "es_on": [], "em_off": [], "es_off": []}
    for rel, number in picks:
        lines = (root / rel).read_text(encoding="utf-8").split("\n")
        line = lines[number]
        indent = line[: len(line) - len(line.lstrip())]
        want = line.strip()
        prefix = "\n".join(lines[:number]) + "\n" + indent
        document = prefix + "\n" + "\n".join(lines[number + 1 :])
        for mode, use in (("on", True), ("off", False)):
            engine.cache.clear()
            done = engine.complete(
                path=rel, text=document, offset=len(prefix), cancel=CancelToken(), use_context=use
            )
            got = done.text.split("\n", 1)[0]
            scores[f"em_{mode}"].append(float(got.strip() == want))
            scores[f"es_{mode}"].append(edit_similarity(got, want))
    return scores


def main() -> int:
    """Score every repository; print per-repository and overall figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    parser.add_argument("--mirrors", default="/work/.mirror")
    parser.add_argument("--repo", action="append", default=None)
    parser.add_argument("--per-repo", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        model_path = services.completion_model_path(args.model, settings=Settings())
        model = LocalModel.load(model_path, n_ctx=8192)
        CompletionEngine(model)  # refuses a model without FIM tokens
    except EnclaveError as exc:
        print(f"skipped: no fill-in-the-middle model to score ({exc})")
        return 0
    print(f"machine: {platform.machine()}, {platform.platform()}; model: {model_path.name}")
    print(f"{'repository':24} {'lines':>5}  {'EM ctx':>7} {'EM none':>7}  {'ES ctx':>7} {'ES none':>7}")
    total: dict[str, list[float]] = {"em_on": [], "es_on": [], "em_off": [], "es_off": []}
    for name in args.repo or REPOS:
        bare = Path(args.mirrors) / name.replace("/", "+") / "repo"
        if not bare.is_dir():
            print(f"{name:24} skipped: no mirror at {bare}")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / name.split("/")[1]
            root.mkdir()
            archive = subprocess.run(
                ["git", "--git-dir", str(bare), "archive", "HEAD"], capture_output=True, check=True
            )
            subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
            index = services.open_index(root)
            context = RepoContext(find_symbol=index.find_symbol, read=lambda r, base=root: _read(base / r))
            engine = CompletionEngine(model, repo_name=root.name, context=context, max_tokens=48)
            picks = pick_lines(root, random.Random(f"{args.seed}:{name}"), args.per_repo)
            scores = run_repo(engine, root, picks)
        for key, values in scores.items():
            total[key].extend(values)
        mean = {k: statistics.mean(v) if v else 0.0 for k, v in scores.items()}
        print(
            f"{name:24} {len(picks):>5}  {mean['em_on']:>7.2f} {mean['em_off']:>7.2f}  "
            f"{mean['es_on']:>7.2f} {mean['es_off']:>7.2f}"
        )
    model.close()
    mean = {k: statistics.mean(v) if v else 0.0 for k, v in total.items()}
    print(
        f"{'all':24} {len(total['em_on']):>5}  {mean['em_on']:>7.2f} {mean['em_off']:>7.2f}  "
        f"{mean['es_on']:>7.2f} {mean['es_off']:>7.2f}"
    )
    return 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


if __name__ == "__main__":
    sys.exit(main())
