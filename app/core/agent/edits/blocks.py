"""Find edit blocks in a model reply.

A block is a fenced code block whose file is named on the line just above the fence
(`path/to/file.py`, `**file.py**`, `File: file.py`, `### file.py`) or in the fence's info
string (```python file.py). Its body is either complete code (a whole file, or whole
functions/classes) or SEARCH/REPLACE sections:

    <<<<<<< SEARCH
    old lines
    =======
    new lines
    >>>>>>> REPLACE
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_FENCE = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*)$")
_HEAD = re.compile(r"^<{5,9} ?SEARCH>?\s*$")
_DIVIDER = re.compile(r"^={5,9}\s*$")
_TAIL = re.compile(r"^>{5,9} ?REPLACE\s*$")
_PATHY = re.compile(
    r"^[\w.\-/\\@+~ ]*[\w\-]\.[\w]+$|^[\w.\-/\\@+]+/[\w.\-]+$|^(?:Makefile|Dockerfile|[\w.\-/]*/?[A-Z][a-z]+file)$"
)


@dataclass(frozen=True)
class SearchReplace:
    """One SEARCH/REPLACE section."""

    search: str
    replace: str


@dataclass(frozen=True)
class EditBlock:
    """Code the model wrote for one file."""

    path: str  # as the model wrote it ("" when no file was named)
    code: str = ""  # complete code (when `sections` is empty)
    sections: tuple[SearchReplace, ...] = ()
    error: str = ""  # a malformed SEARCH/REPLACE block


def find_blocks(text: str) -> list[EditBlock]:
    """Every edit block in `text`, in order."""
    lines = text.split("\n")
    blocks: list[EditBlock] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m:
            fence = m.group("fence")
            close = _find_close(lines, i + 1, fence)
            body = lines[i + 1 : close]
            path = _path_from_info(m.group("info")) or _path_above(lines, i)
            blocks.append(_make_block(path, body))
            i = close + 1
            continue
        if _HEAD.match(lines[i]):
            # SEARCH/REPLACE outside a fence: runs until its REPLACE line.
            end = i
            while end < len(lines) and not _TAIL.match(lines[end]):
                end += 1
            blocks.append(_make_block(_path_above(lines, i), lines[i : end + 1]))
            i = end + 1
            continue
        i += 1
    return [b for b in blocks if b.path or b.sections or b.error]


def fence_path(info: str, above: Sequence[str]) -> str:
    """The file a fenced block names, by `find_blocks`' rule: in its info string, else just above it.

    `above` are the lines before the fence line (only the last two count).
    """
    return _path_from_info(info) or _path_above([*above, ""], len(above))


def block_of(path: str, code: str) -> EditBlock:
    """The edit block a fence holding `code` makes for `path` (complete code or SEARCH/REPLACE)."""
    return _make_block(path, code.removesuffix("\n").split("\n"))


def normalize_path(path: str) -> str:
    """Compare paths the way the model writes them: './a/b.py' == 'a/b.py'."""
    p = path.strip().replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p


def _find_close(lines: list[str], start: int, fence: str) -> int:
    inner = 0
    for j in range(start, len(lines)):
        stripped = lines[j].strip()
        if stripped == fence and inner == 0:
            return j
        # A nested fence opener with an info string (```python) inside the body.
        if (
            stripped.startswith(fence)
            and len(stripped) > len(fence)
            and not stripped[len(fence) :].startswith(fence[0])
        ):
            inner += 1
        elif stripped == fence and inner > 0:
            inner -= 1
    return len(lines)


def _path_from_info(info: str) -> str:
    words = info.strip().split()
    for word in reversed(words):
        candidate = word.strip("`*\"':")
        if ("." in candidate or "/" in candidate) and _PATHY.match(candidate):
            return candidate
    return ""


def _path_above(lines: list[str], index: int) -> str:
    for j in range(index - 1, max(-1, index - 3), -1):
        raw = lines[j].strip()
        if not raw:
            continue
        cleaned = re.sub(r"^(#+\s*|[-*]\s+|(?:file|path|filename)\s*:\s*)", "", raw, flags=re.IGNORECASE)
        cleaned = cleaned.strip().strip("`*\"'").rstrip(":").strip().strip("`*")
        if cleaned and " " not in cleaned and _PATHY.match(cleaned):
            return cleaned
        return ""
    return ""


def _make_block(path: str, body: list[str]) -> EditBlock:
    if not any(_HEAD.match(line) for line in body):
        return EditBlock(path=path, code="\n".join(body) + ("\n" if body else ""))
    sections: list[SearchReplace] = []
    state, search, replace = "idle", [], []  # type: ignore[var-annotated]
    for line in body:
        if _HEAD.match(line):
            if state != "idle":
                return EditBlock(path=path, error="a SEARCH section was not closed with >>>>>>> REPLACE")
            state, search, replace = "search", [], []
        elif _DIVIDER.match(line) and state == "search":
            state = "replace"
        elif _TAIL.match(line) and state == "replace":
            sections.append(SearchReplace(_joined(search), _joined(replace)))
            state = "idle"
        elif state == "search":
            search.append(line)
        elif state == "replace":
            replace.append(line)
    if state != "idle":
        return EditBlock(
            path=path, error="a SEARCH/REPLACE block is incomplete (needs SEARCH, =======, REPLACE)"
        )
    return EditBlock(path=path, sections=tuple(sections))


def _joined(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""
