"""`IndexAdapter`: the real project index (app.core.index) behind the agent's `ProjectIndexPort`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from app.core.agent.events import SyntaxIssue
from app.core.agent.index_port import ContextHit, SymbolInfo
from app.core.index import (
    ProjectIndex,
    Symbol,
    language_for_path,
    symbols_in_text,
    syntax_diagnostics,
    walk,
)
from app.core.text_file import decode_text


class IndexAdapter:
    """Answers the agent's questions from a built `ProjectIndex`."""

    def __init__(self, index: ProjectIndex, *, count_tokens: Callable[[str], int] | None = None) -> None:
        self.index = index
        self._count = count_tokens

    def files(self) -> list[str]:
        """Indexed files (ignores and the security list already applied)."""
        return self.index.files()

    def symbols(self, path: str, *, text: str | None = None) -> list[SymbolInfo]:
        """Tree-sitter definitions of the indexed file, or of `text` parsed as its language."""
        if text is None:
            return [_info(s) for s in self.index.symbols(path)]
        return [_info(s) for s in symbols_in_text(text, path=path)]

    def repo_map(self, *, tokens: int, mentions: Sequence[str] = (), files: Sequence[str] = ()) -> str:
        """The ranked outline within `tokens` (counted with the model's tokenizer when given)."""
        if self._count is not None:
            return self.index.repo_map(
                tokens=tokens, chat_files=files, mentions=mentions, count_tokens=self._count
            )
        return self.index.repo_map(tokens=tokens, chat_files=files, mentions=mentions)

    def context(self, question: str, *, top: int = 5) -> list[ContextHit]:
        """BM25 plus graph ranking of files for `question`."""
        return [
            ContextHit(hit.file, hit.score, tuple(f"{s.name} (line {s.line})" for s in hit.symbols))
            for hit in self.index.context(question, top=top)
        ]

    def syntax_issues(self, path: str, text: str) -> list[SyntaxIssue]:
        """tree-sitter ERROR and MISSING nodes of `text`."""
        return _syntax_issues(path, text)

    def file_changed(self, path: str) -> None:
        """Re-index the file the agent just wrote (or removed)."""
        for _ in self.index.update_files([path]):
            pass


def _syntax_issues(path: str, text: str) -> list[SyntaxIssue]:
    language = language_for_path(path)
    if language is None:
        return []
    return [SyntaxIssue(d.line, d.column, d.message) for d in syntax_diagnostics(text, language)]


def _info(symbol: Symbol) -> SymbolInfo:
    return SymbolInfo(symbol.name, symbol.kind, symbol.line, symbol.end_line, symbol.signature)


class IndexBeingBuilt:
    """Stands in while the project's index builds in the background: files by a walk, no ranking.

    The first question can come before the index is ready; the agent then still lists,
    reads and edits files and parses single files, but has no repo map or ranked context
    until the session is given the built index. Nothing is parsed here ahead of time.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: list[str] | None = None

    def files(self) -> list[str]:
        """The project's files as the walk sees them (ignores and the security list applied)."""
        if self._files is None:
            self._files = [entry.path for entry in walk(self.root)]
        return self._files

    def symbols(self, path: str, *, text: str | None = None) -> list[SymbolInfo]:
        """Definitions parsed from the file (or `text`) on request."""
        if text is None:
            try:
                text = decode_text((self.root / path).read_bytes())[0]
            except OSError:
                return []
        return [_info(s) for s in symbols_in_text(text, path=path)]

    def repo_map(self, *, tokens: int, mentions: Sequence[str] = (), files: Sequence[str] = ()) -> str:
        """No map until the index is built."""
        return ""

    def context(self, question: str, *, top: int = 5) -> list[ContextHit]:
        """No ranking until the index is built."""
        return []

    def syntax_issues(self, path: str, text: str) -> list[SyntaxIssue]:
        """Syntax errors need no index."""
        return _syntax_issues(path, text)

    def file_changed(self, path: str) -> None:
        """A new file shows in the next listing."""
        self._files = None
