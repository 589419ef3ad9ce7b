"""Downloading from the setup dialog against the fake Hub: progress, pause and resume, cancel, gate colour."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.privacy import guard
from app.core.settings import Settings
from app.core.store import download as store_download
from app.core.store.catalog import CatalogFile
from app.core.store.location import StoreLocation
from app.core.store.manifest import Manifest
from app.core.store.progress import ByteProgress, RateMeter
from app.ui.app import EnclaveApp
from app.ui.background import Outcome
from app.ui.download_runner import DownloadRunner
from app.ui.status_bar import privacy_colour
from tests.integration.test_download import NAME, REPO, make_entry
from tests.support.fake_hub import FakeHub, running_hub


@pytest.fixture
def hub(tiny_qwen2: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    with running_hub() as fake:
        fake.add(REPO, NAME, tiny_qwen2.read_bytes())
        monkeypatch.setenv("HF_ENDPOINT", fake.hub_url)
        yield fake


@pytest.fixture
def enclave(qtbot) -> Iterator[EnclaveApp]:
    guard.clear_ledger()
    app = EnclaveApp(settings=Settings(), settings_path=None, load_model=False)
    qtbot.addWidget(app.window)
    app.window.show()
    yield app
    app.shutdown()


def held_after_first_progress(release: threading.Event):
    """The real download, held after its first progress report until `release` is set."""

    def download(entry, **options):
        inner = store_download.download_model(entry, **options)
        held = False
        try:
            for event in inner:
                yield event
                if isinstance(event, ByteProgress) and not held:
                    held = True
                    assert release.wait(10)
        finally:
            inner.close()

    return download


def _open(enclave: EnclaveApp, size: int, release: threading.Event):
    dialog = enclave.show_model_setup(runner=DownloadRunner(download=held_after_first_progress(release)))
    dialog.set_entry(make_entry((CatalogFile(NAME, size, ""),)))
    dialog.download_options = {"probe": False, "retry_delay": 0.0}
    return dialog


def _status(enclave: EnclaveApp) -> tuple[str, str]:
    label = enclave.window.status.privacy
    return label.text(), label.property("gate")


def test_download_shows_progress_and_online_only_while_the_gate_is_open(qtbot, enclave, hub, tiny_qwen2):
    release = threading.Event()
    dialog = _open(enclave, tiny_qwen2.stat().st_size, release)
    assert _status(enclave) == ("Offline", "closed")
    assert dialog.download_button.isEnabled() and not dialog.pause_button.isEnabled()
    dialog.download_button.click()
    qtbot.waitUntil(lambda: "MiB" in dialog.progress_label.text(), timeout=10000)
    # Held inside the download: the gate is open and the status bar says so, in the other colour.
    assert guard.gate_open()
    assert _status(enclave) == ("Online: downloading", "open")
    dark = enclave.window.status.palette().window().color().lightness() < 128
    assert privacy_colour(gate_open=True, dark=dark) in enclave.window.status.privacy.styleSheet()
    assert dialog.pause_button.isEnabled() and dialog.cancel_button.isEnabled()
    assert not dialog.download_button.isEnabled()
    text = dialog.progress_label.text()
    assert text.startswith(f"Downloading {NAME}: ") and "/ 0.4 MiB" in text
    with qtbot.waitSignal(dialog.model_installed, timeout=20000) as installed:
        release.set()
    qtbot.waitUntil(lambda: not dialog.downloading, timeout=10000)
    model = installed.args[0]
    assert model.id == "tiny" and model.path.read_bytes() == tiny_qwen2.read_bytes()
    assert enclave.settings.model == "tiny"
    qtbot.waitUntil(lambda: _status(enclave) == ("Offline", "closed"), timeout=5000)
    assert privacy_colour(gate_open=False, dark=dark) in enclave.window.status.privacy.styleSheet()
    qtbot.waitUntil(lambda: enclave.worker.has_model, timeout=20000)  # the new model was loaded
    assert not dialog.isVisible()


def test_pause_keeps_the_bytes_and_a_second_start_resumes(qtbot, enclave, hub, tiny_qwen2, monkeypatch):
    # A report for every piece received, so the pause lands in the middle of the file.
    monkeypatch.setattr(store_download, "RateMeter", functools.partial(RateMeter, interval=0.0))
    size = tiny_qwen2.stat().st_size
    release = threading.Event()
    dialog = _open(enclave, size, release)
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.pause_button.isEnabled() and dialog.progress.value() > 0, timeout=10000)
    with qtbot.waitSignal(dialog.runner.finished, timeout=10000) as ended:
        dialog.pause_button.click()
        release.set()
    assert ended.args[0].outcome is Outcome.STOPPED
    staged = StoreLocation.default().staging("tiny") / NAME
    kept = staged.stat().st_size
    assert 0 < kept < size
    assert Manifest.load(StoreLocation.default().manifest_file).models == []
    assert dialog.download_button.text() == "Resume download" and dialog.download_button.isEnabled()
    assert "Paused at" in dialog.progress_label.text()
    qtbot.waitUntil(lambda: _status(enclave) == ("Offline", "closed"), timeout=5000)

    with qtbot.waitSignal(dialog.model_installed, timeout=20000) as installed:
        dialog.download_button.click()
    assert hub.cdn.gets()[-1].headers["range"] == f"bytes={kept}-"
    assert installed.args[0].path.read_bytes() == tiny_qwen2.read_bytes()
    qtbot.waitUntil(lambda: not dialog.downloading and enclave.worker.has_model, timeout=20000)


def test_cancel_deletes_the_partial_download(qtbot, enclave, hub, tiny_qwen2):
    release = threading.Event()
    dialog = _open(enclave, tiny_qwen2.stat().st_size, release)
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.cancel_button.isEnabled() and dialog.progress.value() > 0, timeout=10000)
    with qtbot.waitSignal(dialog.runner.finished, timeout=10000) as ended:
        dialog.cancel_button.click()
        release.set()
    assert ended.args[0].outcome is Outcome.CANCELLED
    assert not StoreLocation.default().staging("tiny").exists()
    assert "cancelled" in dialog.progress_label.text()
    assert enclave.window.presenter.history == []  # a cancel shows no error
    qtbot.waitUntil(lambda: _status(enclave) == ("Offline", "closed"), timeout=5000)


def test_a_failed_download_is_reported_in_the_dialog(qtbot, enclave, hub, tiny_qwen2):
    dialog = enclave.show_model_setup(runner=DownloadRunner())
    dialog.set_entry(make_entry((CatalogFile("absent.gguf", 10, ""),)))
    dialog.download_options = {"probe": False, "retry_delay": 0.0}
    with qtbot.waitSignal(dialog.runner.finished, timeout=10000) as ended:
        dialog.download_button.click()
    assert ended.args[0].outcome is Outcome.FAILED
    assert "The download stopped:" in dialog.progress_label.text()
    assert "file is not in the repository" in dialog.progress_label.text()
