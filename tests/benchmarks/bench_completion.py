"""Inline completion latency while typing: keystroke to ghost text, and what each request reads.

    .venv/bin/python tests/benchmarks/bench_completion.py [--model FIM.gguf] [--file PATH] [--lines N]

On a real file (default: app/core/index/project_index.py of this repository) a few lines in its
middle are deleted and typed again, one character at a time; after each keystroke the engine
is asked for a completion at the cursor, with repository context from the project's index, as
the editor does. Without `--model` a tiny random-weight qwen2 GGUF with Qwen2.5-Coder's FIM
tokens is written and used: its prompt layout, cache and KV reuse are real, its text is noise.

Prints, for all requests and for the model calls alone (cache hits are free):
- keystroke-to-ghost-text latency, p50 and p95;
- prompt tokens read per request after the first (goal: only the changed tail), against the
  full prompt (the baseline: what a request costs without KV reuse);
- an estimate for Qwen2.5-Coder-0.5B on this machine: the median tokens read per request, and
  the median tokens of the rest of the line being typed (what a right single-line completion
  generates), times the per-token costs measured here on the demo model (SmolLM2-135M, same
  run), scaled by the parameter ratio (goal p50 <= 300 ms). With a real FIM model, its own times.
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
from app.core.completion.fim_format import split_at  # noqa: E402
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
    """Complete after each keystroke, as the editor does; what each request cost."""
    rows = []
    for document, offset, _rest in states:
        started = time.perf_counter()
        done = engine.complete(path=path, text=document, offset=offset, cancel=CancelToken())
        rows.append(
            {
                "ms": (time.perf_counter() - started) * 1000,
                "cached": float(done.cached),
                "read": float(done.evaluated_tokens),
                "prompt": float(done.prompt_tokens),
                "generated": float(done.generated_tokens),
            }
        )
    return rows


def realistic_tokens(model: LocalModel, states: list[tuple[str, int, str]]) -> tuple[float, float]:
    """With a real BPE vocabulary: median tokens a keystroke reads, and of the rest of the line.

    A keystroke reads the changed last token of the prefix, the suffix markers and the suffix
    (`split_at`'s, counted with this vocabulary); a right single-line completion generates the
    rest of the line being typed.
    """
    reads, rests = [], []
    for document, offset, rest in states[1:]:
        _prefix, suffix = split_at(document, offset, count=model.count_tokens)
        reads.append(2 + 2 + model.count_tokens(suffix))
        rests.append(model.count_tokens(rest) + 1)  # and the end-of-line token
    return statistics.median(reads), statistics.median(rests)


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
    print(f"latency, all requests: p50 {percentile(all_ms, 50):.1f} ms, p95 {percentile(all_ms, 95):.1f} ms")
    print(
        f"latency, model calls:  p50 {percentile(call_ms, 50):.1f} ms, p95 {percentile(call_ms, 95):.1f} ms"
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
            tail, rest = realistic_tokens(real, states)
            per_read, per_token = per_token_costs(real, tail=int(tail), generate=int(rest))
            demo_params = real._llm._model.n_params()
            real.close()
            coder = load_catalog().require("qwen2.5-coder-0.5b")
            scale = coder.parameters * 1e9 / demo_params
            estimate = (tail * per_read + rest * per_token) * scale * 1000
            print(
                f"with {demo.name}'s vocabulary a keystroke reads {tail:.0f} tokens (median) and the rest of "
                f"the line is {rest:.0f}"
            )
            print(
                f"per-token cost on it ({demo_params / 1e6:.0f}M): read {per_read * 1000:.2f} ms, "
                f"generate {per_token * 1000:.2f} ms; x{scale:.1f} for {coder.name}"
            )
            print(
                f"estimate for {coder.id}: {tail:.0f} read + {rest:.0f} generated -> about "
                f"{estimate:.0f} ms per model call, p50 (goal <= 300 ms)"
            )
    return 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


if __name__ == "__main__":
    sys.exit(main())
