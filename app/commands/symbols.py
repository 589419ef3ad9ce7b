"""`enclave symbols PATH [--file F]`: the definitions tree-sitter found."""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.index_options import add_index_options, open_index


def register(subparsers: Any) -> None:
    """Add the `symbols` subcommand."""
    p = subparsers.add_parser("symbols", help="list a project's definitions (file, name, kind, line)")
    p.add_argument("path", help="the project folder")
    p.add_argument("--file", default=None, help="only this file (relative to PATH)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    add_index_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the symbols."""
    from app.commands.interrupts import ctrl_c_cancels
    from app.commands.output import emit_json, escape_name, say
    from app.core.cancel import CancelToken
    from app.core.errors import EnclaveError

    with ctrl_c_cancels(CancelToken()) as cancel:
        index = open_index(args, args.path, cancel=cancel)
    if args.file is not None:
        rel = args.file.replace("\\", "/").strip("/")
        if index.record(rel) is None:
            raise EnclaveError(f"not an indexed file: {args.file}")
        symbols = index.symbols(file=rel)
    else:
        symbols = index.symbols()
    if args.json:
        emit_json([{"file": s.file, "name": s.name, "kind": s.kind, "line": s.line} for s in symbols])
        return 0
    for s in symbols:
        say(f"{escape_name(s.file)}:{s.line}  {s.kind:10} {escape_name(s.name)}")
    return 0
