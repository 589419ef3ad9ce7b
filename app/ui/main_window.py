"""The main window: files on the left, editors in the centre, chat on the right, panels below.

Layout only, plus wiring: behaviour lives in the panels, the session and the core.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from app.core.settings import Settings
from app.ui.block_apply import BlockApplier
from app.ui.chat_panel import ChatPanel
from app.ui.chat_session import ChatSession
from app.ui.chat_styles import dim_colour
from app.ui.completion_controls import CompletionControls
from app.ui.completion_runner import CompletionRunner
from app.ui.dock_sizer import DockSizer
from app.ui.editor_navigation import EditorNavigation
from app.ui.editor_tabs import EditorTabs
from app.ui.error_presenter import ErrorPresenter
from app.ui.file_tree import FileTree
from app.ui.index_runner import IndexRunner
from app.ui.index_status import IndexStatus
from app.ui.ledger_panel import LedgerPanel
from app.ui.main_menu import MenuHandlers, build_menus
from app.ui.model_picker import installed_models, shown_name
from app.ui.model_worker import LoadedModel, ModelWorker
from app.ui.privacy_actions import ConversationHandle, PrivacyActions
from app.ui.quick_open import QuickOpen
from app.ui.review_panel import ReviewPanel
from app.ui.review_tabs import ReviewTabs
from app.ui.status_bar import EnclaveStatusBar
from app.ui.theme import app_icon, is_dark
from app.ui.window_memory import WindowMemory

if TYPE_CHECKING:
    from app.core.agent.events import EditProposed, EditResolved
    from app.ui.chat_session import EditUndone

logger = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Owns the panels and connects them; the model lives on `worker`'s thread."""

    model_file_dropped = Signal(object)  # Path
    settings_changed = Signal()
    open_folder_requested = Signal()
    model_setup_requested = Signal()
    model_file_requested = Signal()
    model_manager_requested = Signal()
    settings_requested = Signal()
    model_chosen = Signal(object)  # Path of an installed model picked in the chat pane
    theme_requested = Signal(str)

    def __init__(self, *, settings: Settings, worker: ModelWorker, modal_errors: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.worker = worker
        self.project: Path | None = None
        self.setWindowTitle("Enclave")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(1360, 840)
        self.setDockNestingEnabled(True)

        self.presenter = ErrorPresenter(self, modal=modal_errors)
        self.editors = EditorTabs(self)
        self._welcome = QLabel(self)
        self._welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._welcome.setWordWrap(True)  # one long line would set the window's minimum width
        self._welcome.setMargin(12)
        self._welcome.setText(
            f"<div style='color:{dim_colour(dark=is_dark(self.palette()))}'><h2>Enclave</h2>"
            "<p>Your code stays on this machine.</p>"
            "<p>Ctrl+P opens a file, Ctrl+T goes to a symbol, Ctrl+1 / 2 / 3 move between the "
            "file tree, the editor and the chat (Ctrl+B shows or hides the tree).</p></div>"
        )
        self._center = QStackedWidget(self)  # the welcome page until a file opens
        self._center.addWidget(self._welcome)
        self._center.addWidget(self.editors)
        self.setCentralWidget(self._center)
        self.editors.currentChanged.connect(
            lambda _i: self._center.setCurrentWidget(self.editors if self.editors.count() else self._welcome)
        )
        self.files = FileTree(self)
        self.chat = ChatPanel(self)
        self.review = ReviewPanel(self)
        self.output = QPlainTextEdit(self)
        self.output.setReadOnly(True)
        self.output.setAccessibleName("Command output")
        self.output.setPlaceholderText("Tool calls and command output appear here.")
        self.ledger = LedgerPanel(self)
        self.bottom = QTabWidget(self)
        self.bottom.setAccessibleName("Bottom panel")
        self.bottom.setDocumentMode(True)
        self.bottom.addTab(self.review, "Review")
        self.bottom.addTab(self.output, "Output")
        self.bottom.addTab(self.ledger, "Privacy")

        self.files_dock = self._dock("Files", "files", self.files, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.chat_dock = self._dock("Chat", "chat", self.chat, Qt.DockWidgetArea.RightDockWidgetArea)
        self.bottom_dock = self._dock("Panel", "panel", self.bottom, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.files_dock, self.chat_dock], [260, 460], Qt.Orientation.Horizontal)
        self.resizeDocks([self.bottom_dock], [170], Qt.Orientation.Vertical)
        self.docks = DockSizer(
            self,
            widths={self.files_dock: 260, self.chat_dock: 460},
            narrow_collapses=self.files_dock,
            bottom=self.bottom_dock,
            bottom_height=170,
        )

        self.status = EnclaveStatusBar(self)
        self.setStatusBar(self.status)
        self.session = ChatSession(self.chat, worker, parent=self)
        self.indexer = IndexRunner(parent=self)
        self.index_status = IndexStatus(
            runner=self.indexer,
            files=self.files,
            status=self.status,
            mentions=self.chat.input,
            use_index=self.session.set_index,
            present=self.presenter.present,
        )
        self.privacy = PrivacyActions(
            window=self,
            conversation=ConversationHandle(
                messages=lambda: self.chat.conversation.export_messages(),
                busy=lambda: self.chat.busy,
                clear=self._forget_in_memory,
            ),
            settings=settings,
            settings_changed=self.settings_changed.emit,
            ledger=self.ledger,
            status=self.status,
            presenter=self.presenter,
            project=lambda: self.project,
        )
        self.picker = QuickOpen(self)
        self.navigation = EditorNavigation(
            editors=self.editors,
            picker=self.picker,
            project=lambda: self.project,
            index=lambda: self.indexer.index,
            say=lambda text: self.status.showMessage(text, 5000),
        )
        self.menu_actions: dict[str, QAction] = build_menus(self, self._menu_handlers(), theme=settings.theme)
        # Ghost text from a completion model on its own thread (loaded when a file is first shown).
        self.completion = CompletionRunner(
            settings=settings, project=lambda: self.project, index=lambda: self.indexer.index,
            settings_changed=self.settings_changed.emit, parent=self,
        )  # fmt: skip
        self.completion_controls = CompletionControls(
            self.completion, status=self.status, menu_bar=self.menuBar(), actions=self.menu_actions
        )
        self.editors.currentChanged.connect(lambda _i: self.completion.show_page(self.editors.current_page()))
        stop = QShortcut(
            QKeySequence(Qt.Key.Key_Escape), self.chat, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        stop.activated.connect(self.chat.stop)

        self.files.file_activated.connect(lambda p: self.editors.open_file(p))
        self.editors.currentChanged.connect(lambda _i: self.files.reveal(self.editors.current_path()))
        self.editors.currentChanged.connect(self._on_tabs_changed)
        self.editors.failed.connect(self.presenter.present)
        self.session.failed.connect(self.presenter.present)
        self.session.edit_proposed.connect(self._on_edit_proposed)
        self.session.edit_resolved.connect(self._on_edit_resolved)
        self.session.edit_undone.connect(self._on_edit_undone)
        self.session.preparing.connect(self._on_preparing)
        self.session.tool_activity.connect(self.output.appendPlainText)
        self.session.context_used.connect(self._on_context_used)
        self.chat.open_location_requested.connect(self._on_open_location_requested)
        self.review.undo_requested.connect(self.undo_last_edit)
        self.reviews = ReviewTabs(tabs=self.editors, project=lambda: self.project, parent=self)
        # A waiting edit opens in the editor area.
        self.review.review_requested.connect(self.reviews.show_review)
        self.applier = BlockApplier(
            session=self.session, project=lambda: self.project, open_file=self.editors.current_path,
            say=lambda text: self.status.showMessage(text, 3000), parent=self,
        )  # fmt: skip
        self.chat.apply_requested.connect(self.applier.apply)
        self.status.privacy_clicked.connect(self.show_ledger)
        self.presenter.shown.connect(lambda text: self.status.showMessage(text, 8000))
        worker.model_loaded.connect(self._on_model_loaded)
        worker.model_unloaded.connect(self._on_model_unloaded)
        self._n_ctx = 0
        picker = self.chat.model_picker
        picker.set_choices(lambda: installed_models(self.settings))
        picker.model_chosen.connect(self.model_chosen)
        picker.file_requested.connect(self.model_file_requested)
        picker.setup_requested.connect(self.model_setup_requested)
        self.show_no_model()
        self.memory = WindowMemory(window=self, docks=self.docks, settings=settings)
        self.restore_layout()

    # -- projects -----------------------------------------------------------------------

    @property
    def indexing(self) -> bool:
        """Whether the project's index is being built."""
        return self.index_status.busy

    def open_project(self, root: Path) -> None:
        """Show `root` in the tree, remember it, and start indexing it."""
        root = root.expanduser().resolve()
        if not root.is_dir():
            from app.core.errors import EnclaveError

            self.presenter.present(EnclaveError(f"{root} is not a folder"))
            return
        self.project = root
        self.files.set_root(root)
        self.setWindowTitle(f"{root.name} — Enclave")
        self.session.open_project(root)
        self.index_status.started()
        self.indexer.build(root)
        self.settings.add_recent_project(root)
        self.settings_changed.emit()

    def _forget_in_memory(self) -> None:
        # Forget Everything also clears what memory holds: the chat, completion's file chunks.
        self.chat.clear_conversation()
        self.completion.forget()

    def _menu_handlers(self) -> MenuHandlers:
        editors, chat = self.editors, self.chat
        return MenuHandlers(
            open_folder=self.open_folder_requested.emit,
            open_recent=self.open_project,
            recent_projects=lambda: list(self.settings.recent_projects),
            save=editors.save_current,
            save_all=editors.save_all,
            close_tab=lambda: editors.close_tab(editors.currentIndex()),
            export=self.privacy.export_conversation,
            forget=self.privacy.forget_everything,
            quit=self.close,
            find=editors.find_in_current,
            replace=lambda: editors.find_in_current(replace=True),
            quick_open=self.navigation.quick_open,
            go_to_symbol=self.navigation.go_to_symbol,
            go_to_line=self.navigation.go_to_line,
            undo_edit=self.undo_last_edit,
            toggle_files=lambda: self.files_dock.setVisible(not self.files_dock.isVisible()),
            toggle_chat=lambda: self.chat_dock.setVisible(not self.chat_dock.isVisible()),
            toggle_panel=lambda: self.bottom_dock.setVisible(not self.bottom_dock.isVisible()),
            focus_tree=self._focus_tree,
            focus_editor=self._focus_editor,
            new_chat=self.new_chat,
            accept_edit=lambda: self._decide_edit("once"),
            reject_edit=lambda: self._decide_edit("reject"),
            show_ledger=self.show_ledger,
            theme=self.theme_requested.emit,
            focus_chat=self._focus_chat,
            stop=chat.stop,
            regenerate=self._regenerate_last,
            toggle_mode=chat.toggle_mode,
            model_setup=self.model_setup_requested.emit,
            model_file=self.model_file_requested.emit,
            model_manager=self.model_manager_requested.emit,
            settings=self.settings_requested.emit,
        )

    def _focus_chat(self) -> None:
        self.chat_dock.show()
        self.chat.input.setFocus()

    def _focus_tree(self) -> None:
        self.files_dock.show()
        (self.files.view if self.files.view.isVisible() else self.files).setFocus()

    def _focus_editor(self) -> None:
        page = self.editors.current_page()
        if page is None:
            self.status.showMessage("No file is open: Ctrl+P opens one", 4000)
            return
        page.editor.setFocus()

    def new_chat(self) -> None:
        """Start an empty conversation (the old one is dropped; permissions and undo stay)."""
        if self.chat.busy:
            self.status.showMessage("Stop the answer first (Esc)", 4000)
            return
        self.session.new_chat()
        self.chat.input.setFocus()

    def _decide_edit(self, decision: str) -> None:
        # A permission question holds the turn up: it is answered first, then edits in order.
        if not (self.chat.answer_waiting_question(decision) or self.review.decide_pending(decision)):
            self.status.showMessage("Nothing is waiting for a decision", 4000)

    def _regenerate_last(self) -> None:
        leaf = self.chat.conversation.leaf()
        if leaf is not None and leaf.role == "assistant":
            self.chat.regenerate(leaf.id)

    def show_ledger(self) -> None:
        """Bring the privacy ledger to the front."""
        self.bottom_dock.show()
        self.bottom.setCurrentWidget(self.ledger)

    # -- memory between runs (preferences, never content) -------------------------------

    def save_layout(self) -> None:
        """Store window geometry and dock layout in the settings."""
        self.memory.save_layout()

    def restore_layout(self) -> None:
        """Restore what `save_layout` stored (ignored when unreadable)."""
        self.memory.restore_layout()

    def reopen_last_session(self) -> bool:
        """Open the last project again with the tabs it had; False when there is none to open."""
        last = self.memory.last_session()
        if last is None:
            return False
        project, files, current = last
        self.open_project(project)
        for path in files:
            self.editors.open_file(path)
        if files:
            self.editors.setCurrentIndex(current)
        return True

    # -- drag and drop --------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        """Accept folders and .gguf files."""
        if any(_droppable(url.toLocalFile()) for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        """A folder opens as the project; a .gguf is imported as a model."""
        for url in event.mimeData().urls():
            path = Path(url.toLocalFile())
            if path.is_dir():
                self.open_project(path)
                event.acceptProposedAction()
                return
            if path.suffix.lower() == ".gguf" and path.is_file():
                self.model_file_dropped.emit(path)
                event.acceptProposedAction()
                return

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Ask about unsaved files, remember the layout, stop the model thread."""
        tabs, current = [page.path for page in self.editors.pages()], self.editors.currentIndex()
        if not self.editors.close_all():
            event.ignore()
            return
        self.memory.remember_tabs(project=self.project, files=tabs, current=current)
        self.save_layout()
        self.settings_changed.emit()
        self.indexer.stop(wait=True)
        self.completion.shutdown()
        self.worker.shutdown()
        event.accept()

    # -- slots ----------------------------------------------------------------------------

    def refresh_model_picker(self) -> None:
        """Read the installed models again (after a download or an import)."""
        self.chat.model_picker.refresh()

    def _on_tabs_changed(self, _index: int) -> None:
        # The @ popup offers the open files first (the one in front first).
        root = self.project
        if root is None:
            return
        front = self.editors.current_path()
        paths = sorted((p.path for p in self.editors.pages()), key=lambda p: p != front)
        relative = [p.relative_to(root).as_posix() for p in paths if p.is_relative_to(root)]
        self.chat.input.set_open_files(relative)

    def _on_preparing(self, note: str) -> None:
        # The model reads the project's map while the user types; say so, briefly.
        if note:
            self.status.showMessage(note)
        else:
            self.status.clearMessage()

    def _on_model_loaded(self, loaded: LoadedModel) -> None:
        name = shown_name(path=loaded.path, fallback=loaded.name)
        self.status.set_model(loaded.info, note=name)
        self.chat.model_picker.set_current(loaded.path, label=name)
        self._n_ctx = loaded.n_ctx
        self.chat.set_context(used=0, size=self._n_ctx)
        self.chat.set_ready(ready=True)

    def show_model_loading(self, note: str) -> None:
        """A model is being loaded: the status bar and the chat say so (not "no model")."""
        self.status.set_model(None, note=note)
        self.chat.set_ready(ready=False, reason=f"{note} You can browse and search the project meanwhile.")

    def show_no_model(self) -> None:
        """No model is loaded (none installed, or the load failed): say how to get one."""
        self.chat.set_ready(
            ready=False,
            reason="No model loaded yet. Models › Set up a model… (Ctrl+Shift+M). "
            "You can still browse and search the project.",
        )

    def _on_model_unloaded(self) -> None:
        self.status.set_model(None)
        self.chat.model_picker.set_current(None)
        self.chat.set_ready(ready=False, reason="No model loaded.")

    def _on_context_used(self, used: int) -> None:
        self.chat.set_context(used=used, size=self._n_ctx)

    def _on_open_location_requested(self, rel: str, line: int) -> None:
        base = self.project or Path.cwd()
        path = (base / rel).resolve()
        if self.project is not None and not path.is_relative_to(self.project):
            return  # a reference outside the project is not opened
        if path.is_file():
            self.editors.open_file(path, line=line)
        else:
            self.status.showMessage(f"{rel} is not in this project", 5000)

    def _on_edit_proposed(self, event: EditProposed) -> None:
        self.review.add_edit(event)
        self.bottom.setCurrentWidget(self.review)
        if event.edit_id not in self.reviews.views:  # a waiting edit opened in the editor area instead
            self.bottom_dock.show()

    def _on_edit_resolved(self, event: EditResolved) -> None:
        self.review.resolve(event)
        if event.applied and self.project is not None:
            self.editors.reload_path(self.project / event.path)

    def undo_last_edit(self) -> None:
        """Revert the newest accepted edit."""
        if not self.session.undo_last_edit():
            self.status.showMessage("Nothing to undo", 4000)

    def _on_edit_undone(self, event: EditUndone) -> None:
        path = event.path
        self.review.mark_undone(path)
        if path is None:
            self.status.showMessage("No accepted edit to undo", 4000)
            return
        self.output.appendPlainText(f"↶ undid the last edit to {path}")
        self.status.showMessage(f"Undid the last edit to {path}", 6000)
        if self.project is not None:
            self.editors.reload_path(self.project / path)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setAccessibleName(f"{title} panel")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock


def _droppable(local: str) -> bool:
    if not local:
        return False
    path = Path(local)
    return path.is_dir() or path.suffix.lower() == ".gguf"
