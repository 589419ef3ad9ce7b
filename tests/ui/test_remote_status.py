"""A remote model in the window: "Remote: host" in its own colour, requests in the Privacy panel."""

from __future__ import annotations

import time

from app.core.privacy.ledger import LedgerEntry
from app.core.remote.remote_model import RemoteInfo
from app.ui.ledger_panel import LedgerPanel
from app.ui.status_bar import EnclaveStatusBar, privacy_colour, remote_colour


def test_the_status_bar_says_remote_host_in_its_own_colour_only_while_remote(qtbot) -> None:
    bar = EnclaveStatusBar()
    qtbot.addWidget(bar)
    bar.show()
    assert bar.remote.isHidden()
    info = RemoteInfo(
        name="Qwen3-4B", endpoint="team", host="gpu.example.com", n_ctx=32768, ctx_source="server"
    )
    bar.set_model(info)
    assert bar.remote.isVisible() and bar.remote.text() == "Remote: gpu.example.com"
    colour = remote_colour(dark=False)
    assert colour in bar.remote.styleSheet() or remote_colour(dark=True) in bar.remote.styleSheet()
    assert colour not in {privacy_colour(gate_open=g, dark=d) for g in (True, False) for d in (True, False)}
    assert "Remote: gpu.example.com" in bar.model.text()
    bar.set_model(None)
    assert bar.remote.isHidden()


def test_the_privacy_panel_lists_what_a_request_sent(qtbot) -> None:
    panel = LedgerPanel()
    qtbot.addWidget(panel)
    entry = LedgerEntry(
        time=time.time(), target="gpu.example.com", operation="request", module="app.core.remote.remote_model",
        allowed=True, bytes_up=5120, bytes_down=800, tokens_up=1200, tokens_down=40, files=("calc.py", "(project map)"),
    )  # fmt: skip
    panel.add_entry(entry)
    target = panel.table.item(0, 3).text()
    assert "5,120 B up" in target and "800 B down" in target and "1,200+40 tokens" in target
    assert "files: calc.py, (project map)" in target
