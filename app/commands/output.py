r"""The CLI's output layer: the only place that prints.

A repository's file names and contents, and a model's reply, are not trusted text:

- Text output (`say`, `warn`, `progress`) never writes a control character other than a
  newline or a tab (`\r\n` line ends pass too). An ESC, a lone `\r` or a C1 control is
  written as `\x1b`, `\r`, `\x9b`; a bidi override as `\u202e`. So a file named
  `\x1b[31m.py` cannot recolour or rewrite the terminal. `escape_name` goes further for a
  name inside a line: it escapes newlines and tabs too, so one name stays on one line.
- Names that are not UTF-8 reach Python as lone surrogates (`os.fsdecode` maps byte 0xFF
  to U+DCFF). Text output shows such a byte as `\xff`.
- JSON output (`emit_json`, `emit_jsonl`) is always UTF-8 and always valid: a lone
  surrogate is written as the escape `\udcff` (not as raw byte 0xFF, which is not UTF-8),
  and DEL, C1 controls and bidi controls are escaped too. Python's `json.loads` then gives
  back the same string, and `os.fsencode` the original bytes; other readers see an
  escaped, unpaired surrogate rather than a broken document.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, TextIO

from app.core.names import escape_json_text

# C0 controls except tab and newline, a `\r` that does not end a line, DEL and C1,
# bidi embeddings/overrides/isolates, and lone surrogates.
_TEXT_UNSAFE = re.compile(
    "\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAME_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def emit_json(value: Any) -> None:
    """Print one JSON document on stdout."""
    _write_utf8(sys.stdout, escape_json_text(json.dumps(value, ensure_ascii=False, indent=2)) + "\n")


def emit_jsonl(value: Any) -> None:
    """Print one JSON Lines record on stdout."""
    _write_utf8(sys.stdout, escape_json_text(json.dumps(value, ensure_ascii=False)) + "\n")


def say(text: str = "", *, end: str = "\n") -> None:
    """Print human-readable text on stdout."""
    _write_text(sys.stdout, terminal_text(text) + end)


def warn(text: str) -> None:
    """Print a note for the user on stderr."""
    _write_text(sys.stderr, terminal_text(text) + "\n")


def progress(text: str) -> None:
    """Overwrite the current status line on stderr (only when it is a terminal)."""
    if sys.stderr.isatty():
        _write_text(sys.stderr, "\r" + escape_name(text)[:110].ljust(110) + "\r")


def terminal_text(text: str) -> str:
    """`text` with every control character but newlines and tabs escaped."""
    return _TEXT_UNSAFE.sub(_escape, text)


def escape_name(name: str) -> str:
    """A file name (or any one-line value) fit for a line of text: all controls escaped."""
    return _NAME_UNSAFE.sub(_escape, name)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode kept it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _write_text(stream: TextIO, text: str) -> None:
    # Encoded here with backslashreplace: a terminal whose encoding lacks a character
    # (a Latin-1 locale and a CJK file name) gets an escape instead of a crash.
    _write_bytes(stream, text.encode(stream.encoding or "utf-8", "backslashreplace"), text)


def _write_utf8(stream: TextIO, text: str) -> None:
    # JSON is UTF-8 whatever the locale says (RFC 8259).
    _write_bytes(stream, text.encode("utf-8"), text)


def _write_bytes(stream: TextIO, data: bytes, text: str) -> None:
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a StringIO that a caller swapped in
        stream.write(text)
        stream.flush()
        return
    stream.flush()  # anything written as text before must come first
    buffer.write(data)
    buffer.flush()
