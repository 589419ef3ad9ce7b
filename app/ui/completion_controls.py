"""The controls of inline completion: a status bar indicator and Edit › Inline Completion.

The indicator says whether completion is on and with which model (or why not); clicking it
opens the same menu: on/off, on/off for the language of the file in front, and Suggest Now.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QCursor, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QLabel, QMenu, QMenuBar, QStatusBar, QWidget

from app.ui.completion_runner import CompletionRunner


class CompletionControls(QObject):
    """Keeps the indicator and the menu in step with `runner`."""

    def __init__(
        self,
        runner: CompletionRunner,
        *,
        status: QStatusBar,
        menu_bar: QMenuBar,
        actions: dict[str, QAction] | None = None,
    ) -> None:
        super().__init__(runner)
        self._runner = runner
        self.indicator = _ClickLabel(status)
        self.indicator.setObjectName("statusCompletion")
        self.indicator.setAccessibleName("Inline completion")
        status.insertPermanentWidget(0, self.indicator)
        self.menu = QMenu("Inline &Completion", menu_bar)
        self.toggle = self._add("completion_toggle", "&Inline Completion", "Ctrl+Alt+\\", checkable=True)
        self.toggle.toggled.connect(self._on_toggle_toggled)
        self.language = self._add(
            "completion_language", "For This &Language", "Ctrl+Alt+Shift+\\", checkable=True
        )
        self.language.toggled.connect(self._on_language_toggled)
        self.menu.addSeparator()
        self.suggest = self._add("completion_suggest", "&Suggest Now", "Alt+\\")
        # In an editor, its ghost text takes Alt+\ itself; elsewhere this asks for the file in front.
        self.suggest.triggered.connect(lambda _checked=False: runner.trigger())
        edit = _menu_named(menu_bar, "&Edit")
        if edit is not None:
            edit.addSeparator()
            edit.addMenu(self.menu)
        if actions is not None:
            actions.update(self.actions)
        self.indicator.clicked.connect(lambda: self.menu.popup(QCursor.pos()))
        self.menu.aboutToShow.connect(self._sync)
        runner.state_changed.connect(self._on_state_changed)
        self._on_state_changed(*runner.state())

    @property
    def actions(self) -> dict[str, QAction]:
        """The menu's actions by name."""
        return {
            "completion_toggle": self.toggle,
            "completion_language": self.language,
            "completion_suggest": self.suggest,
        }

    def _add(self, name: str, text: str, shortcut: str, *, checkable: bool = False) -> QAction:
        action = QAction(text, self.menu)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        self.menu.addAction(action)
        return action

    def _on_state_changed(self, text: str, tip: str) -> None:
        self.indicator.setText(text)
        self.indicator.setToolTip(tip + "\nClick for completion settings.")
        self._sync()

    def _sync(self) -> None:
        settings = self._runner.settings
        language = self._runner.front_language()
        for action, checked in (
            (self.toggle, settings.completion),
            (self.language, bool(language) and language not in settings.completion_off),
        ):
            action.blockSignals(True)  # noqa: FBT003 (Qt API)
            action.setChecked(checked)
            action.blockSignals(False)  # noqa: FBT003 (Qt API)
        self.language.setText(f"For {language.capitalize()} Files" if language else "For This Language")
        self.language.setEnabled(bool(language) and settings.completion)

    def _on_toggle_toggled(self, checked: bool) -> None:  # noqa: FBT001 (a slot)
        self._runner.set_enabled(on=checked)

    def _on_language_toggled(self, checked: bool) -> None:  # noqa: FBT001 (a slot)
        language = self._runner.front_language()
        if language:
            self._runner.set_language_enabled(language, on=checked)


class _ClickLabel(QLabel):
    clicked = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet("QLabel { padding: 0 6px; }")

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        self.clicked.emit()
        event.accept()


def _menu_named(bar: QMenuBar, title: str) -> QMenu | None:
    for action in bar.actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and menu.title() == title:
            return menu
    return None
