"""Read-only file tools: read, list, glob, grep."""

from __future__ import annotations

import fnmatch
import os
import re
import time
from collections.abc import Generator, Mapping
from typing import Any

import regex

from app.core.agent.events import Event
from app.core.agent.tools.base import Param, ToolContext, ToolResult, ToolSpec
from app.core.agent.tools.pattern import SEARCH_SECONDS, LinePattern
from app.core.errors import ToolError
from app.core.names import quote_name
from app.core.privacy.secrets import is_secret_path
from app.core.text_file import looks_binary, text_lines

Run = Generator[Event, None, ToolResult]

# The whole grep: past this, the model is told to narrow the search.
GREP_SECONDS = 20.0


class ReadTool:
    """Read a text file, a page of lines at a time, with line numbers."""

    spec = ToolSpec(
        "read",
        "Read a text file with line numbers. Long files come in pages: pass offset to continue.",
        {
            "path": Param("string", "file path relative to the project root", required=True),
            "offset": Param("integer", "first line to show (1-based)"),
            "limit": Param("integer", "how many lines"),
        },
    )

    def run(self, args: Mapping[str, Any], ctx: ToolContext) -> Run:
        """Return numbered lines, or a directory listing if `path` is a folder."""
        path = ctx.root.resolve(str(args["path"]))
        rel = ctx.root.relative(path)
        if path.is_dir():
            return (yield from ListTool().run({"path": rel}, ctx))
        if not path.is_file():
            raise ToolError(f"{args['path']}: no such file{_did_you_mean(ctx, str(args['path']))}")
        if is_secret_path(rel):
            allowed = yield from ctx.gate.check_secret(
                "read",
                rel,
                reason=f"The model wants to read {rel}, which may hold secrets.",
                cancel=ctx.cancel,
            )
            if not allowed:
                raise ToolError(f"{rel}: the user did not allow reading this file (it may hold secrets)")
        else:
            allowed = yield from ctx.gate.check("read", rel, reason=f"Read {rel}", cancel=ctx.cancel)
            if not allowed:
                raise ToolError(f"{rel}: reading this file is not allowed")
        data = path.read_bytes()
        if looks_binary(data):
            raise ToolError(f"{rel}: binary file ({len(data)} bytes), not shown")
        lines = text_lines(data)
        lim = ctx.limits
        offset = max(1, _int(args.get("offset"), 1))
        limit = max(1, min(_int(args.get("limit"), lim.read_lines), lim.read_lines))
        if offset > max(1, len(lines)):
            raise ToolError(f"{rel} has {len(lines)} lines; offset {offset} is past the end")
        out: list[str] = []
        size = 0
        last = offset - 1
        for n in range(offset, min(len(lines), offset + limit - 1) + 1):
            line = lines[n - 1]
            if len(line) > lim.line_chars:
                line = line[: lim.line_chars] + f"... ({len(lines[n - 1]) - lim.line_chars} more characters)"
            entry = f"{n}: {line}"
            if size + len(entry) + 1 > lim.read_bytes and out:
                break
            out.append(entry)
            size += len(entry) + 1
            last = n
        header = f"{quote_name(rel)} ({len(lines)} lines)"
        if last < len(lines):
            out.append(
                f"(showing lines {offset}-{last} of {len(lines)}; call read with offset={last + 1} for more)"
            )
        return ToolResult(header + "\n" + "\n".join(out))


class ListTool:
    """List a folder's entries."""

    spec = ToolSpec(
        "list",
        "List the files and folders in a folder of the project.",
        {"path": Param("string", "folder relative to the project root (default: the root)")},
    )

    def run(self, args: Mapping[str, Any], ctx: ToolContext) -> Run:
        """Folders first with a trailing slash, then files; ignored entries left out."""
        path = ctx.root.resolve(str(args.get("path") or "."))
        if not path.is_dir():
            raise ToolError(f"{args.get('path')}: not a folder")
        rel = ctx.root.relative(path)
        prefix = "" if rel == "." else rel + "/"
        known = ctx.index.files()
        dirs, files = set(), []
        for f in known:
            if not f.startswith(prefix):
                continue
            rest = f[len(prefix) :]
            # Quoted one by one: a name with a newline must read as one entry.
            if "/" in rest:
                dirs.add(quote_name(rest.split("/", 1)[0]) + "/")
            else:
                files.append(quote_name(rest))
        entries = sorted(dirs) + sorted(files)
        cap = ctx.limits.list_entries
        text = "\n".join(entries[:cap]) or "(empty, or every entry is ignored)"
        if len(entries) > cap:
            text += f"\n({len(entries) - cap} more entries not shown; use glob to narrow down)"
        yield from ()
        return ToolResult(f"{quote_name(rel)}/\n{text}" if rel != "." else text)


