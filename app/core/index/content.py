"""Decide whether a file's bytes are worth indexing: binary and minified files are not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_SNIFF_BYTES = 8192
# A file whose lines average longer than this (or that has one huge line) is generated.
_MINIFIED_AVG_LINE = 300
_MINIFIED_MAX_LINE = 5000
_MINIFIED_MIN_SIZE = 2048


@dataclass(frozen=True)
class SourceText:
    """A file's bytes and whether they were valid UTF-8."""

    data: bytes
    invalid_utf8: bool


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or more than 10% control characters, in the first 8 KB."""
    head = data[:_SNIFF_BYTES]
    return b"\x00" in head or (bool(head) and _control_ratio(head) > 0.1)


def text_lines(data: bytes) -> list[str]:
    """The lines of a text file as editors number them: BOM dropped, split at newlines only.

    `str.splitlines()` also splits at form feeds and Unicode line separators, which would
    number lines differently from the read tool, the symbols and the edit tool.
    """
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def skip_reason(data: bytes, *, name: str = "") -> str | None:
    """`"binary"`, `"minified"` or None for text worth indexing."""
    if looks_binary(data):
        return "binary"
    if ".min." in name:
        return "minified"
    if len(data) >= _MINIFIED_MIN_SIZE:
        lines = data.count(b"\n") + 1
        if len(data) / lines > _MINIFIED_AVG_LINE:
            return "minified"
        if lines < 20 and max(len(line) for line in data.split(b"\n")) > _MINIFIED_MAX_LINE:
            return "minified"
    return None


def read_source(path: Path, *, name: str = "") -> SourceText | str:
    """The file's text, or the reason it is skipped (`unreadable`, `binary`, `minified`)."""
    try:
        data = path.read_bytes()
    except OSError:
        return "unreadable"
    reason = skip_reason(data, name=name or path.name)
    if reason:
        return reason
    try:
        if not data.isascii():  # isascii() is a cheap scan; most source files stop here
            data.decode("utf-8")
        invalid = False
    except UnicodeDecodeError:
        # tree-sitter parses the raw bytes either way; the flag is only counted.
        invalid = True
    return SourceText(data=data, invalid_utf8=invalid)


_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])


def _control_ratio(head: bytes) -> float:
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head)
