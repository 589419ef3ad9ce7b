"""The write tools: edit and write. The code comes from a fenced block in the reply, never from JSON."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from app.core.agent.edit_session import editable_text
from app.core.agent.edits.blocks import EditBlock, find_blocks, normalize_path
from app.core.agent.edits.planner import SMALL_FILE_LINES, plan_edit
from app.core.agent.events import Event
from app.core.agent.tools.base import Param, ToolContext, ToolResult, ToolSpec
from app.core.errors import ToolError
from app.core.privacy.secrets import is_secret_path
from app.core.text_file import TextFormat

Run = Generator[Event, None, ToolResult]

BLOCK_HINT = (
    "write the file path on its own line, then a fenced code block with the complete new function or class "
    "(or the whole file if it is small, or SEARCH/REPLACE blocks), then call the tool"
)


class EditTool:
    """Apply the code block(s) written for a file in this reply."""

    spec = ToolSpec(
        "edit",
        "Change a file using the code block(s) you wrote for it above in this reply: complete functions or "
        "classes, the whole file if small, or SEARCH/REPLACE blocks. The user reviews the diff.",
        {
            "path": Param("string", "file path relative to the project root", required=True),
            "symbol": Param("string", "name of the function or class the block replaces, if any"),
        },
        permission="edit",
        writes=True,
    )

    def run(self, args: Mapping[str, Any], ctx: ToolContext) -> Run:
        """Plan the edit, propose its diff, apply it when accepted."""
        return (
            yield from apply_block(ctx, str(args["path"]), symbol=str(args.get("symbol") or ""), whole=False)
        )


class WriteTool:
    """Create a file, or replace a small one, with the code block written for it."""

    spec = ToolSpec(
        "write",
        f"Create a new file (or replace a file under {SMALL_FILE_LINES} lines) with the code block you wrote "
        "for it above in this reply.",
        {"path": Param("string", "file path relative to the project root", required=True)},
        permission="edit",
        writes=True,
    )

    def run(self, args: Mapping[str, Any], ctx: ToolContext) -> Run:
        """Whole-file write through the same review as edit."""
        content = args.get("content")
        return (yield from apply_block(ctx, str(args["path"]), symbol="", whole=True, content=content))


def apply_block(
    ctx: ToolContext,
    raw_path: str,
    *,
    symbol: str,
    whole: bool,
    content: Any = None,
    block: EditBlock | None = None,
) -> Run:
    """Find the block for `raw_path` in the reply (or take `block`) and run it through plan, review, write."""
    path = ctx.root.resolve(raw_path, for_write=True)
    rel = ctx.root.relative(path)
    if path.is_dir():
        raise ToolError(f"{raw_path}: is a folder")
    if is_secret_path(rel) and path.exists():
        # Planning quotes the file back (a SEARCH that does not match shows the nearest
        # lines), so a secret file is read only after the user says yes, as with read.
        allowed = yield from ctx.gate.check_secret(
            "edit", rel, reason=f"The model wants to change {rel}, which may hold secrets.", cancel=ctx.cancel
        )
        if not allowed:
            raise ToolError(f"{rel}: the user did not allow opening this file (it may hold secrets)")
    if block is None:
        block = _block_for(ctx, raw_path, rel, content)
    old = path.read_bytes() if path.exists() else None
    fmt = TextFormat.sniff(old)
    old_text = editable_text(fmt, old) if old is not None else None
    if whole and old_text is not None and not block.sections:
        lines = old_text.count("\n") + 1
        if lines > SMALL_FILE_LINES:
            raise ToolError(
                f"{rel} has {lines} lines; use edit with complete functions/classes or SEARCH/REPLACE"
            )
        planned_kind, new_text = "file", block.code
    else:
        planned = plan_edit(block, relpath=rel, old_text=old_text, index=ctx.index, symbol=symbol)
        planned_kind, new_text = planned.kind, planned.new_text
    report = yield from ctx.edits.propose(
        path, rel, kind=planned_kind, old=old, new_text=new_text, encoding=fmt, cancel=ctx.cancel
    )
    return ToolResult(report, ok=report.startswith("applied"))


def _block_for(ctx: ToolContext, raw_path: str, rel: str, content: Any) -> EditBlock:
    if ctx.attached:
        inner = find_blocks(ctx.attached)
        if inner:
            return inner[0]
        code = ctx.attached.removeprefix("<code>").removesuffix("</code>").strip("\n") + "\n"
        return EditBlock(path=rel, code=code)
    blocks = find_blocks(ctx.reply_text)
    want = {normalize_path(raw_path), rel}
    named = [b for b in blocks if normalize_path(b.path) in want]
    if not named:
        unnamed = [b for b in blocks if not b.path]
        named = unnamed[-1:] if len(unnamed) >= 1 else []
    if not named and isinstance(content, str):
        return EditBlock(path=rel, code=content)  # lenient: a model that put the code in JSON anyway
    if not named:
        raise ToolError(f"no code block for {rel} in your reply; {BLOCK_HINT}")
    if len(named) == 1:
        return named[0]
    sections = tuple(s for b in named for s in b.sections)
    if sections and all(b.sections for b in named):
        return EditBlock(path=rel, sections=sections)
    return named[-1]
