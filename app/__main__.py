"""`python -m app` and the `enclave` command: no arguments opens the app, words run the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the GUI or the headless CLI; imports stay lazy so startup is fast."""
    # The network guard goes first, before anything can import Qt, llama_cpp or huggingface_hub.
    from app.core.privacy.guard import install

    install()
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--probe-child"]:  # the frozen app started as the first-use probe's child
        from app.core.runtime.probe_child import main as probe_child

        return probe_child(args[1:])
    if args[:1] == ["--self-test"]:
        from app.self_test import main as self_test

        return self_test(args[1:])
    from app.cli import is_cli_invocation

    if is_cli_invocation(args):
        from app.cli import run_cli

        return run_cli(args)
    from app.gui import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
