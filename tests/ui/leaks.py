"""What a test left running: the app's QThreads and its background jobs."""

from __future__ import annotations

import contextlib
from typing import Any

from pytestqt.exceptions import TimeoutError as WaitTimeout

from app.ui import background, threads

# A job that ends on its own gets this long to deliver `finished` (it is queued to the UI thread).
GRACE_MS = 2000


def snapshot() -> set[int]:
    """Ids of the threads and jobs that exist now (the ones a test started are the others)."""
    return {id(t) for t in threads.live_threads()} | {id(j) for j in background.running_jobs()}


def left_running(qtbot: Any, before: set[int], *, grace_ms: int = GRACE_MS) -> list[str]:
    """Names of the threads and jobs started since `before` that are still running.

    Jobs get `grace_ms` to finish; any still running is then cancelled and stopped (so it
    does not spill into the next test) and named. A QThread gets no grace: it is quit.
    """

    def jobs() -> list[background.Job]:
        return [j for j in background.running_jobs() if id(j) not in before]

    with contextlib.suppress(WaitTimeout):
        qtbot.waitUntil(lambda: not jobs(), timeout=grace_ms)
    names = []
    for job in jobs():
        names.append(f"job {job.name}")
        job.cancel()
        job.stop()
        job.wait(5000)
    for thread in [t for t in threads.live_threads() if id(t) not in before and t.isRunning()]:
        names.append(thread.objectName() or type(thread).__name__)
        thread.quit()
        thread.wait(5000)
    return names
