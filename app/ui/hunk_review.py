"""The user's decisions on one proposed edit, hunk by hunk, shared by its card and its review view.

Each hunk is undecided, accepted or rejected. Deciding the last undecided hunk answers the
edit: the accepted hunks are written (all of them: the whole edit; none: a rejection).
"Accept all" accepts the hunks still undecided and keeps the ones already turned down;
"Reject all" writes nothing. The answer goes to the core's reply slot, the same path the
agent's gate waits on, so permissions, undo and the model's report stay as they were.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class HunkReview(QObject):
    """Decisions for the hunks of one edit; `answered` fires once, with once | reject and the hunks."""

    changed = Signal()  # a hunk's decision changed (or the edit was answered)
    answered = Signal(str, object)  # once | reject, and the accepted hunks (None: all of them)

    def __init__(
        self, *, edit_id: int, path: str, hunks: int, waiting: bool, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.edit_id = edit_id
        self.path = path
        self.states: list[bool | None] = [None] * max(1, hunks)
        self.open = waiting  # False once answered (or when nothing was asked)

    @property
    def count(self) -> int:
        """How many hunks the edit has (at least one)."""
        return len(self.states)

    def undecided(self) -> list[int]:
        """The hunks not yet accepted or rejected."""
        return [i for i, s in enumerate(self.states) if s is None]

    def set_hunk(self, index: int, *, accepted: bool | None, settle: bool = True) -> None:
        """Accept, reject or clear one hunk; with `settle`, the last decision answers the edit.

        The card's check boxes pass `settle=False`: unticking every box is not yet an answer.
        """
        if not self.open or not 0 <= index < len(self.states) or self.states[index] is accepted:
            return
        self.states[index] = accepted
        if settle and not self.undecided():
            self._answer()
        else:
            self.changed.emit()

    def accept_rest(self) -> None:
        """Accept every undecided hunk and answer (the hunks already rejected stay out)."""
        if not self.open:
            return
        self.states = [True if s is None else s for s in self.states]
        self._answer()

    def reject_all(self) -> None:
        """Answer with a rejection: nothing is written."""
        if not self.open:
            return
        self.states = [False] * len(self.states)
        self._answer()

    def close(self) -> None:
        """The core settled the edit without this review (a cancelled turn): nothing more to decide."""
        if self.open:
            self.open = False
            self.changed.emit()

    def _answer(self) -> None:
        self.open = False
        accepted = [i for i, s in enumerate(self.states) if s]
        self.changed.emit()
        if not accepted:
            self.answered.emit("reject", None)
        else:
            self.answered.emit("once", None if len(accepted) == len(self.states) else accepted)
