"""Editor tabs: open files, unsaved marks, save, and reload when files change on disk."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, Signal
from PySide6.QtWidgets import QMessageBox, QTabWidget, QWidget

from app.core.errors import EnclaveError
from app.ui.editor_page import EditorPage


class EditorTabs(QTabWidget):
    """One tab per open file; errors go out through `failed`."""

    failed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Editor tabs")
        self.setDocumentMode(True)
        self.setTabsClosable(True)
        self.setMovable(True)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_file_changed)
        self.tabCloseRequested.connect(self.close_tab)

    def pages(self) -> list[EditorPage]:
        """Every open page, in tab order."""
        return [p for i in range(self.count()) if isinstance(p := self.widget(i), EditorPage)]

    def page_for(self, path: Path) -> EditorPage | None:
        """The page showing `path`, if open."""
        path = path.resolve()
        return next((p for p in self.pages() if p.path == path), None)

    def current_page(self) -> EditorPage | None:
        """The page in front."""
        page = self.currentWidget()
        return page if isinstance(page, EditorPage) else None

    def current_path(self) -> Path | None:
        """The file in front."""
        page = self.current_page()
        return page.path if page else None

    def open_file(self, path: Path, *, line: int = 0) -> EditorPage | None:
        """Show `path` (opening it when needed), at `line` when given."""
        path = path.resolve()
        page = self.page_for(path)
        if page is None:
            page = EditorPage(path, self)
            try:
                page.load()
            except EnclaveError as exc:
                page.deleteLater()
                self.failed.emit(exc)
                return None
            index = self.addTab(page, path.name)
            self.setTabToolTip(index, str(path))
            page.modified_changed.connect(lambda _m, p=page: self._update_title(p))
            self._watcher.addPath(str(path))
        self.setCurrentWidget(page)
        if line > 0:
            page.editor.go_to_line(line)
        else:
            page.editor.setFocus()
        return page

    def save_current(self) -> bool:
        """Save the file in front; False on failure (reported through `failed`)."""
        page = self.current_page()
        return self._save(page) if page else False

    def save_all(self) -> bool:
        """Save every modified file."""
        return all(self._save(p) for p in self.pages() if p.modified)

    def find_in_current(self, *, replace: bool = False) -> None:
        """Open the find bar of the file in front (with its replace row when `replace`)."""
        page = self.current_page()
        if page:
            page.find_bar.open_bar(replace=replace)

    def reload_path(self, path: Path) -> None:
        """A file changed through Enclave (an accepted edit): refresh its tab if open."""
        page = self.page_for(path)
        if page is not None:
            page.on_disk_changed()

    def close_tab(self, index: int) -> bool:
        """Close one tab, asking first when it has unsaved changes."""
        page = self.widget(index)
        if isinstance(page, EditorPage) and page.modified:
            answer = QMessageBox.question(
                self,
                "Unsaved changes",
                f"Save changes to {page.path.name} before closing?",
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save and not self._save(page):
                return False
        if isinstance(page, EditorPage):
            self._watcher.removePath(str(page.path))
        self.removeTab(index)
        if page is not None:
            page.deleteLater()
        return True

    def close_all(self) -> bool:
        """Close every tab (asking about unsaved ones); False if the user cancelled."""
        while self.count():
            if not self.close_tab(self.count() - 1):
                return False
        return True

    def _save(self, page: EditorPage) -> bool:
        try:
            page.save()
        except EnclaveError as exc:
            self.failed.emit(exc)
            return False
        return True

    def _update_title(self, page: EditorPage) -> None:
        index = self.indexOf(page)
        if index >= 0:
            self.setTabText(index, ("● " if page.modified else "") + page.path.name)

    def _on_file_changed(self, path_text: str) -> None:
        path = Path(path_text)
        page = self.page_for(path)
        if page is None:
            return
        page.on_disk_changed()
        # Editors that save by rename drop the watch; add it back.
        if path.exists() and path_text not in self._watcher.files():
            self._watcher.addPath(path_text)
