"""Prepare model Markdown for the transcript: copy links under code blocks, path:line links.

Qt-free text work. Links use private schemes the transcript handles itself (`copy:`,
`open:`); nothing here can name a remote resource that would be fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
# path/to/file.ext:12 (optionally inside backticks); the path needs an extension.
_PATH_LINE = re.compile(r"`?(?<![\w/.:-])((?:[\w.-]+/)*[\w.-]+\.[A-Za-z0-9]{1,8}):(\d{1,6})(?::\d+)?`?")


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block of one message."""

    language: str
    code: str


def code_blocks(text: str) -> list[CodeBlock]:
    """The fenced code blocks of `text`, in order (an unclosed last block counts)."""
    blocks: list[CodeBlock] = []
    fence = ""
    language = ""
    lines: list[str] = []
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if not fence and m:
            fence, language, lines = m.group(2), m.group(3).strip(), []
        elif (
            fence
            and m
            and m.group(2).startswith(fence[0])
            and len(m.group(2)) >= len(fence)
            and not m.group(3).strip()
        ):
            blocks.append(CodeBlock(language=language, code="\n".join(lines)))
            fence = ""
        elif fence:
            lines.append(line)
    if fence:
        blocks.append(CodeBlock(language=language, code="\n".join(lines)))
    return blocks


def decorate(text: str, *, turn_id: int) -> str:
    """Markdown with a copy link after each code block and path:line references as links."""
    out: list[str] = []
    fence = ""
    index = 0
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if not fence and m:
            fence = m.group(2)
            out.append(line)
        elif (
            fence
            and m
            and m.group(2).startswith(fence[0])
            and len(m.group(2)) >= len(fence)
            and not m.group(3).strip()
        ):
            out.append(line)
            out.append("")
            out.append(f"[Copy code](copy:{turn_id}:{index})")
            out.append("")
            fence = ""
            index += 1
        elif fence:
            out.append(line)
        else:
            out.append(_PATH_LINE.sub(_link, line))
    return "\n".join(out)


def _link(m: re.Match[str]) -> str:
    path, line = m.group(1), m.group(2)
    return f"[{path}:{line}](open:{quote(path)}:{line})"


def parse_open_link(target: str) -> tuple[str, int] | None:
    """`open:<path>:<line>` link target -> (path, line)."""
    if not target.startswith("open:"):
        return None
    body = target[len("open:") :]
    path, sep, line = body.rpartition(":")
    if not sep or not line.isdigit():
        return None
    return unquote(path), int(line)
