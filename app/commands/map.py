"""`enclave map PATH`: the repo map a model would see, within a token budget."""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.arguments import positive_int
from app.commands.index_options import add_index_options, open_index


def register(subparsers: Any) -> None:
    """Add the `map` subcommand."""
    p = subparsers.add_parser("map", help="print the ranked outline of a project (the repo map)")
    p.add_argument("path", help="the project folder")
    p.add_argument(
        "--tokens", type=positive_int, default=1024, metavar="N", help="token budget (default 1024)"
    )
    p.add_argument("--mention", action="append", default=[], metavar="NAME", help="an identifier to favour")
    p.add_argument(
        "--chat-file", action="append", default=[], metavar="FILE", help="a file in the conversation"
    )
    add_index_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the outline."""
    from app.commands.interrupts import ctrl_c_cancels
    from app.commands.output import say
    from app.core.cancel import CancelToken

    with ctrl_c_cancels(CancelToken()) as cancel:
        index = open_index(args, args.path, cancel=cancel)
    chat = [f.replace("\\", "/").strip("/") for f in args.chat_file]
    say(index.repo_map(tokens=args.tokens, mentions=args.mention, chat_files=chat), end="")
    return 0
