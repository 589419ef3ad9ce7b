"""What every tool is: a name, a short JSON schema, a permission key, and a `run`."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from app.core.agent.confine import ProjectRoot
from app.core.agent.index_port import ProjectIndexPort
from app.core.cancel import CancelToken

if TYPE_CHECKING:
    from app.core.agent.edit_session import EditSession
    from app.core.agent.gate import Gate


@dataclass(frozen=True)
class Limits:
    """How much a tool may hand back to the model."""

    read_lines: int = 250
    read_bytes: int = 16_000
    line_chars: int = 400
    list_entries: int = 200
    matches: int = 60
    run_timeout_s: float = 120.0
    run_tail_chars: int = 6_000


@dataclass(frozen=True)
class ToolResult:
    """What the model sees, plus facts for the front end."""

    output: str
    ok: bool = True
    sandboxed: bool | None = None


@dataclass(frozen=True)
class Param:
    """One argument: JSON type, a short description, and optional enum values."""

    type: str  # string | integer | boolean
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class ToolSpec:
    """The tool's face to the model and to the permission check."""

    name: str
    description: str
    params: Mapping[str, Param] = field(default_factory=dict)
    permission: str = "read"  # read | edit | run
    writes: bool = False  # absent in Plan mode

    def schema(self) -> dict[str, Any]:
        """The OpenAI-style function schema the chat template renders."""
        props: dict[str, Any] = {}
        for name, p in self.params.items():
            prop: dict[str, Any] = {"type": p.type, "description": p.description}
            if p.enum:
                prop["enum"] = list(p.enum)
            props[name] = prop
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {
                    "type": "object",
                    "properties": props,
                    "required": [n for n, p in self.params.items() if p.required],
                },
            },
        }


class Tool(Protocol):
    """A tool the loop can offer and run."""

    spec: ToolSpec

    def run(self, args: Mapping[str, Any], ctx: ToolContext) -> Generator[Any, None, ToolResult]:
        """Do the work; yield events (edits, permission requests) and return a ToolResult.

        Implemented as a generator whose return value is the `ToolResult`.

        Raises:
            ToolError: the call cannot be carried out; the message is for the model.

        """
        ...


@dataclass(frozen=True)
class ToolContext:
    """Everything one tool call may use."""

    root: ProjectRoot
    index: ProjectIndexPort
    gate: Gate
    edits: EditSession
    cancel: CancelToken
    limits: Limits = field(default_factory=Limits)
    reply_text: str = ""  # the model's reply this step: edit blocks live here
    attached: str = ""  # text after the JSON inside <tool_call>
    sandbox: bool = True  # use bubblewrap for `run` when available
    run_env: tuple[str, ...] = ()  # environment variables `run` passes on besides the basics
