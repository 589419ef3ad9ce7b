"""First-answer latency: time to the first token of a first question, with and without background prefill.

    .venv/bin/python tests/benchmarks/bench_latency.py [--project PATH] [--model PATH] [--rounds N]

On one model and one project (default: the demo model and this repository), each round:
1. a cold first question (the KV cache emptied): its time to the first token;
2. a follow-up question: its time to the first token (the baseline the goal is stated in);
3. the cache emptied again, the session's `prepare` job run (as the window does while the
   user types), then the first question: its time to the first token.
Prints medians, the ratios to the follow-up (goal for the prepared first question: <= 1.2),
and the prefix's size and read speed (a larger model's prefill time scales with both), with
an estimate for a 4B model from those tokens and the parameter ratio.

Then, on the same model:
- edit: a whole-method rewrite with one changed line (a method of this repository), greedy,
  plain decoding against speculative decoding with prompt-lookup drafts (`Sampling.draft`):
  tokens per second, the ratio (goal >= 1.5), the share of drafted tokens kept, and how
  closely the reply matches the expected rewrite (a model that does not copy the method
  leaves the drafts little to find);
- chat: a prose answer the same two ways, to choose what normal chat uses;
- launch: time to the first token after a restart, with and without the saved code-free state.
"""

from __future__ import annotations

import argparse
import difflib
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core import services
from app.core.agent import AgentOptions, Mode
from app.core.agent.events import TurnDone
from app.core.cancel import CancelToken
from app.core.runtime.generation import GenerationDone, Sampling
from app.core.session import ContextPrepared, Session
from app.core.settings import Settings
from app.core.store.demo import demo_model_path

FIRST = "Where is the model's first-use probe implemented?"
FOLLOW_UP = "And which settings does it fall back to?"


def ask(session: Session, model: object, text: str) -> float:
    user = session.conversation.ask(text)
    reply = session.conversation.add("assistant", "", parent=user.id)
    ttft = 0.0
    for event in session.reply(reply.id, mode=Mode.PLAN)(model, CancelToken()):
        slot = getattr(event, "reply", None)
        if slot is not None:
            slot.answer("reject")
        if isinstance(event, TurnDone):
            ttft = event.ttft_s or 0.0
    return ttft


