"""Light and dark themes: a palette plus a small style sheet from resources/theme/."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

from app.core.paths import resources_dir

logger = logging.getLogger(__name__)


def resolve_theme(preference: str) -> str:
    """`light` or `dark`: the preference, or the system's colour scheme for `system`."""
    if preference in {"light", "dark"}:
        return preference
    hints = QGuiApplication.styleHints()
    return "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"


def apply_theme(app: QApplication, preference: str) -> str:
    """Apply the theme to the whole app; returns the one applied (`light` or `dark`)."""
    name = resolve_theme(preference)
    if name == "dark":
        app.setStyle(_DarkIcons("Fusion"))
        app.setPalette(_dark_palette())
    else:
        app.setPalette(app.style().standardPalette())
    try:
        sheet = (resources_dir() / "theme" / f"{name}.qss").read_text(encoding="utf-8")
        # Qt resolves url() against the working folder, not the sheet's: name the icons' own.
        sheet = sheet.replace("@icons/", (resources_dir() / "icons").as_posix() + "/")
    except OSError:
        logger.warning("theme %s missing; using the native look", name)
        sheet = ""
    app.setStyleSheet(sheet)
    return name


_DARK_ICONS = {
    QStyle.StandardPixmap.SP_TitleBarCloseButton: "dock-close-dark.svg",
    QStyle.StandardPixmap.SP_DockWidgetCloseButton: "dock-close-dark.svg",
    QStyle.StandardPixmap.SP_TitleBarNormalButton: "float-dark.svg",
}


class _DarkIcons(QProxyStyle):
    """Fusion with light title-bar icons: its own dock close and float buttons are ~1.5:1 on dark."""

    def standardIcon(  # noqa: N802 (Qt's name)
        self, icon: QStyle.StandardPixmap, option: QStyleOption | None = None, widget: QWidget | None = None
    ) -> QIcon:
        """Our light icon where Fusion's is too dark, else Fusion's."""
        name = _DARK_ICONS.get(icon)
        if name is not None:
            return QIcon(str(resources_dir() / "icons" / name))
        return super().standardIcon(icon, option, widget)


def app_icon() -> QIcon:
    """The window icon."""
    return QIcon(str(resources_dir() / "icons" / "enclave.svg"))


def code_font() -> QFont:
    """The fixed-width font for the editor and code blocks."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(max(font.pointSize(), 10))
    return font


def _dark_palette() -> QPalette:
    p = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#1f2125",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#17181b",
        QPalette.ColorRole.AlternateBase: "#23252a",
        QPalette.ColorRole.ToolTipBase: "#2b2d31",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#2b2d31",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Link: "#7ab7ff",
        QPalette.ColorRole.Highlight: "#2f6fb3",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#8a8d93",
        QPalette.ColorRole.Mid: "#45484f",
    }
    for role, value in colors.items():
        p.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6c6f76"))
    return p


def is_dark(palette: QPalette) -> bool:
    """Whether `palette` has a dark background (for syntax colours)."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128
