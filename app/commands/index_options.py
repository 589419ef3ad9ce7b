"""The index options the project commands share, and opening a project with them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.commands.arguments import positive_int

if TYPE_CHECKING:
    from app.core.cancel import CancelToken
    from app.core.index import ProjectIndex


def add_index_options(p: Any) -> None:
    """`--max-files`: how many files to index before stopping (a folder that is not one project)."""
    # The default is resolved in open_index: importing the index here would slow every command.
    p.add_argument(
        "--max-files",
        type=positive_int,
        default=None,
        metavar="N",
        help="stop indexing after N files (default 50,000)",
    )


def open_index(
    args: argparse.Namespace, root: str, *, workers: int | None = None, cancel: CancelToken | None = None
) -> ProjectIndex:
    """Build the index of `root`, warning on stderr when the file limit cut it short."""
    from pathlib import Path

    from app.commands.output import warn
    from app.core import services

    index = services.open_index(Path(root), workers=workers, max_files=args.max_files, cancel=cancel)
    stats = index.stats
    if stats is not None and stats.truncated:
        warn(
            f"indexed only the first {stats.max_files:,} files of {root}: add ignore rules to "
            ".enclaveignore (gitignore syntax) or pass --max-files"
        )
    return index
