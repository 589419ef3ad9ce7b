"""`LocalModel`: one GGUF model running in-process through llama.cpp.

llama.cpp is not thread-safe: one thread owns a `LocalModel` and makes every call on it.
Only `CancelToken.cancel()` may come from another thread.
"""

from __future__ import annotations

import codecs
import functools
import logging
import re
import time
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, ContextOverflowError, EnclaveError, ModelLoadError
from app.core.runtime import saved_prefix
from app.core.runtime.chat_template import ChatTemplate, Message, Segment
from app.core.runtime.context_plan import ContextPlan, ModelShape, plan_context, shape_from_gguf
from app.core.runtime.generation import (
    GenerationDone,
    GenerationStats,
    Sampling,
    StreamItem,
    TextDelta,
)
from app.core.runtime.gguf_file import GGUFInfo
from app.core.runtime.hardware import BackendChoice, Hardware, choose_backend, probe_hardware
from app.core.runtime.holdback import partial_tail
from app.core.runtime.kv_cache import KVCache
from app.core.runtime.load_probe import Progress, SafeLoad, safe_settings
from app.core.runtime.load_settings import LoadSettings, model_params
from app.core.runtime.loop_guard import LoopGuard
from app.core.runtime.memory_check import check_fits_memory
from app.core.runtime.probe_cache import known_sha256
from app.core.runtime.speculative import DraftStats, can_speculate, speculate
from app.core.runtime.validate import validate_model

logger = logging.getLogger(__name__)

# llama_token_attr bits (llama.h): tokens the tokenizer matches as whole units.
_ATTR_UNKNOWN, _ATTR_CONTROL, _ATTR_USER_DEFINED = 1 << 0, 1 << 3, 1 << 4


@dataclass(frozen=True)
class ModelInfo:
    """What runs, where, and with how much context."""

    path: Path
    name: str
    architecture: str
    n_ctx: int
    n_ctx_train: int
    max_ctx: int  # the most that fits in memory right now
    ctx_reason: str
    backend: str
    backend_reason: str
    n_gpu_layers: int
    threads: int
    file_size: int
    turned_off: tuple[str, ...] = ()  # load settings the probe had to turn off (see load_settings)
    load_note: str = ""  # what was turned off and why, for the user
    probe_s: float = 0.0  # how long the first-use probe took in this load (0: known from before)


