"""A tool step as a compact card in the chat: tool, what it was asked, what came back, time.

Plain text work that returns the card's HTML for the transcript; clicking the card's
arrow (a `step:<turn>:<index>` link) expands it to the full arguments and output.
"""

from __future__ import annotations

import html
import re

from app.core.conversation import ToolStep

# How much of a tool's output an expanded card shows (the model saw all of it).
DETAIL_LINES = 40
DETAIL_CHARS = 4000
# Longest argument summary on the collapsed card.
SUMMARY_CHARS = 70

_GREP_HIT = re.compile(r"^.+:\d+: ")
_READ_HEADER = re.compile(r"\((\d+) lines\)$")
_SHOWING = re.compile(r"\(showing lines (\d+)-(\d+) of (\d+);")


def argument_summary(step: ToolStep) -> str:
    """The one argument that says what the call was about (path, pattern, command), shortened."""
    args = step.arguments
    main = next(
        (
            args[k]
            for k in ("path", "pattern", "command", "question", "focus")
            if isinstance(args.get(k), str)
        ),
        None,
    )
    if main is None:
        text = ", ".join(f"{k}={v}" for k, v in args.items())
    else:
        text = str(main)
        if step.name == "read" and (args.get("offset") or args.get("limit")):
            start = _as_int(args.get("offset"), 1)
            text += f" from line {start}"
        if step.name == "grep" and isinstance(args.get("include"), str):
            text += f" in {args['include']}"
        if step.name == "edit" and isinstance(args.get("symbol"), str) and args["symbol"]:
            text += f" ({args['symbol']})"
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def result_summary(step: ToolStep) -> str:
    """A few words on the outcome: "running…", "6 lines", "3 matches", "exit code 1", the error."""
    if step.ok is None:
        return "running…"
    lines = [line for line in step.output.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if step.name == "run" and len(lines) >= 2 and lines[0].startswith("$ "):
        return _clip(lines[1].split(";")[0])  # the exit code, whether or not it failed
    if not step.ok:
        return _clip(first or "failed")
    if step.name == "read":
        showing = _SHOWING.search(step.output)
        if showing:
            return f"lines {showing.group(1)}–{showing.group(2)} of {showing.group(3)}"
        header = _READ_HEADER.search(first)
        if header:
            return f"{int(header.group(1)):,} lines"
    if step.name == "grep":
        if first.startswith("no matches"):
            return "no matches"
        hits = sum(1 for line in lines if _GREP_HIT.match(line))
        more = re.search(r"\((\d+) more matches", step.output)
        total = hits + (int(more.group(1)) if more else 0)
        return f"{total:,} match" + ("" if total == 1 else "es")
    if step.name in ("list", "glob", "map", "symbols", "context") and len(lines) > 1:
        return f"{len(lines):,} lines"
    return _clip(first or "done")


def card_html(step: ToolStep, *, turn_id: int, index: int, expanded: bool, dark: bool) -> str:
    """The card as a one-cell table; `expanded` adds the full arguments and the output."""
    border, fill, dim = ("#4a4f57", "#262a30", "#a8b0ba") if dark else ("#d5d9de", "#f3f5f7", "#5f6670")
    mark = "✓" if step.ok else ("✗" if step.ok is False else "…")
    mark_colour = {True: "#3fa15a", False: "#d0473c", None: dim}[step.ok]
    when = html.escape(f" · {_duration(step.seconds)}") if step.seconds is not None else ""
    arrow = "▾" if expanded else "▸"
    head = (
        f"<a href='step:{turn_id}:{index}' title='Show or hide the details'>{arrow}</a>&nbsp;"
        f"<span style='color:{mark_colour}'>{mark}</span>&nbsp;<b>{html.escape(step.name)}</b>&nbsp; "
        f"<code>{html.escape(argument_summary(step))}</code>"
        f"<span style='color:{dim}'> — {html.escape(result_summary(step))}{when}</span>"
    )
    body = ""
    if expanded:
        args = "\n".join(f"{k}: {v}" for k, v in step.arguments.items()) or "(no arguments)"
        body = (
            f"<tr><td style='color:{dim}'>arguments</td></tr><tr><td><pre>{html.escape(args)}</pre></td></tr>"
            f"<tr><td style='color:{dim}'>output</td></tr>"
            f"<tr><td><pre>{html.escape(_detail(step.output) or '(none yet)')}</pre></td></tr>"
        )
    return (
        f"<table width='100%' cellspacing='0' cellpadding='4' border='1' "
        f"style='border-color:{border}; border-style:solid; background-color:{fill}; margin-top:2px; "
        f"margin-bottom:2px'><tr><td>{head}</td></tr>{body}</table>"
    )


def _duration(seconds: float) -> str:
    if seconds < 0.01:
        return "<0.01 s"
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.0f} s"


def _detail(output: str) -> str:
    lines = output.splitlines()
    text = "\n".join(lines[:DETAIL_LINES])
    if len(text) > DETAIL_CHARS:
        text = text[:DETAIL_CHARS] + "…"
    if len(lines) > DETAIL_LINES:
        text += f"\n… {len(lines) - DETAIL_LINES:,} more lines"
    return text


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default
