"""Privacy in the window: the ledger panel, the status bar's count and colour, export, forget."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.errors import NetworkBlockedError
from app.core.paths import user_dirs
from app.core.privacy import guard
from app.core.settings import Settings
from app.core.store.location import StoreLocation
from app.core.store.manifest import InstalledFile, InstalledModel, Manifest
from app.ui import privacy_actions
from app.ui.app import EnclaveApp
from app.ui.status_bar import privacy_colour
from tests.ui.fakes import ReplayModel
from tests.ui.helpers import ask


@pytest.fixture
def enclave(qtbot) -> Iterator[EnclaveApp]:
    guard.clear_ledger()
    app = EnclaveApp(settings=Settings(), settings_path=user_dirs().settings_file, load_model=False)
    qtbot.addWidget(app.window)
    app.window.show()
    yield app
    app.shutdown()
    guard.clear_ledger()


def refuse(host: str, port: int) -> None:
    """What the installed guard does for a connect to `host`: record it and refuse it.

    The hook itself is not installed in the test process (audit hooks cannot be removed);
    this calls the function the hook calls.
    """
    with pytest.raises(NetworkBlockedError):
        guard._audit("socket.connect", (None, (host, port)))


def _dark(enclave: EnclaveApp) -> bool:
    return enclave.window.status.palette().window().color().lightness() < 128


def test_refused_attempts_fill_the_ledger_and_the_status_count(qtbot, enclave):
    status, ledger = enclave.window.status, enclave.window.ledger
    assert status.privacy.text() == "Offline"
    assert ledger.table.rowCount() == 0
    refuse("203.0.113.7", 443)
    refuse("198.51.100.2", 80)
    qtbot.waitUntil(lambda: ledger.table.rowCount() == 2, timeout=5000)
    assert status.privacy.text() == "Offline · 2 refused"
    assert status.privacy.property("gate") == "closed"
    assert privacy_colour(gate_open=False, dark=_dark(enclave)) in status.privacy.styleSheet()
    row = [ledger.table.item(0, c).text() for c in range(1, 5)]
    assert row == ["refused", "connect", "203.0.113.7:443", __name__]
    # Loopback is this machine: not an attempt to leave it, nothing recorded.
    assert guard.nonlocal_target("socket.connect", (None, ("127.0.0.1", 8080))) is None
    # Clicking the status opens the ledger.
    enclave.window.bottom.setCurrentWidget(enclave.window.output)
    qtbot.mouseClick(status.privacy, Qt.MouseButton.LeftButton)
    assert enclave.window.bottom.currentWidget() is ledger


def test_an_open_gate_shows_online_in_the_other_colour_and_is_listed(qtbot, enclave):
    status, ledger = enclave.window.status, enclave.window.ledger
    refuse("203.0.113.7", 443)
    with guard.network_gate("download test-model"):
        qtbot.waitUntil(lambda: status.privacy.property("gate") == "open", timeout=5000)
        assert status.privacy.text() == "Online: downloading · 1 refused"
        assert privacy_colour(gate_open=True, dark=_dark(enclave)) in status.privacy.styleSheet()
    qtbot.waitUntil(lambda: status.privacy.property("gate") == "closed", timeout=5000)
    assert status.privacy.text() == "Offline · 1 refused"
    assert privacy_colour(gate_open=True, dark=False) != privacy_colour(gate_open=False, dark=False)
    results = [
        (ledger.table.item(r, 1).text(), ledger.table.item(r, 2).text(), ledger.table.item(r, 3).text())
        for r in range(ledger.table.rowCount())
    ]
    assert results == [
        ("refused", "connect", "203.0.113.7:443"),
        ("allowed", "gate-open", "download test-model"),
        ("allowed", "gate-close", "download test-model"),
    ]


def test_export_conversation_writes_markdown_or_json_by_suffix(qtbot, enclave, tmp_path, monkeypatch):
    w = enclave.window
    assert w.menu_actions["export"].shortcut().toString() == "Ctrl+Shift+E"
    with qtbot.waitSignal(w.worker.model_loaded, timeout=5000):
        w.worker.set_model(ReplayModel(["It is in `net.py`."]))
    ask(qtbot, w, "where is the retry?")
    qtbot.waitUntil(lambda: not w.chat.busy)
    for name in ("chat.md", "chat.json"):
        target = tmp_path / name
        monkeypatch.setattr(privacy_actions, "ask_export_path", lambda _w, start, t=target: t)
        with qtbot.waitSignal(w.privacy.exported, timeout=5000) as exported:
            w.menu_actions["export"].trigger()
        assert exported.args == [target] and target.is_file()
        assert f"Exported 2 messages to {target}" in w.status.currentMessage()
    markdown = (tmp_path / "chat.md").read_text()
    assert "## You\n\nwhere is the retry?" in markdown and "## Enclave\n\nIt is in `net.py`." in markdown
    document = json.loads((tmp_path / "chat.json").read_text())
    assert document["format"] == "enclave-conversation"
    assert document["messages"] == [
        {"role": "user", "content": "where is the retry?"},
        {"role": "assistant", "content": "It is in `net.py`."},
    ]
    # Cancelling the file dialog writes nothing.
    monkeypatch.setattr(privacy_actions, "ask_export_path", lambda _w, start: None)
    w.menu_actions["export"].trigger()
    assert w.privacy.job is not None and not w.privacy.job.running  # nothing new was started
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat.json", "chat.md"]


def test_forget_everything_asks_first_then_clears_paths_ledger_and_conversation(
    qtbot, enclave, project, monkeypatch
):
    w = enclave.window
    assert w.menu_actions["forget"].shortcut().toString() == "Ctrl+Shift+Del"
    w.open_project(project)
    qtbot.waitUntil(lambda: not w.indexing, timeout=20000)
    refuse("203.0.113.7", 443)
    qtbot.waitUntil(lambda: w.ledger.table.rowCount() == 1, timeout=5000)
    with qtbot.waitSignal(w.worker.model_loaded, timeout=5000):
        w.worker.set_model(ReplayModel(["an answer"]))
    ask(qtbot, w, "hello")
    qtbot.waitUntil(lambda: not w.chat.busy)
    settings_file = user_dirs().settings_file
    assert str(project) in settings_file.read_text()

    monkeypatch.setattr(privacy_actions, "confirm_forget", lambda _w: False)
    w.menu_actions["forget"].trigger()
    assert w.settings.recent_projects == [str(project)]  # declined: nothing forgotten
    assert "an answer" in w.chat.transcript.toPlainText()

    monkeypatch.setattr(privacy_actions, "confirm_forget", lambda _w: True)
    with qtbot.waitSignal(w.privacy.forgotten, timeout=5000):
        w.menu_actions["forget"].trigger()
    assert w.settings.recent_projects == []
    assert str(project) not in settings_file.read_text()
    assert Settings.load(settings_file).recent_projects == []
    assert guard.ledger() == [] and w.ledger.table.rowCount() == 0
    assert w.status.privacy.text() == "Offline"
    assert w.chat.conversation.leaf() is None
    assert "an answer" not in w.chat.transcript.toPlainText()
    assert "Forgot 1 recent projects" in w.status.currentMessage()


def test_model_picker_lists_installed_models_and_the_demo_and_switches(
    qtbot, enclave, tiny_qwen2, tiny_qwen3
):
    from app.core.store.demo import demo_model_path

    w = enclave.window
    enclave.settings.extra_model_dirs = [str(tiny_qwen2.parent)]  # a folder the user added
    # An installed model, as the store's manifest records one.
    location = StoreLocation.default()
    installed = location.model_dir("tiny-q3") / tiny_qwen3.name
    installed.parent.mkdir(parents=True)
    shutil.copyfile(tiny_qwen3, installed)
    manifest = Manifest.load(location.manifest_file)
    size = installed.stat().st_size
    manifest.put(
        InstalledModel(
            "tiny-q3",
            "agent",
            (InstalledFile(installed.name, str(installed), size, ""),),
            "copy",
            verified=False,
            architecture="qwen3",
        )
    )
    manifest.save()
    tiny_qwen3 = installed
    picker = w.chat.model_picker
    with qtbot.waitSignal(picker.choices_loaded, timeout=10000):
        picker.refresh()
    labels = [picker.itemText(i) for i in range(picker.count())]
    assert labels[0] == "No model"
    assert any(label.startswith("tiny-qwen2.gguf") for label in labels)
    assert any(label.startswith("tiny-q3 (") for label in labels)
    if demo_model_path() is not None:
        assert any(label.startswith("Demo: SmolLM2") for label in labels)
    assert labels[-2:] == ["Use a model file…", "Set up a model…"]

    index = next(i for i, label in enumerate(labels) if label.startswith("tiny-qwen2.gguf"))
    with qtbot.waitSignal(w.worker.model_loaded, timeout=30000):
        picker.activated.emit(index)
    assert enclave.settings.model == str(tiny_qwen2)
    qtbot.waitUntil(lambda: w.chat.input.isEnabled(), timeout=5000)
    assert Path(picker.itemData(0)) == tiny_qwen2
    # The loaded model is listed once, first; picking another one switches the worker's model.
    with qtbot.waitSignal(picker.choices_loaded, timeout=10000):
        picker.refresh()
    labels = [picker.itemText(i) for i in range(picker.count())]
    assert sum(label.startswith("tiny-qwen2.gguf") for label in labels) == 0
    index = next(i for i, label in enumerate(labels) if label.startswith("tiny-q3 ("))
    with qtbot.waitSignal(w.worker.model_loaded, timeout=30000):
        picker.activated.emit(index)
    qtbot.waitUntil(lambda: Path(picker.itemData(0)) == tiny_qwen3, timeout=5000)
    assert w.worker._model.info.path == tiny_qwen3
