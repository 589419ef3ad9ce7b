"""Read-only tools backed by the project index: symbols, map, context."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from app.core.agent.events import Event
from app.core.agent.tools.base import Param, ToolContext, ToolResult, ToolSpec
from app.core.errors import ToolError
from app.core.names import quote_name

Run = Generator[Event, None, ToolResult]


class SymbolsTool:
    """Outline of one file: its classes and functions with line ranges."""

    spec = ToolSpec(
        "symbols",
        "Outline of a file: its classes, functions and methods with line numbers.",
        {"path": Param("string", "file path relative to the project root", required=True)},
    )

    def run(self, args: Mapping[str, Any], ctx: ToolContext) -> Run:
        """One line per symbol: `start-end kind name: signature`."""
        path = ctx.root.resolve(str(args["path"]))
        if not path.is_file():
            raise ToolError(f"{args['path']}: no such file")
        rel = ctx.root.relative(path)
        syms = ctx.index.symbols(rel)
        yield from ()
        if not syms:
            return ToolResult(
                f"{quote_name(rel)}: no symbols found (unknown language or no definitions); use read"
            )
        lines = [
            f"{s.line}-{s.end_line} {s.kind} {s.name}" + (f": {s.signature}" if s.signature else "")
            for s in syms
        ]
        return ToolResult(f"{quote_name(rel)}\n" + "\n".join(lines[:300]))


class MapTool:
    """The repo map, focused on given names."""

    spec = ToolSpec(
        "map",
        "Outline of the whole project (files with their main definitions), focused on a name if given.",
        {"focus": Param("string", "identifier or file to rank first")},
    )

    def __init__(self, *, tokens: int = 1500) -> None:
        self.tokens = tokens

    def run(self, args: Mapping[str, Any], ctx: ToolContext) -> Run:
        """The outline, within a fixed token budget."""
        focus = str(args.get("focus") or "").strip()
        mentions = [focus] if focus else []
        files = [focus] if "/" in focus or "." in focus else []
        text = ctx.index.repo_map(tokens=self.tokens, mentions=mentions, files=files)
        yield from ()
        return ToolResult(text or "(the project has no indexed files)")


class ContextTool:
    """Files most relevant to a question."""

    spec = ToolSpec(
        "context",
        "Find the files and symbols most relevant to a question about the code.",
        {"question": Param("string", "what you are looking for", required=True)},
    )

    def run(self, args: Mapping[str, Any], ctx: ToolContext) -> Run:
        """Ranked files with their matching symbols."""
        hits = ctx.index.context(str(args["question"]), top=8)
        yield from ()
        if not hits:
            return ToolResult("nothing relevant found; try grep or glob")
        lines = [quote_name(h.file) + (f": {', '.join(h.symbols[:8])}" if h.symbols else "") for h in hits]
        return ToolResult("\n".join(lines))
