"""`enclave context PATH "question"`: the files (and symbols) retrieval picks for a question."""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.arguments import positive_int, prompt_text
from app.commands.index_options import add_index_options, open_index


def register(subparsers: Any) -> None:
    """Add the `context` subcommand."""
    p = subparsers.add_parser("context", help="rank a project's files for a question")
    p.add_argument("path", help="the project folder")
    p.add_argument("question", type=prompt_text, help="what you want to find")
    p.add_argument("--top", type=positive_int, default=5, metavar="K", help="how many files (default 5)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    add_index_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the ranked files."""
    from app.commands.interrupts import ctrl_c_cancels
    from app.commands.output import emit_json, escape_name, say
    from app.core.cancel import CancelToken

    with ctrl_c_cancels(CancelToken()) as cancel:
        index = open_index(args, args.path, cancel=cancel)
    hits = index.context(args.question, top=max(1, args.top))
    if args.json:
        emit_json([hit.as_dict() for hit in hits])
        return 0
    for hit in hits:
        names = ", ".join(f"{s.name}:{s.line}" for s in hit.symbols)
        say(f"{hit.score:6.3f}  {escape_name(hit.file)}  {escape_name(names)}")
    return 0
