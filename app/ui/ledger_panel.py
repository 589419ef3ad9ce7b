"""The privacy ledger: every refused network attempt and every download gate, newest last."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from app.core.privacy.ledger import LedgerEntry


class LedgerPanel(QWidget):
    """A table of the privacy ledger's entries."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Privacy ledger")
        self._summary = QLabel(self)
        self._summary.setWordWrap(True)
        self.table = QTableWidget(0, 5, self)
        self.table.setAccessibleName("Network attempts")
        self.table.setHorizontalHeaderLabels(["Time", "Result", "Operation", "Target", "Module"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._summary)
        layout.addWidget(self.table)
        self._summary.setText(
            "Every attempt to reach another machine is refused and listed here. "
            "Only a model download you start opens the network, and only while it runs."
        )

    def clear(self) -> None:
        """Remove every row (the ledger itself was emptied)."""
        self.table.setRowCount(0)

    def add_entry(self, entry: LedgerEntry) -> None:
        """Append one entry."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        target = entry.target
        if entry.operation == "request":  # to a configured endpoint: what went, never the content
            target += f" · {entry.bytes_up:,} B up, {entry.bytes_down:,} B down"
            if entry.tokens_up or entry.tokens_down:
                target += f" · {entry.tokens_up:,}+{entry.tokens_down:,} tokens"
            if entry.files:
                target += " · files: " + ", ".join(entry.files)
        values = [
            time.strftime("%H:%M:%S", time.localtime(entry.time)),
            "allowed" if entry.allowed else "refused",
            entry.operation,
            target,
            entry.module,
        ]
        for col, value in enumerate(values):
            self.table.setItem(row, col, QTableWidgetItem(value))
        self.table.scrollToBottom()
