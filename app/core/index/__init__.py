"""The project index: walk, tree-sitter symbols, repo map, retrieval, syntax diagnostics.

Everything lives in memory; nothing is written to disk.

    index = ProjectIndex(root)                      # cheap; nothing read yet
    index = ProjectIndex(root, background=True)     # a UI building on a worker thread: parse only
                                                    #   in low-priority worker processes (GIL stays free)
    for event in index.build(cancel=token):         # IndexStarted, IndexProgress..., IndexDone
        ...                                         # (or: index = ProjectIndex.open(root))
    index.files()                                   # ["pkg/a.py", ...] project-relative, sorted
    index.symbols(file=None)                        # [Symbol(file, name, kind, line, end_line, signature)]
    index.find_symbol("parse_url")                  # definitions with that name
    index.repo_map(tokens=1024, chat_files=[...], mentions=[...], count_tokens=model.count_tokens)
    index.context("where is the retry logic?", top=5)   # [RankedFile(file, score, symbols)], implementation first
    index.ranked_files()                            # every file, implementation first, then by PageRank (@-mentions)
    index.diagnostics("pkg/a.py")                   # (SyntaxDiagnostic(line, column, kind, message), ...)
    index.update_files(["pkg/a.py"])                # -> Iterator[FileChanged] after an edit
    index.watch(cancel=token)                       # -> Iterator[FileChanged] until cancelled (watchdog);
                                                    #    a changed .gitignore/.enclaveignore triggers rescan()
    index.rescan()                                  # -> Iterator[FileChanged]: re-walk, re-index what differs
    index.record("pkg/a.py")                        # FileRecord: language, size, symbol_rows, references...
    index.stats                                     # IndexStats of the last build (as `enclave index --json`)

    syntax_diagnostics(text, "python")              # check an edit before it is written
    symbols_in_text(text, path="a/b.py")            # definitions of text not on disk (yet)
    language_for_path("x.rs")                       # "rust" (None when unsupported)
    walk(root, cancel=token, stats=WalkStats())     # WalkEntry(path, abspath, size, mtime_ns) for grep/glob
    is_indexable(root, "a/b.py")                    # the same ignore rules for one path

The walk honours nested .gitignore files, .git/info/exclude, .enclaveignore, default ignores
and the security list (app.core.privacy.secrets), and never leaves the project through a
symlink. ProjectIndex is thread-safe: a watcher thread may update it while another reads.
Building uses a process pool for big projects (always, with `background=True`): forked from a
single-threaded script, spawned otherwise (see parser_pool.py); frozen apps must call
`multiprocessing.freeze_support()` at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.index.content import read_source, skip_reason
    from app.core.index.diagnostics import syntax_diagnostics
    from app.core.index.isolate import symbols_in_text
    from app.core.index.languages import language_for_path, supported_languages
    from app.core.index.project_index import ProjectIndex
    from app.core.index.records import (
        FileChanged,
        FileRecord,
        IndexDone,
        IndexEvent,
        IndexProgress,
        IndexStarted,
        IndexStats,
        RankedFile,
        Symbol,
        SyntaxDiagnostic,
    )
    from app.core.index.repo_map import estimate_tokens

# `walk` is also the name of its submodule, so it is imported eagerly (the submodule is light).
from app.core.index.walk import WalkEntry, WalkStats, is_indexable, walk

# Other exports load on first use: the parser worker processes import `app.core.index.parse`
# and must not pay for numpy, sqlite and the rest of the package.
_EXPORTS = {
    "FileChanged": "app.core.index.records",
    "FileRecord": "app.core.index.records",
    "IndexDone": "app.core.index.records",
    "IndexEvent": "app.core.index.records",
    "IndexProgress": "app.core.index.records",
    "IndexStarted": "app.core.index.records",
    "IndexStats": "app.core.index.records",
    "ProjectIndex": "app.core.index.project_index",
    "RankedFile": "app.core.index.records",
    "Symbol": "app.core.index.records",
    "SyntaxDiagnostic": "app.core.index.records",
    "estimate_tokens": "app.core.index.repo_map",
    "language_for_path": "app.core.index.languages",
    "read_source": "app.core.index.content",
    "skip_reason": "app.core.index.content",
    "supported_languages": "app.core.index.languages",
    "symbols_in_text": "app.core.index.isolate",
    "syntax_diagnostics": "app.core.index.diagnostics",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "FileChanged",
    "FileRecord",
    "IndexDone",
    "IndexEvent",
    "IndexProgress",
    "IndexStarted",
    "IndexStats",
    "ProjectIndex",
    "RankedFile",
    "Symbol",
    "SyntaxDiagnostic",
    "WalkEntry",
    "WalkStats",
    "estimate_tokens",
    "is_indexable",
    "language_for_path",
    "read_source",
    "skip_reason",
    "supported_languages",
    "symbols_in_text",
    "syntax_diagnostics",
    "walk",
]
