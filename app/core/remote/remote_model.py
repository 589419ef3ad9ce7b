"""`RemoteModel`: the agent's model port over an OpenAI-compatible endpoint the user configured.

It is a `ChatModel` like `LocalModel`: the agent renders the same messages, offers the same
mode's tools (Plan mode sends no write or run tool, and refuses one the server names
anyway), and parses the same hermes `<tool_call>` text, which structured calls are turned
into. Differences, and why:

- No grammar and no prefill (`constrains_calls = False`): a chat API cannot continue a
  half-written reply; structured tool calls take their place.
- `prefill()` does nothing: sending the project ahead of a question would send code the user
  has not asked about yet.
- Token counts are estimated from characters and corrected by the server's usage reports.

While it is open, the network guard lets through exactly the endpoint's resolved addresses
(an endpoint pass); every request lands in the ledger with its sizes and the names of the
files whose content it carried.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, RemoteError
from app.core.privacy import guard
from app.core.privacy.endpoint_pass import EndpointPass, open_pass
from app.core.privacy.ledger import REQUEST
from app.core.remote.endpoint import Endpoint
from app.core.remote.http import HttpClient, Traffic
from app.core.remote.policy import check_remote_allowed
from app.core.remote.server_facts import ServerFacts, server_facts
from app.core.remote.wire import ReplyAssembler, files_sent, iter_text, to_openai
from app.core.runtime.chat_template import Message
from app.core.runtime.generation import GenerationDone, GenerationStats, Sampling, StreamItem, TextDelta

logger = logging.getLogger(__name__)

CHARS_PER_TOKEN = 3.0  # a cautious guess (code runs about 3.5): over-counting only trims earlier
MAX_STOPS = 4  # OpenAI's limit
# Parameters some OpenAI-compatible servers reject with a 400 (older vLLM, some proxies).
OPTIONAL_PARAMS = ("stream_options", "top_k", "min_p", "seed", "presence_penalty")


@dataclass(frozen=True)
class RemoteInfo:
    """What runs where; the fields the status bar and `describe_model` read, as `ModelInfo` has them."""

    name: str  # the model id the server serves
    endpoint: str  # the endpoint's name
    host: str  # host or host:port
    n_ctx: int
    ctx_source: str  # server | setting | default
    backend: str = "remote"
    backend_reason: str = ""
    turned_off: tuple[str, ...] = ()
    load_note: str = ""
    probe_s: float = 0.0


class RemoteModel:
    """A chat model behind an endpoint; one thread uses it at a time, `cancel` may come from any."""

    constrains_calls = False  # the agent asks for no grammar-constrained calls and no prefill

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        client: HttpClient,
        facts: ServerFacts,
        endpoint_pass: EndpointPass | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._client = client
        self._facts = facts
        self._pass = endpoint_pass
        self._ratio = 1.0  # server tokens per estimated token, learnt from usage reports
        self.requests = 0
        self.last_structured_calls = 0  # tool calls the server sent as structured deltas, last reply
        self._plain = False  # the server refused an optional parameter: send none from now on
        note = (
            ""
            if facts.context_source == "server"
            else f"context length {facts.context:,} ({facts.context_source})"
        )
        self.info = RemoteInfo(
            name=endpoint.model,
            endpoint=endpoint.name,
            host=endpoint.label,
            n_ctx=facts.context,
            ctx_source=facts.context_source,
            backend_reason=f"sent to {endpoint.label} ({endpoint.url})",
            load_note=note,
        )

    @classmethod
    def open(
        cls,
        endpoint: Endpoint,
        *,
        api_key: str | None,
        ca_bundle: str = "",
        project: Path | None = None,
        timeout: float = 120.0,
        backoff_s: float = 1.0,
        cancel: CancelToken | None = None,
    ) -> RemoteModel:
        """Check the policy, open the endpoint's pass in the guard, and ask the server what it serves.

        Raises:
            EnclaveError: a policy lock, a local-only project, or a name that does not resolve.
            RemoteError: the server cannot be reached or refuses (one line saying why).

        """
        check_remote_allowed(project)
        endpoint_pass = open_pass(endpoint.host, endpoint.port)
        try:
            client = HttpClient(
                endpoint,
                addresses=endpoint_pass.addresses,
                api_key=api_key,
                ca_bundle=ca_bundle,
                timeout=timeout,
                backoff_s=backoff_s,
            )
            facts = server_facts(client, endpoint, cancel=cancel)
            guard.record(
                endpoint.label, operation=REQUEST, bytes_up=facts.traffic.up, bytes_down=facts.traffic.down
            )
        except BaseException:
            endpoint_pass.close()
            raise
        return cls(endpoint, client=client, facts=facts, endpoint_pass=endpoint_pass)

    @property
    def n_ctx(self) -> int:
        """The server's context length (or the endpoint's setting)."""
        return self._facts.context

    @property
    def models_served(self) -> tuple[str, ...]:
        """What `/v1/models` listed."""
        return self._facts.models

    def close(self) -> None:
        """Close the connection and take the endpoint's pass away."""
        self._client.close()
        if self._pass is not None:
            self._pass.close()

    def check_project(self, root: Path) -> None:
        """Refuse to work on a local-only project (the agent asks before its first turn).

        Raises:
            EnclaveError: `root` is marked local-only, or a policy file turns endpoints off.

        """
        check_remote_allowed(root)

    def count_tokens(self, text: str) -> int:
        """An estimate of the server's count, corrected by its usage reports."""
        return math.ceil(len(text) / CHARS_PER_TOKEN * self._ratio)

    def prefill(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Mapping[str, Any]] | None = None,
        code_free: int = 0,
        cancel: CancelToken,
    ) -> int:
        """Nothing: the project is not sent before the user asks a question."""
        return 0

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
        tool_choice: Any = None,
    ) -> Iterator[StreamItem]:
        """Stream the server's reply; structured tool calls arrive as hermes text at the end.

        `grammar` and `prefill` cannot be honoured by a chat API and are ignored (the agent
        does not pass them to a model whose `constrains_calls` is False).

        Raises:
            RemoteError: the request failed, or the stream broke off (one line saying why).

        """
        if grammar or prefill:
            logger.info("grammar/prefill ignored by a remote model")
        check_remote_allowed(None)  # a policy file an admin added since: nothing more is sent
        payload = self._payload(messages, tools=tools, sampling=sampling, stop=stop, tool_choice=tool_choice)
        return self._stream(payload, messages=messages, cancel=cancel)

    # -- internals ---------------------------------------------------------------------

    def complete_text(
        self,
        prompt: str,
        *,
        max_tokens: int,
        stop: Sequence[str] = (),
        files: Sequence[str] = (),
        cancel: CancelToken,
    ) -> Generator[str, None, None]:
        """Stream a plain text completion of `prompt` (`/v1/completions`, greedy), piece by piece.

        For inline completion in a fill-in-the-middle format. The request is ledgered with
        `files`, the project files whose text `prompt` carries (never the text itself).

        Raises:
            RemoteError: the request failed (one line saying why).
            Cancelled: `cancel` was set (the stream is closed within a fraction of a second).

        """
        check_remote_allowed(None)
        payload: dict[str, Any] = {
            "model": self.endpoint.model,
            "prompt": prompt,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stream": True,
        }
        if stop:
            payload["stop"] = list(stop)[:4]  # the OpenAI API's limit
        traffic = Traffic()
        pieces = 0
        self.requests += 1
        try:
            for chunk in self._client.post_stream("completions", payload, cancel=cancel, traffic=traffic):
                choices = chunk.get("choices") or [{}]
                text = choices[0].get("text") or ""
                if text:
                    pieces += 1
                    yield text
        finally:
            guard.record(
                self.endpoint.label,
                operation=REQUEST,
                bytes_up=traffic.up,
                bytes_down=traffic.down,
                tokens_up=math.ceil(len(prompt) / CHARS_PER_TOKEN),
                tokens_down=pieces,
                files=tuple(dict.fromkeys(files)),
            )

    def _payload(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Mapping[str, Any]] | None,
        sampling: Sampling,
        stop: Sequence[str],
        tool_choice: Any,
    ) -> dict[str, Any]:
        # Key order is fixed and nothing varies per call but the messages: the same
        # conversation gives the same bytes, and the server's prefix cache can hit.
        payload: dict[str, Any] = {"model": self.endpoint.model, "messages": to_openai(messages)}
        if tools:
            payload["tools"] = [dict(t) for t in tools]
            if tool_choice is not None:
                payload["tool_choice"] = tool_choice
        payload.update(
            stream=True,
            stream_options={"include_usage": True},
            max_tokens=sampling.max_tokens,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
        )
        if sampling.presence_penalty:
            payload["presence_penalty"] = sampling.presence_penalty
        if sampling.seed is not None:
            payload["seed"] = sampling.seed
        if self._facts.takes_extras:
            payload["top_k"] = sampling.top_k
            payload["min_p"] = sampling.min_p
        if stop:
            payload["stop"] = list(stop)[:MAX_STOPS]
        return payload

    def _stream(
        self, payload: dict[str, Any], *, messages: Sequence[Message], cancel: CancelToken
    ) -> Iterator[StreamItem]:
        started = time.perf_counter()
        first: float | None = None
        traffic = Traffic()
        assembler = ReplyAssembler()
        parts: list[str] = []
        finish = "stop"
        self.requests += 1
        try:
            chunks = self._chunks(payload, cancel=cancel, traffic=traffic)
            for text in iter_text(assembler, chunks):
                if first is None:
                    first = time.perf_counter()
                parts.append(text)
                yield TextDelta(text)
            finish = _finish(assembler.finish_reason)
            self.last_structured_calls = assembler.call_count
        except Cancelled:
            finish = "cancelled"
        except RemoteError as exc:
            if "before the reply was complete" in str(exc) and self._facts.context_source != "server":
                # llama-cpp-python's server drops the stream when a prompt outgrows its context.
                raise RemoteError(
                    f"{exc} (the server does not report its context length; if it is below "
                    f"{self.n_ctx:,}, set it with `enclave endpoint add ... --context N`)"
                ) from None
            raise
        finally:
            self._record(payload, messages=messages, traffic=traffic, usage=assembler)
        usage = assembler.usage
        estimate = self._estimate(payload)
        prompt = usage.prompt_tokens if usage.prompt_tokens is not None else estimate
        if usage.prompt_tokens and estimate:
            # Learn the server's tokens per estimated token, slowly and within sane bounds.
            seen = usage.prompt_tokens / (estimate / self._ratio)
            self._ratio = min(3.0, max(0.3, 0.5 * self._ratio + 0.5 * seen))
        completion = usage.completion_tokens
        if completion is None:
            completion = assembler.content_chunks + assembler.call_count
        total = time.perf_counter() - started
        ttft = (first - started) if first is not None else total
        rate = (completion - 1) / (total - ttft) if completion > 1 and total > ttft else 0.0
        stats = GenerationStats(
            prompt_tokens=prompt,
            cached_tokens=min(prompt, usage.cached_tokens or 0),
            completion_tokens=completion,
            ttft_s=ttft,
            tokens_per_s=rate,
            total_s=total,
        )
        yield GenerationDone(finish_reason=finish, text="".join(parts), stats=stats)

    def _chunks(
        self, payload: dict[str, Any], *, cancel: CancelToken, traffic: Traffic
    ) -> Iterator[dict[str, Any]]:
        """The stream; a server that refuses one of our optional parameters gets one retry without them."""
        if self._plain:
            payload = {k: v for k, v in payload.items() if k not in OPTIONAL_PARAMS}
        stream = self._client.post_stream("chat/completions", payload, cancel=cancel, traffic=traffic)
        try:
            first = next(stream, None)
        except RemoteError as exc:
            text = str(exc)
            refused = any(f"HTTP {code}" in text for code in (400, 422))
            if self._plain or not refused or not any(k in text for k in OPTIONAL_PARAMS if k in payload):
                raise
            logger.info("the endpoint refused an optional parameter; retrying without them")
            self._plain = True
            plain = {k: v for k, v in payload.items() if k not in OPTIONAL_PARAMS}
            yield from self._client.post_stream("chat/completions", plain, cancel=cancel, traffic=traffic)
            return
        if first is not None:
            yield first
            yield from stream

    def _estimate(self, payload: dict[str, Any]) -> int:
        chars = sum(
            len(str(m.get("content") or "")) + len(str(m.get("tool_calls") or ""))
            for m in payload["messages"]
        )
        chars += sum(len(str(t)) for t in payload.get("tools") or [])
        return math.ceil(chars / CHARS_PER_TOKEN * self._ratio)

    def _record(
        self, payload: dict[str, Any], *, messages: Sequence[Message], traffic: Traffic, usage: ReplyAssembler
    ) -> None:
        guard.record(
            self.endpoint.label,
            operation=REQUEST,
            bytes_up=traffic.up,
            bytes_down=traffic.down,
            tokens_up=usage.usage.prompt_tokens or self._estimate(payload),
            tokens_down=usage.usage.completion_tokens or usage.content_chunks,
            files=files_sent(messages),
        )
        logger.info("endpoint request: %d bytes up, %d down", traffic.up, traffic.down)


def _finish(reason: str | None) -> str:
    if reason == "length":
        return "length"
    return "stop"  # stop, tool_calls, content_filter, or a server that never said
