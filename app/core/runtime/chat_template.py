"""Render chat messages with the model's own Jinja template, keeping content untrusted.

Every piece of content (user text, file contents, tool output, earlier model replies) is
swapped for a random placeholder before rendering. The rendered text is then cut at the
placeholders into segments: template text (tokenized with special tokens on) and content
(tokenized with special tokens off). A file that contains `<|im_end|>` therefore cannot
forge a control token.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NotRequired, TypedDict

from app.core.errors import EnclaveError

# ChatML, used only when a GGUF carries no template of its own.
CHATML_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] "
    "+ '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
    "{% endif %}"
)


class ToolCall(TypedDict):
    """A call the model made, as replayed in history."""

    name: str
    arguments: dict[str, Any]


class Message(TypedDict):
    """One chat message."""

    role: str  # system | user | assistant | tool
    content: str
    tool_calls: NotRequired[list[ToolCall]]


@dataclass(frozen=True)
class Segment:
    """A run of prompt text; `trusted` text may contain control tokens, content may not."""

    text: str
    trusted: bool


class ChatTemplate:
    """A compiled chat template from GGUF metadata."""

    def __init__(self, source: str | None, *, bos_token: str = "", eos_token: str = "") -> None:
        from jinja2 import TemplateError
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        self.source = source or CHATML_TEMPLATE
        self.is_fallback = source is None
        self._bos, self._eos = bos_token, eos_token
        env = ImmutableSandboxedEnvironment(
            trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"]
        )
        env.filters["tojson"] = _tojson
        env.globals["raise_exception"] = _raise_exception
        env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
        try:
            self._template = env.from_string(self.source)
        except TemplateError as exc:
            raise EnclaveError(f"the model's chat template does not compile: {exc}") from None

    def render(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[Mapping[str, Any]] | None = None,
        add_generation_prompt: bool = True,
    ) -> list[Segment]:
        """Render `messages` to segments; content never becomes template text.

        Raises:
            EnclaveError: the template fails or rewrites content so it can't be kept apart.

        """
        from jinja2 import TemplateError

        nonce = secrets.token_hex(6)
        slots: list[str] = []

        def hide(text: str) -> str:
            if not text:
                return ""  # templates test content for truthiness; keep "" falsy
            slots.append(text)
            return f"\ue000{nonce}:{len(slots) - 1}\ue001"

        masked = [_mask_message(m, hide) for m in messages]
        try:
            rendered = self._template.render(
                messages=masked,
                tools=list(tools) if tools else None,
                add_generation_prompt=add_generation_prompt,
                bos_token=self._bos,
                eos_token=self._eos,
            )
        except TemplateError as exc:
            raise EnclaveError(f"the model's chat template failed: {exc}") from None
        return _split(rendered, nonce, slots)


def _mask_message(message: Message, hide: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"role": message["role"], "content": hide(message.get("content") or "")}
    calls = message.get("tool_calls")
    if calls:
        out["tool_calls"] = [
            {
                "type": "function",
                "function": {"name": c["name"], "arguments": _mask_value(c["arguments"], hide)},
            }
            for c in calls
        ]
    return out


def _mask_value(value: Any, hide: Any) -> Any:
    if isinstance(value, str):
        return hide(value)
    if isinstance(value, dict):
        return {k: _mask_value(v, hide) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(v, hide) for v in value]
    return value


def _split(rendered: str, nonce: str, slots: list[str]) -> list[Segment]:
    pattern = re.compile('("?)\ue000' + nonce + r":(\d+)\ue001(\"?)")
    segments: list[Segment] = []

    def add(text: str, *, trusted: bool) -> None:
        if not text:
            return
        if segments and segments[-1].trusted == trusted:
            segments[-1] = Segment(segments[-1].text + text, trusted)
        else:
            segments.append(Segment(text, trusted))

    pos = 0
    for match in pattern.finditer(rendered):
        add(rendered[pos : match.start()], trusted=True)
        value = slots[int(match.group(2))]
        if match.group(1) and match.group(3):
            # Inside a JSON string (tool-call arguments through `tojson`): keep the quotes
            # as template text and JSON-escape the content itself.
            add('"', trusted=True)
            add(json.dumps(value, ensure_ascii=False)[1:-1], trusted=False)
            add('"', trusted=True)
        else:
            add(match.group(1), trusted=True)
            add(value, trusted=False)
            add(match.group(3), trusted=True)
        pos = match.end()
    add(rendered[pos:], trusted=True)
    if any("\ue000" in s.text or "\ue001" in s.text for s in segments if s.trusted):
        raise EnclaveError("the model's chat template rewrites message content; it cannot be rendered safely")
    return segments


# The signature of transformers' `tojson` filter, which a template may call positionally.
def _tojson(
    value: Any,
    ensure_ascii: bool = False,  # noqa: FBT001, FBT002 (fixed by the Jinja filter it mirrors)
    indent: int | None = None,
    separators: Any = None,
    sort_keys: bool = False,  # noqa: FBT001, FBT002 (fixed by the Jinja filter it mirrors)
) -> str:
    return json.dumps(
        value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )


def _raise_exception(message: str) -> None:
    raise EnclaveError(f"the model's chat template refused the conversation: {message}")
