"""The editor opens and saves files by the core's text rules (app.core.text_file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import EnclaveError
from app.ui.editor_page import EditorPage


def test_saving_keeps_the_files_bom_and_crlf_endings(qtbot, tmp_path: Path) -> None:
    target = tmp_path / "win.py"
    target.write_bytes(b"\xef\xbb\xbfa = 1\r\nb = 2\r\n")
    page = EditorPage(target)
    qtbot.addWidget(page)
    page.load()
    # The BOM is not a character in the buffer (the cursor would stop on it).
    assert page.editor.toPlainText() == "a = 1\nb = 2\n"
    page.editor.moveCursor(page.editor.textCursor().MoveOperation.End)
    page.editor.insertPlainText("c = 3\n")
    page.save()
    assert target.read_bytes() == b"\xef\xbb\xbfa = 1\r\nb = 2\r\nc = 3\r\n"
    assert not page.modified


def test_a_file_of_control_characters_is_not_opened(qtbot, tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    target.write_bytes(bytes(range(1, 32)) * 20)  # no NUL, but not text either
    page = EditorPage(target)
    qtbot.addWidget(page)
    with pytest.raises(EnclaveError, match="binary"):
        page.load()
