"""Inline completion latency while typing: keystroke to ghost text, and what each request reads.

    .venv/bin/python tests/benchmarks/bench_completion.py [--model FIM.gguf] [--file PATH] [--lines N]

On a real file (default: app/core/index/project_index.py of this repository) a few lines in its
middle are deleted and typed again, one character at a time; after each keystroke the engine
is asked for a completion at the cursor, with repository context from the project's index, as
the editor does. Without `--model` a tiny random-weight qwen2 GGUF with Qwen2.5-Coder's FIM
tokens is written and used: its prompt layout, cache and KV reuse are real, its text is noise.

Prints, for all requests and for the model calls alone (cache hits are free):
- keystroke-to-ghost-text latency, p50 and p95: to the first ghost text (it streams in as the
  model writes, so it appears with the first token) and to the whole completion;
- prompt tokens read per request after the first (goal: only the changed tail), against the
  full prompt (the baseline: what a request costs without KV reuse);
- an estimate for Qwen2.5-Coder-0.5B on this machine: the median tokens a keystroke reads
  (from prompts built with the demo model's real BPE vocabulary, against the layout before,
  which kept the cursor line in the prefix and so re-read the suffix on every keystroke), and
  the median tokens of the rest of the line being typed (what a right single-line completion
  generates), times the per-token costs measured here on the demo model (SmolLM2-135M, same
  run), scaled by the parameter ratio: to the first ghost text (goal p50 <= 300 ms) and to the
  whole line. With a real FIM model, its own times.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from app.core import services  # noqa: E402
from app.core.cancel import CancelToken  # noqa: E402
from app.core.completion import CompletionEngine, RepoContext  # noqa: E402
from app.core.completion.engine import Completion  # noqa: E402
from app.core.completion.fim_format import FimTokens, build_prompt, split_at  # noqa: E402
from app.core.runtime.generation import GenerationDone, Sampling  # noqa: E402
from app.core.runtime.local_model import LocalModel  # noqa: E402
from app.core.store.catalog import load_catalog  # noqa: E402
from app.core.store.demo import demo_model_path  # noqa: E402

DEFAULT_FILE = REPO / "app" / "core" / "index" / "project_index.py"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def keystrokes(text: str, *, lines: int) -> list[tuple[str, int, str]]:
    """Each state while `lines` lines from the middle of `text` are typed back: document, cursor, rest of line."""
    all_lines = text.split("\n")
    middle = len(all_lines) // 2
    start = next(i for i in range(middle, len(all_lines)) if len(all_lines[i].strip()) > 20)
    typed = "\n".join(all_lines[start : start + lines])
    head = "\n".join(all_lines[:start]) + "\n"
    tail = "\n" + "\n".join(all_lines[start + lines :])
    return [
        (head + typed[:n] + tail, len(head) + n, typed[n:].split("\n", 1)[0])
        for n in range(1, len(typed) + 1)
    ]


def typing_session(
    engine: CompletionEngine, states: list[tuple[str, int, str]], *, path: str
) -> list[dict[str, float]]:
    """Complete after each keystroke, as the editor does; what each request cost.

    `first_ms` is when ghost text first appears (the engine streams it as the model writes),
    `ms` when the completion is whole.
    """
    rows = []
    for document, offset, _rest in states:
        started = time.perf_counter()
        first = None
        for item in engine.completions(path=path, text=document, offset=offset, cancel=CancelToken()):
            if first is None and (isinstance(item, str) or item.text.strip()):
                first = time.perf_counter()
            done = item
        assert isinstance(done, Completion)
        ended = time.perf_counter()
        rows.append(
            {
                "ms": (ended - started) * 1000,
                "first_ms": ((first or ended) - started) * 1000,
                "cached": float(done.cached),
                "read": float(done.evaluated_tokens),
                "prompt": float(done.prompt_tokens),
                "generated": float(done.generated_tokens),
            }
        )
    return rows


def realistic_tokens(model: LocalModel, states: list[tuple[str, int, str]]) -> tuple[float, float, float]:
    """With a real BPE vocabulary: median tokens a keystroke reads, the same with the old layout, and the rest of the line.

    The prompts are built with `build_prompt` (this vocabulary, stand-in ids for the FIM
    markers, which it lacks); a keystroke reads what its prompt does not share with the one
    before (at least one token). The old layout (before the cursor line moved behind
    `<|fim_middle|>`) had the cursor line at the end of the prefix, so each keystroke re-read
    the suffix too: the baseline. A right single-line completion generates the rest of the
    line being typed.
    """
    fim = FimTokens(prefix=0, suffix=1, middle=2, pad=-1, repo=-1, file_sep=-1)
    reads, old_reads, rests = [], [], []
    before: list[int] = []
    old_before: list[int] = []
    for n, (document, offset, rest) in enumerate(states):
        prefix, suffix = split_at(document, offset, count=model.count_tokens)
        tokens = build_prompt(model, fim, path="m.py", prefix=prefix, suffix=suffix).tokens
        old = [0, *model.tokenize(prefix), 1, *model.tokenize(suffix), 2]
        if n:
            reads.append(max(1, len(tokens) - _shared(before, tokens)))
            old_reads.append(max(1, len(old) - _shared(old_before, old)))
            rests.append(model.count_tokens(rest) + 1)  # and the end-of-line token
        before, old_before = tokens, old
    return statistics.median(reads), statistics.median(old_reads), statistics.median(rests)


def _shared(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def per_token_costs(model: LocalModel, *, tail: int, generate: int) -> tuple[float, float]:
    """Seconds per prompt token read after a cached start, per generated token, and the model's parameters.

    Read: a `tail`-token batch after a cached 1,000-token start (what a keystroke reads).
    Generate: greedy decoding of `generate` tokens after it. Medians of five rounds.
    """
    base = model.tokenize("def compute(values):\n    total = 0\n" * 60)
    reads, decodes = [], []
    for round_ in range(5):
        tail_tokens = model.tokenize("".join(f"    value_{round_}_{i} = {i}\n" for i in range(tail)))[:tail]
        list(model._kv.read_prompt([*base, 0], cancel=CancelToken()))  # the start, cached
        started = time.perf_counter()
        list(model._kv.read_prompt([*base, *tail_tokens, 0], cancel=CancelToken()))
        reads.append((time.perf_counter() - started) / max(1, model._kv.last_read))
        done = None
        sampling = Sampling.greedy(max_tokens=generate)
        for item in model.stream([*base, *tail_tokens], sampling=sampling, cancel=CancelToken()):
            if isinstance(item, GenerationDone):
                done = item
        if done is not None and done.stats.tokens_per_s:
            decodes.append(1 / done.stats.tokens_per_s)
    return statistics.median(reads), statistics.median(decodes) if decodes else 0.0


def main() -> int:
    """Type into a real file and print the latency, the tokens read, and the 0.5B estimate."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None, help="a FIM GGUF (default: a tiny random one)")
    parser.add_argument("--file", default=str(DEFAULT_FILE))
    parser.add_argument("--lines", type=int, default=3, help="lines typed back")
    args = parser.parse_args()
    file = Path(args.file).resolve()
    root = REPO if file.is_relative_to(REPO) else file.parent
    text = file.read_text(encoding="utf-8")
    rel = file.relative_to(root).as_posix()
    tiny = args.model is None
    with tempfile.TemporaryDirectory() as tmp:
        if tiny:
            from tests.support.tiny_gguf import write_tiny_qwen

            model_path = write_tiny_qwen(Path(tmp) / "tiny-coder.gguf", fim=True, name="tiny-qwen2.5-coder")
        else:
            model_path = Path(args.model)
        model = LocalModel.load(model_path, n_ctx=8192)
        index = services.open_index(root)
        context = RepoContext(find_symbol=index.find_symbol, read=lambda r: _read(root / r))
        engine = CompletionEngine(model, repo_name=root.name, context=context, max_tokens=48)
        context.remember(rel, text, line=len(text.split("\n")) // 2)
        states = keystrokes(text, lines=args.lines)
        rows = typing_session(engine, states, path=rel)
        model.close()
    print(f"machine: {platform.machine()}, {platform.platform()}; file: {rel}; model: {model_path.name}")
    calls = [r for r in rows if not r["cached"]]
    later = calls[1:]
    print(f"{len(rows)} keystrokes: {len(calls)} model calls, {len(rows) - len(calls)} served from the cache")
    all_ms = [r["ms"] for r in rows]
    call_ms = [r["ms"] for r in calls]
    first_ms = [r["first_ms"] for r in calls]
    print(f"latency, all requests: p50 {percentile(all_ms, 50):.1f} ms, p95 {percentile(all_ms, 95):.1f} ms")
    print(
        f"latency, model calls:  first ghost text p50 {percentile(first_ms, 50):.1f} ms, "
        f"p95 {percentile(first_ms, 95):.1f} ms; whole completion p50 {percentile(call_ms, 50):.1f} ms, "
        f"p95 {percentile(call_ms, 95):.1f} ms"
    )
    if later:
        read = statistics.median(r["read"] for r in later)
        prompt = statistics.median(r["prompt"] for r in later)
        print(
            f"prompt tokens read per request after the first: median {read:.0f}, max {max(r['read'] for r in later):.0f} "
            f"of a {prompt:.0f}-token prompt (first request: {calls[0]['read']:.0f}); "
            f"ratio to reading it all: {read / prompt:.3f}"
        )
        demo = demo_model_path()
        if tiny and demo is not None:
            from app.core.settings import Settings

            real = services.load_model_file(demo, settings=Settings(n_ctx=4096), cancel=CancelToken())
            tail, old_tail, rest = realistic_tokens(real, states)
            # Read costs at the batch sizes each layout reads (one row costs more per token).
            per_read, per_token = per_token_costs(real, tail=max(1, int(tail)), generate=int(rest))
            old_per_read, _ = per_token_costs(real, tail=max(1, int(old_tail)), generate=1)
            demo_params = real._llm._model.n_params()
            real.close()
            coder = load_catalog().require("qwen2.5-coder-0.5b")
            scale = coder.parameters * 1e9 / demo_params
            first = (tail * per_read + per_token) * scale * 1000
            whole = (tail * per_read + rest * per_token) * scale * 1000
            old = (old_tail * old_per_read + rest * per_token) * scale * 1000
            print(
                f"with {demo.name}'s vocabulary a keystroke reads {tail:.0f} tokens (median; {old_tail:.0f} with the "
                f"cursor line in the prefix, the layout before) and the rest of the line is {rest:.0f}"
            )
            print(
                f"per-token cost on it ({demo_params / 1e6:.0f}M): read {per_read * 1000:.2f} ms ({old_per_read * 1000:.2f} "
                f"in a {old_tail:.0f}-token batch), "
                f"generate {per_token * 1000:.2f} ms; x{scale:.1f} for {coder.name}"
            )
            print(
                f"estimate for {coder.id}, p50: first ghost text {first:.0f} ms ({tail:.0f} read + 1 generated; "
                f"goal <= 300 ms), the whole line {whole:.0f} ms (+{rest - 1:.0f} generated); "
                f"with the layout before {old:.0f} ms"
            )
    return 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


if __name__ == "__main__":
    sys.exit(main())
