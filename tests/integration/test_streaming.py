"""Streaming through real llama.cpp: limits, stops, grammar, cancel, KV prefix reuse."""

from __future__ import annotations

import json

import pytest

from app.core.cancel import CancelToken
from app.core.errors import ContextOverflowError
from app.core.runtime.chat_template import Message
from app.core.runtime.generation import GenerationDone, Sampling, TextDelta
from app.core.runtime.local_model import LocalModel


def run(items: object) -> tuple[list[str], GenerationDone]:
    deltas: list[str] = []
    done = None
    for item in items:  # type: ignore[attr-defined]
        if isinstance(item, TextDelta):
            deltas.append(item.text)
        elif isinstance(item, GenerationDone):
            done = item
    assert isinstance(done, GenerationDone)
    return deltas, done


def ask(model: LocalModel, text: str) -> list[Message]:
    return [{"role": "user", "content": text}]


def test_max_tokens_and_stats(qwen2_model: LocalModel) -> None:
    deltas, done = run(
        qwen2_model.chat(
            ask(qwen2_model, "hi"), sampling=Sampling.greedy(max_tokens=12), cancel=CancelToken()
        )
    )
    assert done.stats.completion_tokens <= 12
    if done.finish_reason == "length":
        assert done.stats.completion_tokens == 12
    assert "".join(deltas) == done.text
    assert done.stats.prompt_tokens == len(qwen2_model.render_chat(ask(qwen2_model, "hi")))
    assert done.stats.ttft_s > 0


def test_greedy_is_deterministic_and_stop_sequence_cuts(smol: LocalModel) -> None:
    messages = ask(smol, "List three colours, one per line.")
    _, first = run(smol.chat(messages, sampling=Sampling.greedy(max_tokens=24), cancel=CancelToken()))
    _, again = run(smol.chat(messages, sampling=Sampling.greedy(max_tokens=24), cancel=CancelToken()))
    assert first.text == again.text and len(first.text) > 10
    stop = first.text[6:9]
    _, cut = run(
        smol.chat(messages, sampling=Sampling.greedy(max_tokens=24), stop=[stop], cancel=CancelToken())
    )
    assert cut.finish_reason == "stop"
    assert cut.text == first.text[: first.text.index(stop)]
    assert stop not in cut.text


def test_grammar_constrains_output(qwen3_model: LocalModel) -> None:
    gbnf = 'root ::= "{\\"answer\\": " ("true" | "false") "}"'
    for seed in range(3):
        sampling = Sampling(temperature=1.0, top_k=0, top_p=1.0, seed=seed, max_tokens=24)
        _, done = run(
            qwen3_model.chat(
                ask(qwen3_model, "Is it?"), sampling=sampling, grammar=gbnf, cancel=CancelToken()
            )
        )
        assert json.loads(done.text) in ({"answer": True}, {"answer": False})
        assert done.finish_reason == "stop"


def test_cancel_stops_within_one_token(smol: LocalModel) -> None:
    cancel = CancelToken()
    seen = 0
    done = None
    for item in smol.chat(
        ask(smol, "Tell me a long story."), sampling=Sampling.greedy(max_tokens=200), cancel=cancel
    ):
        if isinstance(item, TextDelta):
            seen += 1
            if seen == 5:
                cancel.cancel()
        else:
            done = item
    assert done is not None
    assert done.finish_reason == "cancelled"
    # Each English token yields one delta here; the token sampled after cancel is dropped.
    assert done.stats.completion_tokens <= seen + 1


def test_cancel_before_start_evaluates_nothing_more(smol: LocalModel) -> None:
    cancel = CancelToken()
    cancel.cancel()
    long_prompt = ask(smol, "word " * 1500)
    _, done = run(smol.chat(long_prompt, sampling=Sampling.greedy(max_tokens=10), cancel=cancel))
    assert done.finish_reason == "cancelled"
    assert done.stats.completion_tokens == 0


def test_multi_turn_evaluates_only_new_tokens(smol: LocalModel) -> None:
    messages: list[Message] = [{"role": "system", "content": "You are terse."}]
    previous_total = 0
    for turn in range(6):
        messages.append({"role": "user", "content": f"Question {turn}: name a fruit."})
        prompt = smol.render_chat(messages)
        _, done = run(smol.stream(prompt, sampling=Sampling.greedy(max_tokens=16), cancel=CancelToken()))
        stats = done.stats
        if turn > 0:
            new_tokens = len(prompt) - previous_total
            # Everything already in the KV cache (last prompt + reply) is reused; only the new
            # message and the template glue around it are evaluated.
            assert stats.cached_tokens >= previous_total - 2, (turn, stats)
            assert stats.evaluated_tokens <= new_tokens + 2, (turn, stats)
        previous_total = len(prompt) + stats.completion_tokens
        messages.append({"role": "assistant", "content": done.text})


def test_prompt_too_long_is_a_clear_error(qwen2_model: LocalModel) -> None:
    prompt = [0] * (qwen2_model.n_ctx + 1)
    with pytest.raises(ContextOverflowError, match="context holds"):
        next(iter(qwen2_model.stream(prompt, sampling=Sampling.greedy(), cancel=CancelToken())))


def test_a_looping_reply_is_cut_short(smol: LocalModel) -> None:
    prompt = ask(smol, "Count the sheep: " + "one sheep, " * 7)
    _, looped = run(smol.chat(prompt, sampling=Sampling.greedy(max_tokens=400), cancel=CancelToken()))
    assert looped.finish_reason == "repetition"
    assert looped.stats.completion_tokens < 400
    unguarded = Sampling(
        temperature=0.0, top_k=1, top_p=1.0, min_p=0.0, seed=0, max_tokens=400, loop_guard=False
    )
    _, control = run(smol.chat(prompt, sampling=unguarded, cancel=CancelToken()))
    assert control.finish_reason == "length"  # without the guard the same reply runs on
    assert control.text.startswith(looped.text)


def test_a_long_prompt_is_read_with_progress_batch_by_batch(qwen2_model: LocalModel) -> None:
    from app.core.runtime.generation import PromptRead

    long = [
        {"role": "user", "content": "Summarise this: " + "the quick brown fox jumps over the lazy dog. " * 25}
    ]
    items = list(qwen2_model.chat(long, sampling=Sampling.greedy(max_tokens=2), cancel=CancelToken()))
    reads = [i for i in items if isinstance(i, PromptRead)]
    done = items[-1]
    assert isinstance(done, GenerationDone)
    assert len(reads) >= 2  # more than one batch
    assert [r.done for r in reads] == sorted(r.done for r in reads) and reads[-1].done == reads[-1].total
    assert reads[-1].prompt == done.stats.prompt_tokens
    assert (
        reads[-1].total == done.stats.prompt_tokens - done.stats.cached_tokens - 1
    )  # the last token: generate's
    again = list(qwen2_model.chat(long, sampling=Sampling.greedy(max_tokens=2), cancel=CancelToken()))
    assert not any(isinstance(i, PromptRead) for i in again)  # all cached: nothing to read
