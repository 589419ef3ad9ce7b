"""Builds the project index as a background `Job` and follows changes on disk; reports progress.

The UI thread only receives signals: progress is throttled to a few updates per second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.core.cancel import CancelToken
from app.core.errors import Cancelled
from app.ui.background import Job, JobEnded

if TYPE_CHECKING:
    from app.core.index import ProjectIndex
    from app.core.index.records import FileChanged, IndexStats

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL_S = 0.1


@dataclass(frozen=True)
class IndexCounted:
    """`done` of `total` files are indexed."""

    done: int
    total: int


@dataclass(frozen=True)
class IndexReady:
    """The payload of `IndexRunner.ready`: the built index and what it cost."""

    index: ProjectIndex
    stats: IndexStats
    ranked: tuple[str, ...] = ()  # every file in the @-mention order, ranked on the worker


@dataclass(frozen=True)
class IndexWatched:
    """A watched file was re-indexed (or dropped)."""

    change: FileChanged
    ranked: tuple[str, ...] | None = None  # the new @-mention order when files came or went


def build_and_watch(root: Path, *, watch: bool) -> Callable[[CancelToken], Iterator[object]]:
    """The job's work: build the index of `root`, then (with `watch`) follow changes."""

    def work(cancel: CancelToken) -> Iterator[object]:
        from app.core import services
        from app.core.index import IndexDone, IndexProgress, IndexStarted

        # Parse in low-priority worker processes: an in-process build holds the GIL and
        # would stall the event loop.
        index = services.new_index(root, background=True)
        last = 0.0
        for event in index.build(cancel=cancel):
            if isinstance(event, IndexStarted):
                yield IndexCounted(0, event.total)
            elif isinstance(event, IndexProgress):
                now = time.monotonic()
                if now - last >= PROGRESS_INTERVAL_S or event.done == event.total:
                    last = now
                    yield IndexCounted(event.done, event.total)
            elif isinstance(event, IndexDone):
                # Ranking every file (PageRank over the graph) takes up to a second on a big
                # project: here, not on the UI thread.
                yield IndexReady(index, event.stats, tuple(index.ranked_files()))
                _prepare_search(index, cancel)
        if watch and not cancel.cancelled:
            for change in index.watch(cancel=cancel):
                moved = change.change in ("added", "deleted")
                yield IndexWatched(change, tuple(index.ranked_files()) if moved else None)

    return work


def _prepare_search(index: ProjectIndex, cancel: CancelToken) -> None:
    """Build the search tables now, on the index thread, so the first question does not wait for them.

    They take up to a second more on a big project. Building them ahead is only a head
    start: if it fails, the index and the watch go on, and the first question builds them
    again (and reports what fails then).
    """
    try:
        index.prepare_search(cancel=cancel)
    except Cancelled:
        raise
    except Exception:
        logger.warning("the search tables could not be prepared ahead", exc_info=True)


class IndexRunner(QObject):
    """One project's index: `build(root)` replaces any previous one."""

    progress = Signal(int, int)
    ready = Signal(object)  # IndexReady
    failed = Signal(object)  # an Exception
    file_changed = Signal(object)  # IndexWatched: a watched file was re-indexed
    finished = Signal(object)  # JobEnded of the current build (after `failed`)

    def __init__(self, *, watch: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watch = watch
        self.index: ProjectIndex | None = None
        self.running = False
        self.job: Job | None = None  # the current build; an earlier one may still be stopping
        self._stopping: list[Job] = []

    def build(self, root: Path) -> None:
        """Start indexing `root` (cancelling any earlier build or watch)."""
        self.stop()
        self.index = None
        self.running = True
        job = Job(build_and_watch(root, watch=self._watch), name=f"index {root.name}", owner=self)
        # A cancelled build may still have events queued: only the current one's count.
        job.progress.connect(lambda event: self._on_progress(job, event))
        job.failed.connect(lambda exc: self._on_failed(job, exc))
        job.finished.connect(lambda ended: self._on_finished(job, ended))
        self.job = job
        job.start()

    def stop(self, *, wait: bool = False) -> None:
        """Cancel the build or watch; with `wait`, block until it is over (shutdown only)."""
        if self.job is not None and self.job.running:
            self.job.cancel()
            self._stopping.append(self.job)
        if wait:
            for job in self._stopping:
                job.wait(30000)
        self._stopping = [job for job in self._stopping if job.running]

    def _on_progress(self, job: Job, event: object) -> None:
        if job is not self.job:
            return
        if isinstance(event, IndexCounted):
            self.progress.emit(event.done, event.total)
        elif isinstance(event, IndexReady):
            self.index = event.index
            self.running = False
            self.ready.emit(event)
        elif isinstance(event, IndexWatched):
            self.file_changed.emit(event)

    def _on_failed(self, job: Job, exc: object) -> None:
        if job is self.job:
            self.running = False
            self.failed.emit(exc)

    def _on_finished(self, job: Job, ended: JobEnded) -> None:
        if job is self.job:
            self.running = False
            self.finished.emit(ended)
