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


def test_the_app_loads_the_endpoint_the_agent_role_names(qtbot) -> None:
    from app.core.cancel import CancelToken
    from app.core.remote import registry
    from app.core.remote.endpoint import make_endpoint
    from app.core.remote.remote_model import RemoteModel
    from app.core.settings import Settings
    from app.ui.model_worker import model_loader
    from tests.support.fake_openai import FakeOpenAI

    fake = FakeOpenAI().start()
    try:
        settings = Settings()
        registry.add(settings, make_endpoint("team", url=fake.url, model="fake-model"))
        registry.set_role(settings, "agent", "team")
        model = model_loader(None, settings=settings)(CancelToken(), lambda _text: None)
        assert isinstance(model, RemoteModel) and model.n_ctx == 4096
        bar = EnclaveStatusBar()
        qtbot.addWidget(bar)
        bar.set_model(model.info)
        assert bar.remote.text() == f"Remote: 127.0.0.1:{fake.port}"
        model.close()
    finally:
        fake.stop()


def test_the_network_status_says_when_a_policy_turns_endpoints_off(qtbot, monkeypatch, tmp_path) -> None:
    (tmp_path / "enclave-policy.toml").write_text("endpoints = false\n")
    monkeypatch.setenv("ENCLAVE_SYSTEM_CONFIG", str(tmp_path))
    bar = EnclaveStatusBar()
    qtbot.addWidget(bar)
    assert "turned off by your organisation's policy" in bar.privacy.toolTip()
    monkeypatch.delenv("ENCLAVE_SYSTEM_CONFIG")
    monkeypatch.setenv("ENCLAVE_SYSTEM_CONFIG", str(tmp_path / "none"))
    free = EnclaveStatusBar()
    qtbot.addWidget(free)
    assert "policy" not in free.privacy.toolTip()
