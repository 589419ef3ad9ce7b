"""The CLI's output layer: the only place that prints."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(value: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def emit_jsonl(value: Any) -> None:
    """Print one JSON Lines record on stdout."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def say(text: str = "", *, end: str = "\n") -> None:
    """Print human-readable text on stdout."""
    sys.stdout.write(text + end)
    sys.stdout.flush()


def warn(text: str) -> None:
    """Print a note for the user on stderr."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def progress(text: str) -> None:
    """Overwrite the current status line on stderr (only when it is a terminal)."""
    if sys.stderr.isatty():
        sys.stderr.write("\r" + text[:110].ljust(110) + "\r")
        sys.stderr.flush()
