"""Ctrl-C in the CLI: the first one cancels the running step through its CancelToken."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any

from app.core.cancel import CancelToken


@contextlib.contextmanager
def ctrl_c_cancels(cancel: CancelToken) -> Iterator[CancelToken]:
    """While inside, SIGINT sets `cancel` instead of raising KeyboardInterrupt.

    A KeyboardInterrupt raised inside a ctypes callback (llama.cpp's load progress, its log
    hook) is printed and swallowed by ctypes, and one raised in a pool's wait can leave
    workers behind; a token the long step checks ends it cleanly instead. A second Ctrl-C
    while the step is still winding down interrupts at once.
    """

    def on_sigint(_signum: int, _frame: Any) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread: the caller's own handling applies
        yield cancel
        return
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGINT, previous)
