"""Start the desktop app (imports Qt only here and below, never in the core)."""

from __future__ import annotations

import sys


def run_gui(args: list[str]) -> int:
    """Open the main window; `args` may name a project folder or `--screenshot OUT.png`."""
    try:
        from app.ui.app import run_app
    except ImportError as exc:
        print(
            f"enclave: the desktop app needs PySide6 ({exc}); the CLI still works: enclave --help",
            file=sys.stderr,
        )
        return 1
    return run_app(args)
