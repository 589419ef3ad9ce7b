"""The headless front end over the same core as the app. Never imports Qt.

Each subcommand lives in `app/commands/<name>.py` with `register(subparsers)`; heavy imports
stay inside the command's `run` so `enclave --help` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import logging
from typing import Any

from app import __version__
from app.commands.output import warn
from app.core.errors import Cancelled, EnclaveError

COMMAND_MODULES = (
    "doctor", "chat", "models", "ask", "index", "symbols", "map", "context", "complete", "endpoint",
)  # fmt: skip
_DEBUG_HELP = "show tracebacks and debug logs"


def is_cli_invocation(args: list[str]) -> bool:
    """True when `args` name a subcommand (or ask for help/version) rather than a project."""
    if not args:
        return False
    first = next((a for a in args if a != "--debug"), "")  # `enclave --debug chat ...`
    return first in COMMAND_MODULES or first in {"-h", "--help", "--version"}


class CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: it takes `--debug` too, so `enclave chat --debug x` works."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # SUPPRESS: a subparser's default would overwrite a `--debug` given before the
        # command (`enclave --debug chat x`); unset, the top-level value stands.
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG_HELP)


def build_parser() -> argparse.ArgumentParser:
    """The full parser; each command module adds its own subparser."""
    parser = argparse.ArgumentParser(
        prog="enclave",
        description="Enclave: an offline coding assistant. Run without arguments to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"enclave {__version__}")
    parser.add_argument("--debug", action="store_true", help=_DEBUG_HELP)
    # Nested actions (`models list`) inherit the class, so they take --debug as well.
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"app.commands.{name}").register(subparsers)
    return parser


def run_cli(args: list[str]) -> int:
    """Run one subcommand; every error becomes one line on stderr and a non-zero exit."""
    parser = build_parser()
    ns = parser.parse_args(args)
    logging.basicConfig(
        level=logging.DEBUG if ns.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not getattr(ns, "func", None):
        parser.print_help()
        return 2
    try:
        return int(ns.func(ns) or 0)
    except Cancelled:
        return 130
    except KeyboardInterrupt:
        warn("enclave: interrupted")
        return 130
    except EnclaveError as exc:
        # Through the output layer: messages quote file names, which may hold an ESC.
        warn(f"enclave: {exc}")
        return 1
    except Exception as exc:
        if ns.debug:
            raise
        warn(f"enclave: internal error: {type(exc).__name__}: {exc} (run with --debug for details)")
        return 2
