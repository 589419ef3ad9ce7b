"""Hunks of a proposed edit: split its diff, and apply only the hunks the user accepted.

The hunks are numbered the way `unified_diff` (difflib, 3 lines of context) groups them, so
hunk `i` of the diff text the user reviews is group `i` here.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection

CONTEXT = 3


def split_hunks(diff: str) -> tuple[str, list[str]]:
    """(file header, hunks) of a unified diff; each hunk starts with its `@@` line.

    Content lines always start with a space, '+', '-' or a backslash, so a line starting with `@@` is
    a hunk header whatever the file holds.
    """
    header: list[str] = []
    hunks: list[list[str]] = []
    for line in diff.splitlines(keepends=True):
        if line.startswith("@@"):
            hunks.append([line])
        elif hunks:
            hunks[-1].append(line)
        else:
            header.append(line)
    return "".join(header), ["".join(h) for h in hunks]


def hunk_count(old: str, new: str) -> int:
    """How many hunks the diff of `old` -> `new` has."""
    return len(_groups(old, new))


def apply_hunks(old: str, new: str, accepted: Collection[int]) -> str:
    """`old` with only the changes of the accepted hunks (0-based) of `old` -> `new` made.

    Raises:
        ValueError: a hunk number is not in the diff.

    """
    groups = _groups(old, new)
    unknown = [i for i in accepted if not 0 <= i < len(groups)]
    if unknown:
        raise ValueError(f"the edit has {len(groups)} hunks; no hunk {unknown[0] + 1}")
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    taken = {op for i in accepted for op in groups[i] if op[0] != "equal"}
    out: list[str] = []
    for op in difflib.SequenceMatcher(None, a, b).get_opcodes():
        tag, i1, i2, j1, j2 = op
        out.extend(b[j1:j2] if tag != "equal" and op in taken else a[i1:i2])
    return "".join(out)


def _groups(old: str, new: str) -> list[list[tuple[str, int, int, int, int]]]:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, a, b)
    return [list(g) for g in matcher.get_grouped_opcodes(CONTEXT)]
