"""Apply on a chat code block: pick the file, then hand the block to the core as a proposed edit.

A block that names its file (on the line above the fence, or in the fence's info string: the
agent's own rule) goes to that file. Otherwise the user is asked, with the file open in the
editor offered first. The edit then comes back as an `EditProposed` and opens in the review.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QWidget

from app.core.agent.edits.blocks import block_of
from app.ui.chat_markdown import CodeBlock
from app.ui.chat_session import ChatSession

AskPath = Callable[[str], str | None]  # the offered path -> the chosen one (None: cancelled)


class BlockApplier:
    """Turns an Apply click into `ChatSession.apply_block`, asking for a file when the block names none."""

    def __init__(
        self,
        *,
        session: ChatSession,
        project: Callable[[], Path | None],
        open_file: Callable[[], Path | None],
        say: Callable[[str], object],  # a short status line
        parent: QWidget,
    ) -> None:
        self._session = session
        self._project = project
        self._open_file = open_file
        self._say = say
        self._parent = parent
        self.ask_path: AskPath = self._ask

    def apply(self, block: CodeBlock) -> bool:
        """Propose `block` as an edit; False when nothing was started (and why was said)."""
        root = self._project()
        if root is None:
            self._say("Open a project first: code is applied to a file of the project")
            return False
        path = block.path
        if not path:
            chosen = self.ask_path(self._offered(root))
            if not chosen or not chosen.strip():
                return False
            path = chosen.strip()
        if not self._session.apply_block(block_of(path, block.code), path=path):
            self._say("Wait for the answer to finish (or stop it with Esc), then apply the code")
            return False
        self._say(f"Preparing the review of {path}…")  # brief: the review tab follows at once
        return True

    def _offered(self, root: Path) -> str:
        current = self._open_file()
        if current is not None and current.is_relative_to(root):
            return current.relative_to(root).as_posix()
        return ""

    def _ask(self, offered: str) -> str | None:
        text, ok = QInputDialog.getText(
            self._parent,
            "Apply code",
            "The code block names no file. Apply it to which file (relative to the project)?",
            text=offered,
        )
        return text if ok else None
