"""Render ranked definitions as a compact outline that fits a token budget."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from app.core.index.records import FileRecord, Symbol

TokenCounter = Callable[[str], int]
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
    lo, hi = 1, len(items)
    best = ""
    # Start where an average item (~25 tokens) would fill the budget.
    middle = min(max(tokens // 25, 1), hi)
    while lo <= hi:
        text = _render(items[:middle], records)
        size = count_tokens(text)
        if size <= tokens:
            if len(text) > len(best):
                best = text
            if size > tokens * 0.9:
                break
            lo = middle + 1
        else:
            hi = middle - 1
        middle = (lo + hi) // 2
    return best


def _render(items: Sequence[tuple[str, str | None]], records: Mapping[str, FileRecord]) -> str:
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
        if not names:
            lines.append(path)
            continue
        lines.append(f"{path}:")
        lines.extend(_symbol_line(s) for s in _with_parents(record.symbols, names))
    return "\n".join(lines) + ("\n" if lines else "")


def _with_parents(symbols: Sequence[Symbol], names: set[str]) -> list[Symbol]:
    """The wanted symbols plus the definitions that enclose them (class headers)."""
    chosen = [s for s in symbols if s.name in names]
    keep = {id(s) for s in chosen}
    for s in chosen:
        for parent in symbols:
            if (
                parent.line < s.line
                and parent.end_line >= s.end_line
                and parent.kind not in ("constant", "field")
            ):
                keep.add(id(parent))
    return [s for s in symbols if id(s) in keep]


def _symbol_line(symbol: Symbol) -> str:
    sig = symbol.signature
    if len(sig) > _MAX_LINE:
        sig = sig[: _MAX_LINE - 1] + "…"
    return f"{symbol.line:>5}│{sig}"
