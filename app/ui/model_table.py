"""The read-only, row-selecting table both model-manager pages list models in."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QWidget


def model_table(columns: Sequence[str], *, name: str, stretch: str, parent: QWidget) -> QTableWidget:
    """A table of `columns` sized to their contents, the `stretch` column taking what is left."""
    table = QTableWidget(0, len(columns), parent)
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    for column in range(len(columns)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(list(columns).index(stretch), QHeaderView.ResizeMode.Stretch)
    return table
