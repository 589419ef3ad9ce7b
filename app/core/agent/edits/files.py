"""Write files atomically, keep an in-memory undo stack, and render unified diffs."""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from pathlib import Path

from app.core.atomic_file import write_atomic
from app.core.errors import EnclaveError

logger = logging.getLogger(__name__)


def unified_diff(old: str, new: str, *, path: str) -> str:
    """A unified diff of `old` -> `new` with a/ and b/ paths (an empty `old` is a new file)."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile="/dev/null" if old == "" else f"a/{path}",
        tofile=f"b/{path}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (see `app.core.atomic_file`).

    Raises:
        EnclaveError: the folder cannot be written.

    """
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise EnclaveError(f"could not write {path.name}: {exc.strerror or exc}") from exc


@dataclass(frozen=True)
class UndoEntry:
    """How to put one file back: its bytes before the edit, or None if the edit created it."""

    path: Path
    relpath: str
    before: bytes | None


class UndoStack:
    """Applied edits, newest last; lives in memory only."""

    def __init__(self) -> None:
        self._entries: list[UndoEntry] = []

    def __len__(self) -> int:
        return len(self._entries)

    def push(self, entry: UndoEntry) -> None:
        """Remember how to revert an edit that was just applied."""
        self._entries.append(entry)

    def undo(self) -> UndoEntry | None:
        """Revert the newest edit (atomically); None when there is nothing to undo."""
        if not self._entries:
            return None
        entry = self._entries.pop()
        if entry.before is None:
            entry.path.unlink(missing_ok=True)
        else:
            atomic_write(entry.path, entry.before)
        logger.info("undid an edit (%d bytes restored)", len(entry.before or b""))
        return entry
