"""What turning llama.cpp's extra buffer types off (the probe's first fallback) costs, in one run.

    .venv/bin/python tests/benchmarks/bench_extra_bufts.py [--model PATH] [--rounds N]

Each measurement runs in its own child process (a build whose repacking crashes this CPU
dies there, and the report says so). Prints prompt reading and generation tokens/s with
extra buffer types on (llama.cpp's default: CPU weight repacking, AMX where present) and
off, the median of interleaved rounds, and the ratio off/on.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PROMPT = "Explain, step by step, how a hash map resolves collisions, with an example in Python. " * 12


def measure(model: str, *, extra_bufts: bool) -> dict[str, float]:
    """In this process: load, read the prompt, generate 64 tokens; tokens/s of each."""
    import llama_cpp

    from app.core.runtime.load_settings import model_params

    with model_params(extra_bufts=extra_bufts):
        llm = llama_cpp.Llama(model_path=model, n_ctx=2048, n_batch=512, verbose=False)
    tokens = llm.tokenize(PROMPT.encode("utf-8"), add_bos=True)
    started = time.perf_counter()
    llm.eval(tokens)
    read_s = time.perf_counter() - started
    made = 0
    started = time.perf_counter()
    for _ in llm.generate([], top_k=1, temp=0.0, reset=False):
        made += 1
        if made >= 64:
            break
    gen_s = time.perf_counter() - started
    llm.close()
    return {"prompt_tokens": len(tokens), "read_tps": len(tokens) / read_s, "gen_tps": made / gen_s}


def run_child(model: str, *, extra_bufts: bool) -> dict[str, float] | str:
    code = (
        "import json,sys; sys.path.insert(0, sys.argv[3]);"
        "from tests.benchmarks.bench_extra_bufts import measure;"
        "print(json.dumps(measure(sys.argv[1], extra_bufts=sys.argv[2] == '1')))"
    )
    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        [sys.executable, "-c", code, model, "1" if extra_bufts else "0", root],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        return f"died (exit {done.returncode})"
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    """Interleave rounds of on and off; print medians and the ratio."""
    from app.core.store.demo import demo_model_path

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(demo_model_path() or ""))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {platform.platform()}")
    print(f"model: {Path(args.model).name}")
    results: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for round_no in range(args.rounds):
        for extra in (True, False) if round_no % 2 == 0 else (False, True):
            got = run_child(args.model, extra_bufts=extra)
            if isinstance(got, str):
                print(f"extra buffer types {'on' if extra else 'off'}: {got}")
                continue
            results[extra].append(got)
    for extra in (True, False):
        rows = results[extra]
        if rows:
            read = statistics.median(r["read_tps"] for r in rows)
            gen = statistics.median(r["gen_tps"] for r in rows)
            print(
                f"extra buffer types {'on ' if extra else 'off'}: prompt {read:8.1f} tok/s   generate {gen:7.1f} tok/s"
            )
    if results[True] and results[False]:
        for key, name in (("read_tps", "prompt"), ("gen_tps", "generate")):
            on = statistics.median(r[key] for r in results[True])
            off = statistics.median(r[key] for r in results[False])
            print(f"ratio off/on, {name}: {off / on:.2f}")
    else:
        print("ratio: not measurable here (one setting did not run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
