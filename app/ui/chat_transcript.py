"""The conversation as rich text: Markdown replies, code colouring, action links.

Only the unfinished end of the reply being streamed is re-rendered on each update; earlier
turns and finished blocks stay put.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import quote

from PySide6.QtCore import QMimeData
from PySide6.QtGui import (
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import QWidget

from app.core.conversation import Conversation, ToolStep, Turn
from app.ui.chat_markdown import FENCE, JOIN, closes_fence, code_blocks, code_links, decorate, finished_prefix
from app.ui.chat_styles import CODE_PADDING, dim_colour, style_markdown, user_colour
from app.ui.highlighter import CodeHighlighter
from app.ui.safe_browser import SafeBrowser
from app.ui.theme import code_font, is_dark
from app.ui.tool_step_card import card_html

# Pixels above each message's header.
TURN_GAP = 16

# GitHub dialect without raw HTML: model output is text, never markup that could load things.
_MD_FEATURES = QTextDocument.MarkdownFeature(
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value
    | QTextDocument.MarkdownFeature.MarkdownNoHTML.value
)


class ChatTranscript(SafeBrowser):
    """Shows the active branch of a `Conversation`; links carry the actions.

    A streamed reply is rendered piece by piece: Markdown blocks that are finished (see
    `finished_prefix`) are appended once, and only the block still being written is
    re-rendered on each update, so the cost of an update does not grow with the reply.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatTranscript")
        self.setAccessibleName("Conversation")
        self.document().setDefaultStyleSheet(
            f"pre, code {{ font-family: '{code_font().family()}'; }} a {{ text-decoration: none; }}"
        )
        self.document().setDocumentMargin(10)
        self._highlighter = CodeHighlighter(self.document(), dark=is_dark(self.palette()), fenced_only=True)
        self._empty_html = ""
        self._shown: list[int] = []  # turn ids on screen, in order
        self._last_start = 0  # document position where the newest turn begins
        self._stream: _Stream | None = None  # the reply being streamed, if any
        self._expanded: set[tuple[int, int]] = set()  # (turn id, step index) of the open tool cards

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 (Qt override)
        """Copied text without the invisible joiners that keep shown paths on one line."""
        data = QMimeData()
        data.setText(self.textCursor().selection().toPlainText().replace(JOIN, ""))
        return data

    def plain_text(self) -> str:
        """The conversation as shown, without the invisible joiners in paths."""
        return self.toPlainText().replace(JOIN, "")

    def set_empty_text(self, html_text: str) -> None:
        """What to show while there is no conversation."""
        self._empty_html = html_text

    def show_conversation(self, conversation: Conversation, *, streaming: bool = False) -> None:
        """Show the active branch; the newest turn is being streamed when `streaming`.

        When the branch only grew (a question was sent), the new turns are appended and the
        earlier ones stay; otherwise (a branch switch, an edit) everything is rebuilt.
        """
        path = conversation.active_path()
        ids = [t.id for t in path]
        keep = len(self._shown)
        if not (0 < keep < len(ids) and ids[:keep] == self._shown and self._stream is None):
            keep = 0
            self.clear()
            self._shown = []
            self._stream = None
            if not path:
                self.setHtml(self._empty_html)
                return
        cursor = QTextCursor(self.document())
        for i, turn in enumerate(path[keep:], start=keep):
            cursor.movePosition(QTextCursor.MoveOperation.End)
            self._write_turn(cursor, turn, conversation, streaming=streaming and i == len(path) - 1)
        self._shown = ids
        self._scroll_to_end()

    def update_last(self, conversation: Conversation, *, streaming: bool) -> None:
        """Bring the newest turn up to date (the one being streamed, or the one just finished)."""
        turn = conversation.leaf()
        if turn is None:
            return
        at_end = self.verticalScrollBar().value() >= self.verticalScrollBar().maximum() - 40
        stream = self._stream
        if stream is not None and stream.turn_id == turn.id and turn.text.startswith(stream.committed):
            self._update_stream(stream, turn, streaming=streaming)
        else:  # not the reply being streamed, or its text was replaced: render the turn again
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._last_start)
            cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            self._write_turn(cursor, turn, conversation, streaming=streaming)
        if at_end:
            self._scroll_to_end()

    def _write_turn(
        self, cursor: QTextCursor, turn: Turn, conversation: Conversation, *, streaming: bool
    ) -> None:
        header = QTextBlockFormat()
        if cursor.block().position() > 0:
            header.setTopMargin(TURN_GAP)  # the space that tells one message from the next
        if cursor.block().length() > 1:  # the end of the turn before: the header is a block of its own
            cursor.insertBlock(header, QTextCharFormat())
        else:  # an empty document, or the emptied block of a turn rendered again
            cursor.setBlockFormat(header)
            cursor.setCharFormat(QTextCharFormat())
        # Where this turn begins: rendering it again removes from here, leaving the turns before intact.
        self._last_start = cursor.block().position()
        who = "You" if turn.role == "user" else "Enclave"
        position, count = conversation.siblings(turn.id)
        nav = ""
        if count > 1:
            nav = (
                f" &nbsp;<a href='branch:{turn.id}:-1'>‹</a> {position}/{count} "
                f"<a href='branch:{turn.id}:1'>›</a>"
            )
        edit = f" &nbsp;<a href='edit:{turn.id}'>Edit</a>" if turn.role == "user" else ""
        dim = dim_colour(dark=is_dark(self.palette()))
        cursor.insertHtml(f"<b>{who}</b><span style='color:{dim}; font-size:small'>{nav}{edit}</span>")
        if turn.role == "user":
            asked = QTextBlockFormat()
            asked.setBackground(user_colour(dark=is_dark(self.palette())))
            asked.setTopMargin(4)
            asked.setLeftMargin(0)
            cursor.insertBlock(asked, QTextCharFormat())
            cursor.insertText(turn.text)
            return
        if streaming:
            self._stream = _Stream(turn_id=turn.id, anchor=cursor.position())
            self._update_stream(self._stream, turn, streaming=True)
            return
        self._stream = None
        self._write_tail(cursor, turn, start=0, first_step=0, first_index=0, streaming=False)

    def _update_stream(self, stream: _Stream, turn: Turn, *, streaming: bool) -> None:
        """Append newly finished blocks and tool steps, then re-render the unfinished rest after them."""
        text = turn.text
        if streaming and len(turn.steps) == stream.steps and self._extend_open_code(stream, turn):
            return
        stream.code = None
        cursor = QTextCursor(self.document())
        cursor.setPosition(stream.anchor)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()  # the old unfinished rest
        # A finished tool step ends the text before it: both are rendered for good.
        while stream.steps < len(turn.steps) and turn.steps[stream.steps].ok is not None:
            step = turn.steps[stream.steps]
            stream.blocks += self._write_text(
                cursor, turn, text[len(stream.committed) : step.at], stream.blocks
            )
            _new_block(cursor)
            cursor.insertHtml(self._card(turn.id, stream.steps, step))
            stream.committed = text[: max(step.at, len(stream.committed))]
            stream.steps += 1
            stream.anchor = cursor.position()
        running = turn.steps[stream.steps] if stream.steps < len(turn.steps) else None
        done = len(stream.committed)
        limit = running.at if running is not None else len(text)
        end = finished_prefix(text[:limit], start=done) if streaming else done
        if end > done:
            stream.blocks += self._write_text(cursor, turn, text[done:end], stream.blocks)
            stream.anchor = cursor.position()
            stream.committed = text[:end]
        self._write_tail(
            cursor, turn, start=end, first_step=stream.steps, first_index=stream.blocks, streaming=streaming
        )
        if not streaming:
            self._stream = None

    def _extend_open_code(self, stream: _Stream, turn: Turn) -> bool:
        """Grow a code block still being written line by line, instead of rendering it again.

        A long unfinished block (a whole file, say) would otherwise be rendered as Markdown
        and coloured again on every update. Its finished lines are appended once as code
        lines in the block's own format; only the line being written is replaced. When the
        fence closes, the block is committed as it stands and its links are added after it.
        Returns False when the reply's unfinished rest is not such a block (the caller then
        renders it the usual way).
        """
        done = len(stream.committed)
        tail = turn.text[done:]
        lead = len(tail) - len(tail.lstrip("\n"))
        lines = tail[lead:].split("\n")
        opening = FENCE.match(lines[0])
        # A fence at the margin, a finished code line, the line being written (an indented
        # fence belongs to a list or is not a fence: the usual way renders it).
        if opening is None or opening.group(1) or len(lines) < 3:
            return False
        body = lines[1:]
        close = next((i for i, line in enumerate(body[:-1]) if closes_fence(opening.group(2), line)), None)
        if close is None:
            finished, closed_at = body[:-1], None
        else:  # the reply up to the closing fence's line end
            finished, closed_at = (
                body[:close],
                done + lead + sum(len(line) + 1 for line in lines[: close + 2]),
            )
        fresh = stream.code is None or stream.code.start != done
        if fresh and closed_at is not None:
            return False  # opened and closed within one update: the usual way renders it once
        cursor = QTextCursor(self.document())
        # One edit: the highlighter colours the changed lines once, after it, not after each step.
        cursor.beginEditBlock()
        try:
            if fresh:
                cursor.setPosition(stream.anchor)
                cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
                cursor.removeSelectedText()
                _new_block(cursor)
                _insert_markdown(cursor, "\n".join([lines[0], *finished]), dark=is_dark(self.palette()))
                stream.code = _OpenCode(start=done, lines=len(finished), end=cursor.position())
            else:
                _append_finished(stream.code, cursor, finished)
            if closed_at is None:
                _append_code_line(cursor, body[-1] + " ▍")
                return True
            # Closed: the block stands as written; its links follow, as in a whole render.
            _new_block(cursor)
            _insert_markdown(cursor, code_links(turn.id, stream.blocks), dark=is_dark(self.palette()))
            stream.committed = turn.text[:closed_at]
            stream.blocks += 1
            stream.anchor = cursor.position()
            stream.code = None
            self._update_stream(stream, turn, streaming=True)  # whatever follows the block
            return True
        finally:
            cursor.endEditBlock()

    def _write_tail(
        self,
        cursor: QTextCursor,
        turn: Turn,
        *,
        start: int,
        first_step: int,
        first_index: int,
        streaming: bool,
    ) -> None:
        """The turn from `start` on: text and tool-step cards in order, then the cursor or the footer."""
        text = turn.text
        pos, index = start, first_index
        for i in range(first_step, len(turn.steps)):
            step = turn.steps[i]
            index += self._write_text(cursor, turn, text[pos : step.at], index)
            _new_block(cursor)
            cursor.insertHtml(self._card(turn.id, i, step))
            pos = max(pos, step.at)
        rest = text[pos:].lstrip("\n")
        if streaming:
            _new_block(cursor)
            _insert_markdown(
                cursor,
                decorate(rest, turn_id=turn.id, first_index=index) + " ▍",
                dark=is_dark(self.palette()),
            )
            return
        if rest:
            _new_block(cursor)
            _insert_markdown(
                cursor, decorate(rest, turn_id=turn.id, first_index=index), dark=is_dark(self.palette())
            )
        elif not text.strip() and turn.finish != "failed":
            _new_block(cursor)
            cursor.insertHtml(f"<i style='color:{dim_colour(dark=is_dark(self.palette()))}'>(no answer)</i>")
        _new_block(cursor)  # not a list item or code line like the reply's last block
        cursor.insertHtml(_footer(turn, dim=dim_colour(dark=is_dark(self.palette()))))

    def _write_text(self, cursor: QTextCursor, turn: Turn, piece: str, first_index: int) -> int:
        """Render one finished piece of the reply; returns how many code blocks it had."""
        piece = piece.lstrip("\n")  # a leading blank line would render as an empty block
        if not piece.strip():
            return 0
        _new_block(cursor)
        _insert_markdown(
            cursor,
            decorate(piece, turn_id=turn.id, first_index=first_index).rstrip(),
            dark=is_dark(self.palette()),
        )
        return len(code_blocks(piece))

    def _card(self, turn_id: int, index: int, step: ToolStep) -> str:
        expanded = (turn_id, index) in self._expanded
        return card_html(step, turn_id=turn_id, index=index, expanded=expanded, dark=is_dark(self.palette()))

    def collapse_cards(self) -> None:
        """Close every open tool-step card (another conversation is shown: its ids start over)."""
        self._expanded.clear()

    def toggle_step(self, conversation: Conversation, *, turn_id: int, index: int, streaming: bool) -> None:
        """Expand or collapse one tool-step card, keeping the view where it was."""
        key = (turn_id, index)
        self._expanded.symmetric_difference_update({key})
        value = self.verticalScrollBar().value()
        self._shown = []
        self._stream = None
        self.show_conversation(conversation, streaming=streaming)
        self.verticalScrollBar().setValue(value)

    def _scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())


