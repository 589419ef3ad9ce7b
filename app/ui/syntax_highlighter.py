"""Editor colours from a tree-sitter parse, kept in step with every edit.

Each edit is applied to the tree (`Tree.edit`) and the file re-parsed incrementally, which
takes milliseconds for ordinary files. A parse runs in short slices (tree-sitter resumes a
timed-out parse where it stopped), so a big paste never holds the event loop for long.
Only the lines on screen, plus a margin, are queried: Qt asks for every block when text is
set, and the rest is coloured when it scrolls into view. What a query found is cached per
line until the next parse; `Tree.changed_ranges` says which other lines an edit recoloured
(typing `\"\"\"` turns the rest of a file into a string).

Bounds on hostile input: files over `MAX_BYTES` stay plain; a parse over its time budget
(the index's, `app.core.index.budget`) or a query that runs into its timeout turns
colouring off for that document rather than stalling the window.
"""

from __future__ import annotations

import logging
import time

import tree_sitter
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QSyntaxHighlighter
from PySide6.QtWidgets import QPlainTextEdit

from app.core.index.budget import budget_seconds  # also silences the parser-timeout warning
from app.ui.syntax_injections import markdown_injections
from app.ui.syntax_queries import load_highlight
from app.ui.syntax_spans import Segment, column_map, query_segments
from app.ui.syntax_theme import syntax_formats
from app.ui.theme import is_dark

logger = logging.getLogger(__name__)

# Above this the editor shows the file plain: an incremental re-parse of 512 KB of source
# takes ~15 ms, which keeps a keystroke well inside the 50 ms stall budget.
MAX_BYTES = 512 * 1024
# Lines queried at once, and lines beyond the screen's edges coloured ahead of a scroll.
CHUNK_ROWS = 16  # after a keystroke, the edited line's chunk is queried afresh
MARGIN_ROWS = 60
_SLICE_S = 0.02  # one parse slice on the event loop


