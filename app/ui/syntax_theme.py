"""Editor colours for tree-sitter capture names (`@keyword`, `@string.special.key`, …).

A capture name maps to one of a few categories by its longest known prefix; names the
table does not know leave the text as it was, and the `PLAIN` ones (`@variable`,
`@punctuation`) reset it, so an f-string's `{name}` is not painted as string. The colours
are GitHub's Primer light and dark syntax colours, each at least 4.5:1 against the
editor's background (`tests/ui/test_syntax_theme.py` checks it).
"""

from __future__ import annotations

import functools

from PySide6.QtGui import QColor, QFont, QTextCharFormat

PLAIN = "plain"

_CATEGORY_OF: dict[str, str | None] = {
    "keyword": "keyword", "conditional": "keyword", "repeat": "keyword", "include": "keyword",
    "exception": "keyword", "storageclass": "keyword", "type.qualifier": "keyword",
    "preproc": "keyword", "define": "keyword", "keyword.operator": "keyword",
    "string": "string", "character": "string", "text.literal": "string",
    "string.special.key": "property", "string.escape": "special", "escape": "special",
    "string.special.symbol": "constant", "character.special": "constant",
    "comment": "comment", "spell": None,
    "function": "function", "method": "function", "function.builtin": "builtin",
    "function.macro": "builtin", "function.method.builtin": "builtin",
    "type": "type", "constructor": "type", "tag": "type", "label": "type", "attribute": "type",
    "type.builtin": "builtin", "module.builtin": "builtin",
    "number": "constant", "float": "constant", "boolean": "constant", "constant": "constant",
    "none": PLAIN,
    "property": "property", "field": "property", "variable.member": "property",
    "tag.attribute": "property",
    "variable.builtin": "builtin", "parameter.builtin": "builtin",
    "variable.parameter.builtin": "builtin",
    "text.title": "heading", "text.emphasis": "emphasis", "text.strong": "strong",
    "text.uri": "link", "text.reference": "link", "string.special.uri": "link",
    "punctuation.special": "special",
    "variable": PLAIN, "parameter": PLAIN, "identifier": PLAIN, "embedded": PLAIN,
    "punctuation": PLAIN, "operator": PLAIN, "delimiter": PLAIN, "module": PLAIN, "namespace": PLAIN,
}  # fmt: skip

# category -> (light, dark) foreground; None keeps the editor's text colour.
PALETTE: dict[str, tuple[str | None, str | None]] = {
    "keyword": ("#cf222e", "#ff7b72"),
    "string": ("#0a3069", "#a5d6ff"),
    "comment": ("#57606a", "#8b949e"),
    "function": ("#8250df", "#d2a8ff"),
    "type": ("#953800", "#ffa657"),
    "constant": ("#0550ae", "#79c0ff"),
    "property": ("#116329", "#7ee787"),
    "builtin": ("#0550ae", "#79c0ff"),
    "heading": ("#0550ae", "#79c0ff"),
    "link": ("#0969da", "#58a6ff"),
    "special": ("#cf222e", "#ff7b72"),
    "emphasis": (None, None),
    "strong": (None, None),
}
# The editor backgrounds the colours are chosen against (theme.py's light and dark Base).
BACKGROUNDS = ("#ffffff", "#17181b")


@functools.lru_cache(maxsize=1024)
def category_of(capture: str) -> str | None:
    """The category for a capture name (`keyword.control.import` -> `keyword`); None if unknown."""
    name = capture
    while name:
        if name in _CATEGORY_OF:
            return _CATEGORY_OF[name]
        name = name.rpartition(".")[0]
    return None


def syntax_formats(*, dark: bool) -> dict[str, QTextCharFormat]:
    """One text format per category, for a light or a dark editor."""
    formats = {PLAIN: QTextCharFormat()}
    for category, (light, dark_color) in PALETTE.items():
        fmt = QTextCharFormat()
        color = dark_color if dark else light
        if color is not None:
            fmt.setForeground(QColor(color))
        if category in {"keyword", "heading", "strong"}:
            fmt.setFontWeight(QFont.Weight.Bold)
        if category in {"comment", "emphasis"}:
            fmt.setFontItalic(True)
        if category == "link":
            fmt.setFontUnderline(True)
        formats[category] = fmt
    return formats
