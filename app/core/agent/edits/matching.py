"""Apply SEARCH/REPLACE sections with forgiving matching.

Tried in order: the exact text; the lines with trailing whitespace ignored; the lines with
all indentation ignored (the replacement is re-indented by the same shift); the same with
blank lines at the edges of SEARCH dropped. A failure names the closest lines in the file,
so the model can copy them exactly on its next try.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

from app.core.agent.edits.blocks import SearchReplace
from app.core.errors import ToolError


def apply_sections(text: str, sections: Sequence[SearchReplace], *, path: str) -> str:
    """`text` with every section applied in order.

    Raises:
        ToolError: a SEARCH text is not found (with the closest lines) or is ambiguous.

    """
    for n, section in enumerate(sections, 1):
        if not section.search.strip():
            text = text + ("" if not text or text.endswith("\n") else "\n") + section.replace
            continue
        text = _apply_one(text, section, path=path, number=n, total=len(sections))
    return text


def _apply_one(text: str, section: SearchReplace, *, path: str, number: int, total: int) -> str:
    if text.count(section.search) == 1:
        return text.replace(section.search, section.replace, 1)
    if text.count(section.search) > 1:
        raise ToolError(
            f"{path}: SEARCH block {number} of {total} matches {text.count(section.search)} places; "
            "add surrounding lines so it matches one"
        )
    lines = text.split("\n")
    search = _trim_blank_edges(section.search.rstrip("\n").split("\n"))
    replace = section.replace.rstrip("\n").split("\n") if section.replace else []
    for key in (str.rstrip, str.strip):
        spans = _find(lines, search, key)
        if len(spans) == 1:
            start = spans[0]
            shifted = _reindent(replace, search, lines[start : start + len(search)])
            return "\n".join(lines[:start] + shifted + lines[start + len(search) :])
        if len(spans) > 1:
            raise ToolError(
                f"{path}: SEARCH block {number} of {total} matches {len(spans)} places; "
                "add surrounding lines so it matches one"
            )
    if section.replace and section.replace.strip() and section.replace in text:
        raise ToolError(
            f"{path}: SEARCH block {number} not found, but its REPLACE text is already in the file"
        )
    raise ToolError(
        f"{path}: SEARCH block {number} of {total} does not match the file; SEARCH must copy existing lines "
        f"exactly.{_did_you_mean(lines, search)}"
    )


def _find(lines: list[str], search: list[str], key: Callable[[str], str]) -> list[int]:
    if not search:
        return []
    want = [key(s) for s in search]
    have = [key(line) for line in lines]
    n = len(want)
    return [i for i in range(len(have) - n + 1) if have[i : i + n] == want]


def _trim_blank_edges(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _reindent(replace: list[str], search: list[str], found: list[str]) -> list[str]:
    """Shift `replace` by the indentation difference between what was searched and found."""
    first = next((i for i, s in enumerate(search) if s.strip()), None)
    if first is None:
        return replace
    have, want = _indent(found[first]), _indent(search[first])
    if have == want:
        return replace
    out = []
    for line in replace:
        if not line.strip():
            out.append(line)
        elif line.startswith(want):
            out.append(have + line[len(want) :])
        else:
            out.append(have + line.lstrip())
    return out


def _did_you_mean(lines: list[str], search: list[str]) -> str:
    n = len(search)
    if not n or not lines:
        return ""
    target = "\n".join(s.strip() for s in search)
    best, best_at = 0.0, -1
    for i in range(0, max(1, len(lines) - n + 1)):
        window = "\n".join(s.strip() for s in lines[i : i + n])
        ratio = difflib.SequenceMatcher(None, target, window, autojunk=False).quick_ratio()
        if ratio <= best:
            continue
        ratio = difflib.SequenceMatcher(None, target, window, autojunk=False).ratio()
        if ratio > best:
            best, best_at = ratio, i
    if best < 0.6:
        return ""
    snippet = "\n".join(lines[best_at : best_at + n])
    return f" Did you mean these lines (from line {best_at + 1})?\n{snippet}"
