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
