"""Turn an edit block into the new text of a file: create, whole file, whole symbol, or search/replace.

Small models keep whole functions and whole small files well-formed; they are poor at
copying surrounding lines exactly. So complete code is preferred: a block that holds only
definitions replaces those definitions (found by the index's symbol ranges) and adds the
new ones after them; a block with other top-level code replaces a small file whole.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from app.core.agent.edits.blocks import EditBlock
from app.core.agent.edits.matching import apply_sections
from app.core.agent.index_port import ProjectIndexPort, SymbolInfo
from app.core.errors import ToolError

SMALL_FILE_LINES = 250
_COMMENT_PREFIXES = ("#", "//", "/*", "*", "--", ";", "'''", '"""')


@dataclass(frozen=True)
class PlannedEdit:
    """The new text of one file and how it was made."""

    kind: str  # create | file | symbol | search_replace
    new_text: str
    symbols: tuple[str, ...] = ()


def plan_edit(
    block: EditBlock, *, relpath: str, old_text: str | None, index: ProjectIndexPort, symbol: str = ""
) -> PlannedEdit:
    """The file's new text for `block` (`old_text` None: the file does not exist yet).

    Raises:
        ToolError: the block cannot be applied; the message tells the model what to send.

    """
    if block.error:
        raise ToolError(f"{relpath}: {block.error}")
    if block.sections:
        if old_text is None:
            if all(not s.search.strip() for s in block.sections):
                return PlannedEdit("create", "".join(s.replace for s in block.sections))
            raise ToolError(
                f"{relpath}: no such file; to create it, send its complete content in a code block"
            )
        return PlannedEdit("search_replace", apply_sections(old_text, block.sections, path=relpath))
    code = block.code
    if old_text is None:
        return PlannedEdit("create", code)
    if symbol:
        return _replace_symbols(old_text, code, relpath=relpath, index=index, named=symbol)
    file_lines = old_text.count("\n") + 1
    block_syms = _top_level(index.symbols(relpath, text=textwrap.dedent(code)))
    if block_syms and _only_definitions(textwrap.dedent(code), block_syms):
        file_syms = index.symbols(relpath, text=old_text)
        if any(_match(s.name, file_syms) for s in block_syms) or file_lines > SMALL_FILE_LINES:
            return _replace_symbols(old_text, code, relpath=relpath, index=index, named="")
    if file_lines > SMALL_FILE_LINES:
        raise ToolError(
            f"{relpath} has {file_lines} lines, too long to rewrite whole: send only the complete functions or "
            "classes you change, or SEARCH/REPLACE blocks"
        )
    return PlannedEdit("file", code)


def _replace_symbols(
    old_text: str, code: str, *, relpath: str, index: ProjectIndexPort, named: str
) -> PlannedEdit:
    file_syms = index.symbols(relpath, text=old_text)
    if named:
        target = _match(named, file_syms)
        if target is None:
            raise ToolError(f"{relpath}: no symbol named {named!r}; known: {_names(file_syms)}")
        return PlannedEdit("symbol", _splice(old_text, target, code), (target.name,))
    code = textwrap.dedent(code)
    block_syms = _top_level(index.symbols(relpath, text=code))
    code_lines = code.rstrip("\n").split("\n")
    text = old_text
    replaced: list[str] = []
    added: list[str] = []
    pieces = []
    for sym in block_syms:
        piece = "\n".join(code_lines[sym.line - 1 : sym.end_line]) + "\n"
        pieces.append((sym, piece))
    targets = []
    for sym, piece in pieces:
        target = _match(sym.name, file_syms)
        if target is None:
            added.append(piece)
        else:
            targets.append((target, piece))
    # Replace from the bottom of the file up so earlier ranges stay valid.
    for target, piece in sorted(targets, key=lambda tp: tp[0].line, reverse=True):
        text = _splice(text, target, piece)
        replaced.append(target.name)
    if added:
        new_syms = index.symbols(relpath, text=text)
        anchor = _match(replaced[0], new_syms) if replaced else None
        text = _insert_after(text, anchor, added)
    names = tuple(replaced) + tuple(_first_line(a) for a in added)
    return PlannedEdit("symbol", text, names)


