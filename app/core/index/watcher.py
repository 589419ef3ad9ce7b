"""Follow a project folder on disk (watchdog) and hand out batches of changed paths."""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Iterator
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from app.core.cancel import CancelToken

logger = logging.getLogger(__name__)


class _Collector(FileSystemEventHandler):
    def __init__(self, root: Path, sink: queue.Queue[str]) -> None:
        self._root = root
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = raw.decode() if isinstance(raw, bytes) else raw
            try:
                rel = Path(path).resolve().relative_to(self._root).as_posix()
            except ValueError:
                continue
            # Inside .git only the exclude file matters (it changes what the walk sees).
            if not rel.startswith(".git/") or rel == ".git/info/exclude":
                self._sink.put(rel)


def watch_changes(root: Path, *, cancel: CancelToken, debounce_s: float = 0.15) -> Iterator[list[str]]:
    """Yield sorted batches of project-relative paths that changed, until `cancel` is set.

    Events that arrive within `debounce_s` of each other are merged, so an editor's
    save-as-rename dance becomes one update. The first batch is empty: it says the watch
    has started, so the caller can catch up on what changed before that.
    """
    sink: queue.Queue[str] = queue.Queue()
    observer = Observer()
    observer.schedule(_Collector(root, sink), str(root), recursive=True)
    observer.start()
    try:
        yield []
        while not cancel.cancelled:
            try:
                first = sink.get(timeout=0.1)
            except queue.Empty:
                continue
            batch = {first}
            deadline = time.monotonic() + debounce_s
            while (left := deadline - time.monotonic()) > 0:
                try:
                    batch.add(sink.get(timeout=left))
                except queue.Empty:
                    break
            logger.debug("watch batch of %d paths", len(batch))
            yield sorted(batch)
    finally:
        observer.stop()
        observer.join(timeout=2)
