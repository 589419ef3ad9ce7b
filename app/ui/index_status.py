"""Shows the project index's progress and result: the tree's bar, the status bar, what @ offers.

It is handed the few things it updates; the window only says when a build starts.
"""

from __future__ import annotations

from collections.abc import Callable

from app.ui.chat_input import ChatInput
from app.ui.file_tree import FileTree
from app.ui.index_runner import IndexReady, IndexRunner, IndexWatched
from app.ui.status_bar import EnclaveStatusBar


class IndexStatus:
    """Follows one `IndexRunner`; `busy` while a build runs."""

    def __init__(
        self,
        *,
        runner: IndexRunner,
        files: FileTree,
        status: EnclaveStatusBar,
        mentions: ChatInput,
        use_index: Callable[[object], object],
        present: Callable[[object], object],
    ) -> None:
        self._runner = runner
        self._files = files
        self._status = status
        self._mentions = mentions
        self._use_index = use_index
        self._present = present
        self.busy = False
        runner.progress.connect(self._on_progress)
        runner.ready.connect(self._on_ready)
        runner.failed.connect(self._on_failed)
        runner.file_changed.connect(self._on_file_changed)

    def started(self) -> None:
        """A build began."""
        self.busy = True
        self._status.set_index("Indexing…")

    def _on_progress(self, done: int, total: int) -> None:
        self._files.set_progress(done, total)
        self._status.set_index(f"Indexing {done:,}/{total:,}")

    def _on_ready(self, ready: IndexReady) -> None:
        self.busy = False
        self._use_index(ready.index)
        self._files.set_progress(1, 1)
        files = ready.index.files()
        # The shared ranking (implementation files first, then by PageRank), made on the worker.
        self._mentions.set_mention_candidates(list(ready.ranked) or files)
        symbols = ready.stats.symbols
        tip = f"Built in memory in {ready.stats.seconds:.1f} s; nothing is written to disk."
        if ready.stats.truncated:
            # A folder this big is rarely one project: say where the rest went and how to fix it.
            self._status.set_index(f"Indexed the first {len(files):,} files (limit) · {symbols:,} symbols")
            tip += " The rest of the folder was not indexed: add ignore rules to .enclaveignore."
        else:
            self._status.set_index(f"Indexed {len(files):,} files · {symbols:,} symbols")
        self._status.index.setToolTip(tip)

    def _on_file_changed(self, watched: IndexWatched) -> None:
        # The watcher re-indexed a file: new and deleted files change what @ can mention.
        if watched.ranked is not None:
            self._mentions.set_mention_candidates(list(watched.ranked))
        self._status.index.setToolTip(f"Kept up to date in memory; last change: {watched.change.path}")

    def _on_failed(self, exc: object) -> None:
        self.busy = False
        self._files.set_progress(1, 1)
        self._status.set_index("Index failed")
        self._present(exc)
