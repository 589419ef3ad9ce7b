"""What the chat footer's gauge and speed label say: context used, prompt reading, speed.

The footer lays them out; this decides their text, so the chat pane only reports what
happened (reading, stopping, an answer's numbers, a branch switch).
"""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar

from app.core.conversation import Conversation, ReplyStats
from app.ui.elided_label import ElidedLabel


class ChatMeters:
    """The context gauge and the speed label of one chat pane."""

    def __init__(self, *, gauge: QProgressBar, speed: ElidedLabel) -> None:
        self._gauge = gauge
        self._speed = speed
        self.reading = False  # the speed label shows the prompt-reading progress

    @property
    def size(self) -> int:
        """The model's context window in tokens (1 before a model is loaded)."""
        return self._gauge.maximum()

    def set_context(self, *, used: int, size: int) -> None:
        """The context gauge: exact tokens used of the model's window."""
        self._gauge.setMaximum(max(size, 1))
        self._gauge.setValue(min(used, max(size, 1)))
        self._gauge.setFormat(f"{used:,} / {size:,} tokens" if size else "no model")

    def show_reading(self, *, done: int, total: int, prompt: int) -> None:
        """The model is reading the prompt: how far it got, and the gauge kept live."""
        percent = 100 * done // max(total, 1)
        self._say(f"Reading {total:,} tokens… {percent}%", short=f"Reading… {percent}%")
        self._speed.setToolTip("The model reads the prompt (project map, files, history) before it answers")
        self.reading = True
        if self.size > 1:
            self.set_context(used=prompt - (total - done), size=self.size)

    def answer_started(self) -> None:
        """The first words arrived: the reading note has done its job."""
        if self.reading:
            self.reading = False
            self._say("", short="")

    def show_stopping(self) -> None:
        """Stop was pressed; the model stops at its next token (or prompt batch)."""
        self._say("Stopping…", short="Stopping…")

    def show_stats(self, stats: ReplyStats | None) -> None:
        """An answer's speed (nothing when it was stopped before any numbers came)."""
        self.reading = False
        if stats is None:
            self._say("", short="")
            self._speed.setToolTip("")
            return
        ttft = stats.ttft_s
        short = f"{stats.tokens_per_s:.1f} tok/s"
        text = short + (f" · first token {ttft:.2f} s" if ttft is not None else "")
        self._say(text, short=short)  # the number shown whole where the long text does not fit
        self._speed.setToolTip(text)  # the label elides in a narrow pane

    def follow_branch(self, conversation: Conversation) -> None:
        """The gauge shows what the branch on screen used (its last answer's prompt and reply)."""
        if self.size <= 1:
            return
        used = 0
        for turn in reversed(conversation.active_path()):
            stats = turn.stats
            if turn.role == "assistant" and stats is not None:
                used = int(getattr(stats, "prompt_tokens", 0)) + stats.completion_tokens
                break
        self.set_context(used=used, size=self.size)

    def _say(self, text: str, *, short: str) -> None:
        self._speed.setText(text)
        self._speed.set_short_text(short)
