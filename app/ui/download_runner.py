"""Run a model download on its own thread: progress, pause (keeps the bytes) and cancel.

The store does the work (`app.core.store.download.download_model`, which opens the network
gate only while it runs). Pause stops reading the download's events and closes it: the
partial file stays staged, and starting the same download again resumes from it. Cancel sets
the CancelToken: the store removes the staged bytes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QThread, Signal

from app.core.errors import Cancelled
from app.core.events import CancelToken
from app.ui.threads import track

logger = logging.getLogger(__name__)

Download = Callable[..., Iterator[Any]]  # download_model(entry, *, cancel, ...) -> store events


class DownloadRunner(QThread):
    """One download at a time; every run ends with `ended` (done | paused | cancelled | failed)."""

    event_emitted = Signal(object)  # StageChanged | ByteProgress | ModelReady
    failed = Signal(object)  # an Exception (never for a cancel or a pause)
    ended = Signal(str)

    def __init__(self, *, download: Download | None = None) -> None:
        super().__init__()
        self.setObjectName("DownloadRunner")
        track(self)
        self._download = download
        self._entry: Any = None
        self._options: dict[str, Any] = {}
        self._cancel = CancelToken()
        self._pause = threading.Event()

    def start_download(self, entry: Any, **options: Any) -> bool:
        """Start (or resume) downloading catalog `entry`; False while one is still running."""
        if self.isRunning():
            return False
        self._entry, self._options = entry, options
        self._cancel = CancelToken()
        self._pause.clear()
        self.start()
        return True

    def pause(self) -> None:
        """Stop at the next progress report and keep what was downloaded."""
        self._pause.set()

    def cancel(self) -> None:
        """Stop and throw the partial download away."""
        self._cancel.cancel()

    def run(self) -> None:
        """The thread: follow the store's events until done, paused, cancelled or failed."""
        outcome = "failed"
        try:
            download = self._download
            if download is None:
                from app.core.store.download import download_model

                download = download_model
            from app.core.store.progress import ModelReady

            events = download(self._entry, cancel=self._cancel, **self._options)
            outcome = "done"
            try:
                for event in events:
                    self.event_emitted.emit(event)
                    if isinstance(event, ModelReady):
                        break
                    if self._pause.is_set() and not self._cancel.cancelled:
                        outcome = "paused"
                        break
            finally:
                close = getattr(events, "close", None)
                if close is not None:
                    close()  # at its current step: the staged bytes stay, the gate closes
        except Cancelled:
            outcome = "cancelled"
        except Exception as exc:  # reported, never silent
            logger.info("download failed: %s", type(exc).__name__)
            outcome = "failed"
            self.failed.emit(exc)
        finally:
            self.ended.emit(outcome)

    def stop(self, *, wait: bool = True) -> None:
        """Pause a running download (keeping its bytes) and wait for the thread."""
        self.pause()
        if wait:
            self.wait()


def progress_text(event: Any) -> str:
    """'12.0 / 2,500.0 MiB · 8.1 MiB/s · about 5 min left' for a `ByteProgress`."""
    mib = 2**20
    speed = f"{event.bytes_per_s / mib:.1f} MiB/s" if event.bytes_per_s > 0 else "measuring speed"
    eta = event.eta_s
    left = "" if eta is None else f" · {_duration(eta)} left"
    return f"{event.done / mib:,.1f} / {event.total / mib:,.1f} MiB · {speed}{left}"


def _duration(seconds: float) -> str:
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
