"""A QTextBrowser that never loads a resource: model Markdown cannot make the app fetch.

An `<img src="http://...">` (or any other image, style sheet or link target) is refused in
`loadResource` before Qt could look at it, and link clicks are handed to the owner instead
of being followed.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QByteArray, QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QWidget

logger = logging.getLogger(__name__)


class SafeBrowser(QTextBrowser):
    """Rich text with every resource load refused; `link_activated` carries clicked targets."""

    link_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.refused_resources = 0
        self.anchorClicked.connect(self._on_anchor_clicked)

    def loadResource(self, kind: int, name: QUrl | str) -> Any:  # noqa: N802 (Qt override)
        """Refuse every resource: remote ones must never be fetched, local ones are not needed."""
        self.refused_resources += 1
        scheme = QUrl(name).scheme() if isinstance(name, str) else name.scheme()
        logger.debug("refused a %s resource (type %d)", scheme or "relative", kind)
        # An empty byte array, not None: PySide6 6.12 drops a reference to None on every
        # `return None` from this override, and the interpreter aborts once it reaches zero.
        return QByteArray()

    def _on_anchor_clicked(self, url: QUrl) -> None:
        self.link_activated.emit(url.toString())
