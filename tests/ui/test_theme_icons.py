"""The dark theme's icons resolve to files that exist, wherever the app runs from."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.ui.theme import apply_theme


def test_every_url_in_the_applied_dark_sheet_names_a_file(qtbot, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # Qt resolves a relative url() against the working folder
    app = QApplication.instance()
    try:
        apply_theme(app, "dark")
        urls = re.findall(r'url\("?([^")]+)"?\)', app.styleSheet())
        assert urls and all(Path(u).is_absolute() and Path(u).is_file() for u in urls), urls
    finally:
        apply_theme(app, "light")


def test_dark_dock_buttons_are_drawn_light(qtbot):
    from PySide6.QtWidgets import QStyle

    app = QApplication.instance()
    try:
        apply_theme(app, "dark")
        image = (
            app.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton).pixmap(16, 16).toImage()
        )
        inked = [
            image.pixelColor(x, y)
            for x in range(16)
            for y in range(16)
            if image.pixelColor(x, y).alpha() > 200
        ]
        assert inked and min(c.lightness() for c in inked) > 180  # light strokes on the dark title bar
    finally:
        apply_theme(app, "light")
