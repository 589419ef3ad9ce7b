"""Write files atomically, keep an in-memory undo stack, and render unified diffs."""

from __future__ import annotations

import difflib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

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
    """Replace `path` with `data` via a temp file in the same folder and a rename.

    A crash or a full disk leaves either the old file or the new one, never half of one.
    The old file's permission bits are kept.

    Raises:
        EnclaveError: the folder cannot be written.

    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".enclave-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise EnclaveError(f"could not write {path.name}: {exc.strerror or exc}") from exc
        raise


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
