"""Project files as text: one set of binary, BOM and newline rules for the editor, the tools and the index.

A file is text unless its first 8 KB hold a NUL byte or more than 10% control characters.
Text is UTF-8; a leading BOM is dropped on reading and put back on writing, and so are CRLF
line endings (sniffed from the first 64 KB), so an edit changes only the lines it means to.
"""

from __future__ import annotations

from dataclasses import dataclass

UTF8_BOM = b"\xef\xbb\xbf"
_SNIFF_BYTES = 8192
_NEWLINE_SNIFF_BYTES = 65536
_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or more than 10% control characters, in the first 8 KB."""
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head) > 0.1


def is_utf8(data: bytes) -> bool:
    """Whether `data` decodes as UTF-8 (a BOM is allowed)."""
    if data.isascii():  # a cheap scan; most source files stop here
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class TextFormat:
    """How a file's text is stored: BOM and line endings, kept across an edit."""

    bom: bool = False
    newline: str = "\n"

    @classmethod
    def sniff(cls, data: bytes | None) -> TextFormat:
        """The format of existing bytes (None or empty: a new file with LF endings)."""
        if not data:
            return cls()
        newline = "\r\n" if b"\r\n" in data[:_NEWLINE_SNIFF_BYTES] else "\n"
        return cls(bom=data.startswith(UTF8_BOM), newline=newline)

    def decode(self, data: bytes, *, errors: str = "strict") -> str:
        """Text with LF endings and no BOM.

        `errors="replace"` shows undecodable bytes as U+FFFD (for reading, never for an edit
        that writes the text back).

        Raises:
            UnicodeDecodeError: the bytes are not UTF-8 and `errors` is "strict".

        """
        text = data.decode("utf-8", errors=errors).removeprefix("\ufeff")
        return text.replace("\r\n", "\n")

    def encode(self, text: str) -> bytes:
        """Bytes in this format, from text with LF endings."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return (UTF8_BOM if self.bom else b"") + text.encode("utf-8")


def decode_text(data: bytes) -> tuple[str, TextFormat]:
    """The text of a file's bytes for reading (undecodable bytes shown as U+FFFD), and its format."""
    fmt = TextFormat.sniff(data)
    return fmt.decode(data, errors="replace"), fmt


def text_lines(data: bytes) -> list[str]:
    """The lines of a text file as editors number them: BOM dropped, split at newlines only.

    `str.splitlines()` also splits at form feeds and Unicode line separators, which would
    number lines differently from the read tool, the symbols and the edit tool.
    """
    lines = decode_text(data)[0].split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines
