"""Opens a waiting edit's review as a tab of the editor area, and closes it once the edit is answered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTabWidget

from app.ui.diff_view import SIDE_BY_SIDE_MIN_WIDTH, DiffView
from app.ui.hunk_review import HunkReview
from app.ui.word_diff import layout

logger = logging.getLogger(__name__)

MAX_SHOWN_LINES = 20000  # a longer file is reviewed as its hunks, not whole


class ReviewTabs(QObject):
    """One `DiffView` tab per edit waiting for an answer, in `tabs` (the editor tabs)."""

    def __init__(
        self, *, tabs: QTabWidget, project: Callable[[], Path | None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tabs = tabs
        self._project = project
        self.views: dict[int, DiffView] = {}

    def show_review(self, review: HunkReview, diff: str) -> DiffView | None:
        """Bring the review of `review`'s edit to the front (opening it when needed); None once answered."""
        if not review.open:
            return None
        view = self.views.get(review.edit_id)
        if view is None:
            view = DiffView(review, layout(diff, old_text=self._current_text(review.path)), parent=self._tabs)
            view.set_inline(inline=self._room() < SIDE_BY_SIDE_MIN_WIDTH)
            index = self._tabs.addTab(view, f"Review: {Path(review.path).name}")
            self._tabs.setTabToolTip(index, f"Proposed edit to {review.path}")
            self.views[review.edit_id] = view
            view.close_requested.connect(lambda edit_id=review.edit_id: self._close(edit_id))
            view.destroyed.connect(lambda _obj=None, edit_id=review.edit_id: self.views.pop(edit_id, None))
        self._tabs.setCurrentWidget(view)
        view.setFocus()
        return view

    def _room(self) -> int:
        # Hidden behind the welcome page, the tabs keep a stale size: their stack's is current.
        holder = self._tabs.parentWidget()
        return self._tabs.width() if self._tabs.isVisible() or holder is None else holder.width()

    def _close(self, edit_id: int) -> None:
        view = self.views.pop(edit_id, None)
        if view is None:
            return
        index = self._tabs.indexOf(view)
        if index >= 0:
            self._tabs.removeTab(index)
        view.deleteLater()

    def _current_text(self, relpath: str) -> str | None:
        """The file as it is on disk (nothing is written before accepting), as the core diffed it."""
        root = self._project()
        if root is None:
            return None
        path = root / relpath
        if not path.is_file():
            return "" if not path.exists() else None
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            logger.info("review shows the diff only: the file could not be read")
            return None
        if text.count("\n") > MAX_SHOWN_LINES:
            return None  # the hunks and their context only
        return text.removeprefix("\ufeff").replace("\r\n", "\n")
