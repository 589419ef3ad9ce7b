"""Which multiprocessing start method a worker process (pool or isolated tagger) is started with."""

from __future__ import annotations

import os
import sys
import threading

# Tests and benchmarks may pin a start method; None chooses as `start_method` says.
START_METHOD: str | None = None


def start_method() -> str:
    """The multiprocessing start method for a pool started now, from this thread."""
    if START_METHOD is not None:
        return START_METHOD
    if not sys.platform.startswith("linux") or getattr(sys, "frozen", False):
        return "spawn"
    if threading.active_count() == 1 and _os_threads() == 1:
        return "fork"
    return "spawn"


def _os_threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0  # unknown: not safe to fork
