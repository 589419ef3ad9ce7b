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

    Binary search over how many ranked tags to show, as Aider does, but the outline
    carries line numbers so the model can cite `path:line`.
    """
    if tokens <= 0:
        return ""
    excluded = set(exclude)
    tags = [t for t in ranked_tags if t[0] not in excluded]
    tail = [f for f in ranked_files if f not in excluded]
    lo, hi = 0, len(tags)
    best = ""
    # Start where an average tag (~25 tokens) would fill the budget.
    guess: int | None = min(max(tokens // 25, 1), hi)
    while lo <= hi:
        middle = guess if guess is not None else (lo + hi) // 2
        guess = None
        text = _render(tags[:middle], records, tail)
        size = count_tokens(text)
        if size <= tokens:
            best = text if len(text) > len(best) else best
            if size > tokens * 0.9:
                break
            lo = middle + 1
        else:
            hi = middle - 1
    if not best:
        best = _fit_paths(tail, tokens, count_tokens)
    return best


def _render(
    tags: Sequence[tuple[str, str, float]], records: Mapping[str, FileRecord], tail: Sequence[str]
) -> str:
    wanted: dict[str, set[str]] = {}
    order: list[str] = []
    for path, name, _ in tags:
        if path not in wanted:
            wanted[path] = set()
            order.append(path)
        wanted[path].add(name)
    lines: list[str] = []
    for path in order:
        record = records.get(path)
        if record is None:
            continue
        lines.append(f"{path}:")
        lines.extend(_symbol_line(s) for s in _with_parents(record.symbols, wanted[path]))
    shown = set(order)
    # Files with nothing ranked still deserve their path if it fits (the caller trims).
    extra = [p for p in tail if p not in shown][: max(0, len(tags) // 4)]
    lines.extend(f"{p}" for p in extra)
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


def _fit_paths(paths: Sequence[str], tokens: int, count_tokens: TokenCounter) -> str:
    out: list[str] = []
    used = 0
    for p in paths:
        cost = count_tokens(p + "\n")
        if used + cost > tokens:
            break
        out.append(p)
        used += cost
    return "\n".join(out) + ("\n" if out else "")
