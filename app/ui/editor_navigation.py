"""Getting around the code from the keyboard: quick open, go to symbol, go to line.

It is handed the editor tabs, the quick-pick box and two getters (the project root and its
index); it never sees the window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.ui.editor_tabs import EditorTabs
from app.ui.quick_open import PickItem, QuickOpen

if TYPE_CHECKING:
    from app.core.index import ProjectIndex


class EditorNavigation:
    """Fills the quick-pick box from the index and opens what was picked."""

    def __init__(
        self,
        *,
        editors: EditorTabs,
        picker: QuickOpen,
        project: Callable[[], Path | None],
        index: Callable[[], ProjectIndex | None],
        say: Callable[[str], object],
    ) -> None:
        self._editors = editors
        self._picker = picker
        self._project = project
        self._index = index
        self._say = say

    def quick_open(self) -> None:
        """Ctrl+P: pick one of the project's indexed files by a fuzzy part of its path."""
        index = self._index()
        if self._project() is None or index is None:
            self._say("Open a project first; its files are listed once it is indexed")
            return
        items = [PickItem(label=rel, detail="", value=rel) for rel in index.files()]
        self._picker.pick(
            title="Go to File",
            placeholder="File name (fuzzy: pnet finds pkg/net.py)",
            items=items,
            on_chosen=lambda rel: self._open(str(rel), 0),
        )

    def go_to_symbol(self) -> None:
        """Ctrl+T: pick a definition anywhere in the project by a fuzzy part of its name."""
        index = self._index()
        if self._project() is None or index is None:
            self._say("Open a project first; its symbols are listed once it is indexed")
            return
        items = [
            PickItem(label=s.name, detail=f"{s.kind} · {s.file}:{s.line}", value=(s.file, s.line))
            for s in index.symbols()
        ]
        self._picker.pick(
            title="Go to Symbol",
            placeholder="Function, class or other definition",
            items=items,
            on_chosen=self._on_symbol_chosen,
        )

    def go_to_line(self) -> None:
        """Ctrl+G: move the cursor of the file in front to a line number."""
        page = self._editors.current_page()
        if page is None:
            self._say("Open a file first")
            return
        lines = page.editor.blockCount()

        def parse(text: str) -> int | None:
            text = text.strip().lstrip(":")
            return min(max(int(text), 1), lines) if text.isdigit() else None

        self._picker.ask(
            title="Go to Line",
            placeholder=f"Line number (1–{lines:,})",
            note=f"Now on line {page.editor.current_line():,} of {lines:,}",
            parse=parse,
            on_chosen=lambda line: page.editor.go_to_line(int(str(line))),
        )

    def _on_symbol_chosen(self, value: object) -> None:
        if isinstance(value, tuple):
            self._open(str(value[0]), int(value[1]))

    def _open(self, rel: str, line: int) -> None:
        root = self._project()
        if root is not None:
            self._editors.open_file(root / rel, line=line)
