"""User data lives where ENCLAVE_HOME says; settings keep preferences and survive bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import EnclaveError
from app.core.paths import user_dirs
from app.core.settings import Settings


def test_enclave_home_holds_everything(enclave_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENCLAVE_CACHE")  # the suite shares one cache folder; a user has none set
    dirs = user_dirs()
    assert dirs.portable
    for folder in (dirs.config, dirs.data, dirs.cache, dirs.models):
        assert folder.is_relative_to(enclave_home)


def test_platform_dirs_without_enclave_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ENCLAVE_HOME")
    monkeypatch.delenv("ENCLAVE_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    dirs = user_dirs()
    assert not dirs.portable
    assert dirs.config == tmp_path / "xdg-config" / "Enclave"
    assert dirs.data == tmp_path / "xdg-data" / "Enclave"


def test_settings_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    s = Settings(model='C:\\models\\"odd" name.gguf', n_ctx=8192, theme="dark")
    s.add_recent_project(Path("/p/one"))
    s.add_recent_project(Path("/p/two"))
    s.add_recent_project(Path("/p/one"))
    s.open_files, s.current_file = ["/p/one/a.py", "/p/one/b.py"], 1
    s.save(path)
    loaded = Settings.load(path)
    assert loaded == s
    assert loaded.recent_projects == ["/p/one", "/p/two"]


@pytest.mark.parametrize("content", ["n_ctx = 'lots'\ntheme = 'dark'\n", "this is = not toml [", "\xff\xfe"])
def test_bad_settings_fall_back_per_key(tmp_path: Path, content: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(
        content.encode("utf-8", errors="surrogateescape") if content != "\xff\xfe" else b"\xff\xfe"
    )
    loaded = Settings.load(path)
    assert loaded.n_ctx == 0
    if "theme" in content and "not toml" not in content:
        assert loaded.theme == "dark"


def test_forget_everything_clears_paths(tmp_path: Path) -> None:
    s = Settings(model="/m.gguf", recent_projects=["/a"], extra_model_dirs=["/models"], theme="dark")
    s.open_files, s.current_file = ["/a/x.py", "/a/y.py"], 1
    s.forget_everything()
    assert (s.model, s.recent_projects, s.extra_model_dirs) == ("", [], [])
    assert (s.open_files, s.current_file) == ([], 0)
    assert s.theme == "dark"


def test_save_to_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(EnclaveError, match="Could not save settings"):
        Settings().save(blocker / "settings.toml")


def test_enclave_cache_moves_the_cache_alone(
    enclave_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENCLAVE_CACHE", str(tmp_path / "elsewhere"))
    dirs = user_dirs()
    assert dirs.cache == (tmp_path / "elsewhere").resolve()
    assert dirs.data.is_relative_to(enclave_home) and dirs.config.is_relative_to(enclave_home)


@pytest.fixture
def frozen_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A frozen bundle's folder: sys.frozen set and sys.executable inside it."""
    folder = tmp_path / "Enclave"
    folder.mkdir()
    monkeypatch.setattr("sys.frozen", True, raising=False)
    monkeypatch.setattr("sys.executable", str(folder / "enclave"))
    monkeypatch.delenv("ENCLAVE_HOME")
    monkeypatch.delenv("ENCLAVE_CACHE")
    return folder


def test_a_portable_marker_keeps_everything_beside_the_app(frozen_app: Path) -> None:
    (frozen_app / "portable").write_text("")
    dirs = user_dirs()
    assert dirs.portable
    for folder in (dirs.config, dirs.data, dirs.cache, dirs.models):
        assert folder.is_relative_to(frozen_app / "data")


def test_a_data_folder_beside_the_app_makes_it_portable_too(frozen_app: Path) -> None:
    (frozen_app / "data").mkdir()
    dirs = user_dirs()
    assert dirs.portable and dirs.data.is_relative_to(frozen_app / "data")


def test_without_a_marker_a_frozen_app_uses_the_platform_folders(
    frozen_app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    dirs = user_dirs()
    assert not dirs.portable and dirs.data == tmp_path / "xdg-data" / "Enclave"


def test_a_gguf_in_models_beside_the_app_is_offered(frozen_app: Path, tiny_qwen2: Path) -> None:
    import shutil

    from app.core.store.resolve import resolve_model

    (frozen_app / "portable").write_text("")
    (frozen_app / "models").mkdir()
    placed = Path(shutil.copy(tiny_qwen2, frozen_app / "models" / "mine.gguf"))
    settings = Settings()
    assert str(frozen_app / "models") in settings.model_folders()
    assert resolve_model(None, settings=settings) == placed
