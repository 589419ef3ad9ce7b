"""`enclave complete FILE LINE COL [--model M] [--json]`: inline completion from the command line.

The same engine as the editor's ghost text, so other editors can script it: it prints the text
to insert at LINE:COL (1-based, COL in characters), or JSON with what it cost.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.commands.arguments import positive_int

MAX_BYTES = 8 * 2**20


def register(subparsers: Any) -> None:
    """Add the `complete` subcommand."""
    p = subparsers.add_parser(
        "complete", help="complete code at FILE:LINE:COL with a fill-in-the-middle model"
    )
    p.add_argument("file", help="the file to complete in")
    p.add_argument("line", type=positive_int, help="the cursor's line (1-based)")
    p.add_argument("col", type=positive_int, help="the cursor's column (1-based, in characters)")
    p.add_argument("--model", default=None, help="a FIM model: a .gguf path or an installed id")
    p.add_argument("--endpoint", default=None, help="complete through this configured endpoint instead")
    p.add_argument(
        "--project", default=None, help="the project folder, for context from other files (default: none)"
    )
    p.add_argument("--json", action="store_true", help="print JSON: the text and its cost")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the model, build the prompt, print the completion."""
    from app.commands.interrupts import ctrl_c_cancels
    from app.commands.output import emit_json, say, warn
    from app.core import services
    from app.core.cancel import CancelToken
    from app.core.completion import RepoContext
    from app.core.errors import EnclaveError
    from app.core.paths import user_dirs
    from app.core.settings import Settings

    path = Path(args.file)
    text = _read(path)
    if text is None:
        raise EnclaveError(
            f"{args.file}: not a readable text file (missing, binary or over {MAX_BYTES // 2**20} MiB)"
        )
    lines = text.split("\n")
    if args.line > len(lines):
        raise EnclaveError(f"{path.name} has {len(lines)} lines; line {args.line} is past its end")
    column = min(args.col - 1, len(lines[args.line - 1]))
    offset = sum(len(line) + 1 for line in lines[: args.line - 1]) + column
    settings = Settings.load(user_dirs().settings_file)
    cancel = CancelToken()
    root = Path(args.project).resolve() if args.project else None
    context, relpath = RepoContext(), path.name
    if root is not None:
        index = services.open_index(root)
        context = RepoContext(find_symbol=index.find_symbol, read=lambda rel: _read(root / rel))
        try:
            relpath = path.resolve().relative_to(root).as_posix()
        except ValueError:
            relpath = path.name
    with ctrl_c_cancels(cancel):
        engine = services.open_completion(
            settings=settings,
            spec=args.model,
            endpoint=args.endpoint,
            project=root,
            repo_name=root.name if root else "",
            context=context,
            cancel=cancel,
            progress=warn,
        )
    try:
        with ctrl_c_cancels(cancel):
            done = engine.complete(path=relpath, text=text, offset=offset, cancel=cancel)
    finally:
        engine.model.close()
    if args.json:
        emit_json(done.as_dict())
    else:
        say(done.text)
    return 0


def _read(path: Path) -> str | None:
    """A text file's text (LF line ends), or None when it is missing, binary or too big."""
    from app.core.text_file import decode_text, looks_binary

    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return None if looks_binary(data) else decode_text(data)[0]
