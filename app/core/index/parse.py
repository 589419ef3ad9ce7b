"""Turn one walked file into a FileRecord; runs in worker processes, so keep it import-light."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from app.core.index.content import read_source
from app.core.index.languages import language_for_path
from app.core.index.records import FileRecord
from app.core.index.tags import extract_tags

# (project-relative path, absolute path, size, mtime_ns)
FileJob = tuple[str, str, int, int]


def index_file(job: FileJob) -> FileRecord | str:
    """The file's record, or the reason it was skipped (`binary`, `minified`, `unreadable`)."""
    path, abspath, size, mtime_ns = job
    source = read_source(Path(abspath), name=path.rsplit("/", 1)[-1])
    if isinstance(source, str):
        return source
    language = language_for_path(path)
    tags = extract_tags(source.data, language=language, path=path) if language else None
    if tags is None:
        return FileRecord(
            path=path, language=language, size=size, mtime_ns=mtime_ns, invalid_utf8=source.invalid_utf8
        )
    return FileRecord(
        path=path,
        language=language,
        size=size,
        mtime_ns=mtime_ns,
        symbol_rows=tags.symbol_rows,
        references=tags.references,
        doc_text=tags.doc_text,
        diagnostics=tags.diagnostics,
        invalid_utf8=source.invalid_utf8,
        parsed=True,
    )


def warm_up() -> None:
    """Nothing: a first task that makes a pool start its worker (which imports this module)."""


def start_worker(niceness: int) -> None:
    """Pool initializer: run this worker at `niceness` or lower priority (0: unchanged)."""
    lower_priority(0, niceness)


def lower_priority(pid: int, niceness: int) -> None:
    """Give process `pid` (0: this one) a nice value of at least `niceness`, where the OS allows."""
    if niceness <= 0 or not hasattr(os, "setpriority"):
        return
    # Not permitted, or the process is gone: it parses at normal priority, which is only slower for the UI.
    with contextlib.suppress(OSError):
        current = os.getpriority(os.PRIO_PROCESS, pid)
        if current < niceness:
            os.setpriority(os.PRIO_PROCESS, pid, niceness)


def index_batch(jobs: Sequence[FileJob]) -> list[tuple[str, FileRecord | str]]:
    """Many files in one worker call (fewer round trips than one call per file)."""
    return [(job[0], index_file(job)) for job in jobs]