class LocalModel:
    """A loaded model: token-exact chat prompts, streaming, KV prefix reuse, exact counts."""

    def __init__(
        self,
        llm: Any,
        gguf: GGUFInfo,
        *,
        plan: ContextPlan,
        backend: BackendChoice,
        threads: int,
        safe: SafeLoad | None = None,
        model_id: str = "",
    ) -> None:
        import llama_cpp

        self._llama_cpp = llama_cpp
        self._llm = llm
        self._vocab = llm._model.vocab
        self.gguf = gguf
        self.info = ModelInfo(
            path=gguf.path,
            name=gguf.name,
            architecture=gguf.architecture,
            n_ctx=llm.n_ctx(),
            n_ctx_train=gguf.n_ctx_train,
            max_ctx=plan.max_fit,
            ctx_reason=plan.reason,
            backend=backend.backend,
            backend_reason=backend.reason,
            n_gpu_layers=backend.n_gpu_layers,
            threads=threads,
            file_size=gguf.file_size,
            turned_off=safe.turned_off if safe else (),
            load_note=safe.note if safe else "",
            probe_s=safe.probed_s if safe else 0.0,
        )
        self._add_bos = bool(gguf.metadata.get("tokenizer.ggml.add_bos_token", False))
        self._bos_id = llm.token_bos()
        self.template = ChatTemplate(
            gguf.chat_template,
            bos_token=self._token_text(self._bos_id),
            eos_token=self._token_text(llm.token_eos()),
        )
        self._special_re = self._find_special_tokens()
        self._evaluated = 0
        self._cancel: CancelToken | None = None
        # What the saved code-free prompt state is keyed by (see saved_prefix).
        self._model_id = model_id
        self._context_key = f"n_ctx={self.info.n_ctx} n_batch={llm.n_batch} off={self.info.turned_off}"
        self._eval = llm.eval
        llm.eval = self._counting_eval  # see _counting_eval
        self._kv = KVCache(llm, evaluate=self._eval)

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        path: Path,
        *,
        n_ctx: int = 0,
        n_threads: int = 0,
        gpu: str = "auto",
        hardware: Hardware | None = None,
        sha256: str | None = None,
        cancel: CancelToken | None = None,
        progress: Progress | None = None,
    ) -> LocalModel:
        """Validate `path` in Python, check it fits, probe it once in a child, then load it here.

        The first load of a model on this machine (and llama.cpp build) runs the probe of
        `load_probe`: a child process decodes with the settings wanted here and, when it
        crashes, with safer ones; the settings that worked are used (and remembered).

        Raises:
            ModelFileError: the file is not a model this build can run.
            ModelLoadError: llama.cpp failed to load it, or crashed with every setting.
            EnclaveError: not enough memory for the model and a small context.
            Cancelled: `cancel` was set (Ctrl-C); the load stops within a moment.

        """
        cancel = cancel or CancelToken()
        gguf = validate_model(Path(path))
        hw = hardware or probe_hardware()
        backend = choose_backend(hw, gpu=gpu)
        check_fits_memory(gguf, hw, on_gpu=backend.n_gpu_layers != 0)
        shape = shape_from_gguf(gguf)
        plan = _plan(shape, hw, backend, requested=n_ctx)
        wanted = LoadSettings(n_gpu_layers=backend.n_gpu_layers, n_batch=min(512, plan.n_ctx))
        safe = safe_settings(gguf.path, wanted, sha256=sha256, cancel=cancel, progress=progress)
        if "gpu" in safe.turned_off:
            backend = BackendChoice(
                "cpu", 0, f"GPU offload crashed this build ({backend.backend}); on the CPU"
            )
            plan = _plan(shape, hw, backend, requested=n_ctx)
        threads = n_threads or max(1, hw.physical_cores)
        batch = min(safe.settings.n_batch, plan.n_ctx)
        logger.info(
            "loading %s: n_ctx=%d backend=%s threads=%d off=%s",
            gguf.path.name,
            plan.n_ctx,
            backend.backend,
            threads,
            safe.turned_off,
        )
        import llama_cpp

        try:
            with model_params(extra_bufts=safe.settings.extra_bufts, keep_going=lambda: not cancel.cancelled):
                llm = llama_cpp.Llama(
                    model_path=str(gguf.path),
                    n_ctx=plan.n_ctx,
                    n_batch=batch,
                    n_ubatch=batch,
                    n_threads=threads,
                    n_threads_batch=max(threads, hw.logical_cores),
                    n_gpu_layers=safe.settings.n_gpu_layers,
                    verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as exc:
            if cancel.cancelled:
                raise Cancelled("cancelled") from None
            raise ModelLoadError(f"{gguf.path.name}: llama.cpp could not load the model ({exc})") from None
        if cancel.cancelled:
            llm.close()
            raise Cancelled("cancelled")
        model_id = sha256 or known_sha256(gguf.path) or ""
        return cls(llm, gguf, plan=plan, backend=backend, threads=threads, safe=safe, model_id=model_id)

    def close(self) -> None:
        """Free the model and its KV cache now rather than at garbage collection."""
        llm, self._llm = self._llm, None
        if llm is not None:
            llm.close()

    # -- tokens ------------------------------------------------------------------------

    @property
    def n_ctx(self) -> int:
        """The context window in tokens."""
        return self.info.n_ctx

    @property
    def held_tokens(self) -> int:
        """The prompt tokens the KV cache holds now (what a prepared start or the last reply left)."""
        return int(self._llm.n_tokens)

    def cached_tokens(self, prompt: Sequence[int]) -> int:
        """How many leading tokens of `prompt` the KV cache already holds (they would not be read again)."""
        return self._kv.cached_prefix(prompt)

    def vocab_token(self, name: str) -> int:
        """A special token llama.cpp found in the vocabulary (`fim_pre`, `fim_suf`, `eot`…); -1 when absent."""
        return int(getattr(self._llama_cpp, f"llama_vocab_{name}")(self._vocab))

    def is_end_token(self, token: int) -> bool:
        """Whether `token` ends generation (end of text or turn, and the like)."""
        return bool(self._llama_cpp.llama_vocab_is_eog(self._vocab, token))

    def tokenize(self, text: str, *, special: bool = False) -> list[int]:
        """Tokenize `text`; with `special=False` no control or added token can appear."""
        if special:
            return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))
        return self._tokenize_content(text)

    def count_tokens(self, text: str) -> int:
        """Exact number of tokens `text` takes as content (for the context gauge)."""
        return len(self._tokenize_content(text))

    def detokenize(self, tokens: Sequence[int]) -> str:
        """Text of `tokens` (control tokens render as nothing)."""
        return bytes(self._llm.detokenize(list(tokens))).decode("utf-8", errors="replace")

    def render_chat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Mapping[str, Any]] | None = None,
        add_generation_prompt: bool = True,
    ) -> list[int]:
        """Token ids of the chat prompt, from the model's own template.

        Template text is tokenized with special tokens on; every piece of content with
        special tokens off, so `<|im_end|>` inside a file stays plain text.
        """
        segments = self.template.render(messages, tools=tools, add_generation_prompt=add_generation_prompt)
        return self.tokens_of(segments)

    def tokens_of(self, segments: Sequence[Segment]) -> list[int]:
        """Tokenize rendered segments: trusted ones with special tokens on, content off."""
        ids: list[int] = [self._bos_id] if self._add_bos and self._bos_id >= 0 else []
        for seg in segments:
            ids.extend(self.tokenize(seg.text, special=seg.trusted))
        return ids

    def _tokenize_content(self, text: str) -> list[int]:
        if not text:
            return []
        # llama.cpp matches user-defined tokens such as Qwen's <tool_call> even with
        # special=False, so cut the text inside every such string before tokenizing.
        pieces = _cut_inside(text, self._special_re) if self._special_re else [text]
        ids: list[int] = []
        for piece in pieces:
            ids.extend(self._llm.tokenize(piece.encode("utf-8"), add_bos=False, special=False))
        return ids

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self._llm._model.token_get_text(token)

    def _find_special_tokens(self) -> re.Pattern[str] | None:
        texts = set()
        mask = _ATTR_CONTROL | _ATTR_USER_DEFINED | _ATTR_UNKNOWN
        for token in range(self._llm.n_vocab()):
            if self._llama_cpp.llama_vocab_get_attr(self._vocab, token) & mask:
                text = self._token_text(token)
                if len(text) > 1:
                    texts.add(text)
        if not texts:
            return None
        alternation = "|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True))
        return re.compile(alternation)

    # -- generation --------------------------------------------------------------------

    def chat(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Mapping[str, Any]] | None = None,
        sampling: Sampling,
        stop: Sequence[str] = (),
        grammar: str | None = None,
        prefill: str = "",
        cancel: CancelToken,
    ) -> Iterator[StreamItem]:
        """Render `messages` with the model's template and stream the reply.

        `prefill` is model-side text appended after the generation prompt (e.g. `<tool_call>`),
        tokenized as template text.
        """
        prompt = self.render_chat(messages, tools=tools)
        if prefill:
            prompt += self.tokenize(prefill, special=True)
        return self.stream(prompt, sampling=sampling, stop=stop, grammar=grammar, cancel=cancel)

    def prefill(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Mapping[str, Any]] | None = None,
        code_free: int = 0,
        cancel: CancelToken,
    ) -> int:
        """Evaluate the start of a prompt ahead of time, so a later `chat` finds it in the KV cache.

        `messages` are the leading messages of the next prompt (system, tool schemas, the
        project's map and pinned files); what is already cached is skipped. The first
        `code_free` of them hold nothing from the project: their KV state may be loaded from,
        or saved to, the cache folder (`saved_prefix`). A set `cancel` stops between batches
        and keeps what was evaluated. Returns the tokens evaluated.
        """
        prompt = self.render_chat(messages, tools=tools, add_generation_prompt=False)[: self.n_ctx - 1]
        shared: list[int] = []
        if code_free and self._model_id:
            start_of = self.render_chat(messages[:code_free], tools=tools, add_generation_prompt=False)
            shared = start_of if prompt[: len(start_of)] == start_of else []
        key = (
            saved_prefix.state_key(model_id=self._model_id, tokens=shared, context=self._context_key)
            if shared
            else ""
        )
        return self._kv.prefill(prompt, shared=shared, key=key, cancel=cancel)

    def stream(
        self,
        prompt: Sequence[int],
        *,
        sampling: Sampling,
        stop: Sequence[str] = (),
        grammar: str | None = None,
        stop_tokens: frozenset[int] = frozenset(),
        cancel: CancelToken,
    ) -> Iterator[StreamItem]:
        """Yield text deltas until the model stops, then one `GenerationDone`.

        Generation also ends (finish reason `stop`) at an end-of-generation token or one of
        `stop_tokens`, neither of which is part of the reply.

        Finish reasons: `stop` (end of turn or a stop sequence), `length`, `cancelled`, and
        `repetition` (the reply repeated one passage over and over; see `LoopGuard`).

        The longest prefix shared with the previous call stays in the KV cache; only the
        rest is evaluated. A set `cancel` ends the stream after at most one more token
        (finish reason `cancelled`).

        Raises:
            ContextOverflowError: the prompt leaves no room to generate.

        """
        prompt = list(prompt)
        room = self.n_ctx - len(prompt)
        if room < 1:
            raise ContextOverflowError(f"the prompt has {len(prompt)} tokens; the context holds {self.n_ctx}")
        max_tokens = min(sampling.max_tokens, room)
        llm = self._llm
        if sampling.seed is not None:
            llm.set_seed(sampling.seed)
        grammar_obj = _compile_grammar(grammar) if grammar else None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        stopper = _StopMatcher(stop)
        # A grammar already bounds what can come out; elsewhere a looping reply is cut short.
        loops = LoopGuard() if sampling.loop_guard and not grammar else None
        generated: list[int] = []
        text_parts: list[str] = []
        finish = "length"
        first_at = 0.0
        self._evaluated = -1
        self._cancel = cancel
        started = time.perf_counter()
        # Read the prompt here, batch by batch, so the front end can show how far it got.
        yield from self._kv.read_prompt(prompt, cancel=cancel)
        read_ahead = self._kv.last_read
        drafts = DraftStats()
        tokens: Generator[int, Any, None]
        speculating = can_speculate(sampling, grammar=grammar_obj is not None)
        if speculating:
            self._evaluated = 1  # the prompt's last token, read with the first draft
            tokens = speculate(llm, prompt, sampling=sampling, stats=drafts, cancel=cancel)
        else:
            tokens = llm.generate(
                prompt,
                top_k=sampling.top_k if sampling.temperature > 0 else 1,
                top_p=sampling.top_p,
                min_p=sampling.min_p,
                temp=sampling.temperature,
                repeat_penalty=sampling.repeat_penalty,
                presence_penalty=sampling.presence_penalty,
                grammar=grammar_obj,
            )
        try:
            for token in tokens:
                if not generated:
                    first_at = time.perf_counter()
                if cancel.cancelled:
                    finish = "cancelled"
                    break
                if token in stop_tokens or self._llama_cpp.llama_vocab_is_eog(self._vocab, token):
                    finish = "stop"
                    break
                generated.append(token)
                piece = decoder.decode(self._piece(token))
                emit, hit = stopper.feed(piece)
                if emit:
                    text_parts.append(emit)
                    yield TextDelta(emit)
                if hit:
                    finish = "stop"
                    break
                if loops is not None and loops.feed(piece):
                    finish = "repetition"
                    break
                if len(generated) >= max_tokens:
                    break
            else:
                finish = "length" if speculating else "stop"  # drafting ends only when the context is full
        except Cancelled:
            finish = "cancelled"
        finally:
            tokens.close()
            self._cancel = None
        if finish != "stop":
            # An incomplete UTF-8 sequence at a cut is dropped, not shown as U+FFFD.
            tail = stopper.flush()
            if tail:
                text_parts.append(tail)
                yield TextDelta(tail)
        ended = time.perf_counter()
        evaluated = read_ahead + max(self._evaluated, 0)
        first_at = first_at or ended
        decode_s = ended - first_at
        stats = GenerationStats(
            prompt_tokens=len(prompt),
            cached_tokens=max(0, len(prompt) - evaluated),
            completion_tokens=len(generated),
            ttft_s=first_at - started,
            tokens_per_s=(len(generated) - 1) / decode_s if len(generated) > 1 and decode_s > 0 else 0.0,
            total_s=ended - started,
            drafted=drafts.drafted,
            accepted=drafts.accepted,
        )
        yield GenerationDone(
            finish_reason=finish, text="".join(text_parts), stats=stats, tokens=tuple(generated)
        )

    def _piece(self, token: int) -> bytes:
        return bytes(self._llm._model.token_to_piece(token)).rstrip(b"\0")

    def _counting_eval(self, tokens: Sequence[int]) -> None:
        # Replaces Llama.eval on this instance: counts the prompt tokens really evaluated
        # (the first eval of a call) and checks the cancel token between batches, so a
        # long prompt can be stopped within one batch.
        if self._evaluated < 0:
            self._evaluated = len(tokens)
        step = self._llm.n_batch
        for start in range(0, len(tokens), step):
            if self._cancel is not None and self._cancel.cancelled:
                raise Cancelled("cancelled")
            self._eval(tokens[start : start + step])


