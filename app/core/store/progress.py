"""The events the store's long jobs (download, import, verify) yield to a front end."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.core.store.manifest import InstalledModel


@dataclass(frozen=True)
class StageChanged:
    """A new step began: checking, downloading, verifying, probing, installing."""

    stage: str
    message: str


@dataclass(frozen=True)
class ByteProgress:
    """Bytes moved so far in one file of the current stage (download or hash)."""

    stage: str
    file: str
    done: int
    total: int
    bytes_per_s: float
    eta_s: float | None  # None while the speed is unknown

    @property
    def fraction(self) -> float:
        """Share done, 0..1 (0 when the total is unknown)."""
        return min(1.0, self.done / self.total) if self.total else 0.0


@dataclass(frozen=True)
class ModelReady:
    """The model is installed and recorded; `notes` holds what the user should know."""

    model: InstalledModel
    notes: tuple[str, ...] = ()
    already_installed: bool = False


StoreEvent = StageChanged | ByteProgress | ModelReady


@dataclass
class RateMeter:
    """Speed and ETA over a sliding window, throttled to a few reports a second."""

    stage: str
    file: str
    total: int
    interval: float = 0.25
    _samples: list[tuple[float, int]] = field(default_factory=list)
    _last_report: float = 0.0

    def update(self, done: int, *, force: bool = False) -> ByteProgress | None:
        """Record `done`; return an event when one is due (always when `force`)."""
        now = time.monotonic()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > 5.0:
            self._samples.pop(0)
        if not force and now - self._last_report < self.interval:
            return None
        self._last_report = now
        t0, d0 = self._samples[0]
        speed = (done - d0) / (now - t0) if now > t0 else 0.0
        eta = (self.total - done) / speed if speed > 0 and self.total >= done else None
        return ByteProgress(self.stage, self.file, done, self.total, speed, eta)
