"""The status bar: Offline with refused attempts, model and backend, index state, and Remote: host.

"Remote: host" shows, in its own colour, whenever the model in use is a configured endpoint
(app/core/remote): the conversation then goes to that host, and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QStatusBar, QStyle, QWidget

from app.core.services import describe_model
from app.ui.elided_label import ElidedLabel
from app.ui.theme import is_dark

if TYPE_CHECKING:
    from app.core.remote.remote_model import RemoteInfo
    from app.core.runtime.local_model import ModelInfo

# Offline is the normal state (green); an open gate (a download the user started) is amber.
_OFFLINE = {"light": "#2e7d32", "dark": "#81c784"}
_ONLINE = {"light": "#b35900", "dark": "#ffb74d"}
# A remote model in use: neither the offline green nor the download amber.
_REMOTE = {"light": "#6a1b9a", "dark": "#ce93d8"}


def privacy_colour(*, gate_open: bool, dark: bool) -> str:
    """The colour of the network status: one for Offline, another while the network is open."""
    return (_ONLINE if gate_open else _OFFLINE)["dark" if dark else "light"]


def remote_colour(*, dark: bool) -> str:
    """The colour of "Remote: host"."""
    return _REMOTE["dark" if dark else "light"]


class EnclaveStatusBar(QStatusBar):
    """Three permanent labels; the privacy one is clickable to open the ledger, the others elide."""

    privacy_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.privacy = _ClickLabel(self)
        self.privacy.setObjectName("statusPrivacy")
        self.privacy.setAccessibleName("Network status")
        self.privacy.clicked.connect(self.privacy_clicked)
        # Model and index texts can be long ("Indexed the first 20,000 files (limit) · …"):
        # they elide (the whole text stays in `text()`) so the bar never sets the window's
        # minimum width. Offline is short and always shown whole.
        self.model = ElidedLabel(self, min_chars=8)
        self.model.setAccessibleName("Model and backend")
        self.index = ElidedLabel(self, min_chars=8)
        self.index.setAccessibleName("Index state")
        self.remote = QLabel(self)
        self.remote.setObjectName("statusRemote")
        self.remote.setAccessibleName("Remote model")
        self.addPermanentWidget(self.index)
        self.addPermanentWidget(self.model)
        self.addPermanentWidget(self.remote)
        self.addPermanentWidget(self.privacy)
        from app.core.remote.policy import current_policy

        self._policy_note = current_policy().message  # read once: the tooltip says it is in force
        self.set_privacy(refused=0, gate_open=False)
        self.set_model(None)
        self.set_index("No project")

    def set_privacy(self, *, refused: int, gate_open: bool) -> None:
        """Offline (and how many attempts were refused), or Online while a download runs."""
        text = "Online: downloading" if gate_open else "Offline"
        if refused:
            text += f" · {refused} refused"
        self.privacy.setText(text)
        tip = (
            "A download you started is open to the network; every attempt is in the ledger."
            if gate_open
            else "No connection leaves this machine. Click to see the network ledger."
        )
        if self._policy_note:
            tip += f"\n{self._policy_note[0].upper()}{self._policy_note[1:]}."
        self.privacy.setToolTip(tip)
        self.privacy.setProperty("gate", "open" if gate_open else "closed")
        colour = privacy_colour(gate_open=gate_open, dark=is_dark(self.palette()))
        self.privacy.setStyleSheet(f"QLabel {{ color: {colour}; font-weight: 600; padding: 0 6px; }}")
        style: QStyle = self.privacy.style()
        style.unpolish(self.privacy)
        style.polish(self.privacy)

    def set_remote(self, host: str | None) -> None:
        """Show "Remote: host" while a remote model is in use; hide it otherwise."""
        if not host:
            self.remote.hide()
            self.remote.setText("")
            return
        self.remote.setText(f"Remote: {host}")
        self.remote.setToolTip(f"The conversation, and the files the model reads, are sent to {host}.")
        colour = remote_colour(dark=is_dark(self.palette()))
        self.remote.setStyleSheet(f"QLabel {{ color: {colour}; font-weight: 600; padding: 0 6px; }}")
        self.remote.show()

    def set_model(self, info: ModelInfo | RemoteInfo | None, *, note: str = "") -> None:
        """Model name and backend (with the reason for a fallback); a remote one shows its host too.

        `note` is the name to show for a loaded model, or the text to show without one.
        """
        self.set_remote(getattr(info, "host", None))
        if info is None:
            self.model.setText(note or "No model")
            self.model.setToolTip("Models > Set up a model… to get one")
            return
        backend = info.backend.upper()
        # A setting the first-use probe had to turn off shows in the bar, the reason in the tip.
        self.model.setText(describe_model(info, name=note))
        tip = f"{backend}: {info.backend_reason}" if info.backend_reason else backend
        self.model.setToolTip(tip + (f"\n{info.load_note}" if info.load_note else ""))

    def set_index(self, text: str) -> None:
        """Index state: Indexing 40%, 1,234 files, unavailable…"""
        self.index.setText(text)


class _ClickLabel(QLabel):
    clicked = Signal()

    def mousePressEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        self.clicked.emit()
