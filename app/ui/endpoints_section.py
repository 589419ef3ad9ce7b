"""The Endpoints page of the settings: list, add, test and remove opt-in remote models.

The same core calls as `enclave endpoint add|list|test|remove` (`app.core.remote`): the
endpoint's name, URL and model id go into the settings, its key into the OS keyring (never
the settings). Only Test sends anything, and only when the user presses it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import EnclaveError
from app.core.settings import Settings
from app.ui.background import Job, JobEnded, Outcome, start_job
from app.ui.error_presenter import message_for

logger = logging.getLogger(__name__)


class EndpointsSection(QWidget):
    """Edits `settings.endpoints` in place; emits `endpoints_changed` after an add or a remove."""

    endpoints_changed = Signal()

    def __init__(self, *, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.core.remote.policy import current_policy

        self.settings = settings
        self._test: Job | None = None
        intro = QLabel(
            "Off by default. An endpoint is a team's vLLM or llama-server, or a hosted model with "
            "your own key; a role uses one only when you choose it on the Models page. "
            "Keys are kept in the system keyring, never in the settings file.",
            self,
        )
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Endpoints")
        self.list.setMinimumHeight(70)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("team-gpu")
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("https://gpu.example.com/v1")
        self.model = QLineEdit(self)
        self.model.setPlaceholderText("the model id the server serves")
        self.key = QLineEdit(self)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("optional; stored in the system keyring")
        self.context = QSpinBox(self)
        self.context.setRange(0, 1_048_576)
        self.context.setSingleStep(1024)
        self.context.setSpecialValueText("Ask the server")
        self.unencrypted = QCheckBox("Allow plain http:// to another machine (unencrypted)")
        adding = QGroupBox("Add an endpoint", self)
        form = QFormLayout(adding)
        form.addRow("Name", self.name)
        form.addRow("URL", self.url)
        form.addRow("Model id", self.model)
        form.addRow("API key", self.key)
        form.addRow("Context", self.context)
        form.addRow("", self.unencrypted)
        self.add_button = QPushButton("Add endpoint", self)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Forget the selected endpoint and delete its key from the keyring")
        self.test_button = QPushButton("Test", self)
        self.test_button.setToolTip("Reach the selected endpoint now: the only thing on this page that sends")
        row = QHBoxLayout()
        row.addWidget(self.remove_button)
        row.addWidget(self.test_button)
        row.addStretch(1)
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add_row.addWidget(self.add_button)
        form.addRow(add_row)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Endpoint status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(adding)
        layout.addWidget(self.status)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        policy = current_policy()
        if not policy.endpoints_allowed:
            for widget in (self.add_button, self.name, self.url, self.model, self.key, self.test_button):
                widget.setEnabled(False)
            self.status.setText(policy.message)
        self._allowed = policy.endpoints_allowed
        self.refresh()

    def names(self) -> list[str]:
        """The configured endpoints' names."""
        from app.core.remote import registry

        return [e.name for e in registry.endpoints(self.settings)]

    def refresh(self) -> None:
        """List the endpoints again (no keys: only whether one is stored)."""
        from app.core.remote import registry
        from app.core.remote.keys import key_store

        self.list.clear()
        store = key_store()
        kept = "key in keyring" if store.backend_available() else "key kept for this session"
        for endpoint in registry.endpoints(self.settings):
            used = [r for r in registry.ROLES if registry.role_endpoint(self.settings, r) == endpoint.name]
            notes = [f"model {endpoint.model}"]
            if store.get(endpoint.name) is not None:
                notes.append(kept)
            if used:
                notes.append("used by " + " and ".join(used))
            item = QListWidgetItem(f"{endpoint.name} — {endpoint.url} ({', '.join(notes)})")
            item.setData(Qt.ItemDataRole.UserRole, endpoint.name)
            self.list.addItem(item)
        if not self.list.count():
            self.list.addItem("No endpoints: everything runs on this machine.")
            self.list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self._update_buttons()

    def add_endpoint(self) -> bool:
        """Check the form and store the endpoint (the key to the keyring); False with a reason shown."""
        from app.core.remote import registry
        from app.core.remote.endpoint import make_endpoint
        from app.core.remote.keys import NO_BACKEND, env_name, key_store

        try:
            endpoint = make_endpoint(
                self.name.text().strip(),
                url=self.url.text(),
                model=self.model.text(),
                unencrypted=self.unencrypted.isChecked(),
                context=self.context.value(),
            )
        except EnclaveError as exc:
            self.status.setText(str(exc))
            return False
        registry.add(self.settings, endpoint)
        note = f"Added {endpoint.name}. Choose it for a role on the Models page."
        key = self.key.text().strip()
        if key and not key_store().set(endpoint.name, key):
            note += " " + NO_BACKEND.format(env=env_name(endpoint.name)).capitalize() + "."
        if endpoint.unencrypted and not endpoint.loopback:
            note += " Plain http:// to another machine: the conversation travels unencrypted."
        for field in (self.name, self.url, self.model, self.key):
            field.clear()
        self.refresh()
        self.status.setText(note)
        self.endpoints_changed.emit()
        return True

    def selected(self) -> str | None:
        """The selected endpoint's name."""
        item = self.list.currentItem()
        name = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return str(name) if name else None

    def remove_selected(self) -> bool:
        """Forget the selected endpoint, the roles that used it and its key."""
        from app.core.remote import registry
        from app.core.remote.keys import key_store

        name = self.selected()
        if name is None or not registry.remove(self.settings, name):
            return False
        key_store().delete(name)
        self.refresh()
        self.status.setText(f"Removed {name}; roles that used it use the local model again.")
        self.endpoints_changed.emit()
        return True

    def _on_add_clicked(self) -> None:
        self.add_endpoint()

    def _on_remove_clicked(self) -> None:
        self.remove_selected()

    def _on_test_clicked(self) -> None:
        from app.core.remote import registry
        from app.core.remote.endpoint_check import check_endpoint
        from app.core.remote.keys import key_store

        name = self.selected()
        if name is None or (self._test is not None and self._test.running):
            return
        endpoint = registry.find(self.settings, name)
        ca_bundle = self.settings.ca_bundle
        self.status.setText(f"Reaching {endpoint.label}…")
        self._test = start_job(
            lambda cancel: check_endpoint(
                endpoint, api_key=key_store().get(endpoint.name), ca_bundle=ca_bundle, cancel=cancel
            ),
            name="endpoint test",
            owner=self,
        )
        self._test.failed.connect(self._on_test_failed)
        self._test.finished.connect(self._on_test_finished)
        self._update_buttons()

    def _on_test_failed(self, exc: object) -> None:
        text = message_for(exc) if isinstance(exc, BaseException) else None
        self.status.setText(text or "The test stopped.")

    def _on_test_finished(self, ended: JobEnded) -> None:
        from app.core.remote.endpoint_check import report_lines

        if ended.outcome is Outcome.DONE and ended.result is not None:
            self.status.setText("\n".join(line.strip() for line in report_lines(ended.result)))  # type: ignore[arg-type]
        self._update_buttons()

    def stop(self) -> None:
        """Cancel a running test (the dialog is closing)."""
        if self._test is not None and self._test.running:
            self._test.cancel()

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        testing = self._test is not None and self._test.running
        self.remove_button.setEnabled(chosen)
        self.test_button.setEnabled(chosen and self._allowed and not testing)