@dataclass
class _Stream:
    """How much of the streamed reply is rendered for good, and where the rest begins."""

    turn_id: int
    anchor: int  # document position after the finished blocks
    committed: str = ""  # the reply text rendered for good
    blocks: int = 0  # code blocks in `committed` (numbers the copy links after them)
    steps: int = 0  # tool steps rendered for good (finished ones)
    code: _OpenCode | None = None  # the code block being written, grown line by line


@dataclass
class _OpenCode:
    """A code block still being written: where its fence starts in the reply, and what is shown."""

    start: int  # offset in the reply where the block's text begins (the committed length then)
    lines: int  # its code lines appended for good
    end: int  # document position after them


def _append_finished(code: _OpenCode | None, cursor: QTextCursor, finished: list[str]) -> None:
    """Replace the line being written with the block's newly finished lines."""
    assert code is not None
    cursor.setPosition(code.end)
    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()
    last = QTextBlockFormat()
    last.setBottomMargin(CODE_PADDING / 2)  # the block's last line again, for now
    cursor.mergeBlockFormat(last)
    for line in finished[code.lines :]:
        _append_code_line(cursor, line)
    code.lines, code.end = len(finished), cursor.position()


def _append_code_line(cursor: QTextCursor, line: str) -> None:
    """One more line at the end of the code block before the cursor, in that block's format."""
    last = cursor.block()
    fmt = QTextBlockFormat(last.blockFormat())
    char = _last_char_format(last)
    above = QTextBlockFormat()
    above.setBottomMargin(0)  # no longer the block's last line
    QTextCursor(last).mergeBlockFormat(above)
    fmt.setTopMargin(0)
    fmt.setBottomMargin(CODE_PADDING / 2)
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertBlock(fmt, char)
    cursor.insertText(line, char)


