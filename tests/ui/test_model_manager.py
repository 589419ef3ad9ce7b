"""The model manager: the catalog rated for this machine, downloads against the fake Hub, verify, remove."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.privacy import guard
from app.core.runtime.hardware import Hardware
from app.core.settings import Settings
from app.core.store.catalog import Catalog, CatalogFile, load_catalog
from app.core.store.fit import recommend
from app.core.store.location import StoreLocation
from app.core.store.manifest import Manifest
from app.core.store.model_import import import_model
from app.ui.app import EnclaveApp
from app.ui.background import Outcome
from app.ui.catalog_page import COLUMNS
from app.ui.download_runner import DownloadRunner
from app.ui.model_manager import ModelManager
from app.ui.store_overview import size_text
from tests.integration.test_download import NAME, REPO, make_entry
from tests.support.fake_hub import FakeHub, running_hub
from tests.ui.test_model_download import held_after_first_progress

GIB = 2**30
LAPTOP = Hardware(
    total_ram=16 * GIB,
    free_ram=10 * GIB,
    physical_cores=4,
    logical_cores=8,
    gpu_backends=(),
    vram_total=0,
    vram_free=0,
    gpu_name="",
)


@pytest.fixture
def enclave(qtbot) -> Iterator[EnclaveApp]:
    guard.clear_ledger()
    app = EnclaveApp(settings=Settings(), settings_path=None, load_model=False)
    qtbot.addWidget(app.window)
    app.window.show()
    yield app
    app.shutdown()


@pytest.fixture
def hub(tiny_qwen2: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    with running_hub() as fake:
        fake.add(REPO, NAME, tiny_qwen2.read_bytes())
        monkeypatch.setenv("HF_ENDPOINT", fake.hub_url)
        yield fake


def _manager(qtbot, enclave: EnclaveApp, **options) -> ModelManager:
    manager = enclave.windows.show_model_manager(hardware=lambda: LAPTOP, **options)
    qtbot.waitUntil(lambda: manager.overview is not None, timeout=15000)
    return manager


def _install(tiny: Path) -> str:
    events = list(import_model(tiny, cancel=CancelToken(), mode="copy", probe=False))
    return events[-1].model.id


def test_every_catalog_model_is_listed_with_its_rating_and_context(qtbot, enclave):
    manager = _manager(qtbot, enclave)
    catalog = load_catalog()
    expected = recommend(catalog, LAPTOP, free_disk=StoreLocation.default().free_disk())
    page = manager.catalog
    assert page.table.rowCount() == len(catalog)
    for r, fit in enumerate(expected.fits):
        cell = {name: page.table.item(r, c).text() for c, name in enumerate(COLUMNS)}
        entry = catalog.require(fit.model_id)
        assert cell["Model"].removeprefix("★ ") == entry.name
        assert cell["Fit"] == fit.rating == page.rating_of(fit.model_id)
        assert cell["Size"] == size_text(entry.size)
        assert cell["Context"] == (f"{fit.n_ctx:,}" if fit.n_ctx else "—")
        assert cell["Why"] == fit.reason
    # The recommendation, with the completion model that fits beside the agent.
    assert expected.agent is not None and expected.completion is not None
    text = page.recommendation.text()
    assert catalog.require(expected.agent.model_id).name in text
    assert catalog.require(expected.completion.model_id).name in text
    assert "fits beside" in text
    assert "16.0 GiB memory" in manager.machine.text()
    assert page.selected_id() == expected.agent.model_id


def test_the_manager_opens_from_the_models_menu(qtbot, enclave):
    enclave.window.menu_actions["model_manager"].trigger()
    manager = enclave.windows.model_manager
    assert manager is not None and manager.isVisible()
    qtbot.waitUntil(lambda: manager.overview is not None, timeout=15000)
    assert manager.catalog.table.rowCount() == len(load_catalog())


def test_remove_deletes_the_model_file_only_after_confirmation(qtbot, enclave, tiny_qwen2):
    model_id = _install(tiny_qwen2)
    path = Manifest.load(StoreLocation.default().manifest_file).get(model_id).path
    answers: list[bool] = [False, True]
    asked: list[str] = []

    def confirm(_parent, text: str) -> bool:
        asked.append(text)
        return answers.pop(0)

    manager = _manager(qtbot, enclave, confirm=confirm)
    page = manager.installed
    assert page.select(model_id)
    assert not page.remove_selected()  # the user said no
    assert path.is_file() and model_id in asked[0]
    with qtbot.waitSignal(manager.overview_read, timeout=15000):
        assert page.remove_selected()
    assert not path.exists()
    assert Manifest.load(StoreLocation.default().manifest_file).get(model_id) is None
    assert page.table.rowCount() == 0 and "Removed" in page.status.text()


def test_verify_reports_a_file_that_no_longer_matches_its_hash(qtbot, enclave, tiny_qwen2):
    model_id = _install(tiny_qwen2)
    path = Manifest.load(StoreLocation.default().manifest_file).get(model_id).path
    manager = _manager(qtbot, enclave)
    page = manager.installed
    assert page.select(model_id)
    with qtbot.waitSignal(manager.overview_read, timeout=15000):
        assert page.verify_selected()
    assert page.verified_text(model_id) == "ok"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # one flipped byte, same size
    path.write_bytes(bytes(data))
    with qtbot.waitSignal(manager.overview_read, timeout=15000):
        assert page.verify_selected()
    assert page.verified_text(model_id) == "FAILED"
    assert "sha256 differs" in page.status.text()


def test_cancel_of_a_download_leaves_no_partial_model(qtbot, enclave, hub, tiny_qwen2):
    release = threading.Event()
    entry = make_entry((CatalogFile(NAME, tiny_qwen2.stat().st_size, ""),))
    manager = _manager(
        qtbot,
        enclave,
        runner=DownloadRunner(download=held_after_first_progress(release)),
        catalog=Catalog((entry,)),
        download_options={"probe": False, "retry_delay": 0.0},
    )
    page = manager.catalog
    assert page.select("tiny") and page.download_button.isEnabled()
    page.download_button.click()
    qtbot.waitUntil(lambda: page.cancel_button.isEnabled() and page.progress.value() > 0, timeout=10000)
    assert not page.download_button.isEnabled()
    with qtbot.waitSignal(manager.runner.finished, timeout=10000) as ended:
        page.cancel_button.click()
        release.set()
    assert ended.args[0].outcome is Outcome.CANCELLED
    location = StoreLocation.default()
    assert not location.staging("tiny").exists()
    assert Manifest.load(location.manifest_file).models == []
    assert list(location.models.rglob("*.gguf")) == []
    assert "cancelled" in page.status.text()
    assert enclave.window.presenter.history == []


def test_pause_keeps_the_bytes_and_resume_installs_the_model(qtbot, enclave, hub, tiny_qwen2, monkeypatch):
    import functools

    from app.core.store import download as store_download
    from app.core.store.progress import RateMeter

    monkeypatch.setattr(store_download, "RateMeter", functools.partial(RateMeter, interval=0.0))
    release = threading.Event()
    entry = make_entry((CatalogFile(NAME, tiny_qwen2.stat().st_size, ""),))
    manager = _manager(
        qtbot,
        enclave,
        runner=DownloadRunner(download=held_after_first_progress(release)),
        catalog=Catalog((entry,)),
        download_options={"probe": False, "retry_delay": 0.0},
    )
    page = manager.catalog
    page.select("tiny")
    page.download_button.click()
    qtbot.waitUntil(lambda: page.pause_button.isEnabled() and page.progress.value() > 0, timeout=10000)
    with qtbot.waitSignal(manager.overview_read, timeout=15000):
        page.pause_button.click()
        release.set()
    assert manager.overview is not None and "tiny" in manager.overview.paused
    assert page.download_button.text() == "Resume download"
    assert page.table.item(0, COLUMNS.index("State")).text() == "Paused"
    with qtbot.waitSignal(manager.model_installed, timeout=20000) as installed:
        page.download_button.click()
    assert installed.args[0].path.read_bytes() == tiny_qwen2.read_bytes()
    qtbot.waitUntil(lambda: page.table.item(0, COLUMNS.index("State")).text() == "Installed", timeout=15000)
    qtbot.waitUntil(lambda: manager.installed.table.rowCount() == 1, timeout=15000)
    # Nothing was loaded yet, so the first model is loaded and remembered.
    assert enclave.settings.model == "tiny"
    qtbot.waitUntil(lambda: enclave.worker.has_model, timeout=20000)


def test_import_goes_through_the_app_and_the_model_is_listed(qtbot, enclave, tiny_qwen2, monkeypatch):
    from app.ui import installed_page

    monkeypatch.setattr(
        installed_page.QFileDialog,
        "getOpenFileName",
        lambda *_a, **_k: (str(tiny_qwen2), "GGUF models (*.gguf)"),
    )
    manager = _manager(qtbot, enclave)
    page = manager.installed
    assert page.table.rowCount() == 0 and not page.empty.isHidden()
    page.import_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=60000)
    assert page.table.item(0, 0).text() == "tiny-qwen2"
    assert page.empty.isHidden()
    assert manager.tabs.tabText(1) == "Installed (1)"
    qtbot.waitUntil(lambda: not enclave._loading, timeout=60000)  # the app loads what was imported
