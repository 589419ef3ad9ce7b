"""Syntax colouring for code blocks in the chat, from tree-sitter where it can.

Where the fence names a language the editor colours, the block is parsed whole
(`syntax_spans.line_spans`); otherwise regex rules apply.
The regex rules are the fallback: keywords, strings, comments, numbers and definitions for
the common languages, with no parser (they light up `for` inside a docstring). The editor
itself uses `SyntaxHighlighter`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtGui import (
    QColor,
    QFont,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextDocument,
    QTextFormat,
)

from app.ui.syntax_injections import fence_language
from app.ui.syntax_spans import line_spans
from app.ui.syntax_theme import syntax_formats

_KEYWORDS = {
    "python": "and as assert async await break class continue def del elif else except False finally for "
    "from global if import in is lambda None nonlocal not or pass raise return True try while with yield "
    "match case self",
    "javascript": "async await break case catch class const continue default delete do else export extends "
    "false finally for function if import in instanceof let new null of return static super switch this "
    "throw true try typeof undefined var void while yield interface type enum implements",
    "go": "break case chan const continue default defer else fallthrough for func go goto if import "
    "interface map package range return select struct switch type var nil true false",
    "rust": "as async await break const continue crate else enum extern false fn for if impl in let loop "
    "match mod move mut pub ref return self Self static struct super trait true type unsafe use where while",
    "c": "auto break case char const continue default do double else enum extern float for goto if inline "
    "int long register return short signed sizeof static struct switch typedef union unsigned void "
    "volatile while class namespace template typename public private protected virtual override new delete "
    "nullptr true false bool using this throw try catch",
    "java": "abstract boolean break byte case catch char class const continue default do double else enum "
    "extends final finally float for if implements import instanceof int interface long native new null "
    "package private protected public return short static super switch synchronized this throw throws try "
    "void volatile while true false var val fun object when override",
    "shell": "if then else elif fi for while do done case esac function in return local export",
    "ruby": "def end class module if elsif else unless while until do return yield nil true false self begin "
    "rescue ensure require",
}
_LANG_OF_SUFFIX = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "javascript",
    ".tsx": "javascript",
    ".jsx": "javascript",
    ".go": "go",
    ".rs": "rust",
    ".c": "c",
    ".h": "c",
    ".cc": "c",
    ".cpp": "c",
    ".hpp": "c",
    ".cs": "java",
    ".java": "java",
    ".kt": "java",
    ".scala": "java",
    ".swift": "java",
    ".sh": "shell",
    ".bash": "shell",
    ".zsh": "shell",
    ".rb": "ruby",
}
_LANG_ALIASES = {
    "py": "python",
    "python3": "python",
    "js": "javascript",
    "ts": "javascript",
    "typescript": "javascript",
    "tsx": "javascript",
    "jsx": "javascript",
    "golang": "go",
    "rs": "rust",
    "cpp": "c",
    "c++": "c",
    "csharp": "java",
    "cs": "java",
    "kotlin": "java",
    "bash": "shell",
    "sh": "shell",
    "zsh": "shell",
    "console": "shell",
    "rb": "ruby",
}
_HASH_COMMENT = {"python", "shell", "ruby"}


@dataclass(frozen=True)
class _Rules:
    keywords: re.Pattern[str] | None
    line_comment: re.Pattern[str]


def language_for(name: str) -> str:
    """The rule set for a file name (`net.py`) or a fence tag (`py`); '' when unknown."""
    lowered = name.lower()
    dot = lowered.rfind(".")
    if dot >= 0 and lowered[dot:] in _LANG_OF_SUFFIX:
        return _LANG_OF_SUFFIX[lowered[dot:]]
    return _LANG_ALIASES.get(lowered, lowered if lowered in _KEYWORDS else "")


def _rules(language: str) -> _Rules:
    words = _KEYWORDS.get(language)
    keywords = re.compile(r"\b(?:" + "|".join(words.split()) + r")\b") if words else None
    comment = re.compile(r"#.*$" if language in _HASH_COMMENT else r"//.*$")
    return _Rules(keywords=keywords, line_comment=comment)


_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`")
_NUMBER = re.compile(r"\b(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?)\b")
_DEFINITION = re.compile(r"\b(?:def|class|fn|func|function|struct|interface|enum|trait)\s+([A-Za-z_]\w*)")


def _fmt(color: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(color))
    if bold:
        f.setFontWeight(QFont.Weight.Bold)
    f.setFontItalic(italic)
    return f


class CodeHighlighter(QSyntaxHighlighter):
    """Colours one document in one language, or only its fenced code blocks (`fenced_only`)."""

    def __init__(
        self, document: QTextDocument, *, language: str = "", dark: bool = False, fenced_only: bool = False
    ) -> None:
        super().__init__(document)
        self._fenced_only = fenced_only
        self._language = language
        self._cache: dict[str, _Rules] = {}
        palette = (
            {"kw": "#c792ea", "str": "#c3e88d", "com": "#7f848e", "num": "#f78c6c", "def": "#82aaff"}
            if dark
            else {"kw": "#0b4f9e", "str": "#2e7d32", "com": "#7a7a7a", "num": "#b35900", "def": "#8a2be2"}
        )
        self._syntax = syntax_formats(dark=dark)
        self._fences: dict[tuple[str, str], list[list[tuple[int, int, str]]] | None] = {}
        # The line coloured last: (block number, fence tag, its block's lines and runs, index).
        self._last: tuple[int, str, list[str], list[list[tuple[int, int, str]]], int] | None = None
        self._formats = {
            "kw": _fmt(palette["kw"], bold=True),
            "str": _fmt(palette["str"]),
            "com": _fmt(palette["com"], italic=True),
            "num": _fmt(palette["num"]),
            "def": _fmt(palette["def"], bold=True),
        }

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        """Colour one line."""
        language = self._language
        if self._fenced_only:
            fmt = self.currentBlock().blockFormat()
            if not fmt.hasProperty(QTextFormat.Property.BlockCodeFence):
                return
            tag = str(fmt.property(QTextFormat.Property.BlockCodeLanguage) or "")
            runs = self._fence_runs(self.currentBlock(), tag)
            if runs is not None:
                for start, length, category in runs:
                    self.setFormat(start, length, self._syntax[category])
                return
            language = language_for(tag)
        if not language:
            return
        rules = self._cache.get(language)
        if rules is None:
            rules = self._cache[language] = _rules(language)
        if rules.keywords is not None:
            for m in rules.keywords.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), self._formats["kw"])
        for m in _NUMBER.finditer(text):
            self.setFormat(m.start(), m.end() - m.start(), self._formats["num"])
        for m in _DEFINITION.finditer(text):
            self.setFormat(m.start(1), m.end(1) - m.start(1), self._formats["def"])
        strings = [(m.start(), m.end()) for m in _STRING.finditer(text)]
        for start, end in strings:
            self.setFormat(start, end - start, self._formats["str"])
        for m in rules.line_comment.finditer(text):
            if not any(s <= m.start() < e for s, e in strings):
                self.setFormat(m.start(), len(text) - m.start(), self._formats["com"])
                break

    def _fence_runs(self, block: QTextBlock, tag: str) -> list[tuple[int, int, str]] | None:
        """Tree-sitter runs for `block`, a line of a fenced code block; None to use the regex rules."""
        language = fence_language(tag)
        if language is None:
            return None
        number = block.blockNumber()
        last = self._last
        # Qt colours a code block line by line, in order: the next line reuses its block's parse.
        if (
            last is not None
            and last[:2] == (number - 1, tag)
            and last[4] + 1 < len(last[2])
            and last[2][last[4] + 1] == block.text()
        ):
            index, lines, spans = last[4] + 1, last[2], last[3]
        else:
            index, lines = _fence_lines(block)
            key = (language, "\n".join(lines))
            if key not in self._fences:
                if len(self._fences) > 64:
                    self._fences.clear()
                self._fences[key] = line_spans(language, key[1]) if len(key[1]) <= _MAX_FENCE_CHARS else None
            found = self._fences[key]
            if found is None:
                return None
            spans = found
        self._last = (number, tag, lines, spans, index)
        return spans[index]


_MAX_FENCE_CHARS = 200_000  # a bigger block in a reply is shown with the regex rules


def _fence_lines(block: QTextBlock) -> tuple[int, list[str]]:
    """`block`'s index in its fenced code block, and that block's lines."""

    def fenced(b: QTextBlock) -> bool:
        return b.isValid() and b.blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence)

    first = block
    index = 0
    while fenced(first.previous()):
        first = first.previous()
        index += 1
    lines = []
    current = first
    while fenced(current):
        lines.append(current.text())
        current = current.next()
    return index, lines
