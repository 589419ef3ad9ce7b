r"""`CompletionRunner`: ghost text for the editors, from a completion model on its own thread.

The completion model is a second `ModelWorker` with its own `Llama`, so completing never waits
for chat and chat never waits for completing. The runner attaches a `GhostText` to each
editor shown, and for each edit:

1. cancels the request in flight by setting its `CancelToken` here, on the UI thread (a
   queued signal would wait until the generation loop is done);
2. when the edit did not type into the ghost text, waits an adaptive debounce
   (`AdaptiveDebounce`), then asks the model, unless more than `MAX_LINE_SUFFIX` characters
   sit right of the cursor (Alt+\ asks at once, whatever is to the right);
3. shows the answer only if the editor, its text and its cursor are still what was asked
   about; a stale answer is dropped.

The model is found and loaded the first time an editor is shown with completion on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QPlainTextEdit

from app.core.cancel import CancelToken
from app.core.settings import Settings
from app.ui.background import JobEnded, Outcome, start_job
from app.ui.completion_debounce import AdaptiveDebounce
from app.ui.completion_engines import CompletionEngines, EngineFactory, completion_loader, language_of
from app.ui.ghost_text import GhostText, char_offset
from app.ui.model_picker import shown_name
from app.ui.model_worker import LoadedModel, ModelWorker

if TYPE_CHECKING:  # the engine is imported on the completion thread, not at start-up
    from app.core.completion import Completion

logger = logging.getLogger(__name__)

MAX_LINE_SUFFIX = 8  # no automatic request with more than this many characters right of the cursor
RECHECK_S = 30.0  # with no completion model installed, look again when a file is shown after this long


class Page(Protocol):
    """What the runner needs of an open file (an `EditorPage`)."""

    @property
    def path(self) -> Path:
        """The file, absolute."""
        ...

    @property
    def editor(self) -> QPlainTextEdit:
        """The editor showing it."""
        ...


@dataclass(frozen=True)
class _Request:
    id: int
    ghost: GhostText
    revision: int
    position: int
    token: CancelToken
    started: float


@dataclass(frozen=True)
class _Answer:
    id: int
    completion: Completion


@dataclass(frozen=True)
class _Partial:
    id: int
    text: str  # the ghost text so far: it grows as the model writes


class CompletionRunner(QObject):
    """Debounces edits into requests on the completion model's thread and shows the answers."""

    state_changed = Signal(str, str)  # status text, its tooltip
    completion_shown = Signal(object)  # Completion: ghost text appeared for it
    request_finished = Signal(object)  # Completion: every answer, shown or stale

    def __init__(
        self,
        *,
        settings: Settings,
        project: Callable[[], Path | None],
        index: Callable[[], Any],
        settings_changed: Callable[[], object] = lambda: None,
        engine_factory: EngineFactory | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self._project = project
        self._index = index
        self._settings_changed = settings_changed
        self._engines = CompletionEngines(engine_factory)  # used on the worker thread only
        self._worker: ModelWorker | None = None
        self._state, self._model_name, self._reason = "idle", "", ""
        self._resolved_at = 0.0
        self._paths: dict[GhostText, Path] = {}
        self._current: _Request | None = None
        self._ids = 0
        self._remembered: list[tuple[str, str, int]] = []  # handed to the engine with the next request
        self._debounce = AdaptiveDebounce()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._waiting: GhostText | None = None
        self._front: GhostText | None = None

    # -- what the window calls ------------------------------------------------------------

    def show_page(self, page: Page | None) -> None:
        """The page now in front: attach ghost text to its editor and remember what it shows."""
        if page is None:
            self._front = None
            self._emit_state()
            return
        ghost = self._ghost_of(page.editor)
        if ghost is None:
            ghost = self.attach(page.editor, page.path)
            modified_changed = getattr(page, "modified_changed", None)
            if modified_changed is not None:  # saved (or reloaded): remember the new text
                modified_changed.connect(
                    lambda modified, g=ghost: self._on_modified_changed(g, modified=modified)
                )
        self._front = ghost
        self._remember(ghost)
        self._emit_state()
        if self.enabled_for(page.path):
            self._ensure_model()

    def attach(self, editor: QPlainTextEdit, path: Path) -> GhostText:
        """Give `editor` (showing `path`) ghost text; it is dropped with the editor."""
        ghost = GhostText(editor)
        self._paths[ghost] = path
        ghost.edited.connect(lambda kept, g=ghost: self._on_edited(g, kept=kept))
        ghost.cursor_moved.connect(self._cancel)
        ghost.trigger_requested.connect(lambda g=ghost: self.trigger(g))
        ghost.destroyed.connect(lambda _obj=None, g=ghost: self._forget_ghost(g))
        return ghost

    def trigger(self, ghost: GhostText | None = None) -> None:
        """Complete now at the cursor of `ghost`'s editor (default: the one in front), no debounce."""
        ghost = ghost or self._front
        if ghost is None or not shiboken6.isValid(ghost):
            return
        self._timer.stop()
        self._cancel()
        self._request(ghost, manual=True)

    def enabled_for(self, path: Path | None) -> bool:
        """Whether completion is on, and on for `path`'s language."""
        return self.settings.completion and (
            path is None or language_of(path) not in self.settings.completion_off
        )

    def front_language(self) -> str:
        """The language of the file in front ('' when none)."""
        path = self._paths.get(self._front) if self._front is not None else None
        return language_of(path) if path is not None else ""

    def set_enabled(self, *, on: bool) -> None:
        """Turn completion on or off everywhere (off frees the model's memory)."""
        self.settings.completion = on
        self._settings_changed()
        self.apply_settings(frozenset({"completion"}))

    def set_language_enabled(self, language: str, *, on: bool) -> None:
        """Turn completion on or off for one language ("python")."""
        off = [name for name in self.settings.completion_off if name != language]
        self.settings.completion_off = off if on else [*off, language]
        self._settings_changed()
        self.apply_settings(frozenset({"completion_off"}))

    def apply_settings(self, changed: frozenset[str]) -> None:
        """Take up settings changed elsewhere (the settings dialog, a newly installed model) now."""
        unload = "completion_model" in changed or not self.settings.completion
        if unload and self._state in ("ready", "none", "failed"):
            if self._worker is not None and self._state == "ready":
                self._worker.unload()  # off frees its memory; another model loads on the next file
            self._state = "idle"
        front = self._paths.get(self._front) if self._front is not None else None
        if not self.enabled_for(front):
            self._cancel()
            self._hide_all()
        elif front is not None:
            self._ensure_model()
        self._emit_state()

    def state(self) -> tuple[str, str]:
        """The status text and its tooltip, as `state_changed` last said."""
        return _describe(self)

    def forget(self) -> None:
        """Drop the remembered file chunks and the cached completions (Forget Everything)."""
        self._cancel()
        self._hide_all()
        self._remembered.clear()
        if self._worker is not None:
            engines = self._engines

            def forget(_model: Any, _cancel: CancelToken) -> tuple[()]:
                engines.forget()
                return ()

            self._worker.run_turn(forget, kind="forget")

    def shutdown(self) -> None:
        """Cancel the request in flight and end the model's thread."""
        self._timer.stop()
        self._cancel()
        if self._worker is not None:
            self._worker.shutdown()

    # -- edits and requests ---------------------------------------------------------------

    def _on_edited(self, ghost: GhostText, *, kept: bool) -> None:
        self._debounce.keystroke(time.perf_counter())
        self._cancel()
        if kept:
            return  # typed into the ghost text: the rest of it stays
        path = self._paths.get(ghost)
        if self._state != "ready" or not self.enabled_for(path) or ghost.line_suffix() > MAX_LINE_SUFFIX:
            return
        self._waiting = ghost
        self._timer.start(self._debounce.delay_ms(ghost.cursor_context()))

    def _on_timer_timeout(self) -> None:
        ghost, self._waiting = self._waiting, None
        if ghost is not None and shiboken6.isValid(ghost):
            self._request(ghost, manual=False)

    def _request(self, ghost: GhostText, *, manual: bool) -> None:
        path = self._paths.get(ghost)
        editor = ghost.editor
        cursor = editor.textCursor()
        if path is None or cursor.hasSelection() or not self.enabled_for(path):
            return
        if self._state != "ready":
            self._ensure_model()
            if manual:
                self._emit_state()
            return
        if not manual and ghost.line_suffix() > MAX_LINE_SUFFIX:
            return
        text = editor.toPlainText()
        position = cursor.position()
        offset = char_offset(text, position)
        self._ids += 1
        token = CancelToken()
        request = _Request(self._ids, ghost, ghost.revision, position, token, time.perf_counter())
        self._current = request
        rel, root, index = self._relative(path), self._project(), self._index()
        remembered, self._remembered = self._remembered, []
        engines, request_id = self._engines, request.id

        def job(model: Any, _cancel: CancelToken) -> Iterator[object]:
            # On the completion thread: the engine and its context live here.
            if model is None:
                return
            engine = engines.get(model, root=root, index=index)
            for item in remembered:
                engine.context.remember(item[0], item[1], line=item[2])
            if token.cancelled:
                return  # a keystroke came while it was queued
            for answer in engine.completions(path=rel, text=text, offset=offset, cancel=token):
                # The ghost text so far (a str) while it streams, then the Completion.
                yield _Partial(request_id, answer) if isinstance(answer, str) else _Answer(request_id, answer)

        assert self._worker is not None
        self._worker.run_turn(job, kind="complete")

    def _on_event_emitted(self, event: object) -> None:
        if isinstance(event, _Partial):
            # Ghost text appears with the first words and grows; Tab takes what is shown.
            request = self._live(event.id)
            if request is not None and event.text.strip():
                request.ghost.show_text(event.text, position=request.position)
            return
        if not isinstance(event, _Answer):
            return
        completion = event.completion
        self._debounce.answered(completion.seconds)
        self.request_finished.emit(completion)
        request = self._live(event.id)
        if request is None:
            if self._current is not None and self._current.id == event.id:
                self._current = None  # answered, but the editor moved on
            return
        self._current = None
        ghost = request.ghost
        if not completion.text.strip():
            ghost.hide()
            return
        ghost.show_text(completion.text, position=request.position)
        logger.debug(
            "ghost text: %d chars after %.0f ms (%s)",
            len(completion.text),
            (time.perf_counter() - request.started) * 1000,
            "cached" if completion.cached else completion.finish,
        )
        self.completion_shown.emit(completion)

    def _live(self, request_id: int) -> _Request | None:
        """The current request if `request_id` is it and its editor is as it was when asked."""
        request = self._current
        if request is None or request.id != request_id:
            return None  # stale: a keystroke came after it was asked
        ghost = request.ghost
        if not shiboken6.isValid(ghost):
            return None
        cursor = ghost.editor.textCursor()
        if (
            ghost.revision != request.revision
            or cursor.position() != request.position
            or cursor.hasSelection()
        ):
            return None
        return request

    def _cancel(self) -> None:
        self._timer.stop()
        self._waiting = None
        request, self._current = self._current, None
        if request is not None:
            request.token.cancel()  # directly: the generation loop sees it at its next token

    def _hide_all(self) -> None:
        for ghost in list(self._paths):
            if shiboken6.isValid(ghost):
                ghost.hide()

    def _remember(self, ghost: GhostText) -> None:
        path = self._paths.get(ghost)
        if path is None or not shiboken6.isValid(ghost):
            return
        editor = ghost.editor
        self._remembered.append(
            (self._relative(path), editor.toPlainText(), editor.textCursor().blockNumber() + 1)
        )
        del self._remembered[:-16]  # the ring holds no more than this anyway

    def _on_modified_changed(self, ghost: GhostText, *, modified: bool) -> None:
        if not modified:
            self._remember(ghost)

    def _forget_ghost(self, ghost: GhostText) -> None:
        self._paths.pop(ghost, None)
        if self._front is ghost:
            self._front = None
        if self._waiting is ghost:
            self._waiting = None
            self._timer.stop()
        if self._current is not None and self._current.ghost is ghost:
            self._cancel()

    def _ghost_of(self, editor: QPlainTextEdit) -> GhostText | None:
        return next((g for g in self._paths if shiboken6.isValid(g) and g.editor is editor), None)

    def _relative(self, path: Path) -> str:
        root = self._project()
        if root is not None and path.is_relative_to(root):
            return path.relative_to(root).as_posix()
        return path.name

    # -- the model ------------------------------------------------------------------------

    def _ensure_model(self) -> None:
        if self._state == "none" and time.monotonic() - self._resolved_at > RECHECK_S:
            self._state = "idle"  # a completion model may have been installed since
        if self._state != "idle" or not self.settings.completion:
            return
        self._resolved_at = time.monotonic()
        self._state = "resolving"
        self._emit_state()
        settings = self.settings

        def resolve(_cancel: CancelToken) -> Path:
            from app.core import services

            return services.completion_model_path(None, settings=settings)

        job = start_job(resolve, name="completion-model", owner=self)
        job.finished.connect(self._on_resolve_finished)
        job.failed.connect(self._on_resolve_failed)

    def _on_resolve_failed(self, exc: object) -> None:
        self._state, self._reason = "none", str(exc)
        self._emit_state()

    def _on_resolve_finished(self, ended: JobEnded) -> None:
        if ended.outcome is not Outcome.DONE or not isinstance(ended.result, Path):
            if self._state == "resolving":
                self._state = "idle"
                self._emit_state()
            return
        self._state = "loading"
        self._emit_state()
        worker = self._worker or self._start_worker()
        worker.load(completion_loader(ended.result, settings=self.settings))

    def _start_worker(self) -> ModelWorker:
        worker = ModelWorker()
        worker.setObjectName("CompletionWorker")
        # The worker outlives the runner by its last queued signals (the window may be deleted
        # right after shutdown): those find the runner gone and are dropped.
        for signal, slot in (
            (worker.model_loaded, self._on_model_loaded),
            (worker.failed, self._on_worker_failed),
            (worker.job_finished, self._on_job_finished),
            (worker.event_emitted, self._on_event_emitted),
        ):
            signal.connect(lambda *args, slot=slot: shiboken6.isValid(self) and slot(*args))
        self._worker = worker
        return worker

    def _on_model_loaded(self, loaded: LoadedModel) -> None:
        # The file's name, as the chat model's: a GGUF's own name is often a training tag.
        name = shown_name(path=loaded.path, fallback=loaded.name)
        self._state, self._model_name, self._reason = "ready", name, ""
        self._emit_state()

    def _on_worker_failed(self, exc: object) -> None:
        if self._state == "loading":
            self._state, self._reason = "failed", str(exc)
        else:
            logger.info("completion request failed: %s", type(exc).__name__)
            self._reason = str(exc)
        self._emit_state()

    def _on_job_finished(self, kind: str) -> None:
        if kind == "load" and self._state == "loading":  # ended without a model
            self._state = "failed"
            self._emit_state()

    def _emit_state(self) -> None:
        self.state_changed.emit(*_describe(self))


def _describe(runner: CompletionRunner) -> tuple[str, str]:
    keys = "Tab accepts, Ctrl+→ takes one word, Esc dismisses, Alt+\\ asks now"
    language = runner.front_language()
    if not runner.settings.completion:
        return "Completion: off", "Inline completion is off (Edit › Inline Completion)"
    if language and language in runner.settings.completion_off:
        return f"Completion: off for {language}", f"Inline completion is off for {language} files"
    state = runner._state
    if state == "none":
        return "No completion model", runner._reason
    if state == "failed":
        return "Completion: unavailable", runner._reason or "The completion model did not load"
    if state in ("resolving", "loading"):
        return "Completion: loading…", "Loading the completion model on its own thread"
    if state == "ready":
        return f"Completion: {runner._model_name}", f"Ghost text from {runner._model_name}: {keys}"
    return "Completion: on", f"Ghost text as you type, once a file is open: {keys}"
