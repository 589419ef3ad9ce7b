"""`RemoteCompletionEngine`: inline completion from an endpoint, for a completion role set to one.

The same prompt as `CompletionEngine` builds locally (repository context, then Qwen2.5-Coder's
`<|fim_prefix|>…<|fim_suffix|>…<|fim_middle|>…`, the cursor line as the middle's start), sent
as text to the endpoint's `/v1/completions`, where the server tokenizes it. No tokenizer is at
hand here, so budgets are counted in estimated tokens, and a FIM marker written inside the
project's text is broken up (`<|` becomes `<\u200b|`) so the server cannot read it as a token. The same cut-off and cache
apply; each request is ledgered with the files whose text it carried.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from app.core.cancel import CancelToken
from app.core.completion import fim_format
from app.core.completion.cache import CompletionCache
from app.core.completion.engine import MAX_TOKENS, TIME_LIMIT_S, Completion, last_completion
from app.core.completion.fim_format import Chunk, split_at, split_cursor_line
from app.core.completion.repo_context import RepoContext
from app.core.completion.truncate import Truncator, read_until_cut
from app.core.errors import Cancelled, EnclaveError
from app.core.remote.remote_model import CHARS_PER_TOKEN, RemoteModel

REPO, FILE_SEP = "<|repo_name|>", "<|file_sep|>"
PREFIX, SUFFIX, MIDDLE = "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"
STOPS = (FILE_SEP, PREFIX, "<|endoftext|>", REPO)


def _estimate(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def _plain(text: str) -> str:
    # A marker inside the project's text must stay text on the server's side too.
    return text.replace("<|", "<\u200b|")


@dataclass(frozen=True)
class TextPrompt:
    """The prompt as the server gets it, and what it was made of."""

    text: str
    prefix: str
    suffix: str
    files: tuple[str, ...] = field(default=())  # the project files whose text it carries


def text_prompt(*, path: str, prefix: str, suffix: str, chunks: list[Chunk], repo: str) -> TextPrompt:
    """The FIM prompt in Qwen2.5-Coder's text form, context within its (estimated) budget."""
    parts = [f"{REPO}{_plain(repo or 'project')}\n"]
    budget = fim_format.CONTEXT_TOKENS
    files = [path]
    for chunk in chunks:
        piece = f"{FILE_SEP}{_plain(chunk.path)}\n{_plain(chunk.text)}\n"
        if _estimate(piece) > budget:
            continue
        budget -= _estimate(piece)
        parts.append(piece)
        files.append(chunk.path)
    above, line = split_cursor_line(prefix)
    parts.append(
        f"{FILE_SEP}{_plain(path)}\n{PREFIX}{_plain(above)}{SUFFIX}{_plain(suffix)}{MIDDLE}{_plain(line)}"
    )
    return TextPrompt("".join(parts), prefix, suffix, tuple(dict.fromkeys(files)))


class RemoteCompletionEngine:
    """Completion through an endpoint; the `CompletionEngine` interface (`complete`, `cache`, `context`).

    Raises (from the constructor):
        EnclaveError: the endpoint serves plain Qwen3, which fills in the middle badly.
    """

    def __init__(
        self,
        model: RemoteModel,
        *,
        repo_name: str = "",
        context: RepoContext | None = None,
        max_tokens: int = MAX_TOKENS,
        time_limit_s: float = TIME_LIMIT_S,
    ) -> None:
        name = model.endpoint.model.lower()
        if "qwen3" in name and "coder" not in name:
            raise EnclaveError(
                f"{model.endpoint.model} is a plain Qwen3 model, which fills in the middle badly; "
                "serve Qwen2.5-Coder (base) or Qwen3-Coder for completion"
            )
        self.model = model
        self.context = context or RepoContext()
        self.cache = CompletionCache()
        self._repo = repo_name
        self._max_tokens = max_tokens
        self._time_limit_s = time_limit_s

    def complete(
        self, *, path: str, text: str, offset: int, cancel: CancelToken, use_context: bool = True
    ) -> Completion:
        """The completion at character `offset` of `text` (the document `path`, relative to the project)."""
        return last_completion(
            self.completions(path=path, text=text, offset=offset, cancel=cancel, use_context=use_context)
        )

    def completions(
        self, *, path: str, text: str, offset: int, cancel: CancelToken, use_context: bool = True
    ) -> Iterator[str | Completion]:
        """`complete`, streamed: the ghost text so far each time it grows, then the `Completion`."""
        started = time.perf_counter()
        offset = max(0, min(offset, len(text)))
        prefix, suffix = split_at(text, offset, count=_estimate)
        hit = self.cache.get(path, prefix, suffix)
        if hit is not None:
            yield Completion(hit, cached=True, seconds=time.perf_counter() - started)
            return
        chunks = self.context.chunks(path, text, offset) if use_context else []
        prompt = text_prompt(path=path, prefix=prefix, suffix=suffix, chunks=chunks, repo=self._repo)
        cut = Truncator(line_before=prefix.rsplit("\n", 1)[-1], suffix=suffix)
        stream = self.model.complete_text(
            prompt.text, max_tokens=self._max_tokens, stop=STOPS, files=prompt.files, cancel=cancel
        )
        try:
            finish, pieces = yield from read_until_cut(stream, cut, deadline=started + self._time_limit_s)
        except Cancelled:
            finish, pieces = "cancelled", 0
        if finish == "cancelled" or cancel.cancelled:
            yield Completion("", cached=False, seconds=time.perf_counter() - started, finish="cancelled")
            return
        result = cut.result()
        if finish in ("stop", "cut"):
            self.cache.put(path, prefix, suffix, result)
        yield Completion(
            result,
            cached=False,
            prompt_tokens=_estimate(prompt.text),
            evaluated_tokens=_estimate(prompt.text),  # what the server reuses is its own business
            generated_tokens=pieces,
            seconds=time.perf_counter() - started,
            finish=finish,
        )
