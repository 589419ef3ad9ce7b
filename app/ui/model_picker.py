"""The model picker: installed models from the store, the demo model, and ways to get another.

The list is read in the background each time the picker opens (the store's manifest, the
added folders and the probe cache are files): the popup shows the last list at once and is
refilled when the new one differs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from app.core.errors import EnclaveError
from app.core.settings import Settings
from app.ui.background import Job, JobEnded, Outcome, start_job

logger = logging.getLogger(__name__)

_FILE = "file"
_SETUP = "setup"


@dataclass(frozen=True)
class ModelChoice:
    """One model the picker offers."""

    label: str
    path: Path
    note: str = ""  # what the first-use probe turned off here, and why


DEMO_LABEL = "Demo: SmolLM2-135M (tiny, for trying Enclave)"


def shown_name(*, path: Path | None, fallback: str) -> str:
    """What the window calls a loaded model: its file's name, which the user chose or downloaded.

    A GGUF's own `general.name` is often a training tag ("Smollm2 135M 8k Lc100K Mix1 Ep2").
    """
    if path is None:
        return fallback
    from app.core.store.demo import demo_model_path

    if path == demo_model_path():
        return DEMO_LABEL.split(" (")[0]
    return path.name.removesuffix(".gguf")


def installed_models(settings: Settings) -> list[ModelChoice]:
    """Installed models (the store's manifest and the folders the user added), then the demo."""
    from app.core.store.demo import demo_model_path
    from app.core.store.location import StoreLocation
    from app.core.store.manage import list_models

    choices: list[ModelChoice] = []
    try:
        rows = list_models(location=StoreLocation.default(), extra_dirs=settings.model_folders())
    except (EnclaveError, OSError) as exc:  # a damaged manifest must not break the picker
        logger.info("models not listed: %s", type(exc).__name__)
        rows = []
    for row in rows:
        if row.present:
            label = f"{row.id} ({row.size / 2**30:.1f} GiB)"
            note = _probe_note(Path(row.path), row.sha256, settings)
            choices.append(ModelChoice(label, Path(row.path), note))
    demo = demo_model_path()
    if demo is not None and all(c.path != demo for c in choices):
        choices.append(ModelChoice(DEMO_LABEL, demo, _probe_note(demo, None, settings)))
    return choices


def _probe_note(path: Path, sha256: str | None, settings: Settings) -> str:
    from app.core.runtime.load_probe import known_outcome

    try:
        state = known_outcome(path, sha256=sha256, gpu=settings.gpu)
    except Exception:  # a broken llama.cpp install must not break the picker
        logger.info("probe state unknown for a model")
        return ""
    if state is None:
        return "Not checked on this machine yet: checked once, in a separate process, when first used"
    return "" if state == "ok" else state


class ModelPicker(QComboBox):
    """Pick the model that answers; emits what the user chose."""

    model_chosen = Signal(object)  # Path of an installed model other than the current one
    file_requested = Signal()
    setup_requested = Signal()
    choices_loaded = Signal()  # a refresh's list arrived (and is shown)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Model")
        self.setToolTip("The local model that answers")
        # A long model name elides in the box instead of widening the chat pane (and with it
        # the window's minimum width); the popup still shows whole names.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(10)
        self._choices: Callable[[], list[ModelChoice]] | None = None
        self._known: list[ModelChoice] = []
        self._current: Path | None = None
        self._current_label = "No model"
        self._job: Job | None = None
        self._again = False  # a refresh was asked for while one was running
        self.activated.connect(self._on_activated)
        self._fill()

    def set_choices(self, choices: Callable[[], list[ModelChoice]]) -> None:
        """Where the list of models comes from (called on a pool thread on each refresh)."""
        self._choices = choices

    def set_current(self, path: Path | None, *, label: str = "") -> None:
        """The model that is loaded now (None: none)."""
        self._current = path
        self._current_label = label or (path.name if path else "No model")
        self._fill()

    def refresh(self) -> None:
        """Read the installed models again, in the background; `choices_loaded` follows."""
        choices = self._choices
        if choices is None:
            return
        if self._job is not None and self._job.running:
            self._again = True
            return
        self._job = start_job(lambda _cancel: choices(), name="list models", owner=self)
        self._job.finished.connect(self._on_list_finished)

    def showPopup(self) -> None:  # noqa: N802 (Qt override)
        """Open with the last list at once; a fresh one replaces it when read."""
        self.refresh()
        super().showPopup()

    def _on_list_finished(self, ended: JobEnded) -> None:
        if ended.outcome is Outcome.DONE and isinstance(ended.result, list):
            known = [c for c in ended.result if isinstance(c, ModelChoice)]
            if known != self._known:  # unchanged: leave an open popup alone
                self._known = known
                self._fill()
        else:
            logger.info("models not listed: %s", ended.outcome)
        self.choices_loaded.emit()
        if self._again:
            self._again = False
            self.refresh()

    def _fill(self) -> None:
        with QSignalBlocker(self):  # a refill is not the user's choice
            self.clear()
            current = self._current.resolve() if self._current else None
            known = [c for c in self._known if c.path.resolve() != current]
            self.addItem(self._current_label, str(self._current) if self._current else None)
            for choice in known:
                self.addItem(choice.label, str(choice.path))
                if choice.note:
                    self.setItemData(self.count() - 1, choice.note, Qt.ItemDataRole.ToolTipRole)
            self.insertSeparator(self.count())
            self.addItem("Use a model file…", _FILE)
            self.addItem("Set up a model…", _SETUP)
            self.setCurrentIndex(0)

    def _on_activated(self, index: int) -> None:
        data = self.itemData(index)
        self.setCurrentIndex(0)  # the current model stays shown until another one has loaded
        if data == _FILE:
            self.file_requested.emit()
        elif data == _SETUP:
            self.setup_requested.emit()
        elif data and index > 0:
            self.model_chosen.emit(Path(str(data)))
