"""Speculative decoding with prompt-lookup drafts: same tokens as plain decoding, fewer decodes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.errors import Cancelled
from app.core.runtime import speculative
from app.core.runtime.generation import GenerationDone, Sampling, TextDelta
from app.core.runtime.local_model import LocalModel

pytestmark = pytest.mark.integration

_SOURCE = Path(__file__).resolve().parents[2] / "app" / "core" / "runtime" / "kv_cache.py"


def _rewrite_request() -> list[dict[str, str]]:
    code = _SOURCE.read_text()
    method = code[code.index("    def read_prompt(") : code.index("    def prefill(")]
    return [
        {"role": "system", "content": "You rewrite code exactly, changing only what is asked."},
        {
            "role": "user",
            "content": f"Here is a method:\n\n```python\n{method}```\n\nRewrite the whole method, unchanged "
            "except that `total` is called `missing`. Reply with only the code block.",
        },
    ]


def _reply(model: LocalModel, messages: list[dict[str, str]], sampling: Sampling) -> GenerationDone:
    done = None
    for item in model.chat(messages, sampling=sampling, cancel=CancelToken()):  # type: ignore[arg-type]
        if isinstance(item, GenerationDone):
            done = item
    assert done is not None
    return done


def _one_token_per_decode(model: LocalModel, prompt: list[int], *, limit: int) -> list[int]:
    # The reference: nothing drafted, one token per decode (in two-row batches, the kernels
    # every speculative decode uses; see `speculate`).
    llm = model._llm
    llm.reset()
    list(model._kv.read_prompt(prompt, cancel=CancelToken()))
    out: list[int] = []
    tokens = speculative.speculate(
        llm,
        prompt,
        sampling=Sampling.greedy(),
        stats=speculative.DraftStats(),
        cancel=CancelToken(),
        max_draft=0,
    )
    for token in tokens:
        if model._llama_cpp.llama_vocab_is_eog(model._vocab, token):
            break
        out.append(token)
        if len(out) >= limit:
            break
    tokens.close()
    return out


def test_greedy_drafting_gives_the_tokens_of_plain_decoding_in_fewer_decodes(smol: LocalModel) -> None:
    messages = _rewrite_request()
    greedy = replace(Sampling.greedy(max_tokens=120), loop_guard=False)
    smol._llm.reset()
    drafted = _reply(smol, messages, replace(greedy, draft=True))
    reference = _one_token_per_decode(smol, smol.render_chat(messages), limit=len(drafted.tokens))
    assert list(drafted.tokens) == reference
    assert drafted.stats.completion_tokens > 50
    # The rewrite repeats the prompt: most drafted tokens are kept.
    assert drafted.stats.accepted > drafted.stats.completion_tokens / 3
    assert drafted.stats.accepted <= drafted.stats.drafted


def test_draft_length_never_changes_the_reply(smol: LocalModel) -> None:
    prompt = smol.render_chat(_rewrite_request())
    replies = []
    for longest in (1, 16):
        smol._llm.reset()
        list(smol._kv.read_prompt(prompt, cancel=CancelToken()))
        stats = speculative.DraftStats()
        tokens = speculative.speculate(
            smol._llm,
            prompt,
            sampling=Sampling.greedy(),
            stats=stats,
            cancel=CancelToken(),
            max_draft=longest,
        )
        replies.append([t for _, t in zip(range(60), tokens, strict=False)])
        tokens.close()
    assert replies[0] == replies[1]


def test_the_cache_after_a_drafted_reply_holds_only_kept_tokens(smol: LocalModel) -> None:
    messages = _rewrite_request()
    sampling = replace(Sampling.greedy(max_tokens=80), draft=True, loop_guard=False)
    smol._llm.reset()
    first = _reply(smol, messages, sampling)
    llm = smol._llm
    prompt = smol.render_chat(messages)
    # What the cache holds is the prompt and the reply's tokens, never a rejected guess.
    held = [int(t) for t in llm.input_ids[: llm.n_tokens]]
    assert held[: len(prompt)] == prompt
    tail, reply = held[len(prompt) :], list(first.tokens)
    shared = min(len(tail), len(reply))
    assert shared >= len(reply) - 1
    assert tail[:shared] == reply[:shared]
    again = _reply(smol, messages, sampling)  # reuses that cache
    assert again.tokens == first.tokens
    assert again.stats.cached_tokens == len(prompt) - 1


def test_temperature_sampling_drafts_and_stays_seeded(smol: LocalModel) -> None:
    messages = _rewrite_request()
    sampling = replace(Sampling(max_tokens=60, seed=7), draft=True, loop_guard=False)
    a = _reply(smol, messages, sampling)
    b = _reply(smol, messages, sampling)
    assert a.tokens == b.tokens  # same seed, same reply
    assert a.stats.drafted > 0
    assert a.text.strip()


def test_cancel_stops_a_drafted_reply_within_one_decode(smol: LocalModel) -> None:
    cancel = CancelToken()
    sampling = replace(Sampling.greedy(max_tokens=300), draft=True, loop_guard=False)
    seen = 0
    done = None
    for item in smol.chat(_rewrite_request(), sampling=sampling, cancel=cancel):  # type: ignore[arg-type]
        if isinstance(item, TextDelta):
            seen += 1
            if seen == 5:
                cancel.cancel()
        elif isinstance(item, GenerationDone):
            done = item
    assert done is not None
    assert done.finish_reason == "cancelled"
    assert done.stats.completion_tokens <= 5 + speculative.MAX_DRAFT + 1


def test_speculate_raises_cancelled_before_its_next_decode(smol: LocalModel) -> None:
    prompt = smol.render_chat(_rewrite_request())
    smol._llm.reset()
    list(smol._kv.read_prompt(prompt, cancel=CancelToken()))
    cancel = CancelToken()
    tokens = speculative.speculate(
        smol._llm, prompt, sampling=Sampling.greedy(), stats=speculative.DraftStats(), cancel=cancel
    )
    next(tokens)
    cancel.cancel()
    with pytest.raises(Cancelled):
        for _ in range(speculative.MAX_DRAFT + 2):
            next(tokens)


def test_a_drafted_reply_that_fills_the_context_ends_as_length(tiny_qwen2: Path) -> None:
    model = LocalModel.load(tiny_qwen2, n_ctx=512)
    try:
        words = [{"role": "user", "content": "the " * 230}]
        prompt = model.render_chat(words)
        sampling = replace(Sampling.greedy(max_tokens=10_000), draft=True, loop_guard=False)
        done = _reply(model, words, sampling)
        assert done.finish_reason == "length", done.finish_reason
        assert len(prompt) + done.stats.completion_tokens >= model.n_ctx - 2
    finally:
        model.close()