def _last_char_format(block: QTextBlock) -> QTextCharFormat:
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    return cursor.charFormat()


def _insert_markdown(cursor: QTextCursor, markdown: str, *, dark: bool) -> None:
    """Insert Markdown at the start of an empty block, keeping the format of its first block.

    `insertMarkdown` merges the first paragraph, heading, list item or code line into the
    block at the cursor, which keeps that block's plain format: a code block would lose its
    first line's code format, a paragraph its margins. The empty block takes it first here.
    """
    doc = QTextDocument()
    doc.setMarkdown(markdown, _MD_FEATURES)
    style_markdown(doc, dark=dark)
    first = doc.firstBlock()
    first_list = first.textList()
    fmt = QTextBlockFormat(first.blockFormat())
    fmt.setObjectIndex(-1)  # list membership is an object of the other document
    cursor.setBlockFormat(fmt)
    start = cursor.block()
    cursor.insertFragment(QTextDocumentFragment(doc))
    if first_list is not None:
        after = start.next()
        if (
            after.isValid()
            and after.textList() is not None
            and after.textList().format() == first_list.format()
        ):
            after.textList().add(start)
        else:
            QTextCursor(start).createList(first_list.format())


def _new_block(cursor: QTextCursor) -> None:
    # A plain block: not a list item, heading or code line like the block before it.
    cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())


