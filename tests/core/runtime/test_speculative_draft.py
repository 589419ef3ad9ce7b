"""The prompt-lookup draft and the acceptance rule, without a model."""

from __future__ import annotations

import numpy as np

from app.core.runtime.generation import Sampling
from app.core.runtime.speculative import NgramDraft, _choose, can_speculate, target_distribution


def test_the_draft_continues_the_latest_earlier_occurrence() -> None:
    draft = NgramDraft([1, 2, 3, 4, 5, 9, 1, 2, 3, 7, 8, 0, 1, 2])
    # "1 2" last occurred before "3 7 8": the most recent earlier match wins.
    assert draft.propose(3) == [3, 7, 8]
    draft.add(3)
    assert draft.propose(2) == [7, 8]  # "1 2 3" -> its latest continuation


def test_no_draft_for_unseen_tokens_and_one_token_needs_asking() -> None:
    draft = NgramDraft([5, 6, 7, 8])
    draft.add(6)
    assert draft.propose(4) == []  # "8 6" never occurred
    assert draft.propose(4, shortest=1) == [7, 8, 6]  # "6" did (and was followed by 7 8, then itself)


def test_the_draft_follows_the_reply_as_it_grows() -> None:
    draft = NgramDraft([])
    for token in [4, 4, 5, 6, 4, 4]:
        draft.add(token)
    assert draft.propose(2) == [5, 6]


def test_greedy_keeps_a_draft_token_only_when_it_is_the_argmax() -> None:
    logits = np.array([0.1, 3.0, 2.9, -1.0], dtype=np.float32)
    rng = np.random.default_rng(0)
    greedy = Sampling.greedy()
    assert _choose(logits, 1, sampling=greedy, greedy=True, rng=rng) == 1
    assert _choose(logits, 2, sampling=greedy, greedy=True, rng=rng) == 1
    assert _choose(logits, None, sampling=greedy, greedy=True, rng=rng) == 1


def test_the_target_distribution_applies_top_k_top_p_min_p_then_temperature() -> None:
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    only_two = target_distribution(logits, Sampling(top_k=2, top_p=1.0, min_p=0.0, temperature=1.0))
    assert np.allclose(only_two, [0.625, 0.375, 0, 0])
    nucleus = target_distribution(logits, Sampling(top_k=0, top_p=0.7, min_p=0.0, temperature=1.0))
    assert np.allclose(nucleus, [0.625, 0.375, 0, 0])  # 0.5 + 0.3 reaches 0.7
    floor = target_distribution(logits, Sampling(top_k=0, top_p=1.0, min_p=0.25, temperature=1.0))
    assert np.count_nonzero(floor) == 3  # 0.05 < 0.25 * 0.5
    cold = target_distribution(logits, Sampling(top_k=0, top_p=1.0, min_p=0.0, temperature=0.5))
    assert cold[0] > 0.5 and np.isclose(cold.sum(), 1.0)


def test_accepting_a_guess_keeps_the_models_distribution() -> None:
    # Whatever is guessed, the token that comes out is distributed as the model's own p.
    logits = np.log(np.array([0.45, 0.3, 0.2, 0.05]))
    sampling = Sampling(top_k=0, top_p=1.0, min_p=0.0, temperature=1.0, seed=3)
    p = target_distribution(logits, sampling)
    rng = np.random.default_rng(11)
    for guess in (0, 2, 3):
        counts = np.bincount(
            [_choose(logits, guess, sampling=sampling, greedy=False, rng=rng) for _ in range(20_000)],
            minlength=4,
        )
        assert np.allclose(counts / counts.sum(), p, atol=0.015), (guess, counts)


def test_grammars_and_penalties_decode_one_token_at_a_time() -> None:
    on = Sampling(draft=True)
    assert can_speculate(on, grammar=False)
    assert not can_speculate(on, grammar=True)
    assert not can_speculate(Sampling(draft=True, repeat_penalty=1.1), grammar=False)
    assert not can_speculate(Sampling(), grammar=False)
