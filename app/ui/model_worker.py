"""`ModelWorker`: the one thread that owns the model (llama.cpp is not thread-safe).

Jobs run one at a time, in order. Every job ends with `job_finished`; a job that raises
emits `failed` first (a `Cancelled` emits nothing). Stop sets the job's CancelToken directly
from the UI thread, so a busy generation loop sees it at its next token.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThread, Signal

from app.core.cancel import CancelToken
from app.core.errors import Cancelled
from app.core.runtime.local_model import ModelInfo
from app.core.settings import Settings
from app.ui.threads import track

logger = logging.getLogger(__name__)

# A turn: called on the worker thread with the loaded model (or None) and a cancel token;
# yields events the UI gets through `event_emitted`.
TurnJob = Callable[[Any, CancelToken], Iterable[object]]
# A load: called on the worker thread with the job's cancel token and a progress callback.
Loader = Callable[[CancelToken, Callable[[str], None]], Any]


@dataclass(frozen=True)
class LoadedModel:
    """What the window needs of the model the worker now holds."""

    name: str
    n_ctx: int
    path: Path | None  # None for a scripted model
    info: ModelInfo | None  # the local model's facts (None for a scripted model)


@dataclass(frozen=True)
class _Job:
    kind: str  # load | turn | prepare | unload
    run: Callable[[CancelToken], None]


class ModelWorker(QThread):
    """Owns the model; runs loads and turns on its own thread."""

    model_loaded = Signal(object)  # LoadedModel
    no_model_found = Signal()  # a load found nothing installed (a first run)
    model_unloaded = Signal()
    load_progress = Signal(str)  # what a load is doing (the first-use probe, its fallbacks)
    event_emitted = Signal(object)
    failed = Signal(object)  # an Exception
    job_finished = Signal(str)  # the job kind; always emitted, after `failed` when it failed

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("ModelWorker")
        track(self)
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._cancel = CancelToken()
        self._model: Any = None

    @property
    def has_model(self) -> bool:
        """Whether a model is loaded (read from the UI thread; a plain attribute read)."""
        return self._model is not None

    def load(self, loader: Loader) -> None:
        """Replace the model with `loader(cancel, progress)` (called on this thread)."""
        self._submit("load", lambda cancel: self._load(loader, cancel))

    def set_model(self, model: Any) -> None:
        """Use an already built model object (tests pass a ScriptedModel)."""
        self._submit("load", lambda cancel: self._adopt(model))

    def unload(self) -> None:
        """Close the model and free its memory."""
        self._submit("unload", lambda cancel: self._close())

    def run_turn(self, job: TurnJob, *, kind: str = "turn") -> None:
        """Run one turn (or a `prepare` job) against the loaded model; events arrive through `event_emitted`."""

        def turn(cancel: CancelToken) -> None:
            for event in job(self._model, cancel):
                self.event_emitted.emit(event)

        self._submit(kind, turn)

    def stop(self) -> None:
        """Cancel the running job now (safe from any thread); queued jobs still run."""
        self._cancel.cancel()

    def shutdown(self, *, timeout_ms: int = 30000) -> None:
        """Cancel the running job, close the model and end the thread."""
        self._cancel.cancel()
        self._jobs.put(None)
        if self.isRunning():
            self.wait(timeout_ms)

    def run(self) -> None:
        """The thread's loop: one job at a time until `shutdown`."""
        while True:
            job = self._jobs.get()
            if job is None:
                break
            self._cancel = CancelToken()
            try:
                job.run(self._cancel)
            except Cancelled:
                logger.debug("%s job cancelled", job.kind)
            except Exception as exc:  # reported, never silent
                logger.info("%s job failed: %s", job.kind, type(exc).__name__)
                self.failed.emit(exc)
            finally:
                self.job_finished.emit(job.kind)
        try:
            self._close()
        except Exception:  # closing at exit must not raise out of the thread
            logger.exception("closing the model failed")

    def _submit(self, kind: str, run: Callable[[CancelToken], None]) -> None:
        self._jobs.put(_Job(kind=kind, run=run))
        if not self.isRunning():
            self.start()

    def _load(self, loader: Loader, cancel: CancelToken) -> None:
        self._close()
        self._adopt(loader(cancel, self.load_progress.emit))

    def _adopt(self, model: Any) -> None:
        self._model = model
        if model is None:
            self.no_model_found.emit()
            return
        info: ModelInfo | None = getattr(model, "info", None)  # a scripted model has none
        self.model_loaded.emit(
            LoadedModel(
                name=info.name if info else type(model).__name__,
                n_ctx=int(model.n_ctx),
                path=getattr(info, "path", None),  # a remote model has none
                info=info,
            )
        )

    def _close(self) -> None:
        model, self._model = self._model, None
        if model is not None:
            close = getattr(model, "close", None)
            if close:
                close()
            self.model_unloaded.emit()


def model_loader(spec: Path | None, *, settings: Settings) -> Loader:
    """A loader for the model `spec` (None: the user's choice or the best installed), run on the worker.

    Resolving (a manifest read, folder globbing), probing and loading all happen on the
    model's thread; with nothing installed the loader gives None and the window says so.
    """

    def load(cancel: CancelToken, progress: Callable[[str], None]) -> Any:
        from app.core import services
        from app.core.errors import NoModelError

        if spec is not None:
            return services.load_model_file(spec, settings=settings, cancel=cancel, progress=progress)
        endpoint = services.role_endpoint("agent", settings=settings)  # opt-in: `enclave endpoint use`
        if endpoint is not None:
            return services.open_endpoint(endpoint, settings=settings, cancel=cancel)
        try:
            return services.load_model(None, settings=settings, cancel=cancel, progress=progress)
        except NoModelError:
            return None

    return load