class GlobTool:
    """Find files by name pattern."""

    spec = ToolSpec(
        "glob",
        "Find project files whose path matches a glob pattern such as **/*.py or src/**/test_*.py.",
        {"pattern": Param("string", "glob pattern", required=True)},
    )

    def run(self, args: Mapping[str, Any], ctx: ToolContext) -> Run:
        """Matching paths, sorted, capped."""
        pattern = str(args["pattern"]).strip().lstrip("./") or "*"
        glob_re = _glob_regex(pattern)
        hits = [
            f
            for f in ctx.index.files()
            if glob_re.fullmatch(f) or ("/" not in pattern and fnmatch.fnmatch(os.path.basename(f), pattern))
        ]
        cap = ctx.limits.matches * 2
        text = "\n".join(quote_name(hit) for hit in hits[:cap]) or f"no files match {pattern}"
        if len(hits) > cap:
            text += f"\n({len(hits) - cap} more; use a narrower pattern)"
        yield from ()
        return ToolResult(text)


class GrepTool:
    """Search file contents with a regular expression."""

    spec = ToolSpec(
        "grep",
        "Search file contents with a regular expression; shows path:line: text for each match.",
        {
            "pattern": Param("string", "regular expression (Python syntax)", required=True),
            "include": Param("string", "only files matching this glob, e.g. *.py"),
        },
    )

    def run(self, args: Mapping[str, Any], ctx: ToolContext) -> Run:
        """Matches grouped by file; secret files are never searched.

        Raises:
            ToolError: the pattern is invalid, or too slow (catastrophic backtracking).
            Cancelled: `ctx.cancel` was set mid-search.

        """
        try:
            pattern = LinePattern(str(args["pattern"]))
        except regex.error as exc:
            raise ToolError(f"invalid regular expression: {exc}") from None
        include = str(args.get("include") or "")
        inc = _glob_regex(include) if include else None
        cap = ctx.limits.matches
        out: list[str] = []
        total = 0
        deadline = time.monotonic() + GREP_SECONDS
        for rel in ctx.index.files():
            if inc and not (inc.fullmatch(rel) or fnmatch.fnmatch(os.path.basename(rel), include)):
                continue
            if is_secret_path(rel):
                continue
            ctx.cancel.raise_if_cancelled()
            try:
                data = (ctx.root.path / rel).read_bytes()
            except OSError:
                continue
            if looks_binary(data):
                continue
            lines = text_lines(data)
            # One search over the file skips most files, and costs far less than one per line.
            if not pattern.may_match("\n".join(lines)):
                continue
            for n, line in enumerate(lines, 1):
                # Checked per line: a slow pattern may take up to SEARCH_SECONDS on each.
                ctx.cancel.raise_if_cancelled()
                if time.monotonic() > deadline:
                    raise ToolError(
                        f"the search took longer than {GREP_SECONDS:.0f} s (stopped at {quote_name(rel)}); "
                        "simplify the pattern or narrow it with include"
                    )
                try:
                    hit = pattern.matches(line)
                except TimeoutError:
                    raise ToolError(
                        f"the pattern took too long on {quote_name(rel)}:{n} (over {SEARCH_SECONDS} s for one "
                        "line); simplify it: avoid nested repeats such as (a+)+ or (a|aa)*"
                    ) from None
                if hit:
                    total += 1
                    if len(out) < cap:
                        out.append(f"{quote_name(rel)}:{n}: {line.strip()[:200]}")
        yield from ()
        if not out:
            return ToolResult(f"no matches for {args['pattern']}")
        more = f"\n({total - cap} more matches; narrow the pattern or use include)" if total > cap else ""
        return ToolResult("\n".join(out) + more)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        out.append("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c))
        i += 1
    return re.compile("".join(out))


def _did_you_mean(ctx: ToolContext, raw: str) -> str:
    name = os.path.basename(raw.replace("\\", "/"))
    close = [f for f in ctx.index.files() if os.path.basename(f) == name][:3]
    return f"; did you mean {', '.join(quote_name(c) for c in close)}?" if close else ""


def _int(value: Any, default: int) -> int:
    try:
        return int(value) if value is not None and value != "" else default
    except (TypeError, ValueError):
        return default
