"""The row under the message box: context gauge, speed, Stop and Send; two rows when narrow.

Layout only. Its size hints never depend on the speed text (the label elides), so the chat
pane keeps its width when the first answer's numbers arrive.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QProgressBar, QPushButton, QSizePolicy, QWidget

from app.ui.elided_label import ElidedLabel

_SPACING = 6


class ChatFooter(QWidget):
    """Gauge and speed on the left, Stop and Send on the right; the buttons wrap below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gauge = QProgressBar(self)
        self.gauge.setAccessibleName("Context used")
        self.gauge.setTextVisible(True)
        self.speed = ElidedLabel(self, min_chars=4, reserve="888.8 tok/s")
        self.speed.setAccessibleName("Speed")
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setAccessibleName("Stop answering")
        self.stop_button.setToolTip("Stop the answer (Esc)")
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("primary")
        self.send_button.setAccessibleName("Send message")
        self.send_button.setToolTip("Send (Enter); Shift+Enter for a new line")
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    # -- sizes (all from fonts and styles, so they follow the font size and the scale) ---------

    def _gauge_widths(self) -> tuple[int, int]:
        fm = self.gauge.fontMetrics()
        least = fm.horizontalAdvance("88,888 / 88,888 tokens") + 2 * fm.averageCharWidth()
        return least, least + 8 * fm.averageCharWidth()

    def _buttons_width(self) -> int:
        return self.stop_button.sizeHint().width() + _SPACING + self.send_button.sizeHint().width()

    def _row_height(self) -> int:
        return max(
            self.gauge.sizeHint().height(),
            self.speed.sizeHint().height(),
            self.stop_button.sizeHint().height(),
            self.send_button.sizeHint().height(),
        )

    def _one_row_width(self) -> int:
        least, _ = self._gauge_widths()
        return least + _SPACING + self.speed.sizeHint().width() + _SPACING + self._buttons_width()

    def one_row(self, width: int | None = None) -> bool:
        """Whether everything fits on one row at `width` (default: the current width)."""
        return (self.width() if width is None else width) >= self._one_row_width()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        """The height depends on the width: one row or two."""
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        """One row when all fits, else two."""
        row = self._row_height()
        return row if self.one_row(width) else 2 * row + _SPACING

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """Wide enough for one row."""
        _, preferred = self._gauge_widths()
        width = preferred + _SPACING + self.speed.sizeHint().width() + _SPACING + self._buttons_width()
        return QSize(width, self._row_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """Two rows: the gauge and a little speed above, the buttons below."""
        least, _ = self._gauge_widths()
        width = max(least + _SPACING + self.speed.minimumSizeHint().width(), self._buttons_width())
        return QSize(width, self._row_height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """Place the four widgets for the new width."""
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        width, row = self.width(), self._row_height()
        least, preferred = self._gauge_widths()
        stop_w, send_w = self.stop_button.sizeHint().width(), self.send_button.sizeHint().width()
        buttons = self._buttons_width()
        one_row = self.one_row(width)
        left_width = width - buttons - _SPACING if one_row else width
        speed_least = self.speed.minimumSizeHint().width()
        gauge_w = max(min(preferred, left_width - _SPACING - self.speed.sizeHint().width()), least)
        gauge_w = min(gauge_w, max(left_width - _SPACING - speed_least, 0))
        self.gauge.setGeometry(QRect(0, 0, gauge_w, row))
        speed_x = gauge_w + _SPACING
        self.speed.setGeometry(QRect(speed_x, 0, max(left_width - speed_x, 0), row))
        top = 0 if one_row else row + _SPACING
        self.send_button.setGeometry(QRect(width - send_w, top, send_w, row))
        self.stop_button.setGeometry(QRect(width - send_w - _SPACING - stop_w, top, stop_w, row))
        self.setMinimumHeight(self.heightForWidth(width))
