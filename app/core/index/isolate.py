"""Tag one file in this process briefly, and a slow one in a child process that can be killed.

A tag query holds the GIL and cannot be stopped before its time budget ends (see budget.py),
so a hostile file parsed in this process would freeze the UI's other threads, and Ctrl-C,
for seconds. Every file first gets `INLINE_SECONDS` here, which is plenty for ordinary
source; one that needs more is tagged again in a child process with the full budget, while
this thread waits in short steps, checking `stop`. Pool workers do not use this: their
parent already terminates a busy worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from app.core.errors import Cancelled
from app.core.index.budget import OverBudget, budget_seconds
from app.core.index.languages import language_for_path
from app.core.index.records import Symbol
from app.core.index.tags import FileTags, extract_tags

logger = logging.getLogger(__name__)

INLINE_SECONDS = 0.5
_POLL_S = 0.1
# A child that has not answered this long after its budget is stuck outside tree-sitter.
_CHILD_SLACK_S = 2.0


def extract_tags_bounded(
    data: bytes, *, language: str, path: str, stop: Callable[[], bool] | None = None
) -> FileTags | None:
    """`extract_tags` within the file's budget, never blocking this thread for long.

    Raises:
        OverBudget: the file needs more than its budget.
        Cancelled: `stop` returned True.

    """
    full = budget_seconds(len(data))
    try:
        return extract_tags(data, language=language, path=path, stop=stop, budget_s=min(full, INLINE_SECONDS))
    except OverBudget:
        if full <= INLINE_SECONDS:
            raise
    logger.debug("tagging %r (%d bytes) in a child process", path, len(data))
    return _in_child(data, language=language, path=path, budget_s=full, stop=stop)


def _in_child(
    data: bytes, *, language: str, path: str, budget_s: float, stop: Callable[[], bool] | None
) -> FileTags | None:
    from app.core.index.process_start import start_method

    context: Any = multiprocessing.get_context(start_method())  # typeshed's BaseContext has no Process
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main, args=(sender, data, language, path, budget_s), name="enclave-tagger", daemon=True
    )
    child.start()
    sender.close()
    deadline = time.monotonic() + budget_s + _CHILD_SLACK_S
    try:
        while not receiver.poll(_POLL_S):
            if stop is not None and stop():
                raise Cancelled("cancelled")
            if time.monotonic() > deadline or not child.is_alive():
                raise OverBudget(f"no answer within its {budget_s:.1f} s parse time budget")
        # Killing this child is safe at any time: the pipe is its alone.
        outcome, tags = receiver.recv()
    except EOFError:  # it died before answering
        raise OverBudget("the tagging process died") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome == "over":
        raise OverBudget(f"over its {budget_s:.1f} s parse time budget")
    return tags


def _child_main(conn: Connection, data: bytes, language: str, path: str, budget_s: float) -> None:
    # Ctrl-C reaches the whole process group; the parent decides and kills this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        conn.send(("ok", extract_tags(data, language=language, path=path, budget_s=budget_s)))
    except OverBudget:
        conn.send(("over", None))
    finally:
        conn.close()


def symbols_in_text(text: str | bytes, *, path: str, language: str | None = None) -> tuple[Symbol, ...]:
    """The definitions in `text` (e.g. an edit not yet on disk), parsed as `path`'s language."""
    language = language or language_for_path(path)
    if language is None:
        return ()
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        tags = extract_tags_bounded(data, language=language, path=path)
    except OverBudget:
        # The index skips such a file too: an edit's check must not hang on it either.
        logger.info("symbols of %r skipped: over the parse time budget (%d bytes)", path, len(data))
        return ()
    return tags.symbols if tags else ()
