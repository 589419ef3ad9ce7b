"""Which model runs: explicit path or id, then settings, then the best installed agent, then the demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import ModelFileError, NoModelError
from app.core.settings import Settings
from app.core.store import resolve
from app.core.store.location import StoreLocation
from app.core.store.manifest import InstalledFile, InstalledModel, Manifest
from app.core.store.resolve import resolve_model


@pytest.fixture
def location() -> StoreLocation:
    return StoreLocation.default()


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "demo.gguf"
    path.write_bytes(b"GGUF")
    monkeypatch.setattr(resolve, "demo_model_path", lambda: path)
    return path


def install(location: StoreLocation, model_id: str, *, role: str = "agent", catalog_id: str = "") -> Path:
    path = location.model_dir(model_id) / f"{model_id}.gguf"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"GGUF")
    manifest = Manifest.load(location.manifest_file)
    manifest.put(
        InstalledModel(
            id=model_id,
            role=role,
            files=(InstalledFile(path.name, str(path), 4, "00"),),
            source="download",
            verified=True,
            architecture="qwen3",
            catalog_id=catalog_id,
        )
    )
    manifest.save()
    return path


def test_demo_when_nothing_is_installed(location: StoreLocation, demo: Path) -> None:
    assert resolve_model(None, location=location) == demo


def test_nothing_at_all_guides_the_user(location: StoreLocation, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolve, "demo_model_path", lambda: None)
    with pytest.raises(NoModelError, match="enclave models download"):
        resolve_model(None, location=location)


def test_best_installed_agent_model_wins_over_the_demo(location: StoreLocation, demo: Path) -> None:
    install(location, "qwen2.5-coder-0.5b", role="completion", catalog_id="qwen2.5-coder-0.5b")
    small = install(location, "qwen2.5-coder-1.5b-instruct", catalog_id="qwen2.5-coder-1.5b-instruct")
    assert resolve_model(None, location=location) == small  # never the completion model
    default = install(location, "qwen3-4b-instruct-2507", catalog_id="qwen3-4b-instruct-2507")
    assert resolve_model(None, location=location) == default  # the better catalog rank


def test_a_hand_imported_model_beats_the_demo(location: StoreLocation, demo: Path) -> None:
    mine = install(location, "my-model", role="unknown")
    assert resolve_model(None, location=location) == mine


def test_settings_choice_by_id_or_path_comes_first(
    location: StoreLocation, demo: Path, tmp_path: Path
) -> None:
    install(location, "qwen3-4b-instruct-2507", catalog_id="qwen3-4b-instruct-2507")
    chosen = install(location, "qwen2.5-coder-1.5b-instruct", catalog_id="qwen2.5-coder-1.5b-instruct")
    assert (
        resolve_model(None, settings=Settings(model="qwen2.5-coder-1.5b-instruct"), location=location)
        == chosen
    )
    assert resolve_model(None, settings=Settings(model=str(demo)), location=location) == demo
    # A choice that is gone falls back to the best installed model.
    fallback = resolve_model(None, settings=Settings(model="removed-model"), location=location)
    assert fallback.name == "qwen3-4b-instruct-2507.gguf"


def test_explicit_value_is_a_path_or_an_installed_id(location: StoreLocation, demo: Path) -> None:
    installed = install(location, "qwen3-4b-instruct-2507", catalog_id="qwen3-4b-instruct-2507")
    assert resolve_model(str(demo), location=location) == demo
    assert resolve_model("qwen3-4b-instruct-2507", location=location) == installed
    with pytest.raises(NoModelError, match=r"enclave models download qwen2\.5-coder-7b-instruct"):
        resolve_model("qwen2.5-coder-7b-instruct", location=location)
    with pytest.raises(ModelFileError, match="no such model file or installed model"):
        resolve_model("nowhere.gguf", location=location)


def test_a_model_whose_file_vanished_is_skipped(location: StoreLocation, demo: Path) -> None:
    install(location, "qwen3-4b-instruct-2507", catalog_id="qwen3-4b-instruct-2507").unlink()
    assert resolve_model(None, location=location) == demo


def test_a_folder_the_user_added_is_used_before_the_demo(
    location: StoreLocation, demo: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "my-ggufs"
    folder.mkdir()
    for name in ("b-00002-of-00002.gguf", "b-00001-of-00002.gguf", "notes.txt"):
        (folder / name).write_bytes(b"GGUF")
    settings = Settings(extra_model_dirs=[str(folder)])
    assert resolve_model(None, settings=settings, location=location) == folder / "b-00001-of-00002.gguf"
    installed = install(location, "mine", role="unknown")
    assert resolve_model(None, settings=settings, location=location) == installed
