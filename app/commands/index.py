"""`enclave index PATH`: walk and parse a project, then report what the index holds."""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.arguments import positive_int
from app.commands.index_options import add_index_options, open_index


def register(subparsers: Any) -> None:
    """Add the `index` subcommand."""
    p = subparsers.add_parser("index", help="index a project in memory and report files, skips and symbols")
    p.add_argument("path", help="the project folder")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        metavar="N",
        help="parser processes (default: CPU count)",
    )
    add_index_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the index and print its summary."""
    from app.commands.interrupts import ctrl_c_cancels
    from app.commands.output import emit_json, say
    from app.core.cancel import CancelToken

    with ctrl_c_cancels(CancelToken()) as cancel:
        index = open_index(args, args.path, workers=args.workers, cancel=cancel)
    stats = index.stats
    assert stats is not None  # open() always completes a build
    report = stats.as_dict()
    if args.json:
        emit_json(report)
        return 0
    say(f"{stats.files_indexed} files indexed ({stats.files_parsed} parsed) of {stats.files_seen} seen")
    say(
        f"{stats.symbols} symbols in {len(stats.languages)} languages, {stats.seconds:.2f}s, {stats.workers} worker(s)"
    )
    for language, count in sorted(stats.languages.items(), key=lambda kv: -kv[1]):
        say(f"  {language:12} {count}")
    if stats.skipped:
        say("skipped: " + ", ".join(f"{reason} {n}" for reason, n in sorted(stats.skipped.items())))
    return 0
