"""File menu actions about the user's data: export the conversation, forget everything.

Export is the only way a conversation reaches the disk, and only where the user says.
Forgetting clears what the data policy lets Enclave keep (`app.core.privacy.forget`) and
the conversation on screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.core.settings import Settings
from app.ui.background import Job, JobEnded, Outcome, start_job
from app.ui.error_presenter import ErrorPresenter
from app.ui.ledger_panel import LedgerPanel
from app.ui.status_bar import EnclaveStatusBar

if TYPE_CHECKING:
    from app.core.privacy.forget import ForgetReport

logger = logging.getLogger(__name__)

_FILTERS = {"Markdown (*.md)": ".md", "JSON (*.json)": ".json"}


@dataclass(frozen=True)
class ConversationHandle:
    """What the privacy actions need of the conversation on screen."""

    messages: Callable[[], Sequence[Mapping[str, Any]]]  # the branch shown, tool calls included
    busy: Callable[[], bool]  # an answer is being written
    clear: Callable[[], None]


def ask_export_path(parent: QWidget, *, start: Path) -> Path | None:
    """Ask where to export (a save dialog); the suffix picks the format (`.json` or Markdown)."""
    name, chosen = QFileDialog.getSaveFileName(parent, "Export conversation", str(start), ";;".join(_FILTERS))
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() not in {".md", ".markdown", ".json"}:
        path = path.with_name(path.name + _FILTERS.get(chosen, ".md"))
    return path


def confirm_forget(parent: QWidget) -> bool:
    """Ask before forgetting (it cannot be undone)."""
    answer = QMessageBox.question(
        parent,
        "Forget everything",
        "Forget recent projects, the chosen model, added model folders, the window layout, the "
        "privacy ledger and this conversation?\n\nDownloaded model files stay. This cannot be undone.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class PrivacyActions(QObject):
    """Export the conversation and forget everything; the writes run as background jobs.

    The questions before them are this module's `ask_export_path` and `confirm_forget`.
    """

    exported = Signal(object)  # Path the conversation was written to
    forgotten = Signal(object)  # ForgetReport

    def __init__(
        self,
        *,
        window: QWidget,
        conversation: ConversationHandle,
        settings: Settings,
        settings_changed: Callable[[], None],
        ledger: LedgerPanel,
        status: EnclaveStatusBar,
        presenter: ErrorPresenter,
        project: Callable[[], Path | None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._conversation = conversation
        self._settings = settings
        self._settings_changed = settings_changed
        self._ledger = ledger
        self._status = status
        self._presenter = presenter
        self._project = project
        self.job: Job | None = None  # the export or forget running now

    def export_conversation(self) -> Job | None:
        """Ask where, then write the conversation there on the pool; None when nothing started."""
        messages = list(self._conversation.messages())
        if not messages:
            self._status.showMessage("Nothing to export yet", 5000)
            return None
        if self._busy_writing():
            return None
        project = self._project()
        path = ask_export_path(self._window, start=(project or Path.home()) / "conversation.md")
        if path is None:
            return None
        title = f"Enclave — {project.name}" if project else ""

        def write(_cancel: object) -> Path:
            from app.core.privacy.export import export_conversation

            return export_conversation(messages, path, title=title)

        job = self._start(write, name="export")
        job.finished.connect(lambda ended: self._on_export_finished(ended, count=len(messages)))
        return job

    def forget_everything(self) -> Job | None:
        """After a confirmation, forget on the pool, then clear what is on screen; None if not started."""
        if self._conversation.busy():
            self._status.showMessage("Stop the answer first (Esc), then forget", 6000)
            return None
        if self._busy_writing() or not confirm_forget(self._window):
            return None

        def forget(_cancel: object) -> ForgetReport:
            from app.core.paths import user_dirs
            from app.core.privacy.forget import forget_everything

            return forget_everything(user_dirs())

        job = self._start(forget, name="forget")
        job.finished.connect(self._on_forget_finished)
        return job

    def _busy_writing(self) -> bool:
        if self.job is not None and self.job.running:
            self._status.showMessage(f"Still busy: {self.job.name}", 4000)
            return True
        return False

    def _start(self, work: Callable[[Any], object], *, name: str) -> Job:
        job = start_job(work, name=name, owner=self)
        job.failed.connect(self._presenter.present)
        self.job = job
        return job

    def _on_export_finished(self, ended: JobEnded, *, count: int) -> None:
        if ended.outcome is not Outcome.DONE or not isinstance(ended.result, Path):
            return  # a failure was presented
        self._status.showMessage(f"Exported {count} messages to {ended.result}", 8000)
        self.exported.emit(ended.result)

    def _on_forget_finished(self, ended: JobEnded) -> None:
        if ended.outcome is not Outcome.DONE:
            return
        from app.core.privacy import guard
        from app.core.privacy.forget import ForgetReport

        report = ended.result
        assert isinstance(report, ForgetReport)
        self._settings.forget_everything()  # the copy in memory, or the next save would write it all back
        self._settings_changed()
        self._conversation.clear()
        self._ledger.clear()
        self._status.set_privacy(refused=guard.refused_count(), gate_open=guard.gate_open())
        self._status.showMessage(
            f"Forgot {report.recent_projects} recent projects, {report.settings_paths} stored paths, "
            f"{report.manifest_entries} outside models and {report.ledger_entries} ledger entries",
            10000,
        )
        self.forgotten.emit(report)
