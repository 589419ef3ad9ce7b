"""`IndexAdapter`: the real project index (app.core.index) behind the agent's `ProjectIndexPort`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.core.agent.events import SyntaxIssue
from app.core.agent.index_port import ContextHit, SymbolInfo
from app.core.index import ProjectIndex, Symbol, language_for_path, symbols_in_text, syntax_diagnostics


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
        language = language_for_path(path)
        if language is None:
            return []
        return [SyntaxIssue(d.line, d.column, d.message) for d in syntax_diagnostics(text, language)]

    def file_changed(self, path: str) -> None:
        """Re-index the file the agent just wrote (or removed)."""
        for _ in self.index.update_files([path]):
            pass


def _info(symbol: Symbol) -> SymbolInfo:
    return SymbolInfo(symbol.name, symbol.kind, symbol.line, symbol.end_line, symbol.signature)
