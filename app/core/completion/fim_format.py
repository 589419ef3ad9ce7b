r"""Qwen2.5-Coder's fill-in-the-middle prompt, built token by token.

    <|repo_name|>{repo}\n
    <|file_sep|>{path}\n{chunk}\n          (repository context, oldest first)
    <|file_sep|>{current path}\n
    <|fim_prefix|>{lines above the cursor}<|fim_suffix|>{suffix}<|fim_middle|>{cursor line so far}

The special tokens are inserted as ids; every piece of text is tokenized with special tokens
off, so a file that contains `<|fim_middle|>` cannot steer the prompt. Everything stable comes
first (context, then the prefix from a start line that moves only in steps), so from one
keystroke to the next the KV cache holds all but the changed tail.

The middle is the cursor line: what is typed of it goes after `<|fim_middle|>`, as the
start of the middle the model writes (the prefix ends at a line end, so the middle starts a
line, a span the model was trained on). The model reads p(middle | prefix, suffix) one token
at a time, so a given middle start is the same question as the classic layout with that text
at the end of the prefix; but typing on a line now changes only the last tokens of the prompt
(one or two a keystroke), where with the text in the prefix every keystroke also re-read the
suffix and its markers behind it. Only a new line (the prefix grows) reads the suffix again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from app.core.errors import EnclaveError

PREFIX_TOKENS = 1024
SUFFIX_TOKENS = 48  # read again on every keystroke (it follows the cursor), so kept short
CONTEXT_TOKENS = 1024
# The prefix starts at a multiple of this many lines, so its start (and the KV cache
# behind it) stays put while the cursor moves within the window.
START_STEP = 32


class Vocabulary(Protocol):
    """The little a FIM prompt needs from a model."""

    def tokenize(self, text: str, *, special: bool = False) -> list[int]:
        """Token ids of `text` (special tokens off unless asked)."""
        ...

    def vocab_token(self, name: str) -> int:
        """A special token's id, -1 when the vocabulary lacks it."""
        ...


@dataclass(frozen=True)
class FimTokens:
    """The ids of a model's fill-in-the-middle tokens (repo and file_sep may be -1)."""

    prefix: int
    suffix: int
    middle: int
    pad: int
    repo: int
    file_sep: int

    @property
    def stops(self) -> frozenset[int]:
        """Tokens that end a completion besides the model's end-of-generation ones."""
        return frozenset(
            t for t in (self.prefix, self.suffix, self.middle, self.pad, self.repo, self.file_sep) if t >= 0
        )

    @property
    def has_repo_format(self) -> bool:
        """Whether other files can be given as `<|file_sep|>` chunks."""
        return self.repo >= 0 and self.file_sep >= 0


def fim_tokens(model: Vocabulary, *, architecture: str = "", name: str = "") -> FimTokens:
    """The FIM tokens of `model`.

    Raises:
        EnclaveError: the vocabulary has no FIM tokens, or the model is plain Qwen3, whose
            FIM completions are poor (its vocabulary has the tokens; it was not trained on them).

    """
    ids = {k: model.vocab_token(f"fim_{k}") for k in ("pre", "suf", "mid", "pad", "rep", "sep")}
    label = name or "this model"
    if min(ids["pre"], ids["suf"], ids["mid"]) < 0:
        raise EnclaveError(
            f"{label} cannot complete code: its vocabulary has no fill-in-the-middle tokens. "
            "Use a completion model such as Qwen2.5-Coder-0.5B or 1.5B (base): enclave models recommend"
        )
    if architecture.startswith("qwen3") and "coder" not in name.lower():
        raise EnclaveError(
            f"{label} is a plain Qwen3 model, which fills in the middle badly; "
            "use Qwen2.5-Coder (base) or Qwen3-Coder for completion"
        )
    return FimTokens(ids["pre"], ids["suf"], ids["mid"], ids["pad"], ids["rep"], ids["sep"])


@dataclass(frozen=True)
class Chunk:
    """Text from another file (or another part of this one) shown to the model as context."""

    path: str
    text: str


@dataclass(frozen=True)
class FimPrompt:
    """A prompt's tokens and the parts they were made of."""

    tokens: list[int]
    prefix: str  # the part of the document before the cursor that was used
    suffix: str  # the part after it that was used
    chunks: tuple[Chunk, ...]  # the context that fitted


def split_at(text: str, offset: int, *, count: Callable[[str], int]) -> tuple[str, str]:
    """The document's prefix and suffix around `offset`, each cut to its token budget.

    The prefix holds the lines before the cursor that fit PREFIX_TOKENS, its start moved back
    to a multiple of START_STEP (so up to that many lines more), so that it stays put while
    the cursor moves; the suffix ends at a line end within SUFFIX_TOKENS.
    """
    before, after = text[:offset], text[offset:]
    lines = before.split("\n")
    cursor_line = len(lines) - 1
    used, start = 0, cursor_line
    for i in range(cursor_line, -1, -1):
        used += count(lines[i] + "\n")
        if used > PREFIX_TOKENS and i < cursor_line:
            break
        start = i
    start -= start % START_STEP
    prefix = "\n".join(lines[start:])
    kept: list[str] = []
    used = 0
    for line in after.split("\n"):
        used += count(line + "\n")
        if kept and used > SUFFIX_TOKENS:
            break
        kept.append(line)
    return prefix, "\n".join(kept)


def build_prompt(
    model: Vocabulary,
    fim: FimTokens,
    *,
    path: str,
    prefix: str,
    suffix: str,
    chunks: Sequence[Chunk] = (),
    repo: str = "",
) -> FimPrompt:
    """The token-exact prompt: repository context (if the model has the tokens), then PSM FIM.

    The cursor line's start goes after the middle marker (see the module's docstring).
    """
    tokens: list[int] = []
    used: list[Chunk] = []
    if fim.has_repo_format:
        tokens += [fim.repo, *model.tokenize(f"{repo or 'project'}\n")]
        budget = CONTEXT_TOKENS
        for chunk in chunks:
            piece = [fim.file_sep, *model.tokenize(f"{chunk.path}\n{chunk.text}\n")]
            if len(piece) > budget:
                continue
            budget -= len(piece)
            tokens += piece
            used.append(chunk)
        tokens += [fim.file_sep, *model.tokenize(f"{path}\n")]
    above, line = split_cursor_line(prefix)
    tokens += [fim.prefix, *model.tokenize(above), fim.suffix, *model.tokenize(suffix), fim.middle]
    tokens += model.tokenize(line)
    return FimPrompt(tokens, prefix, suffix, tuple(used))


def split_cursor_line(prefix: str) -> tuple[str, str]:
    """The prefix's whole lines (ending with its last newline) and the cursor line's start."""
    cut = prefix.rfind("\n") + 1
    return prefix[:cut], prefix[cut:]