def main() -> int:
    """Rounds of cold, follow-up and prepared first questions; medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", default=str(Path(__file__).resolve().parents[2]))
    parser.add_argument("--model", default=str(demo_model_path() or ""))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = Path(args.project).resolve()
    print(
        f"machine: {platform.machine()}, {platform.platform()}; project: {root.name}; model: {Path(args.model).name}"
    )
    model = services.load_model_file(Path(args.model), settings=Settings(n_ctx=8192), cancel=CancelToken())
    index = services.open_index(root)
    options = AgentOptions(max_steps=1)  # the first token is what is measured; one step is enough
    cold, follow, prepared, prefix, prefill_s = [], [], [], [], []
    for _ in range(args.rounds):
        model._llm.reset()  # an empty KV cache, as after loading the model
        session = Session(root, options=options)
        session.set_index(index)
        cold.append(ask(session, model, FIRST))
        follow.append(ask(session, model, FOLLOW_UP))
        model._llm.reset()
        session = Session(root, options=options)
        session.set_index(index)
        started = time.perf_counter()
        done = [
            e for e in session.prepare(mode=Mode.PLAN)(model, CancelToken()) if isinstance(e, ContextPrepared)
        ]
        prefill_s.append(time.perf_counter() - started)
        prefix.append(done[0].evaluated if done else 0)
        prepared.append(ask(session, model, FIRST))
    m = {
        name: statistics.median(v) for name, v in (("cold", cold), ("follow", follow), ("prepared", prepared))
    }
    print(f"first question, cold:     {m['cold']:.2f} s to the first token")
    print(f"follow-up question:       {m['follow']:.2f} s")
    print(
        f"first question, prepared: {m['prepared']:.2f} s (prefill took {statistics.median(prefill_s):.2f} s before it)"
    )
    print(
        f"ratio cold/follow-up: {m['cold'] / m['follow']:.2f}; prepared/follow-up: {m['prepared'] / m['follow']:.2f} (goal <= 1.2)"
    )
    tokens = statistics.median(prefix)
    speed = tokens / statistics.median(prefill_s)
    print(f"prefix: {tokens:.0f} tokens read at {speed:.0f} tok/s")
    # Prefill cost scales with the parameter count: an estimate, not a measurement.
    scale = 4.0e9 / max(1, model._llm._model.n_params())
    print(
        f"4B estimate: the prefix alone would take {tokens / speed * scale:.0f} s to read "
        f"({scale:.0f}x the parameters); prepared, the first question reads only its own tokens"
    )
    edit_and_chat(model, rounds=args.rounds)
    model.close()
    launch(Path(args.model), root, index, options)
    return 0


REWRITE_SOURCE = Path(__file__).resolve().parents[2] / "app" / "core" / "runtime" / "kv_cache.py"


def _tokens_per_s(
    model: object, messages: list[dict[str, str]], sampling: Sampling
) -> tuple[float, float, str]:
    done = None
    text: list[str] = []
    for item in model.chat(messages, sampling=sampling, cancel=CancelToken()):  # type: ignore[attr-defined]
        if isinstance(item, GenerationDone):
            done = item
        else:
            text.append(getattr(item, "text", ""))
    assert done is not None
    kept = done.stats.accepted / done.stats.drafted if done.stats.drafted else 0.0
    return done.stats.tokens_per_s, kept, "".join(text)


def _fidelity(expected: str, reply: str) -> float:
    """How much of the reply's code is the expected text (difflib's ratio, fences dropped)."""
    code = "\n".join(line for line in reply.splitlines() if not line.lstrip().startswith("```"))
    return difflib.SequenceMatcher(None, expected.strip(), code.strip(), autojunk=False).ratio()


def edit_and_chat(model: object, *, rounds: int) -> None:
    """Speculative decoding against plain decoding, for an edit and for a prose answer."""
    code = REWRITE_SOURCE.read_text()
    method = code[code.index("    def prefill(") : code.index("    def _read(")]
    edit = [
        {"role": "system", "content": "You rewrite code exactly, changing only what is asked."},
        {
            "role": "user",
            "content": f"Here is a method:\n\n```python\n{method}```\n\nRewrite the whole method with one "
            "line changed: `cached = len(shared)` becomes `cached = len(shared) - 1`. Reply with only the code.",
        },
    ]
    expected = method.replace("cached = len(shared)", "cached = len(shared) - 1", 1)
    chat = [{"role": "user", "content": "Explain in a few paragraphs how a hash table handles collisions."}]
    for name, messages in (("edit", edit), ("chat", chat)):
        plain, drafted, kept = [], [], []
        reply = ""
        for _ in range(rounds):
            greedy = replace(Sampling.greedy(max_tokens=256), loop_guard=False)
            plain.append(_tokens_per_s(model, messages, greedy)[0])
            speed, share, reply = _tokens_per_s(model, messages, replace(greedy, draft=True))
            drafted.append(speed)
            kept.append(share)
        p, d = statistics.median(plain), statistics.median(drafted)
        print(
            f"{name}: plain {p:.1f} tok/s, speculative {d:.1f} tok/s, ratio {d / p:.2f}"
            f"{' (goal >= 1.5)' if name == 'edit' else ''}; drafted tokens kept {statistics.median(kept):.0%}"
        )
        if name == "edit":
            print(
                f"edit: the reply matches the expected rewrite at {_fidelity(expected, reply):.0%} (difflib ratio)"
            )
    draft_ceiling(model)


def draft_ceiling(model: object) -> None:
    """What speculation could give here at best: one decode of n rows against n one-row decodes.

    A step that verifies a draft of n - 1 tokens costs one n-row decode and yields at most n
    tokens; plain decoding pays n one-row decodes for them. Where the CPU is compute-bound
    the n-row decode costs nearly n times one row, and no acceptance rate can beat the ratio.
    """
    from app.core.runtime.speculative import MAX_DRAFT, _decode_all

    llm = model._llm  # type: ignore[attr-defined]
    base = llm.tokenize(b"def compute(values):\n    total = 0\n" * 40)[:400]
    llm.reset()
    llm.eval(base)
    costs = {}
    for rows in (1, 2, MAX_DRAFT + 1):
        times = []
        for _ in range(5):
            llm.n_tokens = len(base)
            started = time.perf_counter()
            _decode_all(llm, base[:rows], n_vocab=llm.n_vocab())
            times.append(time.perf_counter() - started)
        costs[rows] = statistics.median(times)
    llm.n_tokens = len(base)
    n = MAX_DRAFT + 1
    print(
        f"decode cost: 1 row {costs[1] * 1000:.1f} ms, 2 rows {costs[2] * 1000:.1f} ms, {n} rows "
        f"{costs[n] * 1000:.1f} ms; ceiling with every draft kept: {n * costs[1] / costs[n]:.2f}x"
    )
    # Every speculative step decodes two rows or more (see `speculate`): a step whose draft is
    # rejected at once yields one token for the two-row cost.
    print(f"a speculative step that keeps no draft costs {costs[2] / costs[1]:.2f}x a plain step")


def launch(model_path: Path, root: Path, index: object, options: AgentOptions) -> None:
    """A restart: the prepared start with the code-free part read, then loaded from its saved state."""
    import shutil

    from app.core.runtime import saved_prefix

    shutil.rmtree(saved_prefix.state_dir(), ignore_errors=True)
    times = []
    for _ in range(2):  # the first launch reads (and maybe saves); the second may load
        model = services.load_model_file(model_path, settings=Settings(n_ctx=8192), cancel=CancelToken())
        session = Session(root, options=options)
        session.set_index(index)
        started = time.perf_counter()
        list(session.prepare(mode=Mode.PLAN)(model, CancelToken()))
        prepared = time.perf_counter() - started
        times.append((prepared, ask(session, model, FIRST)))
        model.close()
    kept = sorted(p.name for p in saved_prefix.state_dir().glob("*.kv"))
    decisions = (
        (saved_prefix.state_dir() / "decisions.json").read_text()
        if saved_prefix.state_dir().exists()
        else "{}"
    )
    print(
        f"launch 1 (reads the code-free start): prepare {times[0][0]:.2f} s, then first token {times[0][1]:.2f} s"
    )
    print(
        f"launch 2 ({'loads it' if kept else 'reads it again'}): prepare {times[1][0]:.2f} s, then first token {times[1][1]:.2f} s"
    )
    print(f"saved state kept: {bool(kept)}; decision: {decisions.strip()}")


if __name__ == "__main__":
    sys.exit(main())
