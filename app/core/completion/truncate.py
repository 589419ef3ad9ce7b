"""Where a completion should end: at the end of the line, at a dedent out of the block, or a line cap.

A base model keeps writing past the point a user wants ghost text for: the rest of the
function, the next function, the suffix again. `Truncator` watches the text as it streams and
says when to stop, the way editors' completion engines cut FIM output.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator

MAX_LINES = 8


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


class Truncator:
    """Feed streamed text; it keeps what belongs to the completion and says when it is over."""

    def __init__(self, *, line_before: str, suffix: str, max_lines: int = MAX_LINES) -> None:
        rest_of_line, _, after = suffix.partition("\n")
        # Text right of the cursor: complete this line only.
        self._single_line = bool(rest_of_line.strip())
        self._max_lines = 1 if self._single_line else max_lines
        # The block the cursor is in: a later line indented less has left it.
        self._block = _indent(line_before) if line_before.strip() else len(line_before)
        self._next_line = next((ln.strip() for ln in after.split("\n") if ln.strip()), "")
        self._text = ""
        self._done = False

    @property
    def done(self) -> bool:
        """Whether the completion has ended."""
        return self._done

    def feed(self, piece: str) -> None:
        """Take the next streamed piece."""
        if not self._done:
            self._text += piece
            self._check()

    def result(self) -> str:
        """The completion: whole lines up to where it should stop, trailing blank lines dropped."""
        return self._cut(self._text)

    def _cut(self, text: str) -> str:
        kept: list[str] = []
        for number, line in enumerate(text.split("\n")):
            if number >= self._max_lines or (number > 0 and self._leaves_block(line)):
                break
            kept.append(line)
        while len(kept) > 1 and not kept[-1].strip():
            kept.pop()
        return "\n".join(kept).rstrip() if len(kept) > 1 else (kept[0] if kept else "")

    def shown(self) -> str:
        """What may be shown while it streams: the first line as it grows, later lines once whole.

        A later line is judged (kept or cut) only when its newline has come, so what is shown
        only grows and is always the start of the final `result()`.
        """
        if "\n" not in self._text:
            return self._text
        return self._cut(self._text[: self._text.rfind("\n")])

    def _leaves_block(self, line: str) -> bool:
        if not line.strip():
            return False
        if self._next_line and line.strip() == self._next_line:
            return True  # the model is writing the suffix again
        return _indent(line) < self._block

    def _check(self) -> None:
        complete = self._text.split("\n")[:-1]  # lines whose newline has been seen
        leaves = len(complete) > 1 and self._leaves_block(complete[-1])
        if leaves or len(complete) >= self._max_lines:
            self._done = True


def read_until_cut(
    pieces: Iterator[str], cut: Truncator, *, deadline: float
) -> Generator[str, None, tuple[str, int]]:
    """Feed `pieces` to `cut` until it is done, they run out, or `time.perf_counter()` passes `deadline`.

    Yields `cut.shown()` each time it grows (ghost text can appear with the first token);
    returns how it ended (`cut`, `time` or `stop`) and the pieces read. Closes `pieces` when it
    stops early, so generation stops too.
    """
    count = 0
    shown = ""
    try:
        for piece in pieces:
            count += 1
            cut.feed(piece)
            if cut.done:
                return "cut", count
            now = cut.shown()
            if now != shown and now.strip():
                shown = now
                yield now
            if time.perf_counter() > deadline:
                return "time", count
        return "stop", count
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()
