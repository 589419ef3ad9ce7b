"""The project tree: the files the index sees (its ignore rules), with index progress on top."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QDir, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QFileSystemModel, QLabel, QProgressBar, QTreeView, QVBoxLayout, QWidget

from app.ui.background import JobEnded, Outcome, start_job

if TYPE_CHECKING:
    from app.core.index.ignore import IgnoreRules

logger = logging.getLogger(__name__)


def _root_rules(root: Path) -> IgnoreRules:
    from app.core.index.ignore import IgnoreRules

    return IgnoreRules.for_root(root)


def _descend(root: Path, base: IgnoreRules, base_rel: str, rel_folder: str) -> dict[str, IgnoreRules]:
    """The rules of `rel_folder` and of each folder between it and `base_rel` (a pool thread)."""
    found: dict[str, IgnoreRules] = {}
    rules, rel = base, base_rel
    parts = rel_folder.split("/")[len(base_rel.split("/")) if base_rel else 0 :]
    for part in parts:
        rel = f"{rel}/{part}" if rel else part
        rules = rules.descend(root / rel, rel)
        found[rel] = rules
    return found


class _IgnoreFilter(QSortFilterProxyModel):
    """Hides what the project's ignore rules hide (.gitignore, .enclaveignore, defaults).

    A folder's own ignore files are read on the pool the first time a row in it is shown:
    until they arrive its rows follow the nearest folder above it whose rules are read.
    """

    rules_loaded = Signal()  # the rules of more folders arrived; rows were filtered again

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._root: Path | None = None
        self._rules: dict[str, IgnoreRules] = {}
        self._loading: set[str] = set()
        # Qt asks once per row, on the GUI thread, hundreds of rows at a time when a big
        # folder is listed (while the index walks the project on another thread): each
        # answer is kept until the rules change, and paths are cut as strings, not Paths.
        self._prefix = ""
        self._verdicts: dict[tuple[str, bool], bool] = {}
        self.setRecursiveFilteringEnabled(False)
        self.setDynamicSortFilter(True)

    def set_root(self, root: Path | None, *, rules: IgnoreRules | None = None) -> None:
        self._root = root
        self._prefix = root.as_posix().rstrip("/") + "/" if root is not None else ""
        self._rules.clear()
        self._verdicts.clear()
        self._loading.clear()
        if rules is not None:
            self._rules[""] = rules
        self.invalidate()

    def _rules_for(self, rel_folder: str) -> IgnoreRules | None:
        rules = self._rules.get(rel_folder)
        if rules is not None:
            return rules
        ancestor = rel_folder
        while ancestor and ancestor not in self._rules:
            ancestor = ancestor.rpartition("/")[0]
        base = self._rules.get(ancestor)
        if base is not None and self._root is not None and rel_folder not in self._loading:
            self._load(self._root, base, ancestor, rel_folder)
        return base

    def _load(self, root: Path, base: IgnoreRules, base_rel: str, rel_folder: str) -> None:
        self._loading.add(rel_folder)
        job = start_job(
            lambda _cancel: _descend(root, base, base_rel, rel_folder), name="ignore rules", owner=self
        )
        job.finished.connect(lambda ended: self._on_rules_finished(root, rel_folder, ended))

    def _on_rules_finished(self, root: Path, rel_folder: str, ended: JobEnded) -> None:
        if root != self._root:
            return  # another project was opened meanwhile
        self._loading.discard(rel_folder)
        if ended.outcome is not Outcome.DONE or not isinstance(ended.result, dict):
            logger.info("ignore rules not read for a folder: %s", ended.outcome)
            return
        self.beginFilterChange()
        self._rules.update(ended.result)
        self._verdicts.clear()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.rules_loaded.emit()

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        assert isinstance(model, QFileSystemModel)
        if self._root is None:
            return True
        index = model.index(row, 0, parent)
        file_path = model.filePath(index)
        if file_path.startswith(self._prefix):
            rel = file_path[len(self._prefix) :]
        else:
            try:  # another spelling of the root (a case-insensitive file system)
                rel = Path(file_path).relative_to(self._root).as_posix()
            except ValueError:
                return True  # ancestors of the root
        if rel in ("", "."):
            return True
        key = (rel, model.isDir(index))
        verdict = self._verdicts.get(key)
        if verdict is None:
            rules = self._rules_for(rel.rpartition("/")[0])
            verdict = not (rules is not None and rules.ignored(rel, is_dir=key[1]))
            self._verdicts[key] = verdict
        return verdict


class FileTree(QWidget):
    """Browse the project; `file_activated` opens a file."""

    file_activated = Signal(object)  # Path
    shown = Signal(object)  # Path: the project's root rules are read and its files listed
    ignore_rules_loaded = Signal()  # a folder's own ignore files were read; rows refiltered

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Project")
        self._fs = QFileSystemModel(self)
        self._fs.setFilter(QDir.Filter.AllEntries | QDir.Filter.NoDotAndDotDot | QDir.Filter.Hidden)
        self._fs.setReadOnly(True)
        self._proxy = _IgnoreFilter(self)
        self._proxy.setSourceModel(self._fs)
        self._proxy.rules_loaded.connect(self.ignore_rules_loaded)
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
        self._current: Path | None = None  # the file in front in the editor
        # Folders load in the background: scroll to the file again once its folder is listed.
        self._fs.directoryLoaded.connect(self._on_directory_loaded)
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
        job = start_job(lambda _cancel: _root_rules(root), name="ignore rules", owner=self)
        job.finished.connect(lambda ended: self._on_root_rules_finished(root, ended))

    def _on_root_rules_finished(self, root: Path, ended: JobEnded) -> None:
        # Without them (a job that failed) the tree shows every file rather than none.
        self._show(root, cast("IgnoreRules", ended.result) if ended.outcome is Outcome.DONE else None)

    def _show(self, root: Path, rules: IgnoreRules | None) -> None:
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
        self.shown.emit(root)
        if self._current is not None:
            self.reveal(self._current)

    def reveal(self, path: Path | None) -> None:
        """Select `path` (the file open in front), opening its folders and scrolling to it."""
        self._current = path
        if path is None or self._root is None or not path.is_relative_to(self._root):
            self.view.clearSelection()
            return
        # index() creates the rows of the folders on the way, so the row exists before they load.
        proxy_index = self._proxy.mapFromSource(self._fs.index(str(path)))
        if not proxy_index.isValid():
            return  # ignored, or the tree is not shown yet (`_show` calls this again)
        parent = proxy_index.parent()
        while parent.isValid():
            self.view.expand(parent)
            parent = parent.parent()
        self.view.setCurrentIndex(proxy_index)
        self.view.scrollTo(proxy_index)

    def _on_directory_loaded(self, folder: str) -> None:
        if self._current is not None and Path(folder) == self._current.parent:
            self.reveal(self._current)

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
