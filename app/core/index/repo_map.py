"""Render ranked definitions as a compact outline that fits a token budget."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from app.core.index.records import FileRecord, SymbolRow
from app.core.names import quote_name

TokenCounter = Callable[[str], int]
# Per-file symbol layouts, kept by the index between maps (a record is immutable).
LayoutCache = dict[str, tuple[FileRecord, "_Layout"]]
_MAX_LINE = 100


def estimate_tokens(text: str) -> int:
    """A cheap token estimate (about four characters per token for code)."""
    return (len(text) + 3) // 4


def render_outline(
    ranked_tags: Sequence[tuple[str, str, float]],
    *,
    records: Mapping[str, FileRecord],
    ranked_files: Iterable[str],
    tokens: int,
    count_tokens: TokenCounter = estimate_tokens,
    exclude: Iterable[str] = (),
    layout_cache: LayoutCache | None = None,
) -> str:
    """The largest outline of the best-ranked definitions (then bare paths) within `tokens`.

    The items are the ranked (file, identifier) tags followed by the remaining files in
    rank order; a binary search finds how many fit (as Aider does). Unlike Aider's, the
    outline carries line numbers so the model can cite `path:line`.
    """
    if tokens <= 0:
        return ""
    excluded = set(exclude)
    items: list[tuple[str, str | None]] = [(f, name) for f, name, _ in ranked_tags if f not in excluded]
    tagged = {f for f, _ in items}
    items.extend((f, None) for f in ranked_files if f not in excluded and f not in tagged)
    layouts: LayoutCache = layout_cache if layout_cache is not None else {}
    best = ""
    # Grow from where an average item (~25 tokens) would fill the budget, doubling until
    # the outline is too big, then bisect: big trial renders of thousands of items are
    # what made Aider's search slow on large projects.
    lo, hi = 1, len(items)
    middle = min(max(tokens // 25, 1), hi)
    growing = True
    while lo <= hi:
        text = _render(items[:middle], records, layouts)
        size = count_tokens(text)
        if size <= tokens:
            if len(text) > len(best):
                best = text
            if size > tokens * 0.9:
                break
            lo = middle + 1
            if growing:
                middle = min(middle * 2, hi)
                continue
        else:
            hi = middle - 1
            growing = False
        middle = (lo + hi) // 2
    return best


class _Layout:
    """One file's symbols indexed by name, with the containers that enclose each one.

    Works on the record's plain rows (name, kind, line, end_line, signature): building
    Symbol objects for every definition of a big file cost more than the whole render.
    """

    def __init__(self, rows: Sequence[SymbolRow]) -> None:
        self.rows = rows
        self.by_name: dict[str, list[int]] = {}
        self.parents: list[tuple[int, ...]] = []
        stack: list[int] = []
        for i, (name, kind, line, end_line, _) in enumerate(rows):
            while stack and rows[stack[-1]][3] < line:
                stack.pop()
            self.by_name.setdefault(name, []).append(i)
            self.parents.append(tuple(stack))
            if kind not in ("constant", "field") and end_line > line:
                stack.append(i)

    def lines(self, names: set[str]) -> list[SymbolRow]:
        """The wanted symbols plus their enclosing definitions (class headers), in file order."""
        keep: set[int] = set()
        for name in names:
            for i in self.by_name.get(name, ()):
                keep.add(i)
                keep.update(self.parents[i])
        return [self.rows[i] for i in sorted(keep)]


def _render(
    items: Sequence[tuple[str, str | None]], records: Mapping[str, FileRecord], layouts: LayoutCache
) -> str:
    wanted: dict[str, set[str]] = {}
    for path, name in items:
        names = wanted.setdefault(path, set())
        if name is not None:
            names.add(name)
    lines: list[str] = []
    for path, names in wanted.items():
        record = records.get(path)
        if record is None:
            continue
        # Quoted where needed: a name with a newline must not read as two entries.
        shown = quote_name(path)
        if not names:
            lines.append(shown)
            continue
        cached = layouts.get(path)
        # Records are immutable: a changed file comes back as a new record object.
        if cached is None or cached[0] is not record:
            cached = layouts[path] = (record, _Layout(record.symbol_rows))
        layout = cached[1]
        lines.append(f"{shown}:")
        lines.extend(_symbol_line(row) for row in layout.lines(names))
    return "\n".join(lines) + ("\n" if lines else "")


def _symbol_line(row: SymbolRow) -> str:
    line, sig = row[2], row[4]
    if len(sig) > _MAX_LINE:
        sig = sig[: _MAX_LINE - 1] + "…"
    return f"{line:>5}│{sig}"
