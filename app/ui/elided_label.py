"""A one-line label that elides its text instead of widening the layout around it."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStyle, QWidget


class ElidedLabel(QLabel):
    """Shows as much of its text as fits, ending in "…"; `text()` is always the whole text.

    Its minimum width is `min_chars` average characters and its preferred width is
    `reserve` (when given) or the text's own width: a layout never grows because the
    text changed, so panes around it do not jump when a long text arrives.
    """

    def __init__(self, parent: QWidget | None = None, *, min_chars: int = 6, reserve: str = "") -> None:
        super().__init__(parent)
        self._min_chars = min_chars
        self._reserve = reserve
        self._short = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setWordWrap(False)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """A few characters wide, whatever the text."""
        fm = self.fontMetrics()
        margins = self.contentsMargins()
        width = fm.averageCharWidth() * self._min_chars + margins.left() + margins.right()
        return QSize(width, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """The reserved width when there is one (so new text does not resize the layout)."""
        hint = super().sizeHint()
        if self._reserve:
            margins = self.contentsMargins()
            hint.setWidth(
                self.fontMetrics().horizontalAdvance(self._reserve) + margins.left() + margins.right()
            )
        return hint

    def set_short_text(self, short: str) -> None:
        """What to show, whole, instead of an elided text when the text does not fit."""
        self._short = short
        self.update()

    def shown_text(self) -> str:
        """What is drawn at the current width: the text, else the short text, elided if need be."""
        width, fm = self.contentsRect().width(), self.fontMetrics()
        text = self.text()
        if self._short and fm.horizontalAdvance(text) > width:
            text = self._short
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, width)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        """Draw the text elided to the label's width."""
        painter = QPainter(self)
        style: QStyle = self.style()
        align = self.alignment() | Qt.AlignmentFlag.AlignVCenter
        style.drawItemText(
            painter,
            self.contentsRect(),
            align.value,
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            self.foregroundRole(),
        )
