"""Code blocks in the chat are coloured by tree-sitter, like the editor."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from app.ui.highlighter import CodeHighlighter
from app.ui.syntax_theme import PALETTE

REPLY = '''Here is the fix:

```python
def parse(url):
    """Split it.

    for a host or a path, is it valid?
    """
    return url  # for now
```

and a shell line:

```sh
for f in *.py; do echo "$f"; done
```
'''


def _colour_of(document: QTextDocument, line: str, word: str) -> str | None:
    block = document.begin()
    while block.isValid() and block.text() != line:
        block = block.next()
    assert block.isValid(), line
    start = block.text().index(word)
    for r in block.layout().formats():
        if r.start <= start < r.start + r.length and r.format.hasProperty(r.format.Property.ForegroundBrush):
            return str(r.format.foreground().color().name())
    return None


def test_a_docstring_in_a_chat_code_block_is_string_not_keywords(qtbot: QtBot) -> None:
    document = QTextDocument()
    highlighter = CodeHighlighter(document, fenced_only=True)
    document.setMarkdown(REPLY)
    highlighter.rehighlight()
    docstring = "    for a host or a path, is it valid?"  # a docstring's second line
    for word in (" for ", " or ", " is "):
        assert _colour_of(document, docstring, word) == PALETTE["string"][0], word
    assert _colour_of(document, "def parse(url):", "def") == PALETTE["keyword"][0]
    assert _colour_of(document, "def parse(url):", "parse") == PALETTE["function"][0]
    assert _colour_of(document, "    return url  # for now", "# for now") == PALETTE["comment"][0]
    shell = 'for f in *.py; do echo "$f"; done'
    assert _colour_of(document, shell, "for") == PALETTE["keyword"][0]
    assert _colour_of(document, "Here is the fix:", "Here") is None  # prose stays plain
