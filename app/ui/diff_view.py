"""Review one proposed edit in the editor area: old | new side by side, or inline, hunk by hunk.

Keys while the view has the focus: Alt+Down / Alt+Up move between hunks, Ctrl+Enter accepts
the current hunk and Ctrl+Backspace rejects it (the view then moves to the next undecided
one). Accept all / Reject all are the window's Ctrl+Shift+Enter / Ctrl+Shift+Backspace.
The decisions go to a `HunkReview`, which answers the core when the last hunk is decided.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QToolBar, QToolButton, QVBoxLayout, QWidget

from app.ui.chat_styles import dim_colour
from app.ui.diff_pane import DiffPane, PaneLine
from app.ui.hunk_review import HunkReview
from app.ui.theme import is_dark
from app.ui.word_diff import Layout, Row

SIDE_BY_SIDE_MIN_WIDTH = 900  # narrower than this, a new view starts inline
_MARKS = {None: "·", True: "✓", False: "✗"}


def side_lines(rows: list[Row]) -> tuple[list[PaneLine], list[PaneLine]]:
    """The old and the new pane's lines, row for row (filler lines keep them level)."""
    left: list[PaneLine] = []
    right: list[PaneLine] = []
    for row in rows:
        if row.gap:
            left.append(PaneLine("", None, "gap"))
            right.append(PaneLine("", None, "gap"))
            continue
        changed = row.changed
        left.append(
            PaneLine(row.old or "", row.old_no, ("removed" if row.old is not None else "filler") if changed else "same",
                     row.hunk, row.old_words)
        )  # fmt: skip
        right.append(
            PaneLine(row.new or "", row.new_no, ("added" if row.new is not None else "filler") if changed else "same",
                     row.hunk, row.new_words)
        )  # fmt: skip
    return left, right


def inline_lines(rows: list[Row]) -> list[PaneLine]:
    """One pane's lines, as in the editor: each change's removed lines, then its added lines."""
    out: list[PaneLine] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        if row.gap:
            out.append(PaneLine("", None, "gap"))
            i += 1
        elif not row.changed:
            out.append(PaneLine(row.new or "", row.new_no, "same"))
            i += 1
        else:
            j = i
            while j < len(rows) and rows[j].changed and rows[j].hunk == row.hunk:
                j += 1
            run = rows[i:j]
            out += [
                PaneLine(r.old, r.old_no, "removed", r.hunk, r.old_words) for r in run if r.old is not None
            ]
            out += [PaneLine(r.new, r.new_no, "added", r.hunk, r.new_words) for r in run if r.new is not None]
            i = j
    return out


