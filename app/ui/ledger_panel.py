"""The privacy ledger: every refused network attempt and every download gate, newest last."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget


class LedgerPanel(QWidget):
    """A table of ledger entries (objects with time, target, operation, module, allowed)."""

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
        self.set_available(True)

    def set_available(self, available: bool) -> None:
        """Say plainly when the network guard is not part of this build."""
        self._summary.setText(
            "Every attempt to reach another machine is refused and listed here. "
            "Only a model download you start opens the network, and only while it runs."
            if available
            else "The network guard is not available in this build, so no ledger is kept."
        )

    def clear(self) -> None:
        """Remove every row (the ledger itself was emptied)."""
        self.table.setRowCount(0)

    def add_entry(self, entry: object) -> None:
        """Append one entry."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        allowed = bool(getattr(entry, "allowed", False))
        values = [
            time.strftime("%H:%M:%S", time.localtime(float(getattr(entry, "time", 0.0)))),
            "allowed" if allowed else "refused",
            str(getattr(entry, "operation", "")),
            str(getattr(entry, "target", "")),
            str(getattr(entry, "module", "")),
        ]
        for col, value in enumerate(values):
            self.table.setItem(row, col, QTableWidgetItem(value))
        self.table.scrollToBottom()
