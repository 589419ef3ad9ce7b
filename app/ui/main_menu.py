"""The menu bar: every action has a shortcut; the handlers are the window's slots and signals."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from app.ui import privacy_actions

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

StdKey = QKeySequence.StandardKey


def build_menus(w: MainWindow) -> dict[str, QAction]:
    """Create the menus on `w`; returns the actions by name (tests and shortcuts help use them)."""
    actions: dict[str, QAction] = {}
    bar = w.menuBar()

    def add(
        menu: QMenu, name: str, text: str, shortcut: QKeySequence | StdKey | str, slot: Callable[[], object]
    ) -> QAction:
        action = QAction(text, w)
        action.setShortcut(shortcut if isinstance(shortcut, QKeySequence) else QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        actions[name] = action
        return action

    file_menu = bar.addMenu("&File")
    add(file_menu, "open_folder", "&Open Folder…", StdKey.Open, w.open_folder_requested.emit)
    recent = file_menu.addMenu("Open &Recent")
    recent.aboutToShow.connect(lambda: _fill_recent(w, recent))
    _fill_recent(w, recent)
    file_menu.addSeparator()
    add(file_menu, "save", "&Save", StdKey.Save, w.editors.save_current)
    add(file_menu, "save_all", "Save A&ll", "Ctrl+Shift+S", w.editors.save_all)
    add(file_menu, "close_tab", "&Close Tab", "Ctrl+W", lambda: w.editors.close_tab(w.editors.currentIndex()))
    file_menu.addSeparator()
    add(
        file_menu,
        "export",
        "&Export Conversation…",
        "Ctrl+Shift+E",
        lambda: privacy_actions.export_conversation(w),
    )
    add(
        file_menu,
        "forget",
        "&Forget Everything…",
        "Ctrl+Shift+Del",
        lambda: privacy_actions.forget_everything(w),
    )
    file_menu.addSeparator()
    add(file_menu, "quit", "&Quit", "Ctrl+Q", w.close)

    edit_menu = bar.addMenu("&Edit")
    add(edit_menu, "find", "&Find…", StdKey.Find, w.editors.find_in_current)
    add(edit_menu, "undo_edit", "&Undo Last Accepted Edit", "Ctrl+Alt+Z", w.undo_last_edit)

    view_menu = bar.addMenu("&View")
    add(
        view_menu,
        "toggle_files",
        "&Files",
        "Ctrl+1",
        lambda: w.files_dock.setVisible(not w.files_dock.isVisible()),
    )
    add(
        view_menu,
        "toggle_chat",
        "&Chat",
        "Ctrl+2",
        lambda: w.chat_dock.setVisible(not w.chat_dock.isVisible()),
    )
    add(
        view_menu,
        "toggle_panel",
        "&Bottom Panel",
        "Ctrl+J",
        lambda: w.bottom_dock.setVisible(not w.bottom_dock.isVisible()),
    )
    add(view_menu, "ledger", "&Privacy Ledger", "Ctrl+Shift+L", w.show_ledger)
    theme_menu = view_menu.addMenu("&Theme")
    group = QActionGroup(w)
    for key, (label, shortcut) in {
        "system": ("&System", "Ctrl+Alt+0"),
        "light": ("&Light", "Ctrl+Alt+1"),
        "dark": ("&Dark", "Ctrl+Alt+2"),
    }.items():
        action = add(
            theme_menu, f"theme_{key}", label, shortcut, functools.partial(w.theme_requested.emit, key)
        )
        action.setCheckable(True)
        action.setChecked(w.settings.theme == key)
        group.addAction(action)

    chat_menu = bar.addMenu("&Chat")
    add(chat_menu, "focus_chat", "&Ask…", "Ctrl+L", lambda: _focus_chat(w))
    add(chat_menu, "stop", "&Stop Answer", "Ctrl+.", w.chat.stop)
    add(chat_menu, "regenerate", "&Regenerate Last Answer", "Ctrl+R", lambda: _regenerate_last(w))
    add(chat_menu, "toggle_mode", "Switch &Plan/Build", "Ctrl+Shift+B", w.chat.toggle_mode)

    models_menu = bar.addMenu("&Models")
    add(models_menu, "model_setup", "Set &Up a Model…", "Ctrl+Shift+M", w.model_setup_requested.emit)
    add(models_menu, "model_file", "Use a Model &File…", "Ctrl+Shift+G", w.model_file_requested.emit)

    help_menu = bar.addMenu("&Help")
    add(help_menu, "shortcuts", "&Keyboard Shortcuts", "F1", lambda: _show_shortcuts(w, actions))
    add(
        help_menu,
        "about",
        "&About Enclave",
        "Ctrl+Shift+F1",
        lambda: QMessageBox.about(
            w,
            "About Enclave",
            "<b>Enclave</b><p>An offline coding assistant. The model runs on this machine; your code, "
            "conversations and index never leave it and are never written to disk.</p>",
        ),
    )
    return actions


def _fill_recent(w: MainWindow, menu: QMenu) -> None:
    menu.clear()
    recent = [p for p in w.settings.recent_projects if Path(p).is_dir()]
    if not recent:
        menu.addAction("No recent projects").setEnabled(False)
        return
    for i, entry in enumerate(recent[:9], start=1):
        action = menu.addAction(f"&{i} {entry}")
        action.setShortcut(QKeySequence(f"Ctrl+Alt+Shift+{i}"))
        action.triggered.connect(lambda _c=False, e=entry: w.open_project(Path(e)))


def _focus_chat(w: MainWindow) -> None:
    w.chat_dock.show()
    w.chat.input.setFocus()


def _regenerate_last(w: MainWindow) -> None:
    leaf = w.chat.conversation.leaf()
    if leaf is not None and leaf.role == "assistant":
        w.chat.regenerate(leaf.id)


def _show_shortcuts(w: MainWindow, actions: dict[str, QAction]) -> None:
    rows = "".join(
        f"<tr><td>{a.text().replace('&', '').rstrip('…')}</td><td><code>"
        f"{a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}</code></td></tr>"
        for a in actions.values()
    )
    extra = (
        "<tr><td>Send message</td><td><code>Enter</code></td></tr>"
        "<tr><td>Stop answer</td><td><code>Esc</code></td></tr>"
        "<tr><td>Plan/Build (in the message box)</td><td><code>Tab</code></td></tr>"
    )
    QMessageBox.information(w, "Keyboard shortcuts", f"<table>{rows}{extra}</table>")
