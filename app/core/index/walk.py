"""Walk a project the way git sees it, for the index and for the agent's grep/glob tools."""

from __future__ import annotations

import logging
import os
import stat
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.index.ignore import IgnoreRules
from app.core.privacy.secrets import is_secret_path

logger = logging.getLogger(__name__)

_HAND_OVER_S = 0.002  # walking time between GIL hand-overs

DEFAULT_MAX_FILE_BYTES = 1_000_000
# A folder with more files than this is not one project (a home folder dropped by mistake):
# the walk stops there instead of filling memory, and says so.
DEFAULT_MAX_FILES = 50_000


@dataclass(frozen=True)
class WalkEntry:
    """One file the walk lets through; `path` is project-relative with `/` separators."""

    path: str
    abspath: Path
    size: int
    mtime_ns: int


@dataclass
class WalkStats:
    """What the walk saw and why it skipped what it skipped (mutable while walking)."""

    files_seen: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unreadable_dirs: int = 0
    truncated: bool = False  # stopped at `max_files`


def walk(
    root: str | os.PathLike[str],
    *,
    cancel: CancelToken | None = None,
    stats: WalkStats | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_files: int | None = None,
    extra_ignores: tuple[str, ...] = (),
) -> Iterator[WalkEntry]:
    """Yield the project's files in a stable order, honouring every ignore rule.

    With `max_files`, stops after that many files and sets `stats.truncated`.

    Skips (counted in `stats.skipped` by reason): `ignored`, `secret` (the security list,
    which no ignore file can re-include), `oversized`, `symlink_outside`, `symlink_loop`,
    `special` (sockets, fifos, devices), `unreadable`. Symlinks are followed only while they
    stay inside the project, and each real folder is entered once.
    """
    root_path = Path(root).resolve()
    stats = stats if stats is not None else WalkStats()
    rules = IgnoreRules.for_root(root_path, extra_patterns=extra_ignores)
    visited: set[tuple[int, int]] = set()
    try:
        st = root_path.stat()
        visited.add((st.st_dev, st.st_ino))
    except OSError:
        stats.unreadable_dirs += 1
        return
    stack: list[tuple[Path, str, IgnoreRules]] = [(root_path, "", rules)]
    yielded = 0
    hand_over_at = time.perf_counter() + _HAND_OVER_S
    while stack:
        if cancel is not None:
            cancel.raise_if_cancelled()
        folder, rel_folder, folder_rules = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            stats.unreadable_dirs += 1
            stats.skipped["unreadable"] += 1
            continue
        subdirs: list[tuple[Path, str, IgnoreRules]] = []
        for entry in entries:
            if time.perf_counter() >= hand_over_at:
                # The walk is a busy Python loop. In the app it runs beside the GUI thread,
                # whose Qt callbacks into Python (a tree row's filter, a size hint) each wait
                # for the GIL up to a switch interval (5 ms) while this thread holds it: the
                # tree's listing of a big folder, during the walk, stalled the window ~50 ms.
                # Sleeping 0 s hands the GIL to a waiting thread (~0.1 ms, so only every 2 ms).
                time.sleep(0)
                hand_over_at = time.perf_counter() + _HAND_OVER_S
            rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
            kind = _classify(entry, root_path, visited, stats)
            if kind is None:
                continue
            is_dir, st = kind
            if not is_dir:
                stats.files_seen += 1
            if is_secret_path(rel):
                stats.skipped["secret"] += 1
                continue
            if folder_rules.ignored(rel, is_dir=is_dir):
                if not is_dir:
                    stats.skipped["ignored"] += 1
                continue
            path = Path(entry.path)
            if is_dir:
                visited.add((st.st_dev, st.st_ino))
                subdirs.append((path, rel, folder_rules.descend(path, rel)))
                continue
            if st.st_size > max_file_bytes:
                stats.skipped["oversized"] += 1
                continue
            if max_files is not None and yielded >= max_files:
                stats.truncated = True
                return
            yielded += 1
            yield WalkEntry(path=rel, abspath=path, size=st.st_size, mtime_ns=st.st_mtime_ns)
        # Reversed so the stack pops folders in name order (stable output).
        stack.extend(reversed(subdirs))


def _classify(
    entry: os.DirEntry[str], root: Path, visited: set[tuple[int, int]], stats: WalkStats
) -> tuple[bool, os.stat_result] | None:
    """(is_dir, stat) for an entry worth looking at, or None after counting why not."""
    try:
        is_link = entry.is_symlink()
        st = entry.stat(follow_symlinks=True)
    except OSError:
        # A dangling symlink or a file that vanished or cannot be stat'ed.
        stats.skipped["unreadable"] += 1
        return None
    if is_link:
        try:
            target = Path(entry.path).resolve(strict=True)
        except (OSError, RuntimeError):
            stats.skipped["symlink_loop"] += 1
            return None
        if not target.is_relative_to(root):
            stats.skipped["symlink_outside"] += 1
            return None
    if stat.S_ISDIR(st.st_mode):
        if (st.st_dev, st.st_ino) in visited:
            stats.skipped["symlink_loop"] += 1
            return None
        return True, st
    if not stat.S_ISREG(st.st_mode):
        stats.skipped["special"] += 1
        return None
    return False, st


def is_indexable(root: str | os.PathLike[str], rel: str, *, extra_ignores: tuple[str, ...] = ()) -> bool:
    """Whether the walk would consider `rel` (ignore rules, security list); size is not checked."""
    rel = rel.replace("\\", "/").strip("/")
    if not rel or is_secret_path(rel) or rel.startswith("../"):
        return False
    root_path = Path(root).resolve()
    rules = IgnoreRules.for_root(root_path, extra_patterns=extra_ignores)
    parts = rel.split("/")
    for depth in range(1, len(parts)):
        folder = "/".join(parts[:depth])
        if rules.ignored(folder, is_dir=True):
            return False
        rules = rules.descend(root_path / folder, folder)
    return not rules.ignored(rel, is_dir=False)
