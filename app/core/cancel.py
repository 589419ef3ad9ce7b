"""Cancellation and the small records the core hands to front ends."""

from __future__ import annotations

import threading

from app.core.errors import Cancelled


class CancelToken:
    """A flag one thread sets and another checks between steps.

    The UI sets it directly (not through a queued signal) so a busy loop sees it at once.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the running operation to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether `cancel` was called."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise `Cancelled` when the token is set.

        Raises:
            Cancelled: `cancel` was called.

        """
        if self._event.is_set():
            raise Cancelled("cancelled")

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds, waking early on cancel; True when cancelled."""
        return self._event.wait(timeout)
