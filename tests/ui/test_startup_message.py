"""The chat's notice at start-up agrees with the status bar: "Loading…" while a model loads."""

from __future__ import annotations

import threading
from pathlib import Path

from app.core.settings import Settings
from app.ui import app as app_module
from app.ui.app import EnclaveApp
from tests.ui.fakes import ReplayModel


def test_the_chat_says_loading_while_the_model_loads_then_is_ready(qtbot, monkeypatch):
    release = threading.Event()

    def slow_loader(_spec, *, settings):
        def load(cancel, progress):
            release.wait(10)
            return ReplayModel([])

        return load

    monkeypatch.setattr(app_module, "model_loader", slow_loader)
    enclave = EnclaveApp(settings=Settings(), settings_path=None, load_model=True)
    qtbot.addWidget(enclave.window)
    enclave.window.show()
    chat = enclave.window.chat
    try:
        assert "Loading" in enclave.window.status.model.text()
        assert chat.notice.isVisible() and "Loading the model" in chat.notice.text()
        assert "No model loaded" not in chat.notice.text()
        with qtbot.waitSignal(enclave.worker.model_loaded, timeout=10000):
            release.set()
        assert not chat.notice.isVisible() and chat.input.isEnabled()
    finally:
        release.set()
        enclave.shutdown()


def test_the_chat_says_no_model_once_a_load_finds_none(qtbot, monkeypatch):
    def no_model(_spec, *, settings):
        return lambda cancel, progress: None

    monkeypatch.setattr(app_module, "model_loader", no_model)
    enclave = EnclaveApp(settings=Settings(), settings_path=None, load_model=False)
    qtbot.addWidget(enclave.window)
    enclave.window.show()
    try:
        enclave.use_installed_model(Path("gone.gguf"))  # a load that ends without a model
        assert "Loading gone.gguf" in enclave.window.chat.notice.text()
        qtbot.waitUntil(lambda: "No model loaded" in enclave.window.chat.notice.text(), timeout=5000)
    finally:
        enclave.shutdown()


def test_a_loaded_model_is_called_by_its_file_name_not_its_training_tag(qtbot):
    from app.ui.model_picker import shown_name
    from app.ui.model_worker import LoadedModel
    from tests.ui.helpers import main_window

    assert shown_name(path=Path("/m/Qwen3-4B-Instruct-2507-Q4_K_M.gguf"), fallback="x") == (
        "Qwen3-4B-Instruct-2507-Q4_K_M"
    )
    with main_window(qtbot) as w:
        w.worker.model_loaded.emit(
            LoadedModel(
                name="Smollm2 135M 8k Lc100K Mix1 Ep2",
                n_ctx=2048,
                path=Path("/models/SmolLM2-135M-Instruct-Q8_0.gguf"),
                info=None,
            )
        )
        assert w.chat.model_picker.currentText() == "SmolLM2-135M-Instruct-Q8_0"
        assert "Mix1" not in w.status.model.text()


def test_the_status_bar_names_a_loaded_model_by_its_file_not_its_training_tag(qtbot):
    from app.core.runtime.local_model import ModelInfo
    from app.ui.model_worker import LoadedModel
    from tests.ui.helpers import main_window

    path = Path("/models/SmolLM2-135M-Instruct-Q8_0.gguf")
    info = ModelInfo(
        path=path,
        name="Smollm2 135M 8k Lc100K Mix1 Ep2",
        architecture="llama",
        n_ctx=2048,
        n_ctx_train=8192,
        max_ctx=8192,
        ctx_reason="",
        backend="cpu",
        backend_reason="",
        n_gpu_layers=0,
        threads=2,
        file_size=1,
    )
    with main_window(qtbot) as w:
        w.worker.model_loaded.emit(LoadedModel(name=info.name, n_ctx=2048, path=path, info=info))
        assert w.status.model.text() == "SmolLM2-135M-Instruct-Q8_0 · CPU"
