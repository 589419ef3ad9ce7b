"""The one adapter for background work: a core generator (or a plain call) on a pool thread.

`Job(work, name=...)` runs `work(cancel)` on a worker. When `work` returns an iterator (a
core generator of typed events), each event arrives through `progress`; any other return
value is the result. Every job ends with exactly one `finished(JobEnded)`, after `failed`
when it failed; a cancel is an outcome, never an error. All three signals are emitted on the
UI thread.

The worker side holds no Qt object but one dispatcher that lives as long as the app, so a
pool thread never drops the last reference to a UI-thread object (deleting it from the
wrong thread). Running jobs are kept in a registry until their `finished` is delivered: the
registry keeps them alive, and the tests' leaked-thread fixture reads it.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal

from app.core.cancel import CancelToken
from app.core.errors import Cancelled

logger = logging.getLogger(__name__)

# work(cancel) -> an iterator of events (driven here) or a result.
Work = Callable[[CancelToken], object]

_MAX_THREADS = 16  # an index watch holds a thread for as long as a project is open


class Outcome(StrEnum):
    """How a job ended."""

    DONE = "done"
    STOPPED = "stopped"  # `stop()`: the events stopped being read; the work so far is kept
    CANCELLED = "cancelled"  # the work saw the CancelToken and undid what it had to
    FAILED = "failed"  # `failed` carried the exception


@dataclass(frozen=True)
class JobEnded:
    """The payload of `Job.finished`."""

    name: str
    outcome: Outcome
    result: object = None  # a plain call's return value, or a generator's


class Job(QObject):
    """One piece of background work; create and start it on the UI thread."""

    progress = Signal(object)  # each event the work's iterator yields
    failed = Signal(object)  # an Exception (never for a cancel or a stop)
    finished = Signal(object)  # JobEnded; always, last

    def __init__(self, work: Work, *, name: str, owner: QObject | None = None) -> None:
        super().__init__()
        self.name = name
        self.setObjectName(name)
        self._work = work
        self._cancel = CancelToken()
        self._stop = threading.Event()
        self._done = threading.Event()  # set by the worker after its last emission
        self._id = next(_ids)
        self.outcome: Outcome | None = None  # set when `finished` is delivered
        self._orphaned = False
        if owner is not None:
            # The owner's slots must not run once it is gone (its C++ object is deleted).
            owner.destroyed.connect(self._on_owner_destroyed)

    @property
    def running(self) -> bool:
        """Started and its `finished` not delivered yet."""
        return self._id in _running

    def start(self) -> Job:
        """Queue the work on the pool; returns self."""
        if self._done.is_set() or self.running:
            raise RuntimeError(f"job {self.name} was already started")
        post = _dispatcher().posted.emit  # made here, on the UI thread
        _running[self._id] = self
        job_id, work, cancel, stop, done = self._id, self._work, self._cancel, self._stop, self._done
        _pool().start(lambda: _execute(job_id, work, cancel=cancel, stop=stop, done=done, post=post))
        logger.debug("job %s started", self.name)
        return self

    def cancel(self) -> None:
        """Set the work's CancelToken (safe from any thread; the work stops at its next check)."""
        self._cancel.cancel()

    def stop(self) -> None:
        """Stop reading events at the next one and close the iterator (what was done stays)."""
        self._stop.set()

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Block until the worker is done (shutdown only); False on timeout."""
        return self._done.wait(timeout_ms / 1000)

    def _on_owner_destroyed(self) -> None:
        self._orphaned = True

    def _deliver(self, kind: str, payload: object) -> None:
        if kind != "finished" and self._orphaned:
            return
        if kind == "progress":
            self.progress.emit(payload)
        elif kind == "failed":
            self.failed.emit(payload)
        else:
            assert isinstance(payload, tuple)
            outcome, result = payload
            self.outcome = outcome
            _running.pop(self._id, None)
            logger.debug("job %s ended: %s", self.name, outcome)
            if not self._orphaned:
                self.finished.emit(JobEnded(self.name, outcome, result))


def start_job(work: Work, *, name: str, owner: QObject | None = None) -> Job:
    """`Job(work, name=name, owner=owner).start()`; connect to its signals right away.

    Its signals are queued to the UI thread, so connecting just after the start misses none.
    """
    return Job(work, name=name, owner=owner).start()


def running_jobs() -> list[Job]:
    """Jobs started and not yet finished (the leaked-thread fixture reads this)."""
    return list(_running.values())


def wait_for_jobs(timeout_ms: int = 30000) -> bool:
    """Block until no job runs on the pool (shutdown only); False on timeout."""
    return _pool().waitForDone(timeout_ms)


# -- the worker side: plain Python, no Qt object but the dispatcher ------------------------


def _execute(
    job_id: int,
    work: Work,
    *,
    cancel: CancelToken,
    stop: threading.Event,
    done: threading.Event,
    post: Callable[[int, str, object], None],
) -> None:
    outcome, result = Outcome.FAILED, None
    try:
        cancel.raise_if_cancelled()  # cancelled while it waited for a thread
        value = work(cancel)
        if isinstance(value, Iterator):
            outcome, result = _drive(value, stop=stop, emit=lambda event: post(job_id, "progress", event))
        else:
            outcome, result = Outcome.DONE, value
    except Cancelled:
        outcome = Outcome.CANCELLED
    except Exception as exc:  # reported, never silent
        logger.info("job failed: %s", type(exc).__name__)
        post(job_id, "failed", exc)
    finally:
        post(job_id, "finished", (outcome, result))
        done.set()


def _drive(
    events: Iterator[object], *, stop: threading.Event, emit: Callable[[object], None]
) -> tuple[Outcome, object]:
    # A cancel is left to the work: only the core knows what it must undo (a download deletes
    # its staged bytes), so it raises Cancelled at its own next check of the token.
    try:
        while True:
            try:
                event = next(events)
            except StopIteration as end:
                return Outcome.DONE, end.value
            emit(event)
            if stop.is_set():
                return Outcome.STOPPED, None
    finally:
        close = getattr(events, "close", None)  # plain iterators have none
        if close is not None:
            close()


class _Dispatcher(QObject):
    """Hops worker emissions to the UI thread; one for the app's lifetime."""

    posted = Signal(int, str, object)

    def __init__(self) -> None:
        super().__init__()
        self.posted.connect(self._on_posted)

    def _on_posted(self, job_id: int, kind: str, payload: object) -> None:
        job = _running.get(job_id)
        if job is not None:
            job._deliver(kind, payload)


_ids = itertools.count(1)
_running: dict[int, Job] = {}  # UI thread only
_state: dict[str, QObject] = {}


def _dispatcher() -> _Dispatcher:
    dispatcher = _state.get("dispatcher")
    if not isinstance(dispatcher, _Dispatcher):
        dispatcher = _Dispatcher()
        app = QCoreApplication.instance()
        if app is not None:
            dispatcher.moveToThread(app.thread())
        _state["dispatcher"] = dispatcher
    return dispatcher


def _pool() -> QThreadPool:
    pool = _state.get("pool")
    if not isinstance(pool, QThreadPool):
        pool = QThreadPool()
        pool.setMaxThreadCount(_MAX_THREADS)
        _state["pool"] = pool
    return pool
