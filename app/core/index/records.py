"""The records and events the project index hands out (all frozen, all plain data)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Literal

ChangeKind = Literal["added", "modified", "deleted"]
# (name, kind, line, end_line, signature): a Symbol without its file. Records carry rows,
# not Symbol objects, because rows cross process boundaries ~10x cheaper.
SymbolRow = tuple[str, str, int, int, str]


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
    symbol_rows: tuple[SymbolRow, ...] = ()
    # (identifier, how often it is used) for every name the language's query sees used.
    references: tuple[tuple[str, int], ...] = ()
    # The lexical channel's terms, packed by terms.term_table: (term hashes, slot triples).
    term_table: tuple[bytes, bytes] = (b"", b"")
    diagnostics: tuple[SyntaxDiagnostic, ...] = ()
    invalid_utf8: bool = False
    parsed: bool = False

    @functools.cached_property
    def symbols(self) -> tuple[Symbol, ...]:
        """The file's definitions in line order (built on first use)."""
        return tuple(Symbol(self.path, *row) for row in self.symbol_rows)


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
    truncated: bool = False  # the walk stopped at `max_files`
    max_files: int | None = None

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
            "truncated": self.truncated,
            "max_files": self.max_files,
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