class SyntaxHighlighter(QSyntaxHighlighter):
    """Colours `editor`'s document as `language` (a name from `highlight_language`)."""

    def __init__(self, editor: QPlainTextEdit, *, language: str | None, dark: bool) -> None:
        super().__init__(editor)
        self._editor = editor
        self._grammar = load_highlight(language) if language else None
        self._markdown = language == "markdown"  # parsed with the languages inside it
        self._formats = syntax_formats(dark=dark)
        self._parser = (
            tree_sitter.Parser(self._grammar.language, timeout_micros=int(_SLICE_S * 1_000_000))
            if self._grammar
            else None
        )
        self._text = ""
        self._source = b""
        self._tree: tree_sitter.Tree | None = None
        self._parsing = False
        self._deadline = 0.0
        self._off_reason = ""  # why colouring is off for this document ("" while on)
        self._rows: dict[int, list[Segment]] = {}
        self._done = bytearray(1)  # per line: coloured from the current tree
        self._parse_timer = QTimer(self, singleShot=True, interval=0)
        self._parse_timer.timeout.connect(self._parse_slice)
        self._visible_timer = QTimer(self, singleShot=True, interval=0)
        self._visible_timer.timeout.connect(self._highlight_visible)
        document = editor.document()
        # Connected before `setDocument`, so the tree is current when Qt re-colours the edit.
        document.contentsChange.connect(self._on_contents_change)
        editor.updateRequest.connect(self._visible_timer.start)
        editor.installEventFilter(self)  # theme changes arrive as palette changes
        self._dark = dark
        self.setDocument(document)
        if document.characterCount() > 1:
            self._on_contents_change(0, 0, document.characterCount())

    @property
    def busy(self) -> bool:
        """Whether a parse, or colouring the lines on screen, is still to come."""
        return self._parsing or self._visible_timer.isActive()

    @property
    def off_reason(self) -> str:
        """Why this document is shown plain (`too_large`, `parse_time_budget`, …); '' if coloured."""
        return self._off_reason if self._grammar is not None else "no_grammar"

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        """Colour one line from the cached query results, querying its chunk if needed."""
        if self._tree is None or self._parsing or self._off_reason:
            return
        try:
            self._colour_block(text)
        except Exception:  # an exception escaping a Qt override can take the app down
            logger.exception("editor colouring failed; showing this file plain")
            self._switch_off("error")

    def _colour_block(self, text: str) -> None:
        row = self.currentBlock().blockNumber()
        first, last = self._window()
        if row >= len(self._done):
            return
        if not first <= row < last:
            self._done[row] = 0  # Qt cleared it; coloured when it scrolls into view
            return
        segments = self._rows.get(row)
        if segments is None:
            self._query_chunk(row)
            if self._off_reason:
                return
            segments = self._rows.get(row, [])
        column = column_map(text)
        for start, end, category in segments:
            s, e = column(start), column(end)
            if e > s:
                self.setFormat(s, e - s, self._formats[category])
        self._done[row] = 1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Recolour in the new theme's colours when the editor's palette turns light or dark."""
        if event.type() == QEvent.Type.PaletteChange and is_dark(self._editor.palette()) != self._dark:
            self._dark = not self._dark
            self._formats = syntax_formats(dark=self._dark)
            self._done = bytearray(len(self._done))
            self._visible_timer.start()
        return super().eventFilter(watched, event)

    # -- keeping the tree in step ---------------------------------------------------------

    def _on_contents_change(self, position: int, _removed: int, added: int) -> None:
        if self._grammar is None or self._off_reason not in {"", "too_large"}:
            return  # a file that ran over a time budget stays plain while it is open
        document = self.document()
        if document.characterCount() > MAX_BYTES:  # at least as many bytes as characters
            self._switch_off("too_large")
            return
        new = document.toRawText().replace("\u2029", "\n")
        source = new.encode("utf-8", errors="surrogatepass")
        if len(source) > MAX_BYTES:
            self._switch_off("too_large")
            return
        if self._off_reason == "too_large":  # back under the limit: start afresh
            self._off_reason, self._text, self._source, self._tree = "", "", b"", None
            self._done = bytearray(1)
        old = self._text
        if new == old and self._tree is not None:
            return
        start = _common_prefix(old, new, position)
        suffix = _common_suffix(old, new, start, len(new) - start - added)
        self._apply_edit(old, new, source, start, suffix)
        self._start_parse()

    def _apply_edit(self, old: str, new: str, source: bytes, start: int, suffix: int) -> None:
        start_byte = _utf8_len(new[:start])
        old_end, new_end = len(old) - suffix, len(new) - suffix
        old_end_byte = start_byte + _utf8_len(old[start:old_end])
        new_end_byte = start_byte + _utf8_len(new[start:new_end])
        start_point, old_point, new_point = _point(new, start), _point(old, old_end), _point(new, new_end)
        if self._tree is not None:
            self._tree.edit(start_byte, old_end_byte, new_end_byte, start_point, old_point, new_point)
        # Lines inside the edit are coloured anew; lines after it move with it.
        first, last, moved = start_point[0], old_point[0], new_point[0] - old_point[0]
        self._done[first : last + 1] = bytes(new_point[0] - first + 1)
        self._rows = {
            r + moved if r > last else r: seg for r, seg in self._rows.items() if not first <= r <= last
        }
        self._text, self._source = new, source

    def _start_parse(self) -> None:
        assert self._parser is not None
        if self._parsing:
            self._parser.reset()  # a resumed parse must see the text it started on
        self._parsing = True
        self._deadline = time.monotonic() + budget_seconds(len(self._source))
        self._parse_slice()

    def _parse_slice(self) -> None:
        assert self._parser is not None
        if not self._parsing:
            return
        try:
            tree = (
                self._parser.parse(self._source, self._tree)
                if self._tree
                else self._parser.parse(self._source)
            )
        except ValueError:  # the slice ran out; the next call resumes
            if time.monotonic() > self._deadline:
                self._switch_off("parse_time_budget")
            else:
                self._parse_timer.start()
            return
        self._parsing = False
        previous, self._rows = self._rows, {}
        if self._tree is None:
            self._done = bytearray(self._text.count("\n") + 1)
        elif not self._markdown:
            for changed in self._tree.changed_ranges(tree):
                self._done[changed.start_point[0] : changed.end_point[0] + 1] = bytes(
                    changed.end_point[0] - changed.start_point[0] + 1
                )
        self._tree = tree
        if self._markdown:
            # The block tree's changed ranges miss a code span that grows across a paragraph's
            # lines, so the lines on screen are compared with what they showed.
            self._mark_changed(previous)
        self._visible_timer.start()

    def _mark_changed(self, previous: dict[int, list[Segment]]) -> None:
        # The lines on screen only: each query here parses Markdown's inline text again.
        first, last = self._window(margin=0)
        for row in range(first, min(last, len(self._done))):
            if self._done[row]:
                if row not in self._rows:
                    self._query_chunk(row)
                    if self._off_reason:
                        return
                if self._rows.get(row) != previous.get(row):
                    self._done[row] = 0

    def _switch_off(self, reason: str) -> None:
        if self._off_reason != reason:
            logger.info("editor colouring off for this file: %s (%d bytes)", reason, len(self._source))
        had_colours = self._tree is not None
        self._off_reason = reason
        self._parsing = False
        self._tree = None
        self._rows.clear()
        if had_colours:
            QTimer.singleShot(0, self, self.rehighlight)  # clear what the old tree coloured

    # -- querying ---------------------------------------------------------------------------

    def _window(self, *, margin: int = MARGIN_ROWS) -> tuple[int, int]:
        first = self._editor.firstVisibleBlock().blockNumber()
        lines = self._editor.viewport().height() // max(1, self._editor.fontMetrics().lineSpacing()) + 1
        return max(0, first - margin), first + lines + margin

    def _highlight_visible(self) -> None:
        if self._tree is None or self._parsing or self._off_reason:
            return
        first, last = self._window()
        document = self.document()
        for row in range(first, min(last, len(self._done), document.blockCount())):
            if not self._done[row]:
                self.rehighlightBlock(document.findBlockByNumber(row))
                if self._off_reason:
                    return

    def _query_chunk(self, row: int) -> None:
        """Query lines `row` to `row + CHUNK_ROWS` and cache each line's segments."""
        assert self._grammar is not None and self._tree is not None
        end_row = row + CHUNK_ROWS
        injected = (
            markdown_injections(self._tree, self._source, rows=(row, end_row)) if self._markdown else []
        )
        rows = query_segments(((self._grammar, self._tree), *injected), rows=(row, end_row))
        if rows is None:
            self._switch_off("query_time_budget")
            return
        self._rows.update(rows)


def _point(text: str, index: int) -> tuple[int, int]:
    """(row, byte column) of character `index`, as tree-sitter counts them."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index), _utf8_len(text[line_start:index])


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", errors="surrogatepass"))


def _common_prefix(old: str, new: str, guess: int) -> int:
    """A length both texts start with: Qt's edit position, checked, else found by halving."""
    low, high = 0, min(guess, len(old), len(new))
    if old[:high] == new[:high]:
        return high
    while low < high:  # old[:low] == new[:low] holds throughout
        mid = (low + high + 1) // 2
        if old[:mid] == new[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _common_suffix(old: str, new: str, start: int, guess: int) -> int:
    """A length both texts end with that leaves `start` characters of prefix alone."""
    limit = min(len(old), len(new)) - start
    low, high = 0, max(0, min(guess, limit))

    def same(n: int) -> bool:
        return n == 0 or old[len(old) - n :] == new[len(new) - n :]

    if same(high):
        return high
    while low < high:
        mid = (low + high + 1) // 2
        if same(mid):
            low = mid
        else:
            high = mid - 1
    return low
