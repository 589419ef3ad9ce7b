"""The records and events the project index hands out (all frozen, all plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ChangeKind = Literal["added", "modified", "deleted"]


@dataclass(frozen=True)
class Symbol:
    """One definition: `line`/`end_line` are 1-based; `signature` is its first source line."""

    file: str
    name: str
    kind: str
    line: int
    end_line: int
    signature: str

    def as_dict(self) -> dict[str, object]:
        """The JSON shape the CLI and the agent's tools print."""
        return {
            "file": self.file,
            "name": self.name,
            "kind": self.kind,
            "line": self.line,
            "end_line": self.end_line,
            "signature": self.signature,
        }


@dataclass(frozen=True)
class SyntaxDiagnostic:
    """A tree-sitter ERROR or MISSING node; `line` and `column` are 1-based."""

    line: int
    column: int
    end_line: int
    end_column: int
    kind: Literal["error", "missing"]
    message: str


@dataclass(frozen=True)
class FileRecord:
    """What the index keeps for one file: no contents, only what the map and search need."""

    path: str
    language: str | None
    size: int
    mtime_ns: int
    symbols: tuple[Symbol, ...] = ()
    # (identifier, how often it is used) for every name the language's query sees used.
    references: tuple[tuple[str, int], ...] = ()
    # Docstrings and comments, joined; feeds the lexical channel only.
    doc_text: str = ""
    diagnostics: tuple[SyntaxDiagnostic, ...] = ()
    invalid_utf8: bool = False
    parsed: bool = False


@dataclass(frozen=True)
class IndexStats:
    """The summary `enclave index --json` prints."""

    files_seen: int
    files_indexed: int
    files_parsed: int
    skipped: dict[str, int]
    symbols: int
    references: int
    languages: dict[str, int]
    invalid_utf8: int
    unreadable: int
    seconds: float
    workers: int

    def as_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "files_seen": self.files_seen,
            "files_indexed": self.files_indexed,
            "files_parsed": self.files_parsed,
            "skipped": dict(sorted(self.skipped.items())),
            "symbols": self.symbols,
            "references": self.references,
            "languages": dict(sorted(self.languages.items())),
            "invalid_utf8": self.invalid_utf8,
            "unreadable": self.unreadable,
            "seconds": round(self.seconds, 3),
            "workers": self.workers,
        }


@dataclass(frozen=True)
class IndexStarted:
    """The walk finished: `total` files will be read and parsed."""

    root: str
    total: int


@dataclass(frozen=True)
class IndexProgress:
    """`done` of `total` files are indexed; `path` is the last one."""

    done: int
    total: int
    path: str


@dataclass(frozen=True)
class IndexDone:
    """The index is complete and ready to query."""

    stats: IndexStats


@dataclass(frozen=True)
class FileChanged:
    """One file was re-indexed (or dropped); ranks were refreshed."""

    path: str
    change: ChangeKind
    symbols: int
    diagnostics: tuple[SyntaxDiagnostic, ...] = ()


@dataclass(frozen=True)
class RankedFile:
    """One retrieval hit: a file, its combined score, and its most relevant symbols."""

    file: str
    score: float
    symbols: tuple[Symbol, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of `enclave context`."""
        return {
            "file": self.file,
            "score": round(self.score, 4),
            "symbols": [{"name": s.name, "kind": s.kind, "line": s.line} for s in self.symbols],
        }


IndexEvent = IndexStarted | IndexProgress | IndexDone | FileChanged
