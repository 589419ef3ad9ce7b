"""Run a model download as a background job: progress, pause (keeps the bytes) and cancel.

The store does the work (`app.core.store.download.download_model`, which opens the network
gate only while it runs). Pause stops reading the download's events and closes it: the
partial file stays staged, and starting the same download again resumes from it. Cancel sets
the CancelToken: the store removes the staged bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QProgressBar

from app.core.cancel import CancelToken
from app.ui.background import Job

logger = logging.getLogger(__name__)

Download = Callable[..., Iterator[Any]]  # download_model(entry, *, cancel, ...) -> store events


class DownloadRunner(QObject):
    """One download at a time, as a background `Job`.

    Every run ends with `finished(JobEnded)`: done, stopped (paused: the bytes stay),
    cancelled (they are removed) or failed (after `failed`).
    """

    progress = Signal(object)  # StageChanged | ByteProgress | ModelReady
    failed = Signal(object)  # an Exception (never for a cancel or a pause)
    finished = Signal(object)  # JobEnded

    def __init__(self, *, download: Download | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._download = download
        self.job: Job | None = None

    @property
    def running(self) -> bool:
        """Whether a download is running."""
        return self.job is not None and self.job.running

    def start_download(self, entry: Any, **options: Any) -> bool:
        """Start (or resume) downloading catalog `entry`; False while one is still running."""
        if self.running:
            return False
        download = self._download

        def work(cancel: CancelToken) -> Iterator[Any]:
            from app.core.store.download import download_model

            # `yield from`: a pause closes the store's generator at its current step (the
            # staged bytes stay, the network gate closes).
            yield from (download or download_model)(entry, cancel=cancel, **options)

        job = Job(work, name="download", owner=self)
        job.progress.connect(self.progress)
        job.failed.connect(self.failed)
        job.finished.connect(self.finished)
        self.job = job.start()
        return True

    def pause(self) -> None:
        """Stop at the next progress report and keep what was downloaded."""
        if self.job is not None:
            self.job.stop()

    def cancel(self) -> None:
        """Stop and throw the partial download away."""
        if self.job is not None:
            self.job.cancel()

    def stop(self, *, wait: bool = True) -> None:
        """Pause a running download (keeping its bytes) and, with `wait`, wait for it."""
        self.pause()
        if wait and self.job is not None:
            self.job.wait()


def describe_event(event: object) -> tuple[float | None, str, Any]:
    """A download event for a dialog: (fraction done or None, the status line, the installed model or None)."""
    from app.core.store.progress import ByteProgress, ModelReady, StageChanged

    if isinstance(event, ByteProgress):
        return event.fraction, f"{event.stage.capitalize()} {event.file}: {progress_text(event)}", None
    if isinstance(event, StageChanged):
        return None, f"{event.stage.capitalize()}: {event.message}", None
    if isinstance(event, ModelReady):
        model = event.model
        return 1.0, f"{model.id} is installed ({model.size / 2**30:.2f} GiB).", model
    return None, "", None


def show_event(
    event: object, *, progress: QProgressBar, say: Callable[[str], None], installed: Callable[[Any], None]
) -> None:
    """Show a download event in a dialog: the bar, the status line, and the model once installed."""
    fraction, text, model = describe_event(event)
    if fraction is not None:
        progress.setValue(int(fraction * 1000))
    if text:
        say(text)
    if model is not None:
        installed(model)


def stopped_text(exc: object) -> str:
    """The status line for a download that failed with `exc`."""
    from app.ui.error_presenter import message_for

    text = message_for(exc) if isinstance(exc, BaseException) else None
    return f"The download stopped: {text}" if text else "The download stopped."


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
