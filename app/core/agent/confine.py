"""Keep every path a tool touches inside the project root."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from app.core.errors import ToolError


class ProjectRoot:
    """The project folder; resolves model-given paths and refuses any that leave it."""

    def __init__(self, root: Path) -> None:
        self.path = Path(os.path.realpath(root))
        if not self.path.is_dir():
            raise NotADirectoryError(str(root))

    def resolve(self, raw: str, *, for_write: bool = False) -> Path:
        """The real path of `raw` (relative to the root, or absolute inside it).

        Symlinks are followed before the check, so one that points outside is refused.

        Raises:
            ToolError: the path is empty, malformed, or leads outside the project.

        """
        text = str(raw).strip().replace("\\", "/")
        if not text or text in {".", "./"}:
            return self.path
        if "\0" in text:
            raise ToolError("path contains a NUL byte")
        if text.startswith("~"):
            raise ToolError(f"{raw}: home-relative paths are outside the project")
        candidate = Path(text) if text.startswith("/") else self.path / text
        real = Path(os.path.realpath(candidate))
        if real != self.path and self.path not in real.parents:
            raise ToolError(f"{raw}: outside the project folder; use a path relative to the project root")
        if for_write:
            rel = real.relative_to(self.path)
            if rel.parts and rel.parts[0] == ".git":
                raise ToolError(f"{raw}: the .git folder is not edited by the assistant")
        return real

    def relative(self, path: Path) -> str:
        """`path` relative to the root, with forward slashes ('.' for the root)."""
        rel = Path(os.path.realpath(path)).relative_to(self.path)
        return PurePosixPath(*rel.parts).as_posix() if rel.parts else "."
