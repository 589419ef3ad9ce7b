r"""File names as the model sees them: a hostile name must read as one name.

A repository can hold files named `a\nb.py` (which a listing would show as two entries),
names with ESC or bidi controls, and names that are not UTF-8 at all: `os.fsdecode` turns
each such byte into a lone surrogate (U+DC80-U+DCFF), which llama.cpp's tokenizer cannot
even encode. `quote_name` writes those names as JSON strings, the form a tool call's
arguments already use, so the model can pass a quoted name straight back as a `path`.
"""

from __future__ import annotations

import json
import re

# Characters JSON leaves raw with ensure_ascii=False that must not be: DEL and the C1
# controls (U+009B is a terminal's CSI), bidi embeddings, overrides and isolates (they
# reorder what a reader sees), and lone surrogates (not encodable as UTF-8).
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What makes a bare name ambiguous in a listing: any control character, the characters
# above, a leading quote (it would look quoted) and white space at either end.
_NEEDS_QUOTES = re.compile('[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]|^["\\s]|\\s$')


def quote_name(name: str) -> str:
    r"""`name` unchanged when it is plain, else as a JSON string literal (`"a\nb.py"`)."""
    if not _NEEDS_QUOTES.search(name):
        return name
    return escape_json_text(json.dumps(name, ensure_ascii=False))


def escape_json_text(text: str) -> str:
    r"""`text` (JSON from `json.dumps(..., ensure_ascii=False)`) with unsafe characters escaped.

    json.dumps emits such characters only inside string literals, so writing each as a
    `\uXXXX` escape keeps the same JSON value. A lone surrogate becomes `\udcff`, which
    Python's json.loads reads back as the same surrogate (and `os.fsencode` as byte 0xFF).
    """
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
