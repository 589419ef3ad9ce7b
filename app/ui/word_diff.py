"""A proposed edit laid out for review: aligned old | new rows per hunk, and the words that changed.

Qt-free text work. The rows come from the edit's own unified diff, so hunk `i` here is hunk
`i` of the diff the core applies (`app.core.agent.edits.hunks` numbers them the same way).
With the file's current text the rows between hunks are filled in, so the whole file reads
with its syntax colours; without it a gap row stands for the unchanged lines.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
# Words, runs of spaces, and single punctuation marks: a changed argument lights up alone.
_TOKEN = re.compile(r"\d+(?:\.\d+)?|\w+|\s+|[^\w\s]")

Span = tuple[int, int]  # start, length (characters of one line)


@dataclass(frozen=True)
class Row:
    """One line of the review: the old line beside the new one (None: no line on that side).

    `hunk` is the hunk the row's change belongs to (-1: an unchanged line); `gap` marks the
    stand-in for unchanged lines that are not shown.
    """

    old_no: int | None
    old: str | None
    new_no: int | None
    new: str | None
    hunk: int = -1
    old_words: tuple[Span, ...] = ()
    new_words: tuple[Span, ...] = ()
    gap: bool = False

    @property
    def changed(self) -> bool:
        """Whether the row is part of a change (not context)."""
        return self.hunk >= 0


@dataclass
class Layout:
    """The rows of a review and, per hunk, the range of rows it covers."""

    rows: list[Row] = field(default_factory=list)
    hunks: list[tuple[int, int]] = field(default_factory=list)  # first row, end row (exclusive)


def changed_words(old: str, new: str) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """The character spans of `old` and `new` that differ, token by token (words, spaces, marks)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    old_spans: list[Span] = []
    new_spans: list[Span] = []
    a_pos = [0]
    for tok in a:
        a_pos.append(a_pos[-1] + len(tok))
    b_pos = [0]
    for tok in b:
        b_pos.append(b_pos[-1] + len(tok))
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            old_spans.append((a_pos[i1], a_pos[i2] - a_pos[i1]))
        if j2 > j1:
            new_spans.append((b_pos[j1], b_pos[j2] - b_pos[j1]))
    return tuple(old_spans), tuple(new_spans)


def layout(diff: str, *, old_text: str | None = None) -> Layout:
    """The review rows of a unified diff; `old_text` (the file now) fills in the unchanged lines.

    `old_text` is ignored when it does not match the diff's context (the file changed since).
    """
    hunks = _parse(diff)
    old_lines = old_text.split("\n") if old_text is not None else None
    if old_lines is not None and old_lines and old_lines[-1] == "":
        old_lines.pop()
    if old_lines is not None and not _matches(hunks, old_lines):
        old_lines = None
    out = Layout()
    old_no, new_no = 1, 1
    for index, (old_start, new_start, lines) in enumerate(hunks):
        # An empty side's start is the line before it (`-0,0`): count from the next one.
        first_old = old_start if any(kind != "+" for kind, _ in lines) else old_start + 1
        first_new = new_start if any(kind != "-" for kind, _ in lines) else new_start + 1
        _fill(out, old_lines, old_no, first_old, new_no)
        start = len(out.rows)
        old_no, new_no = first_old, first_new
        old_no, new_no = _hunk_rows(out, lines, index, old_no, new_no)
        out.hunks.append((start, len(out.rows)))
    end = len(old_lines) + 1 if old_lines is not None else old_no
    _fill(out, old_lines, old_no, end, new_no, tail=True)
    return out


def _parse(diff: str) -> list[tuple[int, int, list[tuple[str, str]]]]:
    hunks: list[tuple[int, int, list[tuple[str, str]]]] = []
    for line in diff.split("\n"):
        m = _HUNK.match(line)
        if m:
            hunks.append((int(m.group(1)), int(m.group(3)), []))
        elif hunks and line[:1] in (" ", "+", "-"):
            hunks[-1][2].append((line[0], line[1:]))
        elif hunks and line == "":
            continue  # the diff's last newline (an empty context line always has its space)
    return hunks


def _matches(hunks: list[tuple[int, int, list[tuple[str, str]]]], old_lines: list[str]) -> bool:
    for old_start, _new_start, lines in hunks:
        olds = [text for kind, text in lines if kind != "+"]
        if not olds:
            continue
        if old_lines[old_start - 1 : old_start - 1 + len(olds)] != olds:
            return False
    return True


def _fill(
    out: Layout, old_lines: list[str] | None, old_no: int, until: int, new_no: int, *, tail: bool = False
) -> None:
    """Unchanged rows for old lines `old_no`..`until`-1 (a gap row when the text is unknown)."""
    if until <= old_no:
        return
    if old_lines is None:
        if not tail:
            out.rows.append(Row(None, None, None, None, gap=True))
        return
    for k in range(until - old_no):
        text = old_lines[old_no - 1 + k]
        out.rows.append(Row(old_no + k, text, new_no + k, text))


def _hunk_rows(
    out: Layout, lines: list[tuple[str, str]], index: int, old_no: int, new_no: int
) -> tuple[int, int]:
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        nonlocal old_no, new_no
        for k in range(max(len(removed), len(added))):
            old = removed[k] if k < len(removed) else None
            new = added[k] if k < len(added) else None
            words: tuple[tuple[Span, ...], tuple[Span, ...]] = ((), ())
            if old is not None and new is not None:
                words = changed_words(old, new)
            out.rows.append(
                Row(
                    old_no if old is not None else None,
                    old,
                    new_no if new is not None else None,
                    new,
                    hunk=index,
                    old_words=words[0],
                    new_words=words[1],
                )
            )
            old_no += old is not None
            new_no += new is not None
        removed.clear()
        added.clear()

    for kind, text in lines:
        if kind == "-":
            if added:
                flush()
            removed.append(text)
        elif kind == "+":
            added.append(text)
        else:
            flush()
            out.rows.append(Row(old_no, text, new_no, text))
            old_no += 1
            new_no += 1
    flush()
    return old_no, new_no
