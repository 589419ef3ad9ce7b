"""The menu bar: every action has a shortcut; the handlers come in as one `MenuHandlers`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

StdKey = QKeySequence.StandardKey
Handler = Callable[[], object]


@dataclass(frozen=True)
class MenuHandlers:
    """What each menu action does (the window's slots, signals and panels' methods)."""

    open_folder: Handler
    open_recent: Callable[[Path], object]
    recent_projects: Callable[[], list[str]]
    save: Handler
    save_all: Handler
    close_tab: Handler
    export: Handler
    forget: Handler
    quit: Handler
    find: Handler
    replace: Handler
    quick_open: Handler
    go_to_symbol: Handler
    go_to_line: Handler
    undo_edit: Handler
    toggle_files: Handler
    toggle_chat: Handler
    toggle_panel: Handler
    focus_tree: Handler
    focus_editor: Handler
    new_chat: Handler
    accept_edit: Handler
    reject_edit: Handler
    show_ledger: Handler
    theme: Callable[[str], object]
    focus_chat: Handler
    stop: Handler
    regenerate: Handler
    toggle_mode: Handler
    model_setup: Handler
    model_file: Handler
    model_manager: Handler
    settings: Handler


def build_menus(window: QMainWindow, handlers: MenuHandlers, *, theme: str) -> dict[str, QAction]:
    """Create the menus on `window`; returns the actions by name (tests and shortcuts help use them)."""
    actions: dict[str, QAction] = {}
    bar = window.menuBar()
    h = handlers

    def add(
        menu: QMenu, name: str, text: str, shortcut: QKeySequence | StdKey | str, slot: Handler
    ) -> QAction:
        action = QAction(text, window)
        action.setShortcut(shortcut if isinstance(shortcut, QKeySequence) else QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        actions[name] = action
        return action

    file_menu = bar.addMenu("&File")
    add(file_menu, "open_folder", "&Open Folder…", StdKey.Open, h.open_folder)
    recent = file_menu.addMenu("Open &Recent")
    recent.aboutToShow.connect(lambda: _fill_recent(recent, h))
    _fill_recent(recent, h)
    file_menu.addSeparator()
    add(file_menu, "save", "&Save", StdKey.Save, h.save)
    add(file_menu, "save_all", "Save A&ll", "Ctrl+Shift+S", h.save_all)
    add(file_menu, "close_tab", "&Close Tab", "Ctrl+W", h.close_tab)
    file_menu.addSeparator()
    add(file_menu, "export", "&Export Conversation…", "Ctrl+Shift+E", h.export)
    add(file_menu, "forget", "&Forget Everything…", "Ctrl+Shift+Del", h.forget)
    file_menu.addSeparator()
    add(file_menu, "settings", "Se&ttings…", "Ctrl+,", h.settings)
    file_menu.addSeparator()
    add(file_menu, "quit", "&Quit", "Ctrl+Q", h.quit)

    edit_menu = bar.addMenu("&Edit")
    add(edit_menu, "find", "&Find…", StdKey.Find, h.find)
    add(edit_menu, "replace", "&Replace…", "Ctrl+H", h.replace)
    edit_menu.addSeparator()
    add(edit_menu, "accept_edit", "&Accept Edit / Allow Once", "Ctrl+Shift+Return", h.accept_edit)
    add(edit_menu, "reject_edit", "Re&ject Edit / Deny", "Ctrl+Shift+Backspace", h.reject_edit)
    add(edit_menu, "undo_edit", "&Undo Last Accepted Edit", "Ctrl+Alt+Z", h.undo_edit)

    go_menu = bar.addMenu("&Go")
    add(go_menu, "quick_open", "Go to &File…", "Ctrl+P", h.quick_open)
    add(go_menu, "go_to_symbol", "Go to &Symbol…", "Ctrl+T", h.go_to_symbol)
    add(go_menu, "go_to_line", "Go to &Line…", "Ctrl+G", h.go_to_line)
    go_menu.addSeparator()
    add(go_menu, "focus_tree", "Focus File &Tree", "Ctrl+1", h.focus_tree)
    add(go_menu, "focus_editor", "Focus &Editor", "Ctrl+2", h.focus_editor)
    add(go_menu, "focus_chat_box", "Focus &Chat", "Ctrl+3", h.focus_chat)

    view_menu = bar.addMenu("&View")
    add(view_menu, "toggle_files", "&Files", "Ctrl+B", h.toggle_files)
    add(view_menu, "toggle_chat", "&Chat", "Ctrl+Alt+B", h.toggle_chat)
    add(view_menu, "toggle_panel", "&Bottom Panel", "Ctrl+J", h.toggle_panel)
    add(view_menu, "ledger", "&Privacy Ledger", "Ctrl+Shift+L", h.show_ledger)
    theme_menu = view_menu.addMenu("&Theme")
    group = QActionGroup(window)
    for key, (label, shortcut) in {
        "system": ("&System", "Ctrl+Alt+0"),
        "light": ("&Light", "Ctrl+Alt+1"),
        "dark": ("&Dark", "Ctrl+Alt+2"),
    }.items():
        action = add(theme_menu, f"theme_{key}", label, shortcut, functools.partial(h.theme, key))
        action.setCheckable(True)
        action.setChecked(theme == key)
        group.addAction(action)

    chat_menu = bar.addMenu("&Chat")
    add(chat_menu, "new_chat", "&New Chat", StdKey.New, h.new_chat)
    add(chat_menu, "focus_chat", "&Ask…", "Ctrl+L", h.focus_chat)
    add(chat_menu, "stop", "&Stop Answer", "Ctrl+.", h.stop)
    add(chat_menu, "regenerate", "&Regenerate Last Answer", "Ctrl+R", h.regenerate)
    add(chat_menu, "toggle_mode", "Switch &Plan/Build", "Ctrl+Shift+B", h.toggle_mode)

    models_menu = bar.addMenu("&Models")
    add(models_menu, "model_manager", "&Manage Models…", "Ctrl+Alt+M", h.model_manager)
    add(models_menu, "model_setup", "Set &Up a Model…", "Ctrl+Shift+M", h.model_setup)
    add(models_menu, "model_file", "Use a Model &File…", "Ctrl+Shift+G", h.model_file)

    help_menu = bar.addMenu("&Help")
    add(help_menu, "shortcuts", "&Keyboard Shortcuts", "F1", lambda: _show_shortcuts(window, actions))
    add(
        help_menu,
        "about",
        "&About Enclave",
        "Ctrl+Shift+F1",
        lambda: QMessageBox.about(
            window,
            "About Enclave",
            "<b>Enclave</b><p>An offline coding assistant. The model runs on this machine; your code, "
            "conversations and index never leave it and are never written to disk.</p>",
        ),
    )
    return actions


def _fill_recent(menu: QMenu, h: MenuHandlers) -> None:
    menu.clear()
    recent = [p for p in h.recent_projects() if Path(p).is_dir()]
    if not recent:
        menu.addAction("No recent projects").setEnabled(False)
        return
    for i, entry in enumerate(recent[:9], start=1):
        action = menu.addAction(f"&{i} {entry}")
        action.setShortcut(QKeySequence(f"Ctrl+Alt+Shift+{i}"))
        action.triggered.connect(lambda _c=False, e=entry: h.open_recent(Path(e)))


def _show_shortcuts(window: QMainWindow, actions: dict[str, QAction]) -> None:
    rows = "".join(
        f"<tr><td>{a.text().replace('&', '').rstrip('…')}</td><td><code>"
        f"{a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}</code></td></tr>"
        for a in actions.values()
    )
    extra = (
        "<tr><td>Send message</td><td><code>Enter</code></td></tr>"
        "<tr><td>Stop answer</td><td><code>Esc</code></td></tr>"
        "<tr><td>Leave the message box</td><td><code>Tab</code></td></tr>"
        "<tr><td>Review: next / previous hunk</td><td><code>Alt+Down</code> / <code>Alt+Up</code></td></tr>"
        "<tr><td>Review: accept / reject the hunk</td>"
        "<td><code>Ctrl+Enter</code> / <code>Ctrl+Backspace</code></td></tr>"
        "<tr><td>Review: inline or side by side</td><td><code>Ctrl+Alt+I</code></td></tr>"
        "<tr><td>Zoom the editor or the chat (the one with the focus)</td>"
        "<td><code>Ctrl+=</code> / <code>Ctrl+-</code>, <code>Ctrl+0</code> resets</td></tr>"
    )
    QMessageBox.information(window, "Keyboard shortcuts", f"<table>{rows}{extra}</table>")
