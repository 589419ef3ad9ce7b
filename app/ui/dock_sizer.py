"""Dock sizes that survive a small window: side panes collapse when narrow and come back.

Layout only. `QMainWindow` gives every pixel a window gains to the central widget, so a pane
squeezed while the window was small stays small after it grows. The sizer remembers the
widths the user chose (a separator drag) and gives them back, scaled down proportionally
while the window is too small for all of them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow

logger = logging.getLogger(__name__)

COMPACT_WIDTH = 960  # below this the file tree starts collapsed
COMPACT_HEIGHT = 700  # below this the bottom panel starts collapsed
_CENTRE_SHARE = 0.3  # the editor keeps at least this much of the width
_SLACK_PX = 3


class DockSizer(QObject):
    """Watches `window`'s size; collapses, restores and re-sizes its docks."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        widths: dict[QDockWidget, int],
        narrow_collapses: QDockWidget,
        bottom: QDockWidget,
        bottom_height: int,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._widths = dict(widths)  # what the user wants, in logical pixels
        self._applied: dict[QDockWidget, int] = {}
        self._narrow_dock = narrow_collapses
        self._bottom = bottom
        self._height = bottom_height
        self._auto_hidden: set[QDockWidget] = set()
        self._narrow: bool | None = None
        self._short: bool | None = None
        self._saving = False
        self._shown = False
        self._adopt_current = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._apply)
        for dock in (*self._widths, bottom):
            dock.visibilityChanged.connect(
                lambda visible, d=dock: self._on_visibility_changed(d, visible=visible)
            )
        window.installEventFilter(self)

    @property
    def auto_hidden(self) -> frozenset[QDockWidget]:
        """Docks the sizer collapsed (not the user); they come back when there is room."""
        return frozenset(self._auto_hidden)

    def adopt_current_sizes(self) -> None:
        """Take the docks' sizes at the next show as the wanted ones (a restored layout)."""
        self._adopt_current = True

    @contextmanager
    def expanded(self) -> Iterator[None]:
        """Within: collapsed docks are shown, so a saved layout stores them as open."""
        hidden = [d for d in self._auto_hidden if d.isHidden()]
        self._saving = True
        try:
            for dock in hidden:
                dock.show()
            yield
        finally:
            for dock in hidden:
                dock.hide()
            self._saving = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Resize: collapse or restore, then size the docks; a mouse release: a separator drag."""
        if watched is self._window:
            kind = event.type()
            if kind == QEvent.Type.Resize:
                self._on_resize()
            elif kind == QEvent.Type.Show and not self._shown:
                self._shown = True
                self._timer.start()
            elif kind == QEvent.Type.MouseButtonRelease:
                # Only the window's own area gets these: the separators between docks.
                QTimer.singleShot(0, self._remember_dragged)
        return False

    def _on_resize(self) -> None:
        size = self._window.size()
        narrow = size.width() < COMPACT_WIDTH
        short = size.height() < COMPACT_HEIGHT
        if narrow != self._narrow:
            self._narrow = narrow
            if narrow:
                self._collapse(self._narrow_dock)
            else:
                self._restore(self._narrow_dock)
        if short != self._short:
            self._short = short
            if short:
                self._collapse(self._bottom)
            else:
                self._restore(self._bottom)
        self._timer.start()

    def _collapse(self, dock: QDockWidget) -> None:
        if not dock.isHidden() and not dock.isFloating():
            dock.hide()
            self._auto_hidden.add(dock)

    def _restore(self, dock: QDockWidget) -> None:
        if dock in self._auto_hidden:
            self._auto_hidden.discard(dock)
            if dock.isHidden():
                dock.show()

    def _on_visibility_changed(self, dock: QDockWidget, *, visible: bool) -> None:
        if visible and not self._saving:
            self._auto_hidden.discard(dock)  # the user opened it again: it is theirs now
            self._timer.start()

    def _side_docks(self) -> list[QDockWidget]:
        return [d for d in self._widths if not d.isHidden() and not d.isFloating()]

    def _apply(self) -> None:
        if self._adopt_current and self._window.isVisible():
            self._adopt_current = False
            for dock in self._side_docks():
                self._widths[dock] = dock.width()
            if not self._bottom.isHidden() and not self._bottom.isFloating():
                self._height = self._bottom.height()
        docks = self._side_docks()
        width = self._window.width()
        central = self._window.centralWidget()
        least = central.minimumSizeHint().width() if central is not None else 0
        centre = max(int(width * _CENTRE_SHARE), least)
        room = max(width - centre, 0)
        wanted = [self._widths[d] for d in docks]
        scale = min(1.0, room / sum(wanted)) if wanted and sum(wanted) else 1.0
        sizes = [max(1, int(w * scale)) for w in wanted]
        if docks:
            self._window.resizeDocks(docks, sizes, Qt.Orientation.Horizontal)
            self._applied = dict(zip(docks, sizes, strict=True))
        if not self._bottom.isHidden() and not self._bottom.isFloating():
            height = min(self._height, int(self._window.height() * 0.4))
            self._window.resizeDocks([self._bottom], [height], Qt.Orientation.Vertical)
            self._applied[self._bottom] = height

    def _remember_dragged(self) -> None:
        for dock in self._side_docks():
            if abs(dock.width() - self._applied.get(dock, dock.width())) > _SLACK_PX:
                self._widths[dock] = dock.width()
                self._applied[dock] = dock.width()
                logger.debug("pane %s set to %d px", dock.objectName(), dock.width())
        bottom = self._bottom
        if (
            not bottom.isHidden()
            and abs(bottom.height() - self._applied.get(bottom, bottom.height())) > _SLACK_PX
        ):
            self._height = bottom.height()
            self._applied[bottom] = bottom.height()
