"""The conversation as rich text: Markdown replies, code colouring, action links.

Only the reply being streamed is re-rendered on each update; earlier turns stay put.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QWidget

from app.ui.chat_markdown import decorate
from app.ui.conversation import Conversation, Turn
from app.ui.highlighter import CodeHighlighter
from app.ui.safe_browser import SafeBrowser
from app.ui.theme import code_font, is_dark

# GitHub dialect without raw HTML: model output is text, never markup that could load things.
_MD_FEATURES = QTextDocument.MarkdownFeature(
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value
    | QTextDocument.MarkdownFeature.MarkdownNoHTML.value
)


class ChatTranscript(SafeBrowser):
    """Shows the active branch of a `Conversation`; links carry the actions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatTranscript")
        self.setAccessibleName("Conversation")
        self.document().setDefaultStyleSheet(
            f"pre, code {{ font-family: '{code_font().family()}'; }} a {{ text-decoration: none; }}"
        )
        self.document().setDocumentMargin(10)
        self._highlighter = CodeHighlighter(self.document(), dark=is_dark(self.palette()), fenced_only=True)
        self._last_start = 0
        self._empty_html = ""

    def set_empty_text(self, html_text: str) -> None:
        """What to show while there is no conversation."""
        self._empty_html = html_text

    def show_conversation(self, conversation: Conversation, *, streaming: bool = False) -> None:
        """Rebuild the whole transcript (after a branch switch, an edit or a new turn)."""
        self.clear()
        path = conversation.active_path()
        if not path:
            self.setHtml(self._empty_html)
            return
        cursor = QTextCursor(self.document())
        for i, turn in enumerate(path):
            cursor.movePosition(QTextCursor.MoveOperation.End)
            self._last_start = cursor.position()
            self._write_turn(cursor, turn, conversation, streaming=streaming and i == len(path) - 1)
        self._scroll_to_end()

    def update_last(self, conversation: Conversation, *, streaming: bool) -> None:
        """Re-render only the newest turn (the one being streamed)."""
        turn = conversation.leaf()
        if turn is None:
            return
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._last_start)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        at_end = self.verticalScrollBar().value() >= self.verticalScrollBar().maximum() - 40
        self._write_turn(cursor, turn, conversation, streaming=streaming)
        if at_end:
            self._scroll_to_end()

    def _write_turn(
        self, cursor: QTextCursor, turn: Turn, conversation: Conversation, *, streaming: bool
    ) -> None:
        if cursor.position() > 0:
            cursor.insertBlock()
        who = "You" if turn.role == "user" else "Enclave"
        position, count = conversation.siblings(turn.id)
        nav = ""
        if count > 1:
            nav = (
                f" &nbsp;<a href='branch:{turn.id}:-1'>‹</a> {position}/{count} "
                f"<a href='branch:{turn.id}:1'>›</a>"
            )
        cursor.insertHtml(f"<p style='margin-top:10px'><b>{who}</b><span style='color:gray'>{nav}</span></p>")
        cursor.insertBlock()
        cursor.setCharFormat(QTextCharFormat())  # the header's bold must not leak into the message
        if turn.role == "user":
            cursor.insertText(turn.text)
            cursor.insertBlock()
            cursor.insertHtml(f"<span style='font-size:small'><a href='edit:{turn.id}'>Edit</a></span>")
            return
        text = turn.text
        if streaming:
            cursor.insertMarkdown(decorate(text, turn_id=turn.id) + " ▍", _MD_FEATURES)
            return
        if text:
            cursor.insertMarkdown(decorate(text, turn_id=turn.id), _MD_FEATURES)
        elif turn.finish != "failed":
            cursor.insertHtml("<i style='color:gray'>(no answer)</i>")
        cursor.insertBlock()
        cursor.insertHtml(_footer(turn))

    def _scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())


def _footer(turn: Turn) -> str:
    bits = []
    if turn.finish == "cancelled":
        bits.append("stopped")
    elif turn.finish == "length":
        bits.append("cut at the token limit")
    elif turn.finish == "failed":
        bits.append("failed")
    stats = turn.stats
    if stats is not None:
        completion = getattr(stats, "completion_tokens", 0)
        rate = getattr(stats, "tokens_per_s", 0.0)
        bits.append(f"{completion} tokens · {rate:.1f} tok/s")
        ttft = getattr(stats, "ttft_s", None)
        if ttft is not None:
            bits.append(f"first token {ttft:.2f} s")
    meta = html.escape(" · ".join(bits))
    return (
        "<span style='font-size:small; color:gray'>"
        + (meta + " &nbsp; " if meta else "")
        + f"<a href='regen:{turn.id}'>Regenerate</a> · <a href='copymsg:{turn.id}'>Copy</a></span>"
    )