class DiffView(QWidget):
    """The review of one edit; emits `close_requested` once it is answered."""

    close_requested = Signal()

    def __init__(self, review: HunkReview, layout: Layout, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review = review
        self.setAccessibleName(f"Review of the edit to {review.path}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.current = 0
        self._rows = layout.rows
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)  # a long path must not set the editor area's minimum width
        # A tool bar, not a row of push buttons: in a narrow window the buttons that do not fit
        # move to its overflow menu instead of widening the editor area.
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setStyleSheet(
            "QToolButton#reviewButton { border: 1px solid palette(mid); border-radius: 3px; padding: 2px 8px;"
            " margin: 1px; } QToolButton#reviewButton:checked { background: palette(highlight); color: palette(highlighted-text); }"
        )
        self.marks = QLabel(self)
        self.marks.setAccessibleName("Hunk decisions")
        self.prev_button = self._button("↑", "Previous hunk (Alt+Up)")
        self.next_button = self._button("↓", "Next hunk (Alt+Down)")
        self.accept_hunk_button = self._button("Accept hunk", "Accept this hunk (Ctrl+Enter)")
        self.reject_hunk_button = self._button("Reject hunk", "Reject this hunk (Ctrl+Backspace)")
        self.accept_all_button = self._button(
            "Accept all", "Write every hunk not rejected (Ctrl+Shift+Enter)"
        )
        self.reject_all_button = self._button("Reject all", "Write nothing (Ctrl+Shift+Backspace)")
        self.inline_button = self._button("Inline", "Show the change inline or side by side (Ctrl+Alt+I)")
        self.inline_button.defaultAction().setCheckable(True)
        self.old_pane = DiffPane(path=review.path, parent=self)
        self.new_pane = DiffPane(path=review.path, parent=self)
        self.inline_pane = DiffPane(path=review.path, parent=self)
        self.old_pane.setAccessibleName(f"{review.path} before the edit")
        self.new_pane.setAccessibleName(f"{review.path} after the edit")
        self.inline_pane.setAccessibleName(f"{review.path} with the edit inline")
        left, right = side_lines(layout.rows)
        self.old_pane.set_lines(left)
        self.new_pane.set_lines(right)
        self.inline_pane.set_lines(inline_lines(layout.rows))
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.old_pane)
        self.split.addWidget(self.new_pane)
        for a, b in ((self.old_pane, self.new_pane), (self.new_pane, self.old_pane)):
            a.verticalScrollBar().valueChanged.connect(b.verticalScrollBar().setValue)
            a.horizontalScrollBar().valueChanged.connect(b.horizontalScrollBar().setValue)
        self._build_layout()
        self._keys()
        self.prev_button.defaultAction().triggered.connect(lambda: self.go_to_hunk(self.current - 1))
        self.next_button.defaultAction().triggered.connect(lambda: self.go_to_hunk(self.current + 1))
        self.accept_hunk_button.defaultAction().triggered.connect(lambda: self.decide_current(accepted=True))
        self.reject_hunk_button.defaultAction().triggered.connect(lambda: self.decide_current(accepted=False))
        self.accept_all_button.defaultAction().triggered.connect(review.accept_rest)
        self.reject_all_button.defaultAction().triggered.connect(review.reject_all)
        self.inline_button.defaultAction().toggled.connect(self._on_inline_toggled)
        review.changed.connect(self._on_review_changed)
        self._on_review_changed()
        self.go_to_hunk(0)

    @property
    def inline(self) -> bool:
        """Whether the change is shown inline (one pane) rather than side by side."""
        return self.inline_button.defaultAction().isChecked()

    def set_inline(self, *, inline: bool) -> None:
        """Show the change inline or side by side."""
        self.inline_button.defaultAction().setChecked(inline)

    def panes(self) -> list[DiffPane]:
        """The panes on screen."""
        return [self.inline_pane] if self.inline else [self.old_pane, self.new_pane]

    def go_to_hunk(self, index: int) -> None:
        """Make hunk `index` the current one and scroll it into view."""
        self.current = max(0, min(self.review.count - 1, index))
        for pane in (self.old_pane, self.new_pane, self.inline_pane):
            pane.set_current_hunk(self.current, states=self.review.states)
        for pane in (self.new_pane, self.inline_pane):
            line = pane.first_line_of(self.current)
            if line >= 0:
                pane.verticalScrollBar().setValue(max(0, line - 3))
        self._on_review_changed()

    def decide_current(self, *, accepted: bool) -> None:
        """Accept or reject the current hunk, then move to the next undecided one."""
        index = self.current
        self.review.set_hunk(index, accepted=accepted)
        rest = self.review.undecided()
        if rest:
            later = [i for i in rest if i > index]
            self.go_to_hunk(later[0] if later else rest[0])

    def _on_review_changed(self) -> None:
        review = self.review
        states = review.states
        state = {None: "undecided", True: "accepted", False: "rejected"}[states[self.current]]
        self.title.setText(
            f"<b>{html.escape(review.path)}</b> &nbsp;hunk {self.current + 1} of {review.count}: {state}"
        )
        self.marks.setText("  ".join(f"{i + 1} {_MARKS[s]}" for i, s in enumerate(states)))
        self.marks.setToolTip("✓ accepted, ✗ rejected, · undecided")
        for pane in (self.old_pane, self.new_pane, self.inline_pane):
            pane.set_current_hunk(self.current, states=states)
        for button in (self.accept_hunk_button, self.reject_hunk_button, self.accept_all_button,
                       self.reject_all_button):  # fmt: skip
            button.defaultAction().setEnabled(review.open)
        self.prev_button.defaultAction().setEnabled(self.current > 0)
        self.next_button.defaultAction().setEnabled(self.current < review.count - 1)
        if not review.open:
            self.close_requested.emit()

    def _on_inline_toggled(self, inline: bool) -> None:  # noqa: FBT001 (Qt signal)
        self.split.setVisible(not inline)
        self.inline_pane.setVisible(inline)
        self.go_to_hunk(self.current)

    def _button(self, text: str, tip: str) -> QToolButton:
        if text in ("Accept hunk", "Accept all", "Inline"):
            self.toolbar.addSeparator()
        action = QAction(text, self)
        action.setToolTip(tip)
        self.toolbar.addAction(action)
        button = self.toolbar.widgetForAction(action)
        assert isinstance(button, QToolButton)
        button.setAccessibleName(tip.split(" (")[0])
        button.setObjectName("reviewButton")
        return button

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.marks)
        hint = QLabel("Alt+↑/↓ hunk · Ctrl+Enter accept · Ctrl+Backspace reject (with Shift: all)", self)
        hint.setStyleSheet(f"color: {dim_colour(dark=is_dark(self.palette()))}")
        hint.setWordWrap(True)
        hint.setContentsMargins(6, 0, 6, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.toolbar)
        layout.addWidget(hint)
        layout.addWidget(self.split, 1)
        layout.addWidget(self.inline_pane, 1)
        self.inline_pane.hide()

    def _keys(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (("Alt+Down",), lambda: self.go_to_hunk(self.current + 1)),
            (("Alt+Up",), lambda: self.go_to_hunk(self.current - 1)),
            (("Ctrl+Return", "Ctrl+Enter"), lambda: self.decide_current(accepted=True)),
            (("Ctrl+Backspace",), lambda: self.decide_current(accepted=False)),
            (("Ctrl+Alt+I",), lambda: self.set_inline(inline=not self.inline)),
        ):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self, context=context)
                shortcut.activated.connect(slot)
