"""The one set of text rules the editor, the read/grep tools and the index share."""

from __future__ import annotations

import pytest

from app.core.text_file import TextFormat, decode_text, is_utf8, looks_binary, text_lines

BOM_CRLF = b"\xef\xbb\xbfdef f():\r\n    return 1\r\n"


def test_bom_and_crlf_are_dropped_on_reading_and_put_back_on_writing() -> None:
    text, fmt = decode_text(BOM_CRLF)
    assert text == "def f():\n    return 1\n"
    assert fmt == TextFormat(bom=True, newline="\r\n")
    assert fmt.encode(text.replace("1", "2")) == BOM_CRLF.replace(b"1", b"2")
    assert text_lines(BOM_CRLF) == ["def f():", "    return 1"]


def test_a_new_file_is_lf_without_a_bom() -> None:
    assert TextFormat.sniff(None) == TextFormat.sniff(b"") == TextFormat(bom=False, newline="\n")
    assert TextFormat.sniff(None).encode("a\nb\n") == b"a\nb\n"


def test_lines_split_at_newlines_only() -> None:
    # A form feed or U+2028 inside a line must not shift the numbering the tools and symbols use.
    data = "a\x0cb\nc\u2028d\ne".encode()
    assert text_lines(data) == ["a\x0cb", "c\u2028d", "e"]


def test_undecodable_bytes_are_shown_for_reading_and_refused_for_editing() -> None:
    latin1 = "caf\xe9\n".encode("latin-1")
    assert not is_utf8(latin1) and is_utf8(BOM_CRLF) and is_utf8(b"plain")
    assert decode_text(latin1)[0] == "caf\ufffd\n"
    with pytest.raises(UnicodeDecodeError):
        TextFormat.sniff(latin1).decode(latin1)


def test_binary_is_a_nul_or_many_control_characters_in_the_first_8_kb() -> None:
    assert looks_binary(b"text\x00more")
    assert looks_binary(bytes(range(1, 32)) * 10)
    assert not looks_binary(b"")
    assert not looks_binary("naïve café\n".encode("latin-1") * 50)
    assert not looks_binary(b"x" * 8192 + b"\x00")  # past the sniffed head
