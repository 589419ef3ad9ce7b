"""Prepare model Markdown for the transcript: copy and apply links under code blocks, path:line links.

Qt-free text work. Links use private schemes the transcript handles itself (`copy:`,
`apply:`, `open:`); nothing here can name a remote resource that would be fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from app.core.agent.edits.blocks import fence_path

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")


def _closes(fence: str, m: re.Match[str] | None) -> bool:
    """Whether a fence line `m` closes the open `fence` (same kind, at least as long, no info)."""
    return bool(
        m and m.group(2).startswith(fence[0]) and len(m.group(2)) >= len(fence) and not m.group(3).strip()
    )


def closes_fence(fence: str, line: str) -> bool:
    """Whether `line` closes the open code fence `fence` (three or more backticks or tildes)."""
    return _closes(fence, FENCE.match(line))


# path/to/file.ext:12 (optionally inside backticks); the path needs an extension.
# A line that may continue the block above a blank line: a list item or an indented line.
_CONTINUES = re.compile(r"^(?:\s|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$))")
_PATH_LINE = re.compile(r"`?(?<![\w/.:-])((?:[\w.-]+/)*[\w.-]+\.[A-Za-z0-9]{1,8}):(\d{1,6})(?::\d+)?`?")


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block of one message."""

    language: str
    code: str
    path: str = ""  # the file the block names, by the agent's rule ("" when none)


def code_blocks(text: str) -> list[CodeBlock]:
    """The fenced code blocks of `text`, in order (an unclosed last block counts)."""
    blocks: list[CodeBlock] = []
    fence = ""
    language = ""
    lines: list[str] = []
    path = ""
    source = text.split("\n")
    for n, line in enumerate(source):
        m = FENCE.match(line)
        if not fence and m:
            fence, language, lines = m.group(2), m.group(3).strip(), []
            path = fence_path(m.group(3), source[max(0, n - 2) : n])
        elif fence and _closes(fence, m):
            blocks.append(CodeBlock(language=language, code="\n".join(lines), path=path))
            fence = ""
        elif fence:
            lines.append(line)
    if fence:
        blocks.append(CodeBlock(language=language, code="\n".join(lines), path=path))
    return blocks


def decorate(text: str, *, turn_id: int, first_index: int = 0) -> str:
    """Markdown with copy and apply links after each code block and path:line references as links.

    `first_index` numbers the copy links of a piece that starts after that many code blocks.
    """
    out: list[str] = []
    fence = ""
    index = first_index
    for line in text.split("\n"):
        m = FENCE.match(line)
        if not fence and m:
            fence = m.group(2)
            out.append(line)
        elif fence and _closes(fence, m):
            out.append(line)
            out.append("")
            out.append(code_links(turn_id, index))
            out.append("")
            fence = ""
            index += 1
        elif fence:
            out.append(line)
        else:
            out.append(_PATH_LINE.sub(_link, line))
    return "\n".join(out)


def code_links(turn_id: int, index: int) -> str:
    """The Markdown line of copy and apply links under code block `index` of turn `turn_id`."""
    return f"[Copy code](copy:{turn_id}:{index}) · [Apply](apply:{turn_id}:{index})"


def finished_prefix(text: str, *, start: int = 0) -> int:
    """Where the finished Markdown blocks of a streamed reply end (at or after `start`).

    `start` must itself be such an end (0, or an earlier result). Text before the returned
    offset cannot be changed by what streams in later, so it is rendered once; the rest (the
    block still being written) is re-rendered as it grows. A block is finished after a closed
    code fence, or at a blank line followed by a new block that is neither a list item nor
    indented (either could still belong to the list above).
    """
    end = start
    fence = ""
    pos = start
    blank_at = -1  # offset just after the last blank line outside a fence
    while True:
        nl = text.find("\n", pos)
        line = text[pos:] if nl < 0 else text[pos:nl]
        complete = nl >= 0
        m = FENCE.match(line)
        if fence:
            if complete and _closes(fence, m):
                fence = ""
                end = nl + 1
                blank_at = -1
        elif not line.strip():
            if complete:
                blank_at = nl + 1
        else:
            if blank_at >= 0 and (complete or len(line) >= 4) and not _CONTINUES.match(line):
                end = blank_at
            blank_at = -1
            if m and complete:
                fence = m.group(2)
        if not complete:
            return end
        pos = nl + 1


# Joins the parts of a shown path so a line does not break inside it (U+2060 WORD JOINER);
# a path longer than this may need a break, better at a slash than mid-name.
JOIN = "\u2060"
JOINED_PATH_CHARS = 48


def _link(m: re.Match[str]) -> str:
    path, line = m.group(1), m.group(2)
    shown = path if len(path) > JOINED_PATH_CHARS else re.sub(r"([/\-.])", lambda c: c.group(1) + JOIN, path)
    return f"[{shown}:{line}](open:{quote(path)}:{line})"


def parse_open_link(target: str) -> tuple[str, int] | None:
    """`open:<path>:<line>` link target -> (path, line)."""
    if not target.startswith("open:"):
        return None
    body = target[len("open:") :]
    path, sep, line = body.rpartition(":")
    if not sep or not line.isdigit():
        return None
    return unquote(path), int(line)
