"""The first-use probe in the window: its progress in the status bar, what it turned off in the bar and the picker."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.paths import user_dirs
from app.core.runtime.probe_child import FAULT_ENV
from app.core.settings import Settings
from app.ui.app import EnclaveApp
from app.ui.model_picker import installed_models


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ENCLAVE_CACHE", str(cache))
    return cache


@pytest.fixture
def enclave(qtbot) -> Iterator[EnclaveApp]:
    app = EnclaveApp(settings=Settings(), settings_path=user_dirs().settings_file, load_model=False)
    qtbot.addWidget(app.window)
    app.window.show()
    yield app
    app.shutdown()


def test_a_dropped_model_is_probed_with_progress_and_the_bar_says_what_is_off(
    qtbot, enclave, tiny_qwen2, tmp_path, fresh_cache, monkeypatch
):
    monkeypatch.setenv(FAULT_ENV, "extra_bufts")
    dropped = Path(shutil.copy(tiny_qwen2, tmp_path / "dropped.gguf"))
    notes: list[str] = []
    status = enclave.window.status
    real_set_model = status.set_model
    monkeypatch.setattr(
        status, "set_model", lambda info, note="": notes.append(note) or real_set_model(info, note=note)
    )
    with qtbot.waitSignal(enclave.worker.model_loaded, timeout=60000) as loaded:
        enclave.use_model_file(dropped)
    # The import's stages show in the status bar, the probe in its separate process among them.
    assert any("sha256" in n for n in notes) and any("separate process" in n for n in notes)
    info = loaded.args[0].info
    assert info.turned_off == ("extra_bufts",)
    label = enclave.window.status.model
    qtbot.waitUntil(lambda: "repacking off" in label.text())
    assert "crashed this CPU's llama.cpp build" in label.toolTip()
    # It went through the import: listed as installed (linked, not copied) and chosen.
    from app.core.store.manifest import Manifest

    models = Manifest.load(user_dirs().manifest_file).models
    assert [m.source for m in models] == ["link"] and enclave.settings.model == models[0].id
    assert models[0].path.samefile(dropped)


def test_a_dropped_file_that_is_not_a_model_is_refused_and_nothing_loads(qtbot, enclave, tmp_path):
    bad = tmp_path / "notes.gguf"
    bad.write_bytes(b"# not a model\n" * 50)
    with qtbot.waitSignal(enclave.window.presenter.shown, timeout=20000):
        enclave.use_model_file(bad)
    assert "not a GGUF model file" in enclave.window.presenter.history[-1]
    assert not enclave.worker.has_model


def test_the_picker_tells_a_model_not_yet_checked_from_one_that_needed_safer_settings(
    qtbot, tiny_qwen2, tmp_path, fresh_cache, monkeypatch
):
    folder = tmp_path / "ggufs"
    folder.mkdir()
    model = Path(shutil.copy(tiny_qwen2, folder / "mine.gguf"))
    settings = Settings(extra_model_dirs=[str(folder)])
    before = next(c for c in installed_models(settings) if c.path == model)
    assert "Not checked on this machine yet" in before.note

    from app.core.runtime.load_probe import probe_model

    monkeypatch.setenv(FAULT_ENV, "extra_bufts")
    probe_model(model, gpu=settings.gpu)
    after = next(c for c in installed_models(settings) if c.path == model)
    assert "repacking off" in after.note


def test_with_nothing_installed_the_start_offers_the_setup_and_the_chat_stays_off(qtbot, monkeypatch):
    import app.core.store.resolve as resolve

    monkeypatch.setattr(resolve, "demo_model_path", lambda: None)  # a machine without the demo
    app = EnclaveApp(settings=Settings(), settings_path=user_dirs().settings_file, load_model=True)
    qtbot.addWidget(app.window)
    try:
        with qtbot.waitSignal(app.worker.no_model_found, timeout=20000):
            app.start()
        qtbot.waitUntil(lambda: app._setup_dialog is not None and app._setup_dialog.isVisible(), timeout=5000)
        assert not app.window.chat.input.isEnabled()
        assert app.window.status.model.text() == "No model"
    finally:
        app.shutdown()
