"""The project tree: the files the index sees (its ignore rules), with index progress on top."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDir, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QFileSystemModel, QLabel, QProgressBar, QTreeView, QVBoxLayout, QWidget

from app.ui.background import run_in_pool


def _root_rules(root: Path) -> object:
    from app.core.index.ignore import IgnoreRules

    return IgnoreRules.for_root(root)


class _IgnoreFilter(QSortFilterProxyModel):
    """Hides what the project's ignore rules hide (.gitignore, .enclaveignore, defaults)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._root: Path | None = None
        self._rules: dict[str, object] = {}
        self.setRecursiveFilteringEnabled(False)
        self.setDynamicSortFilter(True)

    def set_root(self, root: Path | None, *, rules: object | None = None) -> None:
        self._root = root
        self._rules.clear()
        if rules is not None:
            self._rules[""] = rules
        self.invalidate()

    def _rules_for(self, rel_folder: str) -> object | None:
        from app.core.index.ignore import IgnoreRules

        if self._root is None:
            return None
        if rel_folder in self._rules:
            return self._rules[rel_folder]
        if not rel_folder:
            rules = IgnoreRules.for_root(self._root)
        else:
            parent, _, _name = rel_folder.rpartition("/")
            base = self._rules_for(parent)
            assert isinstance(base, IgnoreRules)
            rules = base.descend(self._root / rel_folder, rel_folder)
        self._rules[rel_folder] = rules
        return rules

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        assert isinstance(model, QFileSystemModel)
        if self._root is None:
            return True
        index = model.index(row, 0, parent)
        path = Path(model.filePath(index))
        try:
            rel = path.relative_to(self._root).as_posix()
        except ValueError:
            return True  # ancestors of the root
        if rel in ("", "."):
            return True
        folder, _, _ = rel.rpartition("/")
        rules = self._rules_for(folder)
        return not (rules is not None and rules.ignored(rel, is_dir=model.isDir(index)))  # type: ignore[attr-defined]


class FileTree(QWidget):
    """Browse the project; `file_activated` opens a file."""

    file_activated = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Project")
        self._fs = QFileSystemModel(self)
        self._fs.setFilter(QDir.Filter.AllEntries | QDir.Filter.NoDotAndDotDot | QDir.Filter.Hidden)
        self._fs.setReadOnly(True)
        self._proxy = _IgnoreFilter(self)
        self._proxy.setSourceModel(self._fs)
        self.view = QTreeView(self)
        self.view.setAccessibleName("Project files")
        self.view.setModel(self._proxy)
        self.view.setHeaderHidden(True)
        self.view.setUniformRowHeights(True)
        self.view.setSortingEnabled(True)
        for column in (1, 2, 3):
            self.view.hideColumn(column)
        self.title = QLabel("No project open", self)
        self.title.setObjectName("noticeTitle")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Index progress")
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.hint = QLabel(
            "Drop a project folder onto the window, or use File › Open Folder… (Ctrl+O).", self
        )
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.progress)
        layout.addWidget(self.hint)
        layout.addWidget(self.view, 1)
        self.view.activated.connect(self._on_activated)
        self.view.doubleClicked.connect(self._on_activated)
        self._root: Path | None = None
        self.view.hide()

    @property
    def root(self) -> Path | None:
        """The open project."""
        return self._root

    def set_root(self, root: Path) -> None:
        """Show `root` once its ignore rules are read.

        They are read on the pool: the first read imports the index package and parses
        .gitignore files, too slow for the UI thread.
        """
        self._root = root
        self.title.setText(root.name)
        self.title.setToolTip(str(root))
        run_in_pool(
            lambda: _root_rules(root),
            on_done=lambda rules: self._show(root, rules),
            on_failed=lambda _exc: self._show(root, None),
            owner=self,
        )

    def _show(self, root: Path, rules: object | None) -> None:
        if root != self._root:
            return  # another project was opened meanwhile
        self._proxy.set_root(root, rules=rules)
        source = self._fs.setRootPath(str(root))
        self.view.setRootIndex(self._proxy.mapFromSource(source))
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.title.setText(root.name)
        self.title.setToolTip(str(root))
        self.hint.hide()
        self.view.show()

    def set_progress(self, done: int, total: int) -> None:
        """Index progress; hidden when done."""
        if total <= 0 or done >= total:
            self.progress.hide()
            return
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.progress.show()

    def _on_activated(self, proxy_index: QModelIndex) -> None:
        index = self._proxy.mapToSource(proxy_index)
        if not self._fs.isDir(index):
            self.file_activated.emit(Path(self._fs.filePath(index)))
