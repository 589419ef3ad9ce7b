"""File menu actions about the user's data: export the conversation, forget everything.

Export is the only way a conversation reaches the disk, and only where the user says.
Forgetting clears what the data policy lets Enclave keep (`app.core.privacy.forget`) and
the conversation on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.core.errors import EnclaveError

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

_FILTERS = {"Markdown (*.md)": ".md", "JSON (*.json)": ".json"}


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


def export_conversation(w: MainWindow, *, ask: Callable[[QWidget], Path | None] | None = None) -> Path | None:
    """Write the conversation on screen (the branch shown, tool calls included) where the user picks."""
    messages = w.chat.conversation.export_messages()
    if not messages:
        w.status.showMessage("Nothing to export yet", 5000)
        return None
    start = (w.project or Path.home()) / "conversation.md"
    path = ask(w) if ask is not None else ask_export_path(w, start=start)
    if path is None:
        return None
    from app.core.privacy.export import export_conversation as write

    try:
        write(messages, path, title=f"Enclave — {w.project.name}" if w.project else "")
    except EnclaveError as exc:
        w.presenter.present(exc)
        return None
    w.status.showMessage(f"Exported {len(messages)} messages to {path}", 8000)
    return path


def forget_everything(w: MainWindow, *, confirm: Callable[[QWidget], bool] | None = None) -> bool:
    """After a confirmation: clear stored paths, the ledger and the conversation; False if declined."""
    if w.chat.busy:
        w.status.showMessage("Stop the answer first (Esc), then forget", 6000)
        return False
    if not (confirm or confirm_forget)(w):
        return False
    from app.core.paths import user_dirs
    from app.core.privacy.forget import forget_everything as forget

    try:
        report = forget(user_dirs())
    except EnclaveError as exc:
        w.presenter.present(exc)
        return False
    w.settings.forget_everything()  # the copy in memory, or the next save would write it all back
    w.settings_changed.emit()
    w.chat.clear_conversation()
    w.ledger.clear()
    from app.core.privacy import guard

    w.status.set_privacy(refused=guard.refused_count(), gate_open=guard.gate_open())
    w.status.showMessage(
        f"Forgot {report.recent_projects} recent projects, {report.settings_paths} stored paths, "
        f"{report.manifest_entries} outside models and {report.ledger_entries} ledger entries",
        10000,
    )
    return True