def _plan(shape: ModelShape, hw: Hardware, backend: BackendChoice, *, requested: int) -> ContextPlan:
    on_gpu = backend.n_gpu_layers != 0 and not hw.unified_memory
    return plan_context(shape, free_bytes=hw.vram_free if on_gpu else hw.free_ram, requested=requested)


class _StopMatcher:
    """Holds back text that could be the start of a stop sequence."""

    def __init__(self, stops: Sequence[str]) -> None:
        self._stops = [s for s in stops if s]
        self._buf = ""

    def feed(self, text: str) -> tuple[str, bool]:
        if not self._stops:
            return text, False
        self._buf += text
        cut = min((i for i in (self._buf.find(s) for s in self._stops) if i >= 0), default=-1)
        if cut >= 0:
            out, self._buf = self._buf[:cut], ""
            return out, True
        held_from = len(self._buf) - partial_tail(self._buf, self._stops)
        out, self._buf = self._buf[:held_from], self._buf[held_from:]
        return out, False

    def flush(self) -> str:
        out, self._buf = self._buf, ""
        return out


def _cut_inside(text: str, special: re.Pattern[str]) -> list[str]:
    pieces, start = [], 0
    for match in special.finditer(text):
        pieces.append(text[start : match.start() + 1])
        start = match.start() + 1
    pieces.append(text[start:])
    return [p for p in pieces if p]


@functools.lru_cache(maxsize=32)
def _compile_grammar(gbnf: str) -> Any:
    from llama_cpp import LlamaGrammar

    try:
        return LlamaGrammar.from_string(gbnf, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise EnclaveError(f"invalid GBNF grammar: {exc}") from None
