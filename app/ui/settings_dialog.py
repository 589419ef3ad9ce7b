"""Settings: the model for each role, memory and threads, model folders, look, completion, endpoints.

It edits the app's one `Settings` object: Apply (or OK) writes what changed into it and
emits `settings_applied` with the names of the changed fields; the app saves them and applies
what it can at once (theme, fonts, completion). What only a model load can pick up (the
model, its context, threads, the GPU) is said to apply to the next load.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import EnclaveError
from app.core.settings import Settings
from app.ui.background import JobEnded, Outcome, start_job
from app.ui.endpoints_section import EndpointsSection
from app.ui.font_zoom import CHAT, EDITOR, LARGEST, SMALLEST, default_size

logger = logging.getLogger(__name__)

# What a loaded model cannot change under itself: these apply to the next model load.
NEXT_LOAD = frozenset({"model", "agent_model", "chat_model", "completion_model", "n_ctx", "n_threads", "gpu"})
THEMES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))


@dataclass(frozen=True)
class LocalModels:
    """What the model boxes offer: (label, value) pairs for agent/chat and for completion."""

    agent: tuple[tuple[str, str], ...]
    completion: tuple[tuple[str, str], ...]


def local_models(settings: Settings) -> LocalModels:
    """Installed models by id and the GGUFs in the model folders by path (pool thread: reads files)."""
    from app.core.store.location import StoreLocation
    from app.core.store.manage import list_models

    try:
        rows = list_models(location=StoreLocation.default(), extra_dirs=settings.model_folders())
    except (EnclaveError, OSError) as exc:
        logger.info("models not listed: %s", type(exc).__name__)
        rows = []
    agent: list[tuple[str, str]] = []
    completion: list[tuple[str, str]] = []
    for row in rows:
        if not row.present:
            continue
        size = f"{row.size / 2**30:.1f} GiB"
        value = row.path if row.source == "folder" else row.id
        label = f"{row.id} ({size}, {'found in a folder' if row.source == 'folder' else row.role})"
        (completion if row.role == "completion" else agent).append((label, value))
        if row.role not in ("agent", "completion"):
            completion.append((label, value))  # a hand-imported file may be a FIM model
    return LocalModels(tuple(agent), tuple(completion))


class SettingsDialog(QDialog):
    """Edits `settings`; `settings_applied(frozenset[str])` carries the changed field names."""

    settings_applied = Signal(object)  # frozenset[str]

    def __init__(self, *, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.setMinimumWidth(560)
        self.settings = settings
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._models_page(), "Models")
        self.tabs.addTab(self._look_page(), "Appearance")
        self.tabs.addTab(self._completion_page(), "Completion")
        self.endpoints = EndpointsSection(settings=settings, parent=self)
        self.tabs.addTab(self.endpoints, "Endpoints")
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setAccessibleName("What the change does")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel,
            self,
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_accepted)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        self.endpoints.endpoints_changed.connect(self._on_endpoints_changed)
        self._load()
        job = start_job(lambda _cancel: local_models(settings), name="list models", owner=self)
        job.finished.connect(self._on_models_listed)
        self.models_listed = False

    # -- pages ----------------------------------------------------------------------------

    def _models_page(self) -> QWidget:
        page = QWidget(self)
        self.local_model = QComboBox(page)
        self.local_model.setAccessibleName("Local model")
        self.agent_model = QComboBox(page)
        self.agent_model.setAccessibleName("Agent model")
        self.chat_model = QComboBox(page)
        self.chat_model.setAccessibleName("Chat model")
        self.completion_model = QComboBox(page)
        self.completion_model.setAccessibleName("Completion model")
        for box in (self.local_model, self.agent_model, self.chat_model, self.completion_model):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(24)
        self.n_ctx = QSpinBox(page)
        self.n_ctx.setRange(0, 262_144)
        self.n_ctx.setSingleStep(1024)
        self.n_ctx.setSpecialValueText("Automatic (what fits in free memory)")
        self.n_ctx.setSuffix(" tokens")
        self.n_threads = QSpinBox(page)
        self.n_threads.setRange(0, max(os.cpu_count() or 1, 1))
        self.n_threads.setSpecialValueText("Automatic (one per physical core)")
        self.gpu = QCheckBox("Use the GPU when there is one (otherwise the CPU only)", page)
        self.folders = QListWidget(page)
        self.folders.setAccessibleName("Model folders")
        self.folders.setMaximumHeight(90)
        add_folder = QPushButton("Add folder…", page)
        self.remove_folder = QPushButton("Remove", page)
        folder_row = QHBoxLayout()
        folder_row.addWidget(add_folder)
        folder_row.addWidget(self.remove_folder)
        folder_row.addStretch(1)
        folder_box = QVBoxLayout()
        folder_box.addWidget(self.folders)
        folder_box.addLayout(folder_row)
        form = QFormLayout(page)
        form.addRow("Local model", self.local_model)
        form.addRow("Agent uses", self.agent_model)
        form.addRow("Chat uses", self.chat_model)
        form.addRow("Completion model", self.completion_model)
        form.addRow("Context size", self.n_ctx)
        form.addRow("Threads", self.n_threads)
        form.addRow("GPU", self.gpu)
        form.addRow("Model folders", folder_box)
        add_folder.clicked.connect(self._on_add_folder_clicked)
        self.remove_folder.clicked.connect(lambda: self.folders.takeItem(self.folders.currentRow()))
        return page

    def _look_page(self) -> QWidget:
        page = QWidget(self)
        self.theme = QComboBox(page)
        self.theme.setAccessibleName("Theme")
        for key, label in THEMES:
            self.theme.addItem(label, key)
        self.editor_font = _font_spin(page, "Editor font size")
        self.chat_font = _font_spin(page, "Chat font size")
        hint = QLabel(
            "Ctrl+= and Ctrl+- zoom the editor or the chat (whichever has the focus); Ctrl+0 resets."
        )
        hint.setWordWrap(True)
        form = QFormLayout(page)
        form.addRow("Theme", self.theme)
        form.addRow("Editor font", self.editor_font)
        form.addRow("Chat font", self.chat_font)
        form.addRow("", hint)
        return page

    def _completion_page(self) -> QWidget:
        page = QWidget(self)
        self.completion = QCheckBox("Suggest completions while typing in the editor", page)
        self.completion_off = QLineEdit(page)
        self.completion_off.setAccessibleName("Languages without completion")
        self.completion_off.setPlaceholderText("e.g. markdown, yaml")
        form = QFormLayout(page)
        form.addRow("", self.completion)
        form.addRow("Off for", self.completion_off)
        form.addRow("", QLabel("Language names as the index gives them, separated by commas."))
        return page

    # -- values ---------------------------------------------------------------------------

    def _load(self) -> None:
        s = self.settings
        self._fill_roles(LocalModels((), ()))
        self.n_ctx.setValue(s.n_ctx)
        self.n_threads.setValue(s.n_threads)
        self.gpu.setChecked(s.gpu != "off")
        self.folders.clear()
        self.folders.addItems(s.extra_model_dirs)
        self.theme.setCurrentIndex(max(0, self.theme.findData(s.theme)))
        self.editor_font.setValue(s.editor_font_size or default_size(EDITOR))
        self.chat_font.setValue(s.chat_font_size or default_size(CHAT))
        self.completion.setChecked(s.completion)
        self.completion_off.setText(", ".join(s.completion_off))

    def _fill_roles(self, models: LocalModels, *, keep_choices: bool = False) -> None:
        """Fill the model boxes; with `keep_choices`, what the user picked so far stays picked."""
        from app.core.remote import registry

        s = self.settings

        def chosen(box: QComboBox, stored: str) -> str:
            return str(box.currentData() or "") if keep_choices and box.count() else stored

        endpoints = [(f"Endpoint {n}", f"{registry.PREFIX}{n}") for n in self.endpoints.names()]
        local = [("The local model", "")]
        best = [("Best installed completion model (automatic)", "")]
        for box, options, stored in (
            (self.local_model, [("Best installed model (automatic)", ""), *models.agent], s.model),
            (self.agent_model, [*local, *endpoints], s.agent_model),
            (self.chat_model, [*local, *endpoints], s.chat_model),
            (self.completion_model, [*best, *models.completion], s.completion_model),
        ):
            _fill(box, options, chosen(box, stored))
        self._models = models

    def values(self) -> dict[str, object]:
        """The fields as the dialog shows them now."""
        off = [name.strip().lower() for name in self.completion_off.text().split(",") if name.strip()]
        return {
            "model": self.local_model.currentData() or "",
            "agent_model": self.agent_model.currentData() or "",
            "chat_model": self.chat_model.currentData() or "",
            "completion_model": self.completion_model.currentData() or "",
            "n_ctx": self.n_ctx.value(),
            "n_threads": self.n_threads.value(),
            "gpu": "auto" if self.gpu.isChecked() else "off",
            "extra_model_dirs": [self.folders.item(i).text() for i in range(self.folders.count())],
            "theme": self.theme.currentData(),
            "editor_font_size": _font_value(self.editor_font.value(), EDITOR, self.settings.editor_font_size),
            "chat_font_size": _font_value(self.chat_font.value(), CHAT, self.settings.chat_font_size),
            "completion": self.completion.isChecked(),
            "completion_off": list(dict.fromkeys(off)),
        }

    def apply(self) -> frozenset[str]:
        """Write what changed into the settings, say what applies when, and emit `settings_applied`."""
        values = self.values()
        changed = frozenset(k for k, v in values.items() if getattr(self.settings, k) != v)
        for key in changed:
            setattr(self.settings, key, values[key])
        if not changed:
            self.note.setText("Nothing changed.")
            return changed
        later = sorted(_LABELS.get(k, k) for k in changed & NEXT_LOAD)
        now = sorted(_LABELS.get(k, k) for k in changed - NEXT_LOAD)
        parts = []
        if now:
            parts.append(f"Changed now: {', '.join(now)}.")
        if later:
            parts.append(f"Applies to the next model load: {', '.join(later)}.")
        self.note.setText(" ".join(parts))
        self.endpoints.refresh()  # which role uses which endpoint
        self.settings_applied.emit(changed)
        return changed

    def add_model_folder(self, folder: Path) -> None:
        """Offer the GGUFs in `folder` too (after Apply)."""
        text = str(folder)
        if not any(self.folders.item(i).text() == text for i in range(self.folders.count())):
            self.folders.addItem(text)

    def done(self, result: int) -> None:
        """Closing stops an endpoint test that is still running."""
        self.endpoints.stop()
        super().done(result)

    # -- slots ----------------------------------------------------------------------------

    def _on_models_listed(self, ended: JobEnded) -> None:
        if ended.outcome is Outcome.DONE and isinstance(ended.result, LocalModels):
            self._fill_roles(ended.result, keep_choices=True)
        self.models_listed = True

    def _on_endpoints_changed(self) -> None:
        self._fill_roles(self._models)  # a removed endpoint's roles went back to the local model
        self.settings_applied.emit(frozenset({"endpoints"}))

    def _on_accepted(self) -> None:
        self.apply()
        self.accept()

    def _on_add_folder_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of .gguf models", str(Path.home()))
        if folder:
            self.add_model_folder(Path(folder))


_LABELS = {
    "model": "local model",
    "agent_model": "agent model",
    "chat_model": "chat model",
    "completion_model": "completion model",
    "n_ctx": "context size",
    "n_threads": "threads",
    "gpu": "GPU",
    "extra_model_dirs": "model folders",
    "editor_font_size": "editor font",
    "chat_font_size": "chat font",
    "completion_off": "completion languages",
}


def _font_spin(parent: QWidget, name: str) -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setAccessibleName(name)
    spin.setRange(SMALLEST, LARGEST)
    spin.setSuffix(" pt")
    return spin


def _font_value(shown: int, pane: str, stored: int) -> int:
    """0 (the system's size) stays 0 while the box still shows the system's size."""
    return 0 if stored == 0 and shown == default_size(pane) else shown


def _fill(box: QComboBox, options: list[tuple[str, str]], current: str) -> None:
    """Fill `box` with (label, value); `current` is selected, added when it is not among them."""
    box.clear()
    for label, value in options:
        box.addItem(label, value)
    index = box.findData(current)
    if index < 0:
        box.addItem(f"{current} (not installed now)", current)
        index = box.count() - 1
    box.setCurrentIndex(index)
