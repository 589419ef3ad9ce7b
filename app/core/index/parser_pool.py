"""Parse files in worker processes: all cores for a big project, and no GIL held for long.

Parsing holds the GIL for as long as tree-sitter runs on a file, so a build that parses
in-process starves every other thread of the process (the UI's event loop among them).
Worker processes parse instead; this process only receives compact records.

Start method, by cost (time to a first result from two workers on a 2-core machine):
`fork` ~0.05 s, `spawn` ~0.17 s (`forkserver` ~0.19 s for its first pool, then ~0.07 s).
`fork` is used only where it is safe: Linux, and this process runs a single thread (a
script, the CLI); a forked child of a multi-threaded process (Qt, llama.cpp, OpenBLAS) can
inherit a lock another thread held. Otherwise `spawn`: `forkserver` would be faster from the
second build on, but it listens on a Unix socket, and the app promises no listening socket.
Frozen apps must call `multiprocessing.freeze_support()` at start-up.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from app.core.cancel import CancelToken
from app.core.index.parse import FileJob, index_batch, lower_priority, start_worker, warm_up
from app.core.index.process_start import start_method
from app.core.index.records import FileRecord

logger = logging.getLogger(__name__)

# Below this many bytes of source a pool costs more to start than it saves (unless asked for).
PARALLEL_MIN_BYTES = 4_000_000
# A batch is one round trip: big enough to amortise it, small enough that the tail of
# the build stays balanced and that receiving one result is short (it holds the GIL).
BATCH_FILES = 24
BATCH_BYTES = 1_000_000
# How long a closing pool waits for a stopped worker to exit before terminating it.
_GRACE_S = 0.3
BatchResult = list[tuple[str, FileRecord | str]]


def batches(jobs: Sequence[FileJob]) -> list[list[FileJob]]:
    """Jobs grouped for the workers, biggest files first (no worker is left with a giant at the end)."""
    out: list[list[FileJob]] = []
    current: list[FileJob] = []
    size = 0
    for job in sorted(jobs, key=lambda j: -j[2]):
        if current and (len(current) >= BATCH_FILES or size + job[2] > BATCH_BYTES):
            out.append(current)
            current, size = [], 0
        current.append(job)
        size += job[2]
    if current:
        out.append(current)
    return out


class ParserPool:
    """Worker processes for one build, started before the walk ends so they warm up meanwhile.

    Raises (from `parse`):
        BrokenProcessPool: a worker died or could not start; the caller may parse the rest itself.
    """

    def __init__(self, workers: int, *, niceness: int = 0) -> None:
        self.workers = max(1, workers)
        method = start_method()
        context = multiprocessing.get_context(method)
        before = set(multiprocessing.active_children())
        # Shared memory, no lock: the parent only ever sets it, and workers poll it while parsing.
        self._stop = context.RawValue(ctypes.c_bool, False)  # noqa: FBT003 (multiprocessing API)
        self._executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=start_worker,
            initargs=(niceness, self._stop),
        )
        # One task per worker makes the executor start them all now, not at the first batch.
        self._warming = [self._executor.submit(warm_up) for _ in range(self.workers)]
        # The workers exist now; lowering their priority here, not only in the initializer,
        # also covers a spawned worker's start-up (an interpreter importing the parser).
        for child in set(multiprocessing.active_children()) - before:
            if child.pid is not None:
                lower_priority(child.pid, niceness)
        logger.debug("parser pool: %d workers (%s)", self.workers, method)

    def parse(
        self, jobs: Sequence[FileJob], *, cancel: CancelToken
    ) -> Iterator[tuple[str, FileRecord | str]]:
        """Yield (path, record or skip reason) for every job, in completion order."""
        pending: set[Future[BatchResult]] = {self._executor.submit(index_batch, b) for b in batches(jobs)}
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                cancel.raise_if_cancelled()
                for future in finished:
                    yield from future.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        """Stop the workers; a worker still busy a moment later is terminated.

        A worker mid-batch (a cancelled build) sees the stop flag at its next file or parse
        slice and exits within milliseconds. One still alive after the grace period is in a
        tag query that only its time budget ends (up to seconds): it is terminated, since the
        interpreter joins the workers at exit and Ctrl-C would wait for it. Only such a
        worker is killed: one killed while it writes a result would leave the executor's
        reader thread waiting forever for the rest of the message.
        """
        self._stop.value = True
        # The executor forgets its processes on shutdown; keep them to wait on.
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        manager = getattr(self._executor, "_executor_manager_thread", None)  # shutdown forgets it too
        self._executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + _GRACE_S
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        killed = False
        for process in processes:
            if process.is_alive():
                logger.debug("parser worker %s still busy after %.1fs: terminated", process.pid, _GRACE_S)
                process.terminate()
                killed = True
        if killed and manager is not None:
            _forget_wakeup(manager)

    def __enter__(self) -> ParserPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _forget_wakeup(manager: threading.Thread) -> None:
    """Keep the interpreter's exit hook from waking an executor whose workers were killed.

    Python 3.11's `concurrent.futures.process._python_exit` writes to each executor's wakeup
    pipe at exit; once killed workers made the executor close that pipe, the write fails
    and prints "Exception ignored ... Bad file descriptor" after a Ctrl-C (fixed in 3.12,
    where the wakeup checks that the pipe is open).
    """
    import concurrent.futures.process as futures_process

    manager.join(timeout=1.0)  # it notices the dead workers and closes the executor's pipes
    wakeups = getattr(futures_process, "_threads_wakeups", None)
    if wakeups is not None:
        wakeups.pop(manager, None)
