"""Argument types every command shares: a bad value exits 2 before anything loads.

Each is an argparse `type=`: it raises `ArgumentTypeError`, which argparse turns into
`enclave CMD: error: argument --top: ...` and exit status 2. A typo such as `--ctx 0`
or `--temperature nan` is then refused at once instead of reaching a model load.
"""

from __future__ import annotations

import argparse
import math
from typing import Any


def positive_int(text: str) -> int:
    """A whole number of at least 1 (`--workers`, `--top`, `--tokens`, `--ctx`...)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """A finite number of at least 0 (`--temperature`, where 0 means greedy)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of at least 0, got {text!r}")
    return value


def prompt_text(text: str) -> str:
    """A prompt or question with something in it (returned as typed)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def add_ctx_option(p: Any) -> None:
    """`--ctx N`: the context window; omitted, it is sized from free memory."""
    p.add_argument(
        # None, not 0, when omitted: an explicit `--ctx 0` is refused, the default is "auto".
        "--ctx",
        type=positive_int,
        default=None,
        metavar="N",
        help="context size (default: sized from free memory)",
    )