def _footer(turn: Turn, *, dim: str) -> str:
    bits = [turn.note] if turn.note else []
    if turn.finish == "cancelled":
        bits.append("stopped")
    elif turn.finish == "length":
        bits.append("cut at the token limit")
    elif turn.finish == "repetition":
        bits.append("stopped: the model was repeating itself")
    elif turn.finish == "failed":
        bits.append("failed")
    stats = turn.stats
    if stats is not None:
        bits.append(f"{stats.completion_tokens} tokens · {stats.tokens_per_s:.1f} tok/s")
        if stats.ttft_s is not None:
            bits.append(f"first token {stats.ttft_s:.2f} s")
    meta = html.escape(" · ".join(bits))
    files = ""
    if turn.context_files:
        links = ", ".join(
            f"<a href='open:{quote(path)}:1'>{html.escape(path)}</a>" for path in turn.context_files[:12]
        )
        more = f" and {len(turn.context_files) - 12} more" if len(turn.context_files) > 12 else ""
        files = f"context: {links}{more} &nbsp; "
    return (
        f"<span style='font-size:small; color:{dim}'>"
        + files
        + (meta + " &nbsp; " if meta else "")
        + f"<a href='regen:{turn.id}'>Regenerate</a> · <a href='copymsg:{turn.id}'>Copy</a></span>"
    )