def _splice(text: str, target: SymbolInfo, code: str) -> str:
    lines = text.split("\n")
    start, end = target.line - 1, target.end_line
    new = code.rstrip("\n").split("\n")
    # Decorators the range left out but the model's block repeats.
    if new and new[0].lstrip().startswith("@"):
        while start > 0 and lines[start - 1].lstrip().startswith("@"):
            start -= 1
    indent = _indent(lines[start]) if start < len(lines) else ""
    base = _common_indent(new)
    shifted = [(indent + line[len(base) :]) if line.strip() else "" for line in new]
    return "\n".join(lines[:start] + shifted + lines[end:])


def _insert_after(text: str, anchor: SymbolInfo | None, pieces: list[str]) -> str:
    lines = text.split("\n")
    at = anchor.end_line if anchor else len(lines)
    if anchor is None:
        while at > 0 and not lines[at - 1].strip():
            at -= 1
    indent = _indent(lines[anchor.line - 1]) if anchor else ""
    body: list[str] = []
    for piece in pieces:
        new = piece.rstrip("\n").split("\n")
        base = _common_indent(new)
        body += ["", ""] if not indent else [""]
        body += [(indent + line[len(base) :]) if line.strip() else "" for line in new]
    tail = lines[at:]
    return "\n".join(lines[:at] + body + (tail if tail else [""]))


def _top_level(symbols: list[SymbolInfo]) -> list[SymbolInfo]:
    out: list[SymbolInfo] = []
    for sym in sorted(symbols, key=lambda s: (s.line, -s.end_line)):
        if out and sym.line <= out[-1].end_line:
            continue  # nested in the previous one
        out.append(sym)
    return out


def _only_definitions(code: str, symbols: list[SymbolInfo]) -> bool:
    covered: set[int] = set()
    for sym in symbols:
        covered.update(range(sym.line, sym.end_line + 1))
    for n, line in enumerate(code.split("\n"), 1):
        stripped = line.strip()
        if n in covered or not stripped or stripped.startswith(_COMMENT_PREFIXES) or stripped.startswith("@"):
            continue
        return False
    return True


def _match(name: str, symbols: list[SymbolInfo]) -> SymbolInfo | None:
    """The one symbol `name` means: exact, `Class.method` by nesting, or a unique last part.

    Raises:
        ToolError: several symbols have that name.

    """
    exact = [s for s in symbols if s.name == name]
    if len(exact) == 1:
        return exact[0]
    parent, _, leaf = name.rpartition(".")
    tail = [s for s in symbols if s.name.split(".")[-1] == leaf]
    if parent and len(tail) > 1:
        outer = [s for s in symbols if s.name.split(".")[-1] == parent.split(".")[-1]]
        tail = [
            t
            for t in tail
            if any(o.line <= t.line and t.end_line <= o.end_line and o is not t for o in outer)
        ]
    if len(tail) > 1:
        where = ", ".join(str(t.line) for t in tail[:6])
        raise ToolError(
            f"{leaf!r} is defined {len(tail)} times in the file (lines {where}); call edit with "
            "symbol set to Class.name to say which one"
        )
    return tail[0] if tail else None


def _names(symbols: list[SymbolInfo]) -> str:
    names = [s.name for s in symbols][:20]
    return ", ".join(names) if names else "(none found)"


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _common_indent(lines: list[str]) -> str:
    indents = [_indent(line) for line in lines if line.strip()]
    if not indents:
        return ""
    common = indents[0]
    for ind in indents[1:]:
        while not ind.startswith(common):
            common = common[:-1]
    return common


def _first_line(piece: str) -> str:
    return piece.strip().split("\n")[0][:60]
