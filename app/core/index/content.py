"""Decide whether a file's bytes are worth indexing: binary and minified files are not.

What counts as binary is `app.core.text_file`'s rule, shared with the editor and the tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.text_file import is_utf8, looks_binary

# A file whose lines average longer than this (or that has one huge line) is generated.
_MINIFIED_AVG_LINE = 300
_MINIFIED_MAX_LINE = 5000
_MINIFIED_MIN_SIZE = 2048


@dataclass(frozen=True)
class SourceText:
    """A file's bytes and whether they were valid UTF-8."""

    data: bytes
    invalid_utf8: bool


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
    # tree-sitter parses the raw bytes either way; the flag is only counted.
    return SourceText(data=data, invalid_utf8=not is_utf8(data))
