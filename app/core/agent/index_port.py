"""What the agent needs from the project index, as a port.

`app.core.agent.index_adapter` adapts the real index (app.core.index) to it; the agent
builds one itself when none is passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from app.core.agent.events import SyntaxIssue


@dataclass(frozen=True)
class SymbolInfo:
    """A definition in a file: 1-based inclusive line range."""

    name: str  # qualified where the language nests: "Parser.parse"
    kind: str  # function | class | method | ...
    line: int
    end_line: int
    signature: str = ""


@dataclass(frozen=True)
class ContextHit:
    """A file relevant to a question, with the symbols that made it relevant."""

    file: str
    score: float
    symbols: tuple[str, ...] = ()


class ProjectIndexPort(Protocol):
    """The index operations the agent's tools use."""

    def files(self) -> list[str]:
        """Project-relative paths (forward slashes) of indexed files, honouring ignores."""
        ...

    def symbols(self, path: str, *, text: str | None = None) -> list[SymbolInfo]:
        """Definitions in `path` (or in `text` parsed as that file's language)."""
        ...

    def repo_map(self, *, tokens: int, mentions: Sequence[str] = (), files: Sequence[str] = ()) -> str:
        """An outline of the project that fits `tokens`, ranked towards `mentions`/`files`."""
        ...

    def context(self, question: str, *, top: int = 5) -> list[ContextHit]:
        """Files most relevant to `question`, best first."""
        ...

    def syntax_issues(self, path: str, text: str) -> list[SyntaxIssue]:
        """Syntax errors in `text` parsed as the language of `path` (empty if fine or unknown)."""
        ...

    def file_changed(self, path: str) -> None:
        """Tell the index a file was written (or removed) by the agent."""
        ...
