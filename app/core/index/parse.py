"""Turn one walked file into a FileRecord; runs in worker processes, so keep it import-light."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.core.errors import Cancelled
from app.core.index.budget import PARSE_BUDGET_REASON, OverBudget
from app.core.index.content import read_source
from app.core.index.isolate import extract_tags_bounded
from app.core.index.languages import language_for_path
from app.core.index.records import FileRecord
from app.core.index.tags import extract_tags
from app.core.index.terms import term_table

# (project-relative path, absolute path, size, mtime_ns)
FileJob = tuple[str, str, int, int]


# Set in a worker process by the pool's initializer: a shared flag the parent sets to stop
# the worker's batch early (a cancelled build, Ctrl-C), read between files and while parsing.
_worker_stop: Any = None


def index_file(job: FileJob, *, stop: Callable[[], bool] | None = None) -> FileRecord | str:
    """The file's record, or why it was skipped (`binary`, `minified`, `parse_time_budget`...).

    Raises:
        Cancelled: `stop` returned True while the file was being parsed.

    """
    path, abspath, size, mtime_ns = job
    source = read_source(Path(abspath), name=path.rsplit("/", 1)[-1])
    if isinstance(source, str):
        return source
    language = language_for_path(path)
    # A worker runs the whole budget itself (its parent terminates it when cancelled); in
    # any other process a slow file must not hold the GIL for seconds.
    tag = extract_tags if _worker_stop is not None else extract_tags_bounded
    try:
        tags = tag(source.data, language=language, path=path, stop=stop) if language else None
    except OverBudget:
        return PARSE_BUDGET_REASON
    if tags is None:
        # Counted here, in the worker, so the main process only sums them into the search.
        table = term_table(source.data, path=path, names=(), signatures=(), docs="")
        return FileRecord(
            path=path,
            language=language,
            size=size,
            mtime_ns=mtime_ns,
            term_table=table,
            invalid_utf8=source.invalid_utf8,
        )
    table = term_table(
        source.data,
        path=path,
        names=[row[0] for row in tags.symbol_rows],
        signatures=[row[4] for row in tags.symbol_rows],
        docs=tags.doc_text,
    )
    return FileRecord(
        path=path,
        language=language,
        size=size,
        mtime_ns=mtime_ns,
        symbol_rows=tags.symbol_rows,
        references=tags.references,
        term_table=table,
        diagnostics=tags.diagnostics,
        invalid_utf8=source.invalid_utf8,
        parsed=True,
    )


def warm_up() -> None:
    """Nothing: a first task that makes a pool start its worker (which imports this module)."""


def start_worker(niceness: int, stop: Any = None) -> None:
    """Pool initializer: run this worker at `niceness` or lower priority (0: unchanged).

    `stop` is a shared boolean (`multiprocessing.RawValue`) the parent sets to end the work early.
    """
    global _worker_stop
    # Ctrl-C reaches the whole process group; the parent decides what it means and sets `stop`
    # (a KeyboardInterrupt here would only print a worker's traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_stop = stop
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


def index_batch(
    jobs: Sequence[FileJob], *, stop: Callable[[], bool] | None = None
) -> list[tuple[str, FileRecord | str]]:
    """Many files in one worker call (fewer round trips than one call per file).

    In a pool worker, `stop` defaults to the flag the parent shares with it.

    Raises:
        Cancelled: `stop` returned True before the batch was done.

    """
    if stop is None and _worker_stop is not None:
        stop = _reads(_worker_stop)
    out: list[tuple[str, FileRecord | str]] = []
    for job in jobs:
        if stop is not None and stop():
            raise Cancelled("cancelled")
        out.append((job[0], index_file(job, stop=stop)))
    return out


def _reads(flag: Any) -> Callable[[], bool]:
    return lambda: bool(flag.value)
