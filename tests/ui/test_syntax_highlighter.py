"""Editor colours from tree-sitter: what a reader sees in Python, JSON, YAML, TOML and Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from PySide6.QtGui import QColor, QPalette, QTextCursor
from pytestqt.qtbot import QtBot

from app.ui.code_editor import CodeEditor
from app.ui.editor_page import EditorPage
from app.ui.syntax_highlighter import MAX_BYTES, SyntaxHighlighter
from app.ui.syntax_injections import fence_language
from app.ui.syntax_queries import highlight_language, highlight_languages, load_highlight
from app.ui.syntax_theme import BACKGROUNDS, PALETTE


def _editor(qtbot: QtBot, language: str, text: str) -> CodeEditor:
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.resize(700, 500)
    editor.show()
    editor.highlighter = SyntaxHighlighter(editor, language=language, dark=False)  # type: ignore[attr-defined]
    editor.setPlainText(text)
    qtbot.waitUntil(lambda: any(_colours(editor, row) for row in range(editor.blockCount())))
    return editor


def _colours(editor: CodeEditor, row: int) -> dict[str, str]:
    """Each coloured run of line `row` (its text) -> the colour it is drawn in."""
    block = editor.document().findBlockByNumber(row)
    runs = {}
    for r in block.layout().formats():
        if r.format.hasProperty(r.format.Property.ForegroundBrush):
            runs[block.text()[r.start : r.start + r.length]] = r.format.foreground().color().name()
    return runs


def _colour_at(editor: CodeEditor, row: int, word: str, *, nth: int = 0) -> str | None:
    """The colour of the `nth` occurrence of `word` on line `row` (None when drawn plain)."""
    block = editor.document().findBlockByNumber(row)
    start = -1
    for _ in range(nth + 1):
        start = block.text().index(word, start + 1)
    start = len(block.text()[:start].encode("utf-16-le")) // 2  # Qt counts UTF-16 units
    for r in block.layout().formats():
        if r.start <= start < r.start + r.length and r.format.hasProperty(r.format.Property.ForegroundBrush):
            return str(r.format.foreground().color().name())
    return None


def _light(category: str) -> str:
    return str(PALETTE[category][0])


PYTHON = '''from enum import Enum


class Colour(Enum):
    """A colour: for cats or dogs, is it red?"""

    def mix(self, other):
        return other  # for later
'''


def test_python_docstring_words_are_string_not_keyword(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "python", PYTHON)
    for word in ("for", "or", "is"):
        assert _colour_at(editor, 4, f" {word} ") == _light("string"), word
    assert _colour_at(editor, 7, "return") == _light("keyword")
    assert _colour_at(editor, 7, "# for later") == _light("comment")


def test_python_import_is_keyword_and_def_name_is_function(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "python", PYTHON)
    assert _colour_at(editor, 0, "from") == _light("keyword")
    assert _colour_at(editor, 0, "import") == _light("keyword")
    assert _colour_at(editor, 0, "Enum") not in {_light("keyword"), _light("function")}
    assert _colour_at(editor, 6, "mix") == _light("function")
    assert _colour_at(editor, 6, "def") == _light("keyword")


def test_json_keys_and_strings_differ(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "json", '{"name": "enclave", "port": 8080, "ok": true}\n')
    assert _colour_at(editor, 0, '"name"') == _light("property")
    assert _colour_at(editor, 0, '"enclave"') == _light("string")
    assert _colour_at(editor, 0, "8080") == _light("constant")


def test_yaml_keys_and_values_differ(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "yaml", "name: enclave\nitems:\n  - 3\n")
    assert _colour_at(editor, 0, "name") == _light("property")
    assert _colour_at(editor, 0, "enclave") == _light("string")
    assert _colour_at(editor, 1, "items") == _light("property")


def test_toml_tables_and_keys_differ(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "toml", '[tool.ruff]\nline-length = 100\nname = "x"\n')
    table, key = _colour_at(editor, 0, "ruff"), _colour_at(editor, 1, "line-length")
    assert table == _light("type")
    assert key == _light("property")
    assert _colour_at(editor, 2, '"x"') == _light("string")


def test_markdown_headings_and_code_spans(qtbot: QtBot) -> None:
    text = "# Title here\n\nRun `make test` first.\n\n```py\nimport os  # one\n```\n\n- a `list` item\n\n> quoted `span`\n"
    editor = _editor(qtbot, "markdown", text)
    heading = _colour_at(editor, 0, "Title")
    code = _colour_at(editor, 2, "make test")
    assert heading == _light("heading")
    assert code == _light("string")
    assert _colour_at(editor, 2, "Run") is None  # prose stays plain
    assert _colour_at(editor, 4, "```") is not None  # the fence stands out
    assert _colour_at(editor, 5, "import") == _light("keyword")  # fenced code in its own language
    assert _colour_at(editor, 5, "# one") == _light("comment")
    # Headings come after the list in tree order; the inline parse still sees every paragraph.
    assert _colour_at(editor, 8, "list") == _light("string")
    assert _colour_at(editor, 10, "span") == _light("string")


def test_an_edit_recolours_its_line_and_what_it_changes(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "python", 'x = 1\ny = 2\nz = 3\n"""\n')
    cursor = QTextCursor(editor.document().findBlockByNumber(1))
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    cursor.insertText("  # note")
    qtbot.waitUntil(lambda: _colour_at(editor, 1, "# note") == _light("comment"))
    # Opening a string on line 1 turns the lines down to the closing quotes into string.
    QTextCursor(editor.document().findBlockByNumber(1)).insertText('s = """')
    qtbot.waitUntil(lambda: _colour_at(editor, 2, "z = 3") == _light("string"))


