"""Speculative decoding with drafts looked up in the prompt: several tokens per model step.

An edit repeats code the model has just read. `NgramDraft` guesses the next tokens by finding
the latest earlier place where the last few tokens occurred (in the prompt or the reply so
far) and proposing what followed there. One decode then evaluates the pending token and the
draft together, with logits for every position, and `speculate` keeps the draft tokens the
model agrees with, plus the model's own next token.

Acceptance keeps the output distribution exactly that of plain decoding: with greedy
sampling a draft token is kept only when it is the argmax, so the text is token-identical;
with temperature sampling a draft token `d` is kept with probability p(d) and, when it is
not, the next token is drawn from p with `d` removed (the standard rule for a draft that is
a single certain guess). p is the distribution llama.cpp's sampler chain would draw from
(top-k, top-p, min-p, then temperature).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.cancel import CancelToken
from app.core.errors import Cancelled
from app.core.runtime.generation import Sampling

if TYPE_CHECKING:  # numpy is imported where it is used: the window starts without it
    import numpy as np

MAX_NGRAM = 3  # the longest run of recent tokens looked up
MIN_NGRAM = 2  # a single token matches too often to be worth a long guess
MAX_DRAFT = 16
FIRST_DRAFT = 8
GROWTH = 2  # draft tokens added after a fully accepted draft


class NgramDraft:
    """Proposes the tokens that followed the latest earlier occurrence of the last 2-3 tokens."""

    def __init__(self, history: Sequence[int]) -> None:
        self._tokens: list[int] = []
        # n-gram -> index just past its latest occurrence that has a token after it.
        self._seen: list[dict[tuple[int, ...], int]] = [{} for _ in range(MAX_NGRAM + 1)]
        for token in history:
            self.add(token)

    def add(self, token: int) -> None:
        """Append a token of the prompt or of the reply."""
        tokens = self._tokens
        end = len(tokens)  # the index `token` lands at
        for n in range(1, MAX_NGRAM + 1):
            if end >= n:
                self._seen[n][tuple(tokens[end - n : end])] = end
        tokens.append(token)

    def propose(self, limit: int, *, shortest: int = MIN_NGRAM) -> list[int]:
        """Up to `limit` tokens that may come next (none when the recent tokens were not seen before)."""
        tokens = self._tokens
        for n in range(MAX_NGRAM, shortest - 1, -1):
            if len(tokens) < n:
                continue
            at = self._seen[n].get(tuple(tokens[-n:]))
            if at is not None:
                return tokens[at : at + limit]
        return []


@dataclass
class DraftStats:
    """How the drafts fared in one reply."""

    steps: int = 0  # model decodes
    drafted: int = 0  # draft tokens verified
    accepted: int = 0  # draft tokens kept

    @property
    def acceptance(self) -> float:
        """The share of drafted tokens kept."""
        return self.accepted / self.drafted if self.drafted else 0.0


def can_speculate(sampling: Sampling, *, grammar: bool) -> bool:
    """Whether `speculate` reproduces plain decoding for these settings.

    A grammar and the repetition penalties depend on each token before they are applied, which
    the batch check here does not model; those replies decode one token at a time.
    """
    return (
        sampling.draft and not grammar and sampling.repeat_penalty == 1.0 and sampling.presence_penalty == 0.0
    )


def speculate(
    llm: Any,
    prompt: Sequence[int],
    *,
    sampling: Sampling,
    stats: DraftStats,
    cancel: CancelToken,
    max_draft: int | None = None,
) -> Generator[int, None, None]:
    """Yield the reply's tokens, several per decode where the draft is right.

    The cache must hold all of `prompt` but its last token (`KVCache.read_prompt`). Tokens
    the model rejected are removed from the KV cache before their successors are yielded, so
    the cache always matches `llm.input_ids[: llm.n_tokens]`.

    Every decode evaluates at least two positions. llama.cpp's CPU kernels for a one-token
    batch round differently from those for larger batches (logits differ by up to ~0.7 on
    the demo model), while every batch of two or more gives bit-identical rows; so a reply
    never depends on how long the drafts were. With `max_draft=0` nothing is drafted: one
    token per decode, the second row a throwaway (plain decoding with the same kernels, the
    reference the tests compare against).

    Raises:
        Cancelled: `cancel` was set (checked before every decode).

    """
    max_draft = MAX_DRAFT if max_draft is None else max_draft
    n_vocab = llm.n_vocab()
    greedy = sampling.temperature <= 0 or sampling.top_k == 1
    import numpy as np

    rng = np.random.default_rng(sampling.seed)
    draft = NgramDraft(prompt)
    pending = int(prompt[-1])
    limit = min(FIRST_DRAFT, max_draft)
    while llm.n_ctx() - llm.n_tokens > 1:
        if cancel.cancelled:
            raise Cancelled("cancelled")
        room = min(llm.n_ctx() - llm.n_tokens, llm.n_batch) - 1
        guess = draft.propose(min(limit, room)) if max_draft else []
        if max_draft and not guess:
            # The second row costs the same whatever it holds: make it a one-token guess.
            guess = draft.propose(1, shortest=1) or [pending]
        n_past = llm.n_tokens
        logits = _decode_all(llm, [pending, *(guess or [pending])], n_vocab=n_vocab)
        stats.steps += 1
        stats.drafted += len(guess)
        kept: list[int] = []
        for row, proposed in enumerate([*guess, None]):
            token = _choose(logits[row], proposed, sampling=sampling, greedy=greedy, rng=rng)
            kept.append(token)
            if token != proposed:
                break
        accepted = len(kept) - 1
        stats.accepted += accepted
        # The last kept token is the model's own and is evaluated in the next step.
        valid = n_past + 1 + accepted
        if valid < llm.n_tokens:
            llm._ctx.kv_cache_seq_rm(-1, valid, -1)
            llm.n_tokens = valid
        if max_draft:
            grow = len(guess) > 1 and accepted == len(guess)
            limit = min(max_draft, limit + GROWTH) if grow else max(2, min(max_draft, accepted + 1))
        for token in kept:
            draft.add(token)
            yield token
        pending = kept[-1]


def _decode_all(llm: Any, batch: list[int], *, n_vocab: int) -> np.ndarray:
    """Evaluate `batch` after the cached tokens; the logits of every position (a copy)."""
    import numpy as np

    n_past = llm.n_tokens
    llm._ctx.kv_cache_seq_rm(-1, n_past, -1)
    llm._batch.set_batch(batch=batch, n_past=n_past, logits_all=True)
    llm._ctx.decode(llm._batch)
    llm.input_ids[n_past : n_past + len(batch)] = batch
    llm.n_tokens += len(batch)
    rows = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(len(batch), n_vocab))
    return np.array(rows, dtype=np.float32)


def _choose(
    logits: np.ndarray,
    proposed: int | None,
    *,
    sampling: Sampling,
    greedy: bool,
    rng: np.random.Generator,
) -> int:
    """The token at this position: `proposed` when the model accepts it, else the model's own."""
    if greedy:
        return int(logits.argmax())
    probs = target_distribution(logits, sampling)
    if proposed is not None:
        if rng.random() < probs[proposed]:
            return proposed
        probs[proposed] = 0.0
        total = probs.sum()
        if total <= 0:
            return proposed
        probs /= total
    return int(rng.choice(len(probs), p=probs))


def target_distribution(logits: np.ndarray, sampling: Sampling) -> np.ndarray:
    """The probabilities llama.cpp's chain samples from: top-k, top-p, min-p, then temperature."""
    import numpy as np

    logits = logits.astype(np.float64)
    keep = np.arange(len(logits))
    if 0 < sampling.top_k < len(logits):
        keep = np.argpartition(-logits, sampling.top_k - 1)[: sampling.top_k]
    keep = keep[np.argsort(-logits[keep], kind="stable")]
    chosen = logits[keep]
    probs = np.exp(chosen - chosen[0])
    probs /= probs.sum()
    if sampling.top_p < 1.0:
        cut = int(np.searchsorted(np.cumsum(probs), sampling.top_p)) + 1
        keep, chosen, probs = keep[:cut], chosen[:cut], probs[:cut]
        probs /= probs.sum()
    if sampling.min_p > 0.0:
        mask = probs >= sampling.min_p * probs[0]
        keep, chosen = keep[mask], chosen[mask]
    scaled = chosen / sampling.temperature
    final = np.exp(scaled - scaled.max())
    final /= final.sum()
    out = np.zeros(len(logits), dtype=np.float64)
    out[keep] = final
    return out
