"""How Markdown looks in the chat: shaded inline code, boxed code blocks that wrap.

Applied to the document Qt's Markdown reader builds for a piece of a reply, before it is
put into the transcript. A QTextDocument cannot scroll one block on its own, so a long
code line wraps inside its box instead of widening the whole conversation.
"""

from __future__ import annotations

from PySide6.QtGui import (
    QColor,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

# Pixels between a code box's edge and its text.
CODE_PADDING = 8


def code_colours(*, dark: bool) -> tuple[QColor, QColor]:
    """Background of code blocks and of inline code."""
    if dark:
        return QColor("#1f2328"), QColor("#343a42")
    return QColor("#f4f6f8"), QColor("#e8ebef")


def dim_colour(*, dark: bool) -> str:
    """Secondary text (headers' links, footers, hints), at least 4.5:1 on the background."""
    return "#a8b0ba" if dark else "#5f6670"


def user_colour(*, dark: bool) -> QColor:
    """Background of the user's own messages."""
    return QColor("#262c35") if dark else QColor("#eef2f8")


def style_markdown(doc: QTextDocument, *, dark: bool) -> None:
    """Box the fenced code blocks of `doc` and shade its inline code."""
    block_bg, inline_bg = code_colours(dark=dark)
    block = doc.firstBlock()
    previous_code = False
    while block.isValid():
        fmt = block.blockFormat()
        is_code = fmt.hasProperty(QTextFormat.Property.BlockCodeFence)
        cursor = QTextCursor(block)
        if is_code:
            boxed = QTextBlockFormat()
            boxed.setBackground(block_bg)
            boxed.setNonBreakableLines(False)  # wrap: one long line must not widen the chat
            boxed.setLeftMargin(CODE_PADDING)
            boxed.setRightMargin(CODE_PADDING)
            boxed.setTopMargin(0 if previous_code else CODE_PADDING / 2)
            nxt = block.next()
            last = not (nxt.isValid() and nxt.blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence))
            boxed.setBottomMargin(CODE_PADDING / 2 if last else 0)
            cursor.mergeBlockFormat(boxed)
        else:
            _shade_inline_code(block, inline_bg)
        previous_code = is_code
        block = block.next()


def _shade_inline_code(block: QTextBlock, background: QColor) -> None:
    it = block.begin()
    shade = QTextCharFormat()
    shade.setBackground(background)
    while not it.atEnd():
        fragment = it.fragment()
        if fragment.isValid() and fragment.charFormat().fontFixedPitch():
            cursor = QTextCursor(block.document())
            cursor.setPosition(fragment.position())
            cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(shade)
        it += 1
