"""Application start-up: parse GUI arguments, build the window, run the event loop."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def run_app(args: list[str]) -> int:
    """Run the GUI until the window closes."""
    parser = argparse.ArgumentParser(prog="enclave", description="Open the Enclave window.")
    parser.add_argument("project", nargs="?", help="a project folder to open")
    parser.add_argument("--screenshot", metavar="OUT.png", help="save a PNG of the window and exit")
    ns = parser.parse_args(args)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Enclave")
    window = MainWindow()
    if ns.project:
        window.open_project(Path(ns.project))
    window.show()
    if ns.screenshot:
        out = Path(ns.screenshot)

        def grab() -> None:
            window.grab().save(str(out), "PNG")
            app.quit()

        QTimer.singleShot(500, grab)
    return app.exec()