def test_lines_below_the_screen_are_coloured_when_scrolled_to(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "python", "".join(f"value_{i} = {i}  # line {i}\n" for i in range(3000)))
    assert _colour_at(editor, 2900, "# line") is None  # far below the screen: not queried yet
    editor.verticalScrollBar().setValue(editor.verticalScrollBar().maximum())
    qtbot.waitUntil(lambda: _colour_at(editor, 2990, "# line") == _light("comment"))


def test_columns_hold_after_non_ascii_text(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "python", 's = "héllo 😀 wörld"  # ünïcode\nt = "\u00a0"  # nbsp\n')
    assert _colour_at(editor, 0, "# ünïcode") == _light("comment")
    assert _colour_at(editor, 0, "wörld") == _light("string")
    assert _colour_at(editor, 0, "  #") is None  # the gap before the comment stays plain
    cursor = QTextCursor(editor.document().findBlockByNumber(0))
    cursor.insertText("😀 = 1; ")  # an edit before them moves every column
    qtbot.waitUntil(lambda: _colour_at(editor, 0, "# ünïcode") == _light("comment"))
    assert _colour_at(editor, 0, "wörld") == _light("string")
    assert _colour_at(editor, 1, "# nbsp") == _light("comment")


def test_a_theme_change_recolours_in_the_new_colours(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "python", "import os  # note\n")
    assert _colour_at(editor, 0, "import") == _light("keyword")
    palette = editor.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor(BACKGROUNDS[1]))
    editor.setPalette(palette)
    qtbot.waitUntil(lambda: _colour_at(editor, 0, "import") == PALETTE["keyword"][1])
    assert _colour_at(editor, 0, "# note") == PALETTE["comment"][1]


def test_unknown_extension_is_plain(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "notes.xyz"
    path.write_text("for x in y: import this\n", encoding="utf-8")
    page = EditorPage(path)
    qtbot.addWidget(page)
    page.load()
    page.show()
    assert highlight_language(path.name) is None
    assert page.highlighter.off_reason == "no_grammar"
    assert not _colours(page.editor, 0)


def test_a_5_mb_file_opens_plain(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    line = "def f(x):  # for or is\n"
    path.write_text(line * (4_900_000 // len(line)), encoding="utf-8")
    page = EditorPage(path)
    qtbot.addWidget(page)
    page.load()
    page.show()
    qtbot.wait(10)
    assert path.stat().st_size > MAX_BYTES
    assert page.highlighter.off_reason == "too_large"
    assert not _colours(page.editor, 0)


def test_shrinking_under_the_limit_colours_again(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "python", "x = 1\n")
    highlighter = editor.highlighter  # type: ignore[attr-defined]
    editor.setPlainText("#" * (MAX_BYTES + 10))
    assert highlighter.off_reason == "too_large"
    editor.setPlainText("y = 2  # small again\n")
    qtbot.waitUntil(lambda: _colour_at(editor, 0, "# small") == _light("comment"))


def test_hostile_nesting_does_not_hang(qtbot: QtBot) -> None:
    editor = _editor(qtbot, "python", "x = 1\n")
    editor.setPlainText("[" * 200_000)  # tree-sitter's worst case for queries
    qtbot.waitUntil(lambda: not editor.highlighter.busy, timeout=20_000)  # type: ignore[attr-defined]
    editor.appendPlainText("]")  # and typing still works
    assert editor.document().characterCount() > 200_000


@pytest.mark.parametrize("language", highlight_languages())
def test_every_language_has_a_highlights_query(language: str) -> None:
    grammar = load_highlight(language)
    assert grammar is not None, f"{language}: no grammar or query"
    count = cast(int, grammar.query.capture_count)  # a property; the 0.25 stubs say method
    captures = {grammar.query.capture_name(i) for i in range(count)}
    assert any(name.startswith(("keyword", "string", "property", "text.title")) for name in captures)


def test_fence_tags_name_languages() -> None:
    assert fence_language("py") == "python"
    assert fence_language("Python") == "python"
    assert fence_language("rust,ignore") == "rust"
    assert fence_language("yml") == "yaml"
    assert fence_language("tsx") == "tsx"
    assert fence_language("text") is None
    assert fence_language("") is None
