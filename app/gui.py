"""Start the desktop app (imports Qt only here and below, never in the core)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

MIN_WINDOW = (640, 480)
MAX_WINDOW = (16384, 16384)
_SIZE = re.compile(r"\s*(\d{1,6})\s*[xX×]\s*(\d{1,6})\s*")


def window_size(text: str) -> tuple[int, int]:
    """`WxH` in logical pixels, at least 640x480 (an argparse `type=`: a bad value exits 2)."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1366x768, got {text!r}")
    width, height = int(match.group(1)), int(match.group(2))
    if width < MIN_WINDOW[0] or height < MIN_WINDOW[1]:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_WINDOW[0]}x{MIN_WINDOW[1]}, got {text!r}")
    if width > MAX_WINDOW[0] or height > MAX_WINDOW[1]:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_WINDOW[0]}x{MAX_WINDOW[1]}, got {text!r}")
    return width, height


def build_gui_parser() -> argparse.ArgumentParser:
    """The window's command line: `enclave [PROJECT] [--screenshot OUT.png] [--size WxH] ...`."""
    parser = argparse.ArgumentParser(prog="enclave", description="Open the Enclave window.")
    parser.add_argument("project", nargs="?", help="a project folder to open")
    parser.add_argument(
        "--screenshot", metavar="OUT.png", help="save a PNG of the window once indexed, then exit"
    )
    parser.add_argument(
        "--size",
        type=window_size,
        default=None,
        metavar="WxH",
        help="open the window at this size in logical pixels (at least 640x480), e.g. for --screenshot",
    )
    parser.add_argument("--no-model", action="store_true", help="start without loading a model")
    parser.add_argument(
        "--ask-timeout", type=float, default=120.0, metavar="S", help="stop the --ask answer after S seconds"
    )
    parser.add_argument(
        "--ask", default="", metavar="TEXT", help="with --screenshot: ask TEXT first, shoot after"
    )
    parser.add_argument("--debug", action="store_true", help="show debug logs")
    return parser


def run_gui(args: list[str]) -> int:
    """Open the main window; `args` may name a project folder or `--screenshot OUT.png`."""
    # Checked before Qt loads: a mistyped command (`enclave chta`) is an error on the
    # terminal, not a window opening on a folder that does not exist (or a Qt abort
    # where there is no display).
    ns = build_gui_parser().parse_args(args)
    if ns.project is not None and not Path(ns.project).is_dir():
        from app.cli import COMMAND_MODULES
        from app.commands.output import escape_name, warn

        warn(
            f"enclave: unknown command or no such folder: {escape_name(ns.project)} "
            f"(commands: {', '.join(COMMAND_MODULES)}; see enclave --help)"
        )
        return 2
    try:
        from app.ui.app import run_app
    except ImportError as exc:
        from app.commands.output import warn

        warn(f"enclave: the desktop app needs PySide6 ({exc}); the CLI still works: enclave --help")
        return 1
    return run_app(ns)
