"""How long to wait after a keystroke before asking for a completion (Tabby's adaptive debounce).

A fast typist gets a short wait and a slow one a longer one: the base is the mean of recent
keystroke intervals (200 ms until enough are seen), scaled by how likely a completion is
wanted here (less wait after a non-word character and at the end of a line), minus what the
model usually takes to answer, clamped to `MIN_MS`..`MAX_MS`.
"""

from __future__ import annotations

from collections import deque

BASE_MS = 200.0
MIN_MS = 100
MAX_MS = 400
SAMPLES = 100  # keystroke intervals kept
MIN_SAMPLES = 20  # before this many, the base stays BASE_MS
PAUSE_S = 2.0  # a longer gap is a pause, not typing rhythm


class AdaptiveDebounce:
    """Keystroke intervals and answer times in, a delay in milliseconds out."""

    def __init__(self) -> None:
        self._intervals: deque[float] = deque(maxlen=SAMPLES)
        self._answers: deque[float] = deque(maxlen=20)
        self._last: float | None = None

    def keystroke(self, now: float) -> None:
        """A keystroke at `now` (seconds, a monotonic clock)."""
        if self._last is not None and 0 <= now - self._last < PAUSE_S:
            self._intervals.append((now - self._last) * 1000)
        self._last = now

    def answered(self, seconds: float) -> None:
        """A request took `seconds` from asking to answer."""
        self._answers.append(seconds * 1000)

    def delay_ms(self, context: tuple[bool, bool]) -> int:
        """The wait before asking; `context` is (after a non-word character, at the end of the line)."""
        after_symbol, line_end = context
        base = sum(self._intervals) / len(self._intervals) if len(self._intervals) >= MIN_SAMPLES else BASE_MS
        score = (0.5 if after_symbol else 0.0) + (0.4 if line_end else 0.0)
        rate = 3.0 - 1.5 * score  # 3.0 mid-word down to about 1.65 after a symbol at the end of a line
        expected = sorted(self._answers)[len(self._answers) // 2] if self._answers else 0.0
        return round(max(MIN_MS, min(MAX_MS, rate * base - expected)))
